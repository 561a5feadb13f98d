//! `UPath`: a location on local disk, in memory, or in an object store
//! (S3, Azure, GCS), chosen by URL — `file:///data`, `memory://scratch`,
//! `s3://bucket/prefix` — with the few synchronous operations IO managers
//! need. Local paths write atomically (temporary file, fsync, rename);
//! object stores get `object_store`'s puts, including create-only writes.

pub(crate) mod manager;
#[cfg(feature = "object-store")]
mod object;
mod serde_files;

use std::fmt;
use std::path::PathBuf;
#[cfg(feature = "object-store")]
use std::sync::Arc;

pub use manager::{UPathIOManager, UPathManager, default_partition_path, input_path, output_path};
pub use serde_files::SerdeFiles;

use crate::error::{Error, Result};
use crate::storage::path::check_component;

/// How a write treats an existing object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteMode {
    /// Replace it.
    Overwrite,
    /// Fail if something is already there.
    CreateOnly,
}

#[derive(Clone)]
enum Store {
    Local(PathBuf),
    #[cfg(feature = "object-store")]
    Object(Arc<object::ObjectBackend>),
}

/// A location: a store and a path inside it.
#[derive(Clone)]
pub struct UPath {
    store: Store,
    /// Components below the store's root.
    parts: Vec<String>,
    durable: bool,
}

impl fmt::Debug for UPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UPath({self})")
    }
}

impl fmt::Display for UPath {
    /// The URL, never with credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.store {
            Store::Local(root) => {
                let mut p = root.clone();
                p.extend(&self.parts);
                write!(f, "{}", p.display())
            }
            #[cfg(feature = "object-store")]
            Store::Object(o) => {
                let base = o.url.trim_end_matches('/');
                if self.parts.is_empty() {
                    f.write_str(base)
                } else {
                    write!(f, "{base}/{}", self.parts.join("/"))
                }
            }
        }
    }
}

impl UPath {
    /// A local directory.
    pub fn local(root: impl Into<PathBuf>) -> Self {
        UPath {
            store: Store::Local(root.into()),
            parts: Vec::new(),
            durable: true,
        }
    }

    /// Parses a URL (`file://`, `memory://`, `s3://`, `az://`, `gs://`) or a
    /// plain local path. Object-store credentials come from the environment
    /// (`AWS_ACCESS_KEY_ID`, `AWS_ENDPOINT`, …); see [`UPath::parse_with_options`].
    pub fn parse(url: &str) -> Result<Self> {
        Self::parse_with_options(url, std::iter::empty::<(String, String)>())
    }

