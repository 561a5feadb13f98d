//! Built contexts round-trip through the built-in managers; storage refuses
//! traversal, survives failed writes, and explains missing or corrupt files.

use larder::prelude::*;
use larder::{Error, MetadataValue, type_info};
use serde::ser::{SerializeSeq, Serializer};

fn out_ctx(asset: &str) -> OutputContext {
    build_output_context()
        .step_key(asset)
        .name("result")
        .asset_key(asset)
        .build()
}

fn in_ctx(asset: &str) -> InputContext {
    build_input_context()
        .name(asset)
        .upstream_output(out_ctx(asset))
        .build()
}

#[test]
fn built_contexts_round_trip_through_the_filesystem_manager() {
    let dir = tempfile::tempdir().unwrap();
    let fs = FilesystemIOManager::new(dir.path());
    let mut out = out_ctx("sales");
    IOManager::<Vec<String>>::handle_output(&fs, &mut out, &vec!["a".into(), "b".into()]).unwrap();
    let path = dir.path().join("sales");
    assert_eq!(out.output_metadata()["path"], MetadataValue::path(&path));
    let mut input = in_ctx("sales");
    let back: Vec<String> = IOManager::load_input(&fs, &mut input).unwrap();
    assert_eq!(back, ["a", "b"]);
    assert_eq!(input.input_metadata()["path"], MetadataValue::path(&path));
    assert_eq!(input.get_observations().len(), 1);
}

#[test]
fn op_outputs_without_asset_keys_use_the_identifier() {
    let dir = tempfile::tempdir().unwrap();
    let fs = FilesystemIOManager::new(dir.path());
    let mut out = build_output_context()
        .step_key("op_a")
        .name("result")
        .build();
    IOManager::<i64>::handle_output(&fs, &mut out, &3).unwrap();
    assert!(dir.path().join("__EPHEMERAL_RUN_ID/op_a/result").is_file());
    let mut input = build_input_context().name("x").upstream_output(out).build();
    assert_eq!(IOManager::<i64>::load_input(&fs, &mut input).unwrap(), 3);
}

#[test]
fn built_contexts_round_trip_through_the_memory_manager() {
    let mem = InMemoryIOManager::new();
    let mut out = build_output_context()
        .step_key("s")
        .name("n")
        .run_id("r1")
        .build();
    IOManager::<Vec<u8>>::handle_output(&mem, &mut out, &vec![1, 2]).unwrap();
    let mut input = build_input_context().name("x").upstream_output(out).build();
    assert_eq!(
        IOManager::<Vec<u8>>::load_input(&mem, &mut input).unwrap(),
        [1, 2]
    );

    // A value from another run (or never stored) is reported, not invented.
    let other = build_output_context()
        .step_key("s")
        .name("n")
        .run_id("r2")
        .build();
    let mut input = build_input_context()
        .name("x")
        .upstream_output(other)
        .build();
    let err = IOManager::<Vec<u8>>::load_input(&mem, &mut input).unwrap_err();
    assert_eq!(
        err.to_string(),
        "input `x` was never materialized: nothing is stored at memory under [\"r2\", \"s\", \"n\"]"
    );

    // An asset not produced in this run has no run id: the memory manager says so.
    let source = build_output_context()
        .step_key("src")
        .name("result")
        .asset_key("src")
        .no_run_id()
        .build();
    let mut input = build_input_context()
        .name("src")
        .upstream_output(source)
        .build();
    let err = IOManager::<Vec<u8>>::load_input(&mem, &mut input).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "InMemoryIOManager cannot load asset `src`: it was not materialized in this run"
        ),
        "{err}"
    );
}

#[test]
fn keys_that_would_leave_base_dir_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fs = FilesystemIOManager::new(dir.path().join("base"));
    for key in [
        vec!["..", "escape"],
        vec!["a", "..", "..", "x"],
        vec!["a/b"],
        vec!["nul\0"],
        vec![""],
    ] {
        let mut out = build_output_context()
            .step_key("s")
            .name("result")
            .asset_key(larder::AssetKey::new(key.clone()))
            .build();
        let err = IOManager::<i64>::handle_output(&fs, &mut out, &1).unwrap_err();
        // A key that cannot name an asset is refused as a key, naming it.
        assert!(
            matches!(err, Error::InvalidAssetKey { .. }),
            "{key:?}: {err}"
        );
        assert!(err.to_string().contains(&format!("{key:?}")), "{err}");
    }
    // Step keys and run ids are checked too.
    let mut out = build_output_context()
        .step_key("..")
        .name("result")
        .run_id("r")
        .build();
    let err = IOManager::<i64>::handle_output(&fs, &mut out, &1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "refusing unsafe path component \"..\" in output `result` of step `..`: it refers to a directory outside its place"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing was written"
    );
}

/// Serializes a few elements, then fails: a write interrupted midway.
struct FailsMidway;
impl serde::Serialize for FailsMidway {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(1000))?;
        for i in 0..100 {
            seq.serialize_element(&i)?;
        }
        Err(serde::ser::Error::custom(
            "serializer gave up at element 100",
        ))
    }
}
impl<'de> serde::Deserialize<'de> for FailsMidway {
    fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Ok(FailsMidway)
    }
}

