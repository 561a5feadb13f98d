use larder::prelude::*;

pub struct TableManager;

impl IOManager<Vec<String>> for TableManager {
    fn handle_output(&self, _: &mut OutputContext, _: &Vec<String>) -> larder::Result<()> {
        Ok(())
    }
    fn load_input(&self, _: &mut InputContext) -> larder::Result<Vec<String>> {
        Ok(Vec::new())
    }
}

#[io_manager(key = "table")]
fn table() -> TableManager {
    TableManager
}

#[asset(io_manager_key = "table")]
fn stories() -> Vec<String> {
    Vec::new()
}

// `TableManager` loads `Vec<String>` only.
#[asset]
fn story_count(stories: i64) -> i64 {
    stories
}

fn main() {}
