//! Dagster's `ConfigurableIOManagerFactory` example: the factory's
//! `create_io_manager` opens a connection (an embedded SQLite database) with
//! a username and a password read from an environment variable, and the
//! manager stores outputs in tables.

use std::sync::Mutex;

use larder::config::EnvVar;
use larder::prelude::*;
use larder_examples::{Table, check};

/// The factory's fields are its config; the password is an `EnvVar`.
#[derive(ConfigurableIOManagerFactory, Deserialize)]
#[io_manager(key = "warehouse")]
struct ExternalIOManagerFactory {
    path: String,
    username: String,
    password: EnvVar,
}

/// What the factory builds: an open connection.
struct ExternalIOManager {
    conn: Mutex<rusqlite::Connection>,
}

impl ConfigurableIOManagerFactory for ExternalIOManagerFactory {
    type Manager = ExternalIOManager;

    fn create_io_manager(&self, _ctx: &mut InitContext) -> larder::Result<ExternalIOManager> {
        // Resolved at launch; an unset variable is an error naming it.
        let password = self.password.get()?;
        let conn = rusqlite::Connection::open(&self.path).map_err(Error::user)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS logins (username TEXT, password_len INTEGER)",
        )
        .map_err(Error::user)?;
        conn.execute(
            "INSERT INTO logins VALUES (?1, ?2)",
            (&self.username, password.len() as i64),
        )
        .map_err(Error::user)?;
        Ok(ExternalIOManager {
            conn: Mutex::new(conn),
        })
    }
}

fn table_name(key: &AssetKey) -> String {
    key.path().join("_")
}

impl IOManager<Table> for ExternalIOManager {
    fn handle_output(&self, ctx: &mut OutputContext, table: &Table) -> larder::Result<()> {
        let name = table_name(ctx.asset_key()?);
        let conn = self
            .conn
            .lock()
            .map_err(|_| Error::msg("connection poisoned"))?;
        let columns: Vec<String> = table
            .columns
            .iter()
            .map(|c| format!("\"{c}\" TEXT"))
            .collect();
        conn.execute_batch(&format!(
            "DROP TABLE IF EXISTS \"{name}\"; CREATE TABLE \"{name}\" ({})",
            columns.join(", ")
        ))
        .map_err(Error::user)?;
        let marks: Vec<String> = (1..=table.columns.len()).map(|i| format!("?{i}")).collect();
        let mut insert = conn
            .prepare(&format!(
                "INSERT INTO \"{name}\" VALUES ({})",
                marks.join(", ")
            ))
            .map_err(Error::user)?;
        for row in &table.rows {
            insert
                .execute(rusqlite::params_from_iter(row.iter()))
                .map_err(Error::user)?;
        }
        ctx.add_output_metadata(metadata! { "table" => name, "rows" => table.rows.len() })
    }

    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<Table> {
        let name = table_name(ctx.asset_key()?);
        let conn = self
            .conn
            .lock()
            .map_err(|_| Error::msg("connection poisoned"))?;
        let mut select = conn
            .prepare(&format!("SELECT * FROM \"{name}\""))
            .map_err(Error::user)?;
        let columns: Vec<String> = select.column_names().map(str::to_owned).collect();
        let n = columns.len();
        let rows = select
            .query_map([], |r| {
                (0..n)
                    .map(|i| r.get::<_, String>(i))
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(Error::user)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(Error::user)?;
        Ok(Table { columns, rows })
    }
}

#[asset(io_manager_key = "warehouse")]
fn customers() -> Table {
    Table::new(
        ["id", "name"],
        vec![
            vec!["1".into(), "ada".into()],
            vec!["2".into(), "grace".into()],
        ],
    )
}

#[asset(io_manager_key = "warehouse")]
fn customer_count(customers: Table) -> Table {
    Table::new(["count"], vec![vec![customers.rows.len().to_string()]])
}

fn run() -> larder::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("warehouse.sqlite3");
    // SAFETY: set before any other thread of this example starts.
    unsafe { std::env::set_var("WAREHOUSE_PASSWORD", "correct horse") };
    let config = RunConfig::from_toml_str(&format!(
        "[resources.warehouse.config]\npath = {:?}\nusername = \"etl\"\npassword = {{ env = \"WAREHOUSE_PASSWORD\" }}\n",
        db.display().to_string()
    ))?;
    let result =
        Definitions::discover().run(RunOptions::new().in_memory().run_config(config.clone()))?;
    check(
        result.asset_value::<Table>("customer_count")?.rows == vec![vec!["2".to_owned()]],
        "count is 2",
    )?;
    let conn = rusqlite::Connection::open(&db).map_err(Error::user)?;
    let stored: i64 = conn
        .query_row("SELECT COUNT(*) FROM customers", [], |r| r.get(0))
        .map_err(Error::user)?;
    check(stored == 2, "two customers in SQLite")?;
    let login: (String, i64) = conn
        .query_row("SELECT username, password_len FROM logins", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .map_err(Error::user)?;
    check(login == ("etl".to_owned(), 13), format!("login {login:?}"))?;

    // Without the variable, the run does not start, and says which variable.
    // SAFETY: as above.
    unsafe { std::env::remove_var("WAREHOUSE_PASSWORD") };
    let err = Definitions::discover()
        .run(RunOptions::new().in_memory().run_config(config))
        .unwrap_err();
    check(
        err.to_string().contains("resources.warehouse.config.password: environment variable `WAREHOUSE_PASSWORD` is not set"),
        format!("unexpected error: {err}"),
    )?;
    println!("stored 2 customers in {}", db.display());
    Ok(())
}

fn main() -> std::process::ExitCode {
    larder_examples::run_main(run)
}

#[test]
fn io_manager_factory() {
    run().unwrap();
}
