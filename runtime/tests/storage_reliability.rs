//! What storage promises under bad input and dead writers: temporary files
//! of killed writes are reclaimed (never a live writer's), stored files get
//! a plain file's mode, keys that cannot name an asset are refused where
//! they are defined, and a load consumes the whole file or fails saying
//! which asset, path, type and codec.

use std::fs::File;
use std::time::{Duration, SystemTime};

use larder::prelude::*;
use larder::storage::upath::{SerdeFiles, UPath, UPathManager};
use larder::storage::{TEMP_PREFIX, reclaim_temp_files, reclaim_temp_files_below};

fn temp_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                dirs.push(e.path());
            } else if e.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                found.push(e.path());
            }
        }
    }
    found
}

fn backdate(path: &std::path::Path, by: Duration) {
    let f = File::options().write(true).open(path).unwrap();
    f.set_modified(SystemTime::now() - by).unwrap();
}

fn asset_output(key: &str) -> OutputContext {
    build_output_context()
        .step_key(key)
        .name("result")
        .asset_key(key)
        .build()
}

fn asset_input(key: &str) -> InputContext {
    build_input_context()
        .name("x")
        .asset_key(key)
        .upstream_output(asset_output(key))
        .build()
}

#[test]
fn a_write_reclaims_what_a_killed_writer_left_but_not_a_live_writers_file() {
    let dir = tempfile::tempdir().unwrap();
    let fs = FilesystemIOManager::new(dir.path()).durable(false);
    // A killed writer's leftover: unlocked, last written two minutes ago.
    let dead = dir.path().join(format!("{TEMP_PREFIX}killed"));
    std::fs::write(&dead, vec![7u8; 4096]).unwrap();
    backdate(&dead, Duration::from_secs(120));
    // A live writer (another process, say) holds its file locked, however old.
    let live_path = dir.path().join(format!("{TEMP_PREFIX}live"));
    let live = File::create(&live_path).unwrap();
    live.lock().unwrap();
    backdate(&live_path, Duration::from_secs(3600));
    // A file just created and not yet locked by its writer.
    let fresh = dir.path().join(format!("{TEMP_PREFIX}fresh"));
    std::fs::write(&fresh, b"x").unwrap();

    IOManager::<i64>::handle_output(&fs, &mut asset_output("n"), &5).unwrap();

    assert!(
        !dead.exists(),
        "the dead writer's temporary file is reclaimed"
    );
    assert!(
        live_path.exists(),
        "a locked temporary file is never touched"
    );
    assert!(
        fresh.exists(),
        "a fresh temporary file may belong to a writer"
    );
    let n: i64 = IOManager::<i64>::load_input(&fs, &mut asset_input("n")).unwrap();
    assert_eq!(n, 5);
    drop(live);
    backdate(&live_path, Duration::from_secs(3600));
    let r = reclaim_temp_files(dir.path()).unwrap();
    assert_eq!(
        (r.files, r.bytes),
        (1, 0),
        "unlocked once its writer is gone"
    );
}

#[test]
fn gc_reclaims_below_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("a/b/c");
    std::fs::create_dir_all(&deep).unwrap();
    for (i, d) in [dir.path(), &deep].into_iter().enumerate() {
        let p = d.join(format!("{TEMP_PREFIX}{i}"));
        std::fs::write(&p, vec![0u8; 100]).unwrap();
        backdate(&p, Duration::from_secs(120));
        std::fs::write(d.join("value"), b"kept").unwrap();
    }
    let r = reclaim_temp_files_below(dir.path()).unwrap();
    assert_eq!((r.files, r.bytes), (2, 200));
    assert!(temp_files(dir.path()).is_empty());
    assert!(deep.join("value").exists() && dir.path().join("value").exists());
}

#[cfg(unix)]
#[test]
fn stored_files_get_the_mode_a_plain_create_gives() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let fs = FilesystemIOManager::new(dir.path());
    IOManager::<String>::handle_output(&fs, &mut asset_output("s"), &"v".to_owned()).unwrap();
    // What `File::create` gives here is 0666 less this process's umask.
    let plain = dir.path().join("plain");
    File::create(&plain).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.path().join("s")), mode(&plain));
    assert_ne!(
        mode(&dir.path().join("s")),
        0o600,
        "not the temporary file's mode"
    );
}

#[test]
fn an_empty_key_is_refused_by_contexts_managers_and_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    let fs = FilesystemIOManager::new(&base);
    let serde = UPathManager::new(UPath::local(&base), SerdeFiles::msgpack());
    for key in [AssetKey::new(Vec::<String>::new()), AssetKey::new([""])] {
        let mut out = build_output_context()
            .step_key("s")
            .name("result")
            .asset_key(key.clone())
            .build();
        let err = out.asset_key().unwrap_err();
        assert!(matches!(err, Error::InvalidAssetKey { .. }), "{err}");
        for err in [
            IOManager::<i64>::handle_output(&fs, &mut out, &1).unwrap_err(),
            IOManager::<i64>::handle_output(&serde, &mut out, &1).unwrap_err(),
        ] {
            assert!(
                err.to_string()
                    .starts_with(&format!("invalid asset key {:?}", key.path())),
                "{err}"
            );
        }
    }
    assert!(!base.exists(), "nothing was written, not even the base");

    let empty = AssetDefinition::builder("x")
        .key(AssetKey::new(Vec::<String>::new()))
        .output_type(larder::type_info!(i64))
        .compute(|io| io.output("result", 1_i64));
    let err = Definitions::new().assets([empty]).validate().unwrap_err();
    assert!(
        err.to_string().contains(
            "invalid asset key []: it has no components; an asset key names at least one"
        ),
        "{err}"
    );
}

