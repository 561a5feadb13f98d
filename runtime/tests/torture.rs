//! The reliability suite: writers killed with SIGKILL at random moments,
//! a sweeper racing a live writer, every key-to-path rule under arbitrary
//! keys, and bad stored files for every codec. Bounded: seconds, not
//! minutes, on two cores.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use larder::prelude::*;
use larder::storage::upath::{SerdeFiles, UPath, UPathManager};
use larder::storage::{TEMP_PREFIX, reclaim_temp_files};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRunner};

/// The size of each value the killed writer writes: large enough that most
/// kills land mid-write.
const VALUE_BYTES: usize = 8 << 20;

const CHILD_ENV: &str = "LARDER_TORTURE_CHILD_DIR";

/// A fixed-seed generator (xorshift64*): the same moments and bytes on
/// every run, so a failure replays.
struct Rng(u64);

impl Rng {
    fn new() -> Self {
        Rng(0x9E37_79B9_7F4A_7C15)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn output(key: &str) -> OutputContext {
    build_output_context()
        .step_key(key)
        .name("result")
        .asset_key(key)
        .build()
}

fn input(key: &str) -> InputContext {
    build_input_context()
        .name("x")
        .asset_key(key)
        .upstream_output(output(key))
        .build()
}

fn value(generation: u8) -> larder::ByteBuf {
    larder::ByteBuf::from(vec![generation; VALUE_BYTES])
}

fn temp_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(TEMP_PREFIX))
        })
        .collect()
}

/// The writer the parent kills: the same test binary, re-entered through
/// this test with `CHILD_ENV` set. It writes generation `G`, `N` times
/// (forever when `N` is 0), saying "ready" before the first write.
#[test]
#[ignore = "run by the torture tests as a child process"]
fn torture_child_writer() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let generation: u8 = std::env::var("G").unwrap().parse().unwrap();
    let times: u64 = std::env::var("N").unwrap().parse().unwrap();
    let fs = FilesystemIOManager::new(PathBuf::from(dir)).durable(false);
    let v = value(generation);
    println!("ready");
    let mut i = 0;
    while times == 0 || i < times {
        IOManager::<larder::ByteBuf>::handle_output(&fs, &mut output("big"), &v)
            .expect("a write must never fail, even while a sweeper runs");
        i += 1;
    }
}

fn spawn_writer(dir: &Path, generation: u8, times: u64) -> std::process::Child {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "torture_child_writer",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir)
        .env("G", generation.to_string())
        .env("N", times.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for "ready" so the kill lands while it writes, not while it starts.
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.contains("ready") => break,
            Some(Ok(_)) => continue,
            _ => panic!("the child writer exited before it was ready"),
        }
    }
    // Keep draining so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    child
}

#[cfg(unix)]
#[test]
fn writers_killed_at_random_moments_never_leave_a_torn_value_or_lasting_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let fs = FilesystemIOManager::new(dir.path()).durable(false);
    IOManager::<larder::ByteBuf>::handle_output(&fs, &mut output("big"), &value(0)).unwrap();
    let mut rng = Rng::new();
    let cycles = 60u8;
    let mut leftovers = 0;
    for generation in 1..=cycles {
        let mut child = spawn_writer(dir.path(), generation, 0);
        std::thread::sleep(Duration::from_millis(rng.below(120)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();

        // The final path always holds one whole value: this generation's,
        // or the one before (when no write of this one completed).
        let loaded: larder::ByteBuf =
            IOManager::<larder::ByteBuf>::load_input(&fs, &mut input("big")).unwrap();
        assert_eq!(loaded.len(), VALUE_BYTES, "cycle {generation}: torn value");
        let g = loaded[0];
        assert!(
            g <= generation,
            "cycle {generation}: generation {g} from nowhere"
        );
        assert!(
            loaded.iter().all(|b| *b == g),
            "cycle {generation}: mixed value"
        );

        // What the kill left is reclaimed once its writer's grace has passed
        // (here: moved back in time), and nothing else is.
        for tmp in temp_files(dir.path()) {
            leftovers += 1;
            let f = std::fs::File::options().write(true).open(&tmp).unwrap();
            f.set_modified(SystemTime::now() - Duration::from_secs(120))
                .unwrap();
        }
        reclaim_temp_files(dir.path()).unwrap();
        assert!(temp_files(dir.path()).is_empty(), "cycle {generation}");
        assert!(dir.path().join("big").is_file());
    }
    // Some kills must land mid-write, or the reclaiming went untested (about
    // a third do here; the count varies with the machine).
    assert!(leftovers > 0, "no kill left a temporary file");
    eprintln!("{cycles} kill cycles, {leftovers} left a temporary file, all reclaimed");
}

#[cfg(unix)]
#[test]
fn a_sweeper_racing_a_live_writer_never_breaks_its_write() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = spawn_writer(dir.path(), 9, 40);
    let mut swept_while_writing = 0;
    while child.try_wait().unwrap().is_none() {
        for tmp in temp_files(dir.path()) {
            // Make the live file look abandoned: only its lock protects it.
            if let Ok(f) = std::fs::File::options().write(true).open(&tmp) {
                let _ = f.set_modified(SystemTime::now() - Duration::from_secs(3600));
                swept_while_writing += 1;
            }
        }
        reclaim_temp_files(dir.path()).unwrap();
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "the writer failed: {status}");
    assert!(
        swept_while_writing > 0,
        "the sweeper never met a live temp file"
    );
    let fs = FilesystemIOManager::new(dir.path());
    let v: larder::ByteBuf = IOManager::load_input(&fs, &mut input("big")).unwrap();
    assert!(v.len() == VALUE_BYTES && v.iter().all(|b| *b == 9));
}

