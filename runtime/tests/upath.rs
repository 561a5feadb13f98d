#![cfg(feature = "object-store")]
//! UPath managers: Dagster's layout with extensions, custom path managers,
//! the memory store, and a real S3-compatible server (s3s-fs on loopback).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use larder::partitions::{
    PartitionMap, StaticPartitionsDefinition, TimeWindowPartitionsDefinition,
};
use larder::prelude::*;
use larder::storage::upath::{SerdeFiles, UPath, UPathIOManager, UPathManager, WriteMode};
use larder::{Error, EventType, type_info};

/// A custom path manager: JSON with a `.json` extension.
struct JsonFiles;

impl<T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static> UPathIOManager<T>
    for JsonFiles
{
    fn extension(&self) -> &str {
        ".json"
    }
    fn dump_to_path(&self, _: &mut OutputContext, obj: &T, path: &UPath) -> larder::Result<()> {
        path.write(serde_json::to_vec(obj)?, WriteMode::Overwrite)
    }
    fn load_from_path(&self, _: &mut InputContext, path: &UPath) -> larder::Result<T> {
        Ok(serde_json::from_slice(&path.read()?)?)
    }
    fn get_metadata(&self, _: &OutputContext, _: &T) -> Metadata {
        larder::metadata! { "format" => "json" }
    }
}

fn json_asset(name: &str) -> larder::definitions::AssetBuilder {
    AssetDefinition::builder(name)
        .io_manager_key("json")
        .typed_output(larder::TypedOutput::new::<UPathManager<JsonFiles>, Vec<f64>>())
        .output_type(type_info!(Vec<f64>))
}

#[test]
fn extensions_follow_partition_keys_with_dots() {
    let dir = tempfile::tempdir().unwrap();
    let json = UPathManager::new(UPath::local(dir.path()), JsonFiles);
    let dotted = json_asset("dotted")
        .key_prefix(["pre"])
        .partitions_def(StaticPartitionsDefinition::new(["0.0-to-1.0", "1.0-to-2.0"]).unwrap())
        .compute(|io| io.set_output(0, vec![0.5]));
    let unp = json_asset("unp").compute(|io| io.set_output(0, vec![1.0]));
    let defs = Definitions::new()
        .assets([dotted, unp])
        .resource("json", IOManagerDefinition::hardcoded(json));
    let r = defs
        .run(
            RunOptions::new()
                .selection(["pre/dotted"])
                .partition_key("0.0-to-1.0"),
        )
        .unwrap();
    assert!(dir.path().join("pre/dotted/0.0-to-1.0.json").is_file());
    let mat = &r.events_of_type(EventType::AssetMaterialization)[0].kind;
    let larder::EventKind::AssetMaterialization {
        metadata,
        partition,
        ..
    } = mat
    else {
        unreachable!()
    };
    assert_eq!(partition.as_deref(), Some("0.0-to-1.0"));
    assert_eq!(metadata["format"], MetadataValue::from("json"));
    assert_eq!(
        metadata["path"],
        MetadataValue::Path(
            dir.path()
                .join("pre/dotted/0.0-to-1.0.json")
                .display()
                .to_string()
        )
    );
    defs.run(RunOptions::new().selection(["unp"])).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("unp.json")).unwrap(),
        "[1.0]"
    );
}

#[test]
fn op_outputs_get_the_extension_too() {
    let dir = tempfile::tempdir().unwrap();
    let op = OpDefinition::builder("an_op")
        .output(
            Out::result(type_info!(Vec<f64>))
                .typed(larder::TypedOutput::new::<UPathManager<JsonFiles>, Vec<f64>>()),
        )
        .compute(|io| io.output("result", vec![2.0]));
    let mut job = JobDefinition::builder("j");
    job.invoke(&op, []);
    job.resource(
        "io_manager",
        IOManagerDefinition::hardcoded(UPathManager::new(UPath::local(dir.path()), JsonFiles)),
    );
    let r = job.build().unwrap().execute_in_process().unwrap();
    assert!(
        dir.path()
            .join(r.run_id())
            .join("an_op/result.json")
            .is_file()
    );
}

