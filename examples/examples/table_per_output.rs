//! Dagster's "one table per output" example: the manager stores each output
//! in a table named by `context.name()` and loads it by
//! `context.upstream_output().name()`.

use larder::prelude::*;
use larder_examples::{Table, check};

/// Tables as `<dir>/<output name>.csv`.
#[derive(ConfigurableIOManager, Serialize, Deserialize)]
#[io_manager(key = "tables")]
struct TablePerOutput {
    dir: std::path::PathBuf,
}

impl IOManager<Table> for TablePerOutput {
    fn handle_output(&self, ctx: &mut OutputContext, table: &Table) -> larder::Result<()> {
        let path = self.dir.join(format!("{}.csv", ctx.name()?));
        std::fs::write(&path, table.to_csv())?;
        ctx.add_output_metadata(metadata! { "table" => ctx.name()?.to_owned() })
    }

    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<Table> {
        let up = ctx
            .upstream_output()
            .ok_or_else(|| Error::msg("no upstream output"))?;
        let path = self.dir.join(format!("{}.csv", up.name()?));
        Table::from_csv(&std::fs::read_to_string(path)?).map_err(Error::msg)
    }
}

#[op(outs(
    customers(io_manager_key = "tables"),
    orders(io_manager_key = "tables")
))]
fn extract() -> (Table, Table) {
    (
        Table::new(["id"], vec![vec!["1".into()], vec!["2".into()]]),
        Table::new(
            ["customer", "total"],
            vec![vec!["1".into(), "30".into()], vec!["1".into(), "12".into()]],
        ),
    )
}

#[op(out(io_manager_key = "tables"))]
fn joined(customers: Table, orders: Table) -> Table {
    let rows = customers
        .rows
        .iter()
        .map(|c| {
            let n = orders.rows.iter().filter(|o| o[0] == c[0]).count();
            vec![c[0].clone(), n.to_string()]
        })
        .collect();
    Table::new(["customer", "orders"], rows)
}

#[job]
fn etl() {
    let (customers, orders) = extract();
    joined(customers, orders);
}

fn run() -> larder::Result<()> {
    let dir = tempfile::tempdir()?;
    let result = Definitions::discover()
        .resource(
            "tables",
            TablePerOutput {
                dir: dir.path().into(),
            },
        )
        .execute_job("etl", RunOptions::new())?;
    for name in ["customers", "orders", "result"] {
        check(
            dir.path().join(format!("{name}.csv")).is_file(),
            format!("{name}.csv"),
        )?;
    }
    let joined = result.output_for_node::<Table>("joined")?;
    check(
        joined.rows
            == vec![
                vec!["1".to_owned(), "2".to_owned()],
                vec!["2".to_owned(), "0".to_owned()],
            ],
        format!("{joined:?}"),
    )?;
    println!(
        "tables in {}: customers.csv, orders.csv, result.csv",
        dir.path().display()
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    larder_examples::run_main(run)
}

#[test]
fn table_per_output() {
    run().unwrap();
}
