//! `#[derive(ConfigurableIOManagerFactory)]`: the struct builds the manager
//! for each run (e.g. opens a connection).
#![deny(warnings)]

use larder::prelude::*;

struct Connection {
    url: String,
}

impl IOManager<Vec<u8>> for Connection {
    fn handle_output(&self, _ctx: &mut OutputContext, _obj: &Vec<u8>) -> larder::Result<()> {
        let _ = &self.url;
        Ok(())
    }
    fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<Vec<u8>> {
        Ok(Vec::new())
    }
}

#[derive(ConfigurableIOManagerFactory, Serialize, Deserialize)]
#[io_manager(key = "database", description = "opens a connection per run")]
struct DatabaseFactory {
    url: String,
}

impl ConfigurableIOManagerFactory for DatabaseFactory {
    type Manager = Connection;
    fn create_io_manager(&self, _ctx: &mut InitContext) -> larder::Result<Connection> {
        Ok(Connection { url: self.url.clone() })
    }
}

#[asset(io_manager_key = "database")]
fn blob() -> Vec<u8> {
    vec![1]
}

fn main() {
    let defs = Definitions::new().resource("database", DatabaseFactory { url: "mem://".into() });
    assert!(defs.get_resources().contains_key("database"));
    let _ = blob::definition();
}
