//! Atomic writes and the reclaiming of what killed writers leave behind.
//!
//! A value is written to `.larder-tmp-*` in its final directory and renamed
//! into place once complete, so a reader sees the old file or the new one,
//! never half of one. A writer killed mid-write leaves its temporary file;
//! the first write into a directory by each process (and `larder gc`)
//! removes such leftovers. A live writer holds an exclusive lock on its
//! temporary file for as long as it writes, and the lock dies with the
//! process, so a sweep can tell a dead writer's file from a live one's even
//! when two processes write the same asset.

use std::collections::HashSet;
use std::fs::File;
#[cfg(unix)]
use std::fs::Permissions;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use crate::error::{Error, Result};

/// The prefix of every temporary file larder writes.
pub const TEMP_PREFIX: &str = ".larder-tmp-";

/// A temporary file is only a candidate once untouched this long: it covers
/// the instant between creating the file and locking it.
const UNLOCKED_GRACE: Duration = Duration::from_secs(60);

/// Where the filesystem cannot lock files, age alone decides: no write is
/// expected to stall for a day without writing a byte.
const NO_LOCKS_GRACE: Duration = Duration::from_secs(24 * 60 * 60);

/// How often a writer makes a new temporary file when a sweep took the last
/// one before it was locked. Each loss needs a sweep in that instant that
/// also finds the file old, so a handful of attempts only fails under a
/// sweeper that ages every file it sees (the torture tests do).
const LOCK_ATTEMPTS: usize = 16;

/// How many swept directories a process remembers.
const MAX_REMEMBERED_DIRS: usize = 10_000;

/// What a sweep removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reclaimed {
    /// Temporary files removed.
    pub files: u64,
    /// Their total size in bytes.
    pub bytes: u64,
}

impl std::ops::AddAssign for Reclaimed {
    fn add_assign(&mut self, other: Reclaimed) {
        self.files += other.files;
        self.bytes += other.bytes;
    }
}

fn io_error<'p>(action: &'static str, p: &'p Path) -> impl FnOnce(std::io::Error) -> Error + 'p {
    move |e| Error::Io {
        action,
        path: p.display().to_string(),
        source: e,
    }
}

/// Writes `path` through a locked temporary file in the same directory,
/// renamed into place only once complete: a failed or interrupted write
/// leaves the previous file untouched. The file gets the mode a plain
/// `File::create` would (0666 less the umask), not the temporary file's 0600.
pub(crate) fn write_atomic(
    path: &Path,
    durable: bool,
    fill: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io_error("creating directory", parent))?;
    sweep_once(parent);
    let mut tmp = locked_temp_file(parent)?;
    {
        let mut w = BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        fill(&mut w)?;
        w.flush().map_err(io_error("writing", path))?;
    }
    if durable {
        tmp.as_file()
            .sync_all()
            .map_err(io_error("syncing", path))?;
    }
    tmp.persist(path).map_err(|e| Error::Io {
        action: "renaming into place",
        path: path.display().to_string(),
        source: e.error,
    })?;
    if durable {
        // The rename is durable only once the directory entry is.
        if let Ok(dir) = File::open(parent) {
            dir.sync_all()
                .map_err(io_error("syncing directory", parent))?;
        }
    }
    Ok(())
}

/// A new temporary file in `dir`, locked: the lock is held until its handle
/// closes, after the rename, and released by the OS if this process dies. A
/// sweep may remove the file in the instant between its creation and the
/// lock (it looks abandoned only when its clock says so, but clocks and
/// `touch` can lie); once locked, no sweep will, so a file found gone or
/// replaced after locking is made again. A filesystem without locks still
/// gets the write.
fn locked_temp_file(dir: &Path) -> Result<tempfile::NamedTempFile> {
    for _ in 0..LOCK_ATTEMPTS {
        let tmp = temp_builder()
            .tempfile_in(dir)
            .map_err(io_error("creating a temporary file in", dir))?;
        match tmp.as_file().try_lock() {
            // Locked and still ours: no sweep will touch it now.
            Ok(()) if still_in_place(&tmp) => return Ok(tmp),
            // A sweep removed it before the lock: make another.
            Ok(()) => {}
            // A sweep holds it (it found the file before we locked it) and
            // is about to remove it: make another.
            Err(std::fs::TryLockError::WouldBlock) => {}
            // The filesystem cannot lock: write unlocked (sweeps then go by
            // age alone).
            Err(std::fs::TryLockError::Error(_)) => return Ok(tmp),
        }
    }
    // Returning a file no longer in place would fail later, at the rename,
    // with a message that hides why.
    Err(io_error("keeping a temporary file in", dir)(
        std::io::Error::other(format!(
            "a sweep removed it before it was locked, {LOCK_ATTEMPTS} times in a row"
        )),
    ))
}

/// Whether `tmp`'s path still names the file its handle has open.
fn still_in_place(tmp: &tempfile::NamedTempFile) -> bool {
    let (Ok(on_disk), Ok(open)) = (std::fs::metadata(tmp.path()), tmp.as_file().metadata()) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        on_disk.dev() == open.dev() && on_disk.ino() == open.ino()
    }
    #[cfg(not(unix))]
    {
        on_disk.len() == open.len()
    }
}