#[test]
fn a_component_longer_than_a_file_name_is_refused_when_defined() {
    let long = "k".repeat(256);
    let asset = AssetDefinition::builder(long.as_str())
        .output_type(larder::type_info!(i64))
        .compute(|io| io.output("result", 1_i64));
    let err = Definitions::new().assets([asset]).validate().unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("component 1 (`kkkk")
            && msg.contains("it is 256 bytes long, and file names are limited to 255 bytes"),
        "{msg}"
    );
    let ok = AssetDefinition::builder("k".repeat(255))
        .output_type(larder::type_info!(i64))
        .compute(|io| io.output("result", 1_i64));
    Definitions::new().assets([ok]).validate().unwrap();
}

#[test]
fn messagepack_loads_refuse_trailing_bytes_naming_asset_path_type_and_codec() {
    let dir = tempfile::tempdir().unwrap();
    let fs = FilesystemIOManager::new(dir.path());
    let path = dir.path().join("n");
    // JSON text whose first byte is the MessagePack integer 49.
    std::fs::write(&path, b"1234567890123").unwrap();
    let err = IOManager::<i64>::load_input(&fs, &mut asset_input("n")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "asset `n` at {} could not be decoded as `i64` with the MessagePack codec: 12 bytes after the end of the value: the file holds more than one MessagePack value, or is not MessagePack",
            path.display()
        )
    );
    // A whole value followed by garbage, through the type-erased path too.
    let mut bytes = rmp_serde::to_vec(&7_i64).unwrap();
    bytes.extend_from_slice(b"garbage");
    std::fs::write(&path, &bytes).unwrap();
    assert!(IOManager::<i64>::load_input(&fs, &mut asset_input("n")).is_err());
    let ty = larder::type_info!(i64);
    let err = DynIOManager::load_input_dyn(&fs, &mut asset_input("n"), ty).unwrap_err();
    assert!(err.to_string().contains("7 bytes after the end"), "{err}");
    // The byte-buffer fast path, too.
    let mut bytes = rmp_serde::to_vec(&serde_bytes::ByteBuf::from(vec![1u8, 2, 3])).unwrap();
    bytes.push(0);
    std::fs::write(&path, &bytes).unwrap();
    let err = IOManager::<larder::ByteBuf>::load_input(&fs, &mut asset_input("n")).unwrap_err();
    assert!(err.to_string().contains("1 byte after the end"), "{err}");
}

#[test]
fn serde_files_errors_name_the_asset_and_partition() {
    let dir = tempfile::tempdir().unwrap();
    let manager = UPathManager::new(UPath::local(dir.path()), SerdeFiles::json());
    std::fs::create_dir_all(dir.path().join("daily")).unwrap();
    std::fs::write(dir.path().join("daily/2024-01-02"), b"not json").unwrap();
    let mut ctx = build_input_context()
        .name("x")
        .asset_key("daily")
        .partition_key("2024-01-02")
        .build();
    let err = IOManager::<i64>::load_input(&manager, &mut ctx).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("partition 2024-01-02 of asset `daily` at "),
        "{err}"
    );
    let ty = larder::type_info!(i64);
    let err = DynIOManager::load_input_dyn(&manager, &mut ctx, ty).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("partition 2024-01-02 of asset `daily` at "),
        "{err}"
    );
}

#[cfg(feature = "object-store")]
#[test]
fn an_object_store_without_credentials_is_refused_before_any_request() {
    // No credentials in the options; the environment has none in CI.
    let err =
        UPath::parse_with_options("s3://bucket/prefix", [("aws_region", "eu-west-1")]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("no credentials for s3://bucket/prefix: set AWS_ACCESS_KEY_ID"),
        "{err}"
    );
}

#[cfg(feature = "cli")]
#[test]
fn the_gc_command_reports_what_it_reclaimed() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("run/step");
    std::fs::create_dir_all(&nested).unwrap();
    let p = nested.join(format!("{TEMP_PREFIX}x"));
    std::fs::write(&p, vec![1u8; 10]).unwrap();
    backdate(&p, Duration::from_secs(120));
    let mut out = Vec::new();
    larder::cli::run(
        &Definitions::new(),
        larder::cli::Command::Gc {
            dir: vec![dir.path().to_path_buf()],
        },
        &mut out,
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        format!(
            "{}: reclaimed 1 temporary file (10 bytes)\n",
            dir.path().display()
        )
    );
    assert!(!p.exists());
}