/// Key components drawn from what hostile callers try: traversal, both
/// separators, NUL, drive letters, long and non-ASCII names.
fn component() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9_]{1,12}",
        Just(String::new()),
        Just(".".to_owned()),
        Just("..".to_owned()),
        "[a-z./\\\\:\0]{0,6}",
        "\\PC{1,8}",
        (250usize..260).prop_map(|n| "x".repeat(n)),
    ]
}

fn key() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(component(), 0..5)
}

fn is_ordinary(c: &str) -> bool {
    !c.is_empty()
        && c != "."
        && c != ".."
        && !c.contains(['/', '\\', '\0'])
        && c.len() <= 255
        && !(cfg!(windows) && c.contains(':'))
}

#[test]
fn every_key_to_path_rule_stays_inside_its_base() {
    let base = PathBuf::from("/srv/larder/base");
    let fs = FilesystemIOManager::new(&base);
    let local = UPath::local(&base);
    let mut runner = TestRunner::new(Config {
        cases: 2000,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        ..Config::default()
    });
    runner
        .run(
            &(key(), prop::option::of(component())),
            |(parts, partition)| {
                let mut out = build_output_context()
                    .step_key("s")
                    .name("result")
                    .asset_key(AssetKey::new(parts.clone()));
                if let Some(p) = &partition {
                    out = out
                        .asset_partitions_def(
                            larder::partitions::StaticPartitionsDefinition::new(["p"]).unwrap(),
                        )
                        .partition_key(p);
                }
                let out = out.build();
                let valid = !parts.is_empty()
                    && parts.iter().all(|c| is_ordinary(c))
                    && partition
                        .as_deref()
                        .is_none_or(|p| p.split('|').all(is_ordinary));
                let expected = |root: &Path| {
                    let mut p = root.to_path_buf();
                    p.extend(&parts);
                    if let Some(part) = &partition {
                        p.extend(part.split('|'));
                    }
                    p
                };
                match fs.path_for_output(&out) {
                    Ok(path) => {
                        prop_assert!(valid, "accepted {parts:?} / {partition:?} as {path:?}");
                        prop_assert_eq!(&path, &expected(&base));
                        prop_assert!(path.starts_with(&base) && path != base);
                    }
                    Err(e) => prop_assert!(!valid, "refused a valid key {parts:?}: {e}"),
                }
                let upath = larder::storage::upath::output_path(
                    &local,
                    &out,
                    "",
                    |k| k.path().to_vec(),
                    larder::storage::upath::default_partition_path,
                );
                match upath {
                    Ok(p) => {
                        prop_assert!(valid);
                        prop_assert_eq!(p.as_local().unwrap(), expected(&base));
                    }
                    Err(_) => prop_assert!(!valid),
                }
                Ok(())
            },
        )
        .unwrap();
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Row {
    id: u64,
    name: String,
    tags: Vec<String>,
}

/// Bad files for each codec and type: a truncated value, a value with
/// bytes after it, and random bytes. A load either fails naming the asset,
/// path, type and codec, or (random bytes only) decodes a whole value.
#[test]
fn bad_stored_files_fail_to_load_for_every_codec_naming_what_and_where() {
    let dir = tempfile::tempdir().unwrap();
    let row = Row {
        id: 42,
        name: "ada".into(),
        tags: vec!["x".into(), "y".into()],
    };
    let mut rng = Rng::new();
    let mut refused = 0;
    for codec in [Codec::MessagePack, Codec::Json] {
        let fs = FilesystemIOManager::new(dir.path()).with_codec(codec);
        let serde = UPathManager::new(UPath::local(dir.path()), SerdeFiles { codec });
        IOManager::<Row>::handle_output(&fs, &mut output("row"), &row).unwrap();
        let good = std::fs::read(dir.path().join("row")).unwrap();
        let mut cases: Vec<(Vec<u8>, bool)> = Vec::new();
        for cut in 0..good.len() {
            cases.push((good[..cut].to_vec(), true));
        }
        for _ in 0..60 {
            let mut extra = good.clone();
            let n = 1 + rng.below(15);
            // JSON allows trailing whitespace; anything else is garbage.
            extra.extend((0..n).map(|_| b'!' + rng.below(94) as u8));
            cases.push((extra, true));
            let len = 1 + rng.below(63);
            cases.push(((0..len).map(|_| rng.next() as u8).collect(), false));
        }
        for (bytes, must_fail) in cases {
            std::fs::write(dir.path().join("row"), &bytes).unwrap();
            let results = [
                IOManager::<Row>::load_input(&fs, &mut input("row")).map(|_| ()),
                IOManager::<Row>::load_input(&serde, &mut input("row")).map(|_| ()),
                DynIOManager::load_input_dyn(&fs, &mut input("row"), larder::type_info!(Row))
                    .map(|_| ()),
            ];
            for r in results {
                match r {
                    Ok(()) => assert!(!must_fail, "{codec:?} loaded {bytes:?}"),
                    Err(e) => {
                        refused += 1;
                        let msg = e.to_string();
                        assert!(
                            msg.contains("asset `row`")
                                && msg.contains(&dir.path().join("row").display().to_string())
                                && msg.contains("Row")
                                && msg.contains(codec.name()),
                            "{msg}"
                        );
                    }
                }
            }
        }
    }
    assert!(refused > 300);
}