#[test]
fn memory_store_round_trips_and_create_only_refuses_overwrites() {
    let base = UPath::parse("memory://scratch").unwrap();
    let p = base.join(&["a", "b"], "test").unwrap();
    p.write(b"one".to_vec(), WriteMode::CreateOnly).unwrap();
    assert_eq!(p.read().unwrap(), b"one");
    let err = p.write(b"two".to_vec(), WriteMode::CreateOnly).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{p} already exists and the write is create-only")
    );
    assert!(matches!(
        base.join(&["nope"], "t").unwrap().read().unwrap_err(),
        Error::NotMaterialized { .. }
    ));

    // As the default io_manager for any serde type.
    let manager = UPathManager::serde("memory://store", Codec::MessagePack).unwrap();
    let up = AssetDefinition::builder("up")
        .output_type(type_info!(Vec<String>))
        .compute(|io| io.output("result", vec!["x".to_owned()]));
    let down = AssetDefinition::builder("down")
        .input(AssetIn::new("up", type_info!(Vec<String>)))
        .output_type(type_info!(usize))
        .compute(|io| {
            let v: Vec<String> = io.input("up")?;
            io.output("result", v.len())
        });
    let r = Definitions::new()
        .assets([up, down])
        .resource("io_manager", manager)
        .materialize_all()
        .unwrap();
    assert_eq!(*r.asset_value::<usize>("down").unwrap(), 1);
}

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
            "skipping: s3s-fs is not installed (run .ci/run, or cargo install s3s-fs@0.14.1 --features binary --locked)"
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
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--access-key",
            "AKIDLARDER",
            "--secret-key",
            "SECRETLARDER",
        ])
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
fn s3_round_trips_values_partitions_missing_objects_and_create_only_writes() {
    let Some(server) = start_s3() else { return };
    let base = s3_path(&server, "warehouse");
    assert!(
        !format!("{base}").contains("SECRETLARDER"),
        "credentials never shown: {base}"
    );

    // Raw objects: a create-only write, then a refused overwrite.
    let marker = base.join(&["marker"], "test").unwrap();
    marker.write(b"v1".to_vec(), WriteMode::CreateOnly).unwrap();
    let err = marker
        .write(b"v2".to_vec(), WriteMode::CreateOnly)
        .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("already exists and the write is create-only"),
        "{err}"
    );
    assert_eq!(marker.read().unwrap(), b"v1");

    // Values and partitions through a whole run.
    let manager = UPathManager::new(base.clone(), SerdeFiles::msgpack());
    let daily = TimeWindowPartitionsDefinition::daily("2024-01-01")
        .build()
        .unwrap();
    let now: jiff::Timestamp = "2024-02-01T00:00:00Z".parse().unwrap();
    let readings = AssetDefinition::builder("readings")
        .partitions_def(daily.clone())
        .output_partition_map::<Vec<i64>>(type_info!(Vec<i64>))
        .compute(|io| {
            let m: PartitionMap<Vec<i64>> = (1..=3)
                .map(|d| (format!("2024-01-0{d}"), vec![d, d * 10]))
                .collect();
            io.set_output(0, m)
        });
    let total = AssetDefinition::builder("total")
        .input(
            AssetIn::partition_map::<Vec<i64>>("readings", type_info!(Vec<i64>)).partition_mapping(
                larder::partitions::PartitionMapping::Specific(vec![
                    "2024-01-01".into(),
                    "2024-01-02".into(),
                    "2024-01-03".into(),
                ]),
            ),
        )
        .output_type(type_info!(i64))
        .compute(|io| {
            let m: PartitionMap<Vec<i64>> = io.take_input(0)?;
            io.set_output(0, m.values().flatten().sum::<i64>())
        });
    let defs = Definitions::new()
        .assets([readings, total])
        .resource("io_manager", manager);
    defs.run(
        RunOptions::new()
            .selection(["readings"])
            .partition_range("2024-01-01", "2024-01-03")
            .now(now),
    )
    .unwrap();
    assert!(
        base.join(&["readings", "2024-01-02"], "t")
            .unwrap()
            .exists()
            .unwrap()
    );
    let r = defs
        .run(RunOptions::new().selection(["total"]).now(now))
        .unwrap();
    assert_eq!(*r.asset_value::<i64>("total").unwrap(), 66);
    let loaded = &r.events_of_type(EventType::LoadedInput)[0].kind;
    assert!(
        matches!(loaded, larder::EventKind::LoadedInput { metadata, .. } if metadata["partitions"] == MetadataValue::Int(3))
    );

    // A missing object names the asset, the partition and the URL.
    let missing = AssetDefinition::builder("needs_missing")
        .input(
            AssetIn::new("readings", type_info!(Vec<i64>)).partition_mapping(
                larder::partitions::PartitionMapping::Specific(vec!["2024-01-09".into()]),
            ),
        )
        .output_type(type_info!(i64))
        .compute(|io| io.set_output(0, 0_i64));
    let err = defs
        .clone()
        .asset(missing)
        .run(RunOptions::new().selection(["needs_missing"]).now(now))
        .unwrap_err();
    assert!(
        err.to_string().contains(&format!(
            "partition 2024-01-09 of asset `readings` was never materialized: nothing is stored at {base}/readings/2024-01-09"
        )),
        "{err}"
    );
}

/// Merges every upstream partition into one vector.
struct MergingJson;

