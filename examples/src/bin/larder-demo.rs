//! The demo: a small sales pipeline on local disk, driven by `larder::cli`.
//!
//! ```sh
//! cargo run -p larder-examples --bin larder-demo -- materialize
//! cargo run -p larder-examples --bin larder-demo -- show report
//! cargo run -p larder-examples --bin larder-demo -- list
//! ```
//!
//! Files go under `$LARDER_HOME` (default `./larder-demo-home`): assets in
//! `storage/`, the report in `reports/`, run history in `history.sqlite3`.

use std::collections::BTreeMap;
use std::process::ExitCode;

use larder::prelude::*;

/// One order.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Order {
    id: u32,
    region: String,
    amount: f64,
}

/// Writes reports as Markdown files; a custom manager with its own key.
#[derive(ConfigurableIOManager, Serialize, Deserialize)]
#[io_manager(key = "reports", description = "Markdown reports on local disk")]
struct ReportWriter {
    dir: std::path::PathBuf,
}

impl IOManager<String> for ReportWriter {
    fn handle_output(&self, ctx: &mut OutputContext, report: &String) -> larder::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self
            .dir
            .join(format!("{}.md", ctx.asset_key()?.path().join("_")));
        std::fs::write(&path, report)?;
        ctx.add_output_metadata(
            metadata! { "path" => MetadataValue::path(&path), "bytes" => report.len() },
        )
    }

    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<String> {
        Ok(std::fs::read_to_string(self.dir.join(format!(
            "{}.md",
            ctx.asset_key()?.path().join("_")
        )))?)
    }
}

/// Raw orders, as an extract would deliver them.
#[asset(group_name = "sales", metadata(owner = "data-eng"))]
fn raw_orders() -> Vec<Order> {
    let regions = ["north", "south", "east", "west"];
    (1..=40)
        .map(|id| Order {
            id,
            region: regions[id as usize % 4].to_owned(),
            amount: f64::from(id * 7 % 50) + 0.5,
        })
        .collect()
}

/// Revenue per region.
#[asset(group_name = "sales")]
fn revenue_by_region(raw_orders: Vec<Order>) -> BTreeMap<String, f64> {
    let mut totals = BTreeMap::new();
    for o in raw_orders {
        *totals.entry(o.region).or_insert(0.0) += o.amount;
    }
    totals
}

/// The report, written by the `reports` manager.
#[asset(io_manager_key = "reports", group_name = "sales")]
fn report(revenue_by_region: BTreeMap<String, f64>) -> String {
    let mut md = String::from("# Revenue by region\n\n| region | revenue |\n| --- | ---: |\n");
    for (region, total) in &revenue_by_region {
        md.push_str(&format!("| {region} | {total:.2} |\n"));
    }
    md
}

fn main() -> ExitCode {
    let home = std::env::var_os("LARDER_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "larder-demo-home".into());
    // SAFETY: set before any thread starts.
    unsafe { std::env::set_var("LARDER_HOME", &home) };
    let defs = Definitions::discover().resource(
        "reports",
        ReportWriter {
            dir: home.join("reports"),
        },
    );
    larder::cli::main(defs)
}