/// A temporary-file builder whose file gets a plain file's mode.
fn temp_builder() -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The OS applies the umask to the mode a file is created with.
        builder.permissions(Permissions::from_mode(0o666));
    }
    builder
}

/// Sweeps `dir` the first time this process writes there: enough to reclaim
/// what a crashed earlier run left, without a directory listing per write.
fn sweep_once(dir: &Path) {
    static SWEPT: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    let swept = SWEPT.get_or_init(|| Mutex::new(HashSet::new()));
    let first = match swept.lock() {
        Ok(mut set) => {
            // Bounded for long-lived processes; sweeping a directory again
            // is harmless.
            if set.len() >= MAX_REMEMBERED_DIRS {
                set.clear();
            }
            set.insert(dir.to_path_buf())
        }
        Err(_) => return,
    };
    if first {
        // A sweep that fails (a file vanished, no permission) must not fail
        // the write it precedes; `larder gc` reports such errors.
        let _ = reclaim_temp_files(dir);
    }
}

/// Removes the temporary files that dead writers left in `dir` (not below
/// it): those no live process holds locked and untouched for a minute (a
/// day where the filesystem has no locks). Returns what was removed.
pub fn reclaim_temp_files(dir: &Path) -> Result<Reclaimed> {
    reclaim_at(dir, SystemTime::now())
}

fn reclaim_at(dir: &Path, now: SystemTime) -> Result<Reclaimed> {
    let mut reclaimed = Reclaimed::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(reclaimed),
        Err(e) => return Err(io_error("listing", dir)(e)),
    };
    for entry in entries {
        let entry = entry.map_err(io_error("listing", dir))?;
        if !entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            continue;
        }
        let path = entry.path();
        // The lock is held until the file is removed: released earlier, a
        // writer could lock the file, find it in place, and lose it.
        if let Some((_locked, bytes)) = stale_temp_file(&path, now)? {
            match std::fs::remove_file(&path) {
                Ok(()) => {
                    reclaimed.files += 1;
                    reclaimed.bytes += bytes;
                }
                // Another sweeper got there first.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error("removing the stale temporary file", &path)(e)),
            }
        }
    }
    Ok(reclaimed)
}

/// The file, locked where the filesystem can lock, and its size, when
/// `path` is a temporary file no live writer owns.
fn stale_temp_file(path: &Path, now: SystemTime) -> Result<Option<(File, u64)>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("opening the temporary file", path)(e)),
    };
    let meta = file
        .metadata()
        .map_err(io_error("reading the metadata of", path))?;
    if !meta.is_file() {
        return Ok(None);
    }
    let age = meta
        .modified()
        .ok()
        .and_then(|m| now.duration_since(m).ok())
        .unwrap_or(Duration::ZERO);
    let grace = match file.try_lock() {
        // Nobody holds it: its writer is gone (or has not locked it yet).
        Ok(()) => UNLOCKED_GRACE,
        Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
        Err(std::fs::TryLockError::Error(_)) => NO_LOCKS_GRACE,
    };
    Ok((age >= grace).then_some((file, meta.len())))
}

/// Reclaims temporary files in `root` and every directory below it
/// (`larder gc`). Symbolic links are not followed.
pub fn reclaim_temp_files_below(root: &Path) -> Result<Reclaimed> {
    let mut total = Reclaimed::default();
    // A stack, not recursion: storage trees can be arbitrarily deep.
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        total += reclaim_temp_files(&dir)?;
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_error("listing", &dir)(e)),
        };
        for entry in entries {
            let entry = entry.map_err(io_error("listing", &dir))?;
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(entry.path());
            }
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locked_temp_file_is_never_reclaimed() {
        let dir = tempfile::tempdir().unwrap();
        let live = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(dir.path())
            .unwrap();
        live.as_file().try_lock().unwrap();
        let later = SystemTime::now() + Duration::from_secs(7 * 24 * 3600);
        assert_eq!(reclaim_at(dir.path(), later).unwrap(), Reclaimed::default());
        assert!(live.path().exists());
    }

    #[test]
    fn an_unlocked_temp_file_is_reclaimed_after_the_grace_period_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("{TEMP_PREFIX}dead"));
        std::fs::write(&path, [0u8; 10]).unwrap();
        std::fs::write(dir.path().join("asset"), b"kept").unwrap();
        assert_eq!(
            reclaim_at(dir.path(), SystemTime::now()).unwrap(),
            Reclaimed::default(),
            "a file just created may be a writer that has not locked it yet"
        );
        let later = SystemTime::now() + UNLOCKED_GRACE + Duration::from_secs(1);
        assert_eq!(
            reclaim_at(dir.path(), later).unwrap(),
            Reclaimed {
                files: 1,
                bytes: 10
            }
        );
        assert!(!path.exists());
        assert!(dir.path().join("asset").exists());
    }
}
