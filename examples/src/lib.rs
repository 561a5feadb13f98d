//! Shared pieces of the examples: a small table type and an outcome check.

pub mod multiprocess;

use serde::{Deserialize, Serialize};

/// A small table: named columns of strings, rows in order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table from column names and rows.
    pub fn new<C: Into<String>>(
        columns: impl IntoIterator<Item = C>,
        rows: Vec<Vec<String>>,
    ) -> Self {
        Table {
            columns: columns.into_iter().map(Into::into).collect(),
            rows,
        }
    }

    /// The table as CSV (no quoting: the examples' values have no commas).
    pub fn to_csv(&self) -> String {
        let mut out = self.columns.join(",");
        out.push('\n');
        for row in &self.rows {
            out.push_str(&row.join(","));
            out.push('\n');
        }
        out
    }

    /// Parses what `to_csv` wrote.
    pub fn from_csv(text: &str) -> Result<Self, String> {
        let mut lines = text.lines();
        let columns: Vec<String> = lines
            .next()
            .ok_or("empty CSV")?
            .split(',')
            .map(str::to_owned)
            .collect();
        let rows = lines
            .map(|l| {
                let row: Vec<String> = l.split(',').map(str::to_owned).collect();
                if row.len() == columns.len() {
                    Ok(row)
                } else {
                    Err(format!(
                        "row {l:?} has {} fields, expected {}",
                        row.len(),
                        columns.len()
                    ))
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Table { columns, rows })
    }
}

/// Fails the example with `message` unless `ok`.
pub fn check(ok: bool, message: impl std::fmt::Display) -> larder::Result<()> {
    if ok {
        Ok(())
    } else {
        Err(larder::Error::msg(format!(
            "example check failed: {message}"
        )))
    }
}

/// Runs an example's body as its `main`: prints the error and exits non-zero
/// when anything is off.
pub fn run_main(body: fn() -> larder::Result<()>) -> std::process::ExitCode {
    match body() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprint!("{}", e.report());
            std::process::ExitCode::FAILURE
        }
    }
}