impl UPathIOManager<Vec<i64>> for MergingJson {
    fn dump_to_path(
        &self,
        _: &mut OutputContext,
        obj: &Vec<i64>,
        path: &UPath,
    ) -> larder::Result<()> {
        path.write(serde_json::to_vec(obj)?, WriteMode::Overwrite)
    }
    fn load_from_path(&self, _: &mut InputContext, path: &UPath) -> larder::Result<Vec<i64>> {
        Ok(serde_json::from_slice(&path.read()?)?)
    }
    fn load_partitions(&self, ctx: &mut InputContext, base: &UPath) -> larder::Result<Vec<i64>> {
        let key = ctx.asset_key()?.clone();
        let mut all = Vec::new();
        for partition in ctx.asset_partition_keys()? {
            let path = base
                .join(key.path(), "asset")?
                .join(&[partition.as_str()], "partition")?;
            all.extend(serde_json::from_slice::<Vec<i64>>(&path.read()?)?);
        }
        Ok(all)
    }
}

fn merging_defs(dir: &std::path::Path, merge: bool) -> Definitions {
    let statics = StaticPartitionsDefinition::new(["a", "b", "c"]).unwrap();
    let up = AssetDefinition::builder("parts")
        .partitions_def(statics)
        .io_manager_key("parts")
        .output_partition_map::<Vec<i64>>(type_info!(Vec<i64>))
        .typed_element(larder::TypedOutput::new::<
            UPathManager<MergingJson>,
            Vec<i64>,
        >())
        .compute(|io| {
            let m: PartitionMap<Vec<i64>> = [("a", vec![1]), ("b", vec![2, 3]), ("c", vec![4])]
                .into_iter()
                .collect();
            io.set_output(0, m)
        });
    let down = AssetDefinition::builder("merged")
        .input(AssetIn::new("parts", type_info!(Vec<i64>)))
        .output_type(type_info!(Vec<i64>))
        .compute(|io| {
            let v: Vec<i64> = io.take_input(0)?;
            io.set_output(0, v)
        });
    let base = UPath::local(dir);
    let defs = Definitions::new().assets([up, down]);
    if merge {
        defs.resource(
            "parts",
            IOManagerDefinition::hardcoded(UPathManager::new(base, MergingJson)),
        )
    } else {
        defs.resource(
            "parts",
            IOManagerDefinition::hardcoded(UPathManager::new(base, JsonFiles)),
        )
    }
}

#[test]
fn a_path_manager_may_merge_partitions_into_one_value() {
    let dir = tempfile::tempdir().unwrap();
    let defs = merging_defs(dir.path(), true);
    defs.run(
        RunOptions::new()
            .selection(["parts"])
            .partition_range("a", "c")
            .in_memory(),
    )
    .unwrap();
    let r = defs
        .run(RunOptions::new().selection(["merged"]).in_memory())
        .unwrap();
    assert_eq!(r.asset_value::<Vec<i64>>("merged").unwrap(), &[1, 2, 3, 4]);
}

#[test]
fn without_load_partitions_many_partitions_into_one_value_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let statics = StaticPartitionsDefinition::new(["a", "b", "c"]).unwrap();
    let up = AssetDefinition::builder("parts")
        .partitions_def(statics)
        .io_manager_key("parts")
        .output_type(type_info!(Vec<f64>))
        .typed_output(larder::TypedOutput::new::<UPathManager<JsonFiles>, Vec<f64>>())
        .compute(|io| io.set_output(0, vec![1.0]));
    let down = AssetDefinition::builder("merged")
        .input(AssetIn::new("parts", type_info!(Vec<f64>)))
        .output_type(type_info!(usize))
        .compute(|io| io.set_output(0, 0_usize));
    let defs = Definitions::new().assets([up, down]).resource(
        "parts",
        IOManagerDefinition::hardcoded(UPathManager::new(UPath::local(dir.path()), JsonFiles)),
    );
    for p in ["a", "b", "c"] {
        defs.run(
            RunOptions::new()
                .selection(["parts"])
                .partition_key(p)
                .in_memory(),
        )
        .unwrap();
    }
    let err = defs
        .run(RunOptions::new().selection(["merged"]).in_memory())
        .unwrap_err();
    assert!(
        err.to_string().contains(
            "error while loading input `parts` of step `merged`: asset `parts` loads 3 partitions into a single `alloc::vec::Vec<f64>`; declare the input `PartitionMap<alloc::vec::Vec<f64>>` to get one value per partition, or override `load_partitions` to merge them"
        ),
        "{err}"
    );
}

#[test]
fn ranged_reads_and_sizes_on_local_disk_and_memory() {
    let dir = tempfile::tempdir().unwrap();
    for base in [
        UPath::local(dir.path()),
        UPath::parse("memory://ranges").unwrap(),
    ] {
        let p = base.join(&["r.bin"], "test").unwrap();
        p.write(b"0123456789".to_vec(), WriteMode::Overwrite)
            .unwrap();
        assert_eq!(p.size().unwrap(), 10, "{base}");
        assert_eq!(p.read_range(3..7).unwrap(), b"3456", "{base}");
        let missing = base.join(&["nope"], "test").unwrap();
        assert!(
            matches!(missing.size().unwrap_err(), Error::NotMaterialized { .. }),
            "{base}"
        );
        assert!(
            matches!(
                missing.read_range(0..1).unwrap_err(),
                Error::NotMaterialized { .. }
            ),
            "{base}"
        );
    }
}
