use larder::prelude::*;

struct Lines;

impl IOManager<String> for Lines {
    fn handle_output(&self, _ctx: &mut OutputContext, _obj: &String) -> larder::Result<()> {
        Ok(())
    }
    fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<String> {
        Ok(String::new())
    }
}

#[io_manager(key = "lines")]
fn lines() -> Lines {
    Lines
}

#[asset(io_manager_key = "lines")]
fn numbers() -> Vec<i64> {
    vec![1, 2, 3]
}

fn main() {}
