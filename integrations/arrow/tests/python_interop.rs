//! Interop with Python: files larder writes are read by pyarrow, and files
//! pyarrow writes (snappy, `large_string` as polars writes) load in larder.
//! Needs a Python with pyarrow: `$LARDER_PYTHON`, else
//! `target/py-arrow-venv/bin/python` (what `.ci/run` installs), else
//! `python3`. Without one the tests skip, except under CI, where they fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use larder::prelude::*;
use larder::storage::upath::UPath;
use larder_arrow::arrow_array::{Array, RecordBatch};
use larder_arrow::{ArrowRow, ParquetFiles, ParquetIOManager};

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Trip {
    id: i64,
    city: String,
    fare: Option<f64>,
}
impl ArrowRow for Trip {}

fn python() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/py-arrow-venv/bin/python");
    let candidates = std::env::var_os("LARDER_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain([venv, PathBuf::from("python3")]);
    for p in candidates {
        let ok = Command::new(&p)
            .args(["-c", "import pyarrow"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(p);
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "no Python with pyarrow: .ci/run installs it (python3 -m venv target/py-arrow-venv && target/py-arrow-venv/bin/pip install pyarrow)"
    );
    eprintln!(
        "skipping: no Python with pyarrow (python3 -m venv target/py-arrow-venv && target/py-arrow-venv/bin/pip install pyarrow)"
    );
    None
}

fn run_python(python: &Path, script: &str, arg: &Path) -> String {
    let out = Command::new(python)
        .args(["-c", script])
        .arg(arg)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn trips() -> Vec<Trip> {
    vec![
        Trip {
            id: 1,
            city: "Oslo".into(),
            fare: Some(12.5),
        },
        Trip {
            id: 2,
            city: "Lima".into(),
            fare: None,
        },
    ]
}

#[test]
fn pyarrow_reads_what_larder_writes() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let m = ParquetFiles::default().on(UPath::local(dir.path()));
    let mut out = build_output_context().asset_key(["raw", "trips"]).build();
    IOManager::handle_output(&m, &mut out, &trips()).unwrap();
    let script = r#"
import json, sys
import pyarrow.parquet as pq
f = pq.ParquetFile(sys.argv[1])
t = f.read()
print(json.dumps({
    "schema": [[x.name, str(x.type), x.nullable] for x in t.schema],
    "rows": t.to_pylist(),
    "codec": f.metadata.row_group(0).column(0).compression,
}))
"#;
    let got: serde_json::Value = serde_json::from_str(&run_python(
        &python,
        script,
        &dir.path().join("raw/trips.parquet"),
    ))
    .unwrap();
    assert_eq!(
        got,
        serde_json::json!({
            "schema": [["id", "int64", false], ["city", "string", false], ["fare", "double", true]],
            "rows": [
                {"id": 1, "city": "Oslo", "fare": 12.5},
                {"id": 2, "city": "Lima", "fare": null}
            ],
            "codec": "ZSTD"
        })
    );
}

#[test]
fn larder_loads_what_pyarrow_writes() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("trips")).unwrap();
    // pyarrow's defaults (snappy, `string`), with `city` as polars writes it
    // (`large_string`), an extra column, and two row groups.
    let script = r#"
import sys
import pyarrow as pa, pyarrow.parquet as pq
t = pa.table({
    "id": pa.array([1, 2, 3], pa.int64()),
    "city": pa.array(["Oslo", "Lima", "Pune"], pa.large_string()),
    "fare": pa.array([12.5, None, 3.0], pa.float64()),
    "extra": pa.array(["x", "y", "z"]),
})
pq.write_table(t, sys.argv[1] + "/trips/2024-01-01.parquet", row_group_size=2)
pq.write_table(t.slice(0, 1), sys.argv[1] + "/trips/2024-01-02.parquet")
"#;
    run_python(&python, script, dir.path());
    let m: ParquetIOManager = ParquetFiles::default().on(UPath::local(dir.path()));

    let one = |key: &str| {
        build_input_context()
            .asset_key("trips")
            .asset_partition_keys([key])
            .build()
    };
    let rows: Vec<Trip> = IOManager::load_input(&m, &mut one("2024-01-01")).unwrap();
    assert_eq!(
        rows,
        [
            Trip {
                id: 1,
                city: "Oslo".into(),
                fare: Some(12.5)
            },
            Trip {
                id: 2,
                city: "Lima".into(),
                fare: None
            },
            Trip {
                id: 3,
                city: "Pune".into(),
                fare: Some(3.0)
            },
        ]
    );
    let batch: RecordBatch = IOManager::load_input(&m, &mut one("2024-01-02")).unwrap();
    assert_eq!(batch.num_rows(), 1);
    assert_eq!(batch.num_columns(), 4);
    assert_eq!(batch.column(3).len(), 1);

    // Both days as one table, only the columns asked for.
    let mut both = build_input_context()
        .asset_key("trips")
        .asset_partition_keys(["2024-01-01", "2024-01-02"])
        .definition_metadata(larder::metadata! { "columns" => ["fare", "id"] })
        .build();
    let batch: RecordBatch = IOManager::load_input(&m, &mut both).unwrap();
    let names: Vec<&String> = batch
        .schema_ref()
        .fields()
        .iter()
        .map(|f| f.name())
        .collect();
    assert_eq!(names, ["fare", "id"]);
    assert_eq!(batch.num_rows(), 4);
}
