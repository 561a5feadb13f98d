//! Derived managers: configured at launch from run config
//! (`resources.<key>.config`), or bound with their config as a value.

use std::path::{Path, PathBuf};

use larder::prelude::*;

/// Writes each value as a text file under `base_dir`.
#[derive(ConfigurableIOManager, Serialize, Deserialize)]
#[io_manager(key = "text_files", description = "one text file per asset")]
struct TextFiles {
    base_dir: PathBuf,
}

impl TextFiles {
    fn path(&self, key: &larder::AssetKey) -> PathBuf {
        key.path()
            .iter()
            .fold(self.base_dir.clone(), |p, c| p.join(c))
    }
}

impl IOManager<String> for TextFiles {
    fn handle_output(&self, ctx: &mut OutputContext, obj: &String) -> larder::Result<()> {
        let path = self.path(ctx.asset_key()?);
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
        std::fs::write(path, obj)?;
        Ok(())
    }
    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<String> {
        Ok(std::fs::read_to_string(self.path(ctx.asset_key()?))?)
    }
}

struct Connection {
    prefix: String,
}

impl IOManager<u64> for Connection {
    fn handle_output(&self, ctx: &mut OutputContext, obj: &u64) -> larder::Result<()> {
        ctx.add_output_metadata(
            larder::metadata! { "stored_as" => format!("{}{obj}", self.prefix) },
        )
    }
    fn load_input(&self, _ctx: &mut InputContext) -> larder::Result<u64> {
        Ok(0)
    }
}

/// Opens a "connection" for each run.
#[derive(ConfigurableIOManagerFactory, Deserialize)]
#[io_manager(key = "database")]
struct Database {
    prefix: String,
}

impl ConfigurableIOManagerFactory for Database {
    type Manager = Connection;
    fn create_io_manager(&self, _ctx: &mut InitContext) -> larder::Result<Connection> {
        Ok(Connection {
            prefix: self.prefix.clone(),
        })
    }
}

#[asset(io_manager_key = "text_files")]
fn greeting() -> String {
    "hello".into()
}

#[asset(io_manager_key = "text_files")]
fn shout(greeting: String) -> String {
    greeting.to_uppercase()
}

#[asset(io_manager_key = "database")]
fn count(shout: String) -> u64 {
    shout.len() as u64
}

#[test]
fn configured_at_launch_from_run_config() {
    let dir = tempfile::tempdir().unwrap();
    let config = RunConfig::new()
        .resource("text_files", serde_json::json!({ "base_dir": dir.path() }))
        .resource("database", serde_json::json!({ "prefix": "row:" }));
    let result = Definitions::discover()
        .run(RunOptions::new().run_config(config))
        .unwrap();
    assert!(result.success());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("greeting")).unwrap(),
        "hello"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("shout")).unwrap(),
        "HELLO"
    );
    assert_eq!(*result.asset_value::<u64>("count").unwrap(), 5);
}

#[test]
fn bound_with_config_as_a_value() {
    let dir = tempfile::tempdir().unwrap();
    let defs = Definitions::discover()
        .resource(
            "text_files",
            TextFiles {
                base_dir: dir.path().to_path_buf(),
            },
        )
        .resource(
            "database",
            Database {
                prefix: "row:".into(),
            },
        );
    assert_eq!(
        defs.get_resources()["text_files"].get_description(),
        Some("one text file per asset")
    );
    defs.materialize_all().unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("shout")).unwrap(),
        "HELLO"
    );
}

#[test]
fn missing_config_is_reported_with_its_path() {
    let err = Definitions::discover()
        .materialize_all()
        .unwrap_err()
        .to_string();
    assert!(err.contains("resources.text_files.config"), "{err}");
}
