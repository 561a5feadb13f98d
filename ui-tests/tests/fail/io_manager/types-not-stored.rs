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

#[io_manager(key = "lines", types = [String, Vec<u8>])]
fn lines() -> Lines {
    Lines
}

fn main() {}
