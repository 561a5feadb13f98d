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

#[multi_asset(outs(title(io_manager_key = "lines"), other))]
fn parsed() -> (String, i64) {
    (String::new(), 1)
}

#[asset]
fn words(title: Vec<String>) -> usize {
    title.len()
}

fn main() {}
