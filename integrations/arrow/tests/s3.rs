//! ParquetIOManager on a real S3-compatible server (s3s-fs on loopback):
//! partitions, concatenated loads with a column selection fetched by
//! ranged GETs, and missing objects named by URL. Skips without s3s-fs,
//! except under CI, where `.ci/run` installs it and its absence fails.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use larder::prelude::*;
use larder::storage::upath::UPath;
use larder_arrow::arrow_array::{Array, Float64Array, RecordBatch};
use larder_arrow::{
    ArrowRow, Compression, ParquetFiles, WriteOptions, read_parquet, write_parquet,
};

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Trip {
    id: i64,
    city: String,
    fare: Option<f64>,
}
impl ArrowRow for Trip {}

/// s3s-fs on a free loopback port, killed on drop.
struct S3Server {
    child: Child,
    port: u16,
    _root: tempfile::TempDir,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn s3s_fs_binary() -> Option<std::path::PathBuf> {
    let candidates = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cargo/bin")));
    candidates.map(|d| d.join("s3s-fs")).find(|p| p.is_file())
}

fn start_s3() -> Option<S3Server> {
    let Some(binary) = s3s_fs_binary() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "s3s-fs is not installed; .ci/run installs it (cargo install s3s-fs@0.14.1 --features binary --locked)"
        );
        eprintln!(
            "skipping: s3s-fs is not installed (cargo install s3s-fs@0.14.1 --features binary --locked)"
        );
        return None;
    };
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("larder-test")).unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(binary)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--access-key", "AKIDLARDER", "--secret-key", "SECRETLARDER"])
        .arg(root.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = S3Server {
        child,
        port,
        _root: root,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "s3s-fs did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(server)
}

fn s3_path(server: &S3Server, prefix: &str) -> UPath {
    UPath::parse_with_options(
        &format!("s3://larder-test/{prefix}"),
        [
            ("aws_endpoint", format!("http://127.0.0.1:{}", server.port)),
            ("aws_access_key_id", "AKIDLARDER".to_owned()),
            ("aws_secret_access_key", "SECRETLARDER".to_owned()),
            ("aws_region", "us-east-1".to_owned()),
            ("aws_allow_http", "true".to_owned()),
            ("aws_virtual_hosted_style_request", "false".to_owned()),
        ],
    )
    .unwrap()
}

#[test]
fn s3_round_trips_partitions_and_reads_only_selected_columns() {
    let Some(server) = start_s3() else { return };
    let base = s3_path(&server, "warehouse");
    let m = ParquetFiles::default().on(base.clone());

    for (day, id) in [("2024-01-01", 1), ("2024-01-02", 2)] {
        let mut out = build_output_context()
            .asset_key("trips")
            .asset_partition_keys([day])
            .build();
        let rows = vec![Trip {
            id,
            city: format!("c{id}"),
            fare: None,
        }];
        IOManager::handle_output(&m, &mut out, &rows).unwrap();
        assert_eq!(
            out.get_logged_metadata()["path"],
            MetadataValue::Path(format!("{base}/trips/{day}.parquet"))
        );
    }
    let mut both = build_input_context()
        .asset_key("trips")
        .asset_partition_keys(["2024-01-01", "2024-01-02"])
        .build();
    let rows: Vec<Trip> = IOManager::load_input(&m, &mut both).unwrap();
    assert_eq!(rows.iter().map(|t| t.id).collect::<Vec<_>>(), [1, 2]);

    let mut missing = build_input_context()
        .asset_key("trips")
        .asset_partition_keys(["2024-01-01", "2024-01-05"])
        .build();
    let err =
        <larder_arrow::ParquetIOManager as IOManager<Vec<Trip>>>::load_input(&m, &mut missing)
            .unwrap_err();
    assert!(
        err.to_string().contains(&format!(
            "partition 2024-01-05 of asset `trips`) was never materialized: nothing is stored at {base}/trips/2024-01-05.parquet"
        )),
        "{err}"
    );

    // A wide file: two of 30 columns come back over ranged GETs.
    let cols: Vec<(String, Arc<dyn Array>)> = (0..30)
        .map(|c| {
            let v: Vec<f64> = (0..10_000).map(|r| (r * 30 + c) as f64).collect();
            (
                format!("c{c}"),
                Arc::new(Float64Array::from(v)) as Arc<dyn Array>,
            )
        })
        .collect();
    let wide = RecordBatch::try_from_iter(cols).unwrap();
    let path = base.join(&["wide.parquet"], "file").unwrap();
    let options = WriteOptions {
        compression: Compression::Uncompressed,
        max_row_group_size: None,
    };
    write_parquet(&path, wide.schema(), std::slice::from_ref(&wide), options).unwrap();
    let two = read_parquet(&path, Some(&["c9".to_owned(), "c20".to_owned()])).unwrap();
    let table = arrow_select::concat::concat_batches(&two.schema, &two.batches).unwrap();
    assert_eq!(table.column(0), wide.column(9));
    assert_eq!(table.column(1), wide.column(20));
    assert!(
        two.stats.bytes_read < two.stats.file_size / 8,
        "read {} of {} bytes",
        two.stats.bytes_read,
        two.stats.file_size
    );
}
