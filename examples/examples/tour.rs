//! The README's tour: a manager with config, two assets, materialize, and
//! what landed on disk.

use larder::prelude::*;
use larder_examples::check;

/// A manager: its fields are its config, it declares the key assets name.
#[derive(ConfigurableIOManager, Serialize, Deserialize)]
#[io_manager(key = "lines")]
struct LinesIOManager {
    base_dir: std::path::PathBuf,
}

impl IOManager<Vec<String>> for LinesIOManager {
    fn handle_output(&self, ctx: &mut OutputContext, obj: &Vec<String>) -> larder::Result<()> {
        let path = self.base_dir.join(ctx.asset_key()?.to_user_string());
        std::fs::write(&path, obj.join("\n"))?;
        ctx.add_output_metadata(
            metadata! { "path" => MetadataValue::path(&path), "lines" => obj.len() },
        )
    }
    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<Vec<String>> {
        let path = self.base_dir.join(ctx.asset_key()?.to_user_string());
        Ok(std::fs::read_to_string(path)?
            .lines()
            .map(str::to_owned)
            .collect())
    }
}

#[asset(io_manager_key = "lines")]
fn names() -> Vec<String> {
    vec!["ada".into(), "grace".into()]
}

/// The default `io_manager`: files under the instance's storage directory.
#[asset]
fn greeting(names: Vec<String>) -> String {
    format!("hello, {}", names.join(" and "))
}

fn run() -> larder::Result<()> {
    let data = tempfile::tempdir()?;
    let home = tempfile::tempdir()?;
    let result = Definitions::discover()
        .resource(
            "lines",
            LinesIOManager {
                base_dir: data.path().to_path_buf(),
            },
        )
        .run(RunOptions::new().instance(Instance::at(home.path())))?;
    check(
        result.asset_value::<String>("greeting")? == "hello, ada and grace",
        "greeting",
    )?;
    check(
        std::fs::read_to_string(data.path().join("names"))? == "ada\ngrace",
        "names file",
    )?;
    check(
        home.path().join("storage/greeting").is_file(),
        "greeting file",
    )?;
    println!("names    -> {}", data.path().join("names").display());
    println!(
        "greeting -> {}",
        home.path().join("storage/greeting").display()
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    larder_examples::run_main(run)
}

#[test]
fn tour() {
    run().unwrap();
}
