//! `#[derive(ConfigurableIOManager)]`: the struct is the manager, its
//! fields its config; bound as a value or configured at launch.
#![deny(warnings)]

use larder::prelude::*;

#[derive(ConfigurableIOManager, Serialize, Deserialize)]
#[io_manager(key = "lines", description = "text files", required_resource_keys = [], version = "1")]
struct LinesIOManager {
    path_prefix: String,
}

impl IOManager<String> for LinesIOManager {
    fn handle_output(&self, _ctx: &mut OutputContext, _obj: &String) -> larder::Result<()> {
        let _ = &self.path_prefix;
        Ok(())
    }
    fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<String> {
        Ok(String::new())
    }
}

/// No config, no serde `Serialize`.
#[derive(ConfigurableIOManager, Deserialize)]
#[io_manager(key = "empty")]
struct Empty {}

impl IOManager<u8> for Empty {
    fn handle_output(&self, _ctx: &mut OutputContext, _obj: &u8) -> larder::Result<()> {
        Ok(())
    }
    fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<u8> {
        Ok(0)
    }
}

#[asset(io_manager_key = "lines")]
fn text() -> String {
    "hi".into()
}

#[asset(io_manager_key = "empty")]
fn byte() -> u8 {
    1
}

fn main() {
    assert_eq!(<LinesIOManager as ConfigurableIOManager>::KEY, "lines");
    let def = LinesIOManager { path_prefix: "x".into() }.into_definition();
    assert_eq!(def.get_description(), Some("text files"));
    let at_launch = LinesIOManager::configure_at_launch();
    assert!(at_launch.get_config_type().is_some());
    let _ = Definitions::new().resource("lines", LinesIOManager { path_prefix: "y".into() }).resource("empty", Empty {});
    let _ = (text::definition(), byte::definition());
}