    /// Parses a URL with store options (`aws_endpoint`, `aws_access_key_id`,
    /// `aws_allow_http`, …) that override the environment.
    pub fn parse_with_options<I, K, V>(url: &str, options: I) -> Result<Self>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        if let Some(rest) = url.strip_prefix("file://") {
            return Ok(UPath::local(rest));
        }
        if !url.contains("://") {
            return Ok(UPath::local(url));
        }
        #[cfg(feature = "object-store")]
        {
            let backend = object::ObjectBackend::open(url, options)?;
            Ok(UPath {
                store: Store::Object(Arc::new(backend)),
                parts: Vec::new(),
                durable: true,
            })
        }
        #[cfg(not(feature = "object-store"))]
        {
            let _ = options;
            Err(Error::msg(format!(
                "{url}: object stores need larder's `object-store` feature"
            )))
        }
    }

    /// This path with `durable` writes (fsync on local disk) on or off.
    pub fn durable(mut self, durable: bool) -> Self {
        self.durable = durable;
        self
    }

    /// This path joined with `components`, each checked so nothing leaves
    /// the base (`..`, separators, NUL are refused).
    pub fn join<S: AsRef<str>>(&self, components: &[S], what: &str) -> Result<UPath> {
        let mut p = self.clone();
        for c in components {
            check_component(c.as_ref(), what)?;
            p.parts.push(c.as_ref().to_owned());
        }
        Ok(p)
    }

    /// This path with `suffix` appended to its last component (`.json`).
    pub fn with_suffix(&self, suffix: &str) -> UPath {
        let mut p = self.clone();
        if let Some(last) = p.parts.last_mut() {
            last.push_str(suffix);
        }
        p
    }

    /// The path without its last component.
    pub fn parent(&self) -> UPath {
        let mut p = self.clone();
        p.parts.pop();
        p
    }

    /// The local filesystem path, for local stores.
    pub fn as_local(&self) -> Option<PathBuf> {
        match &self.store {
            Store::Local(root) => {
                let mut p = root.clone();
                p.extend(&self.parts);
                Some(p)
            }
            #[cfg(feature = "object-store")]
            Store::Object(_) => None,
        }
    }

    /// Writes `bytes`. Local writes are atomic.
    pub fn write(&self, bytes: Vec<u8>, mode: WriteMode) -> Result<()> {
        match &self.store {
            Store::Local(_) => {
                let path = self.as_local().unwrap_or_default();
                if mode == WriteMode::CreateOnly && path.exists() {
                    return Err(already_exists(self));
                }
                crate::storage::atomic::write_atomic(&path, self.durable, |w| {
                    w.write_all(&bytes).map_err(|e| Error::Io {
                        action: "writing",
                        path: path.display().to_string(),
                        source: e,
                    })
                })
            }
            #[cfg(feature = "object-store")]
            Store::Object(o) => o
                .put(&self.parts, bytes, mode)
                .map_err(|e| self.error(e, "writing")),
        }
    }

    /// Reads the whole object; a missing one is [`Error::NotMaterialized`].
    pub fn read(&self) -> Result<Vec<u8>> {
        match &self.store {
            Store::Local(_) => {
                let path = self.as_local().unwrap_or_default();
                std::fs::read(&path).map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => not_found(self),
                    _ => Error::Io {
                        action: "reading",
                        path: path.display().to_string(),
                        source: e,
                    },
                })
            }
            #[cfg(feature = "object-store")]
            Store::Object(o) => o.get(&self.parts).map_err(|e| self.error(e, "reading")),
        }
    }

    /// The size in bytes of what is stored here; a missing object is
    /// [`Error::NotMaterialized`].
    pub fn size(&self) -> Result<u64> {
        match &self.store {
            Store::Local(_) => {
                let path = self.as_local().unwrap_or_default();
                std::fs::metadata(&path)
                    .map(|m| m.len())
                    .map_err(|e| self.local_error(e, "reading"))
            }
            #[cfg(feature = "object-store")]
            Store::Object(o) => o.size(&self.parts).map_err(|e| self.error(e, "reading")),
        }
    }

    /// Reads the bytes in `range` only (a ranged GET on object stores), so a
    /// reader of columnar files fetches just the columns it needs.
    pub fn read_range(&self, range: std::ops::Range<u64>) -> Result<Vec<u8>> {
        match &self.store {
            Store::Local(_) => {
                use std::io::{Read, Seek, SeekFrom};
                let path = self.as_local().unwrap_or_default();
                let len = usize::try_from(range.end.saturating_sub(range.start))
                    .map_err(|_| Error::msg(format!("{self}: range {range:?} is too large")))?;
                let mut buf = vec![0; len];
                std::fs::File::open(&path)
                    .and_then(|mut f| {
                        f.seek(SeekFrom::Start(range.start))?;
                        f.read_exact(&mut buf)
                    })
                    .map_err(|e| self.local_error(e, "reading"))?;
                Ok(buf)
            }
            #[cfg(feature = "object-store")]
            Store::Object(o) => o
                .get_range(&self.parts, range)
                .map_err(|e| self.error(e, "reading")),
        }
    }

    fn local_error(&self, e: std::io::Error, action: &'static str) -> Error {
        match e.kind() {
            std::io::ErrorKind::NotFound => not_found(self),
            _ => Error::Io {
                action,
                path: self.to_string(),
                source: e,
            },
        }
    }

    /// Whether something is stored here.
    pub fn exists(&self) -> Result<bool> {
        match &self.store {
            Store::Local(_) => Ok(self.as_local().is_some_and(|p| p.exists())),
            #[cfg(feature = "object-store")]
            Store::Object(o) => o.exists(&self.parts).map_err(|e| self.error(e, "checking")),
        }
    }

    /// Removes what is stored here (nothing there is fine).
    pub fn delete(&self) -> Result<()> {
        match &self.store {
            Store::Local(_) => match self.as_local().map(std::fs::remove_file) {
                Some(Err(e)) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::Io {
                    action: "removing",
                    path: self.to_string(),
                    source: e,
                }),
                _ => Ok(()),
            },
            #[cfg(feature = "object-store")]
            Store::Object(o) => o.delete(&self.parts).map_err(|e| self.error(e, "removing")),
        }
    }

    #[cfg(feature = "object-store")]
    fn error(&self, e: object::StoreError, action: &'static str) -> Error {
        match e {
            object::StoreError::NotFound => not_found(self),
            object::StoreError::AlreadyExists => already_exists(self),
            object::StoreError::Other(message) => Error::msg(format!("{action} {self}: {message}")),
        }
    }
}

fn not_found(p: &UPath) -> Error {
    Error::NotMaterialized {
        what: "the value".to_owned(),
        location: p.to_string(),
    }
}

fn already_exists(p: &UPath) -> Error {
    Error::msg(format!("{p} already exists and the write is create-only"))
}