#[test]
fn an_interrupted_write_leaves_the_previous_value_intact() {
    let dir = tempfile::tempdir().unwrap();
    let fs = FilesystemIOManager::new(dir.path());
    IOManager::<Vec<i64>>::handle_output(&fs, &mut out_ctx("table"), &vec![7, 8, 9]).unwrap();
    let before = std::fs::read(dir.path().join("table")).unwrap();

    let err = IOManager::<FailsMidway>::handle_output(&fs, &mut out_ctx("table"), &FailsMidway)
        .unwrap_err();
    assert!(
        err.to_string().contains("asset `table` at ") && err.to_string().contains("could not be encoded as `contexts_and_storage::FailsMidway` with the MessagePack codec: serializer gave up at element 100"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("table")).unwrap(),
        before,
        "old bytes intact"
    );
    let back: Vec<i64> = IOManager::load_input(&fs, &mut in_ctx("table")).unwrap();
    assert_eq!(back, [7, 8, 9]);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["table"], "no temporary file left behind");
}

#[test]
fn missing_and_corrupt_files_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let fs = FilesystemIOManager::new(dir.path());
    let err = IOManager::<i64>::load_input(&fs, &mut in_ctx("never")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "asset `never` was never materialized: nothing is stored at {}",
            dir.path().join("never").display()
        )
    );
    std::fs::write(dir.path().join("garbage"), b"\xc1\xc1 not msgpack").unwrap();
    let err = IOManager::<Vec<String>>::load_input(&fs, &mut in_ctx("garbage")).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with(&format!("asset `garbage` at {} could not be decoded as `alloc::vec::Vec<alloc::string::String>` with the MessagePack codec: ", dir.path().join("garbage").display())), "{text}");
}

#[test]
fn accessors_that_do_not_apply_say_why() {
    let ctx = build_output_context()
        .step_key("op_a")
        .name("result")
        .build();
    assert_eq!(
        ctx.asset_key().unwrap_err().to_string(),
        "output `result` of step `op_a` is not an asset output, so it has no asset key"
    );
    assert_eq!(
        ctx.asset_partition_key().unwrap_err().to_string(),
        "cannot access `asset_partition_key`: output `result` of step `op_a` is not partitioned"
    );
    assert!(!ctx.has_asset_partitions());
    let bare = build_output_context().build();
    assert_eq!(
        bare.step_key().unwrap_err().to_string(),
        "step_key was not provided when building the OutputContext for this output"
    );
    let versioned = build_output_context()
        .step_key("baz")
        .name("buzz")
        .version("v1")
        .mapping_key("k")
        .build();
    assert_eq!(
        versioned.get_identifier().unwrap_err().to_string(),
        "output `buzz` of step `baz` has both a mapping key and a version; dynamic mapping is not supported with versioning"
    );
    let versioned = build_output_context()
        .step_key("baz")
        .name("buzz")
        .version("v1")
        .build();
    assert_eq!(
        versioned.get_identifier().unwrap(),
        ["versioned_outputs", "v1", "baz", "buzz"]
    );

    let root = build_input_context().name("config_in").build();
    assert!(root.upstream_output().is_none());
    assert_eq!(
        root.get_identifier().unwrap_err().to_string(),
        "input `config_in` has no upstream output, so it has no identifier"
    );
    assert_eq!(
        root.asset_key().unwrap_err().to_string(),
        "no asset is associated with input `config_in`"
    );
    assert_eq!(
        root.type_name().unwrap_err().to_string(),
        "the input type was not provided when building the InputContext for input `config_in`"
    );
    let typed = build_input_context().type_info(type_info!(Vec<u8>)).build();
    assert_eq!(typed.type_name().unwrap(), "alloc::vec::Vec<u8>");
}

#[test]
fn resources_on_contexts_are_limited_to_required_keys() {
    let resources = Resources::new().with("db", String::from("sqlite::memory:"));
    let ctx = build_output_context().resources(resources).build();
    assert_eq!(
        ctx.resources().get::<String>("db").unwrap(),
        "sqlite::memory:"
    );
    assert_eq!(
        ctx.resources().get::<i64>("db").unwrap_err().to_string(),
        "resource `db` is a `alloc::string::String`, not a `i64`"
    );
    assert!(
        ctx.resources()
            .get::<String>("nope")
            .unwrap_err()
            .to_string()
            .starts_with("no resource is bound to `nope`")
    );
}

#[test]
fn a_managers_context_describes_the_asset_op_it_serves() {
    use std::sync::{Arc, Mutex};

    type Seen = Arc<Mutex<Vec<(String, Option<String>, Option<String>, Vec<String>)>>>;
    struct Recording(Seen);
    impl IOManager<i64> for Recording {
        fn handle_output(&self, ctx: &mut OutputContext, _: &i64) -> larder::Result<()> {
            let op = ctx.op_def()?;
            self.0.lock().unwrap().push((
                op.name().to_owned(),
                op.description().map(str::to_owned),
                op.version().map(str::to_owned),
                op.output_names().map(str::to_owned).collect(),
            ));
            Ok(())
        }
        fn load_input(&self, _: &mut InputContext) -> larder::Result<i64> {
            Ok(0)
        }
    }
    let seen = Seen::default();
    let a = AssetDefinition::builder("counted")
        .output_type(type_info!(i64))
        .io_manager_key("recording")
        .typed_output(larder::TypedOutput::new::<Recording, i64>())
        .description("Counts things.")
        .version("v2")
        .compute(|io| io.output("result", 1_i64));
    Definitions::new()
        .asset(a)
        .resource(
            "recording",
            IOManagerDefinition::hardcoded(Recording(seen.clone())),
        )
        .materialize_all()
        .unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [(
            "counted".to_owned(),
            Some("Counts things.".to_owned()),
            Some("v2".to_owned()),
            vec!["result".to_owned()]
        )]
    );
}
