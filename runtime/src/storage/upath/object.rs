//! The object-store backend of `UPath`: one shared tokio runtime drives
//! `object_store`'s async API for the synchronous manager traits.

use std::sync::OnceLock;

use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

use crate::error::{Error, Result};

pub(super) enum StoreError {
    NotFound,
    AlreadyExists,
    Other(String),
}

impl From<object_store::Error> for StoreError {
    fn from(e: object_store::Error) -> Self {
        match e {
            object_store::Error::NotFound { .. } => StoreError::NotFound,
            object_store::Error::AlreadyExists { .. }
            | object_store::Error::Precondition { .. } => StoreError::AlreadyExists,
            other => StoreError::Other(other.to_string()),
        }
    }
}

fn runtime() -> Result<&'static tokio::runtime::Runtime> {
    static RUNTIME: OnceLock<std::result::Result<tokio::runtime::Runtime, String>> =
        OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("larder-object-store")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| Error::msg(format!("could not start the object-store runtime: {e}")))
}

pub(super) struct ObjectBackend {
    store: Box<dyn ObjectStore>,
    prefix: StorePath,
    /// The URL without credentials, for messages.
    pub(super) url: String,
}

impl ObjectBackend {
    pub(super) fn open<I, K, V>(url: &str, options: I) -> Result<Self>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        let parsed = url::Url::parse(url)
            .map_err(|e| Error::msg(format!("{url} is not a valid URL: {e}")))?;
        if parsed.scheme() == "memory" {
            // Each `memory://` UPath (and its clones) is its own store.
            let prefix: Vec<&str> = parsed
                .host_str()
                .into_iter()
                .chain(parsed.path().split('/'))
                .filter(|s| !s.is_empty())
                .collect();
            let prefix = StorePath::from_iter(prefix);
            return Ok(ObjectBackend {
                store: Box::new(object_store::memory::InMemory::new()),
                prefix,
                url: redact(&parsed),
            });
        }
        // Credentials and endpoints from the environment, then explicit options.
        let mut opts: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| {
                k.starts_with("AWS_") || k.starts_with("AZURE_") || k.starts_with("GOOGLE_")
            })
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        opts.extend(
            options
                .into_iter()
                .map(|(k, v)| (k.as_ref().to_ascii_lowercase(), v.into())),
        );
        let (store, prefix) = object_store::parse_url_opts(&parsed, opts)
            .map_err(|e| Error::msg(format!("cannot open {}: {e}", redact(&parsed))))?;
        Ok(ObjectBackend {
            store,
            prefix,
            url: redact(&parsed),
        })
    }

    fn path(&self, parts: &[String]) -> StorePath {
        let mut p = self.prefix.clone();
        for part in parts {
            p = p.clone().join(part.as_str());
        }
        p
    }

    pub(super) fn put(
        &self,
        parts: &[String],
        bytes: Vec<u8>,
        mode: super::WriteMode,
    ) -> std::result::Result<(), StoreError> {
        let rt = runtime().map_err(|e| StoreError::Other(e.to_string()))?;
        let path = self.path(parts);
        let opts = PutOptions {
            mode: match mode {
                super::WriteMode::Overwrite => PutMode::Overwrite,
                super::WriteMode::CreateOnly => PutMode::Create,
            },
            ..Default::default()
        };
        rt.block_on(self.store.put_opts(&path, PutPayload::from(bytes), opts))?;
        Ok(())
    }

    pub(super) fn get(&self, parts: &[String]) -> std::result::Result<Vec<u8>, StoreError> {
        let rt = runtime().map_err(|e| StoreError::Other(e.to_string()))?;
        let path = self.path(parts);
        rt.block_on(async {
            let result = self.store.get(&path).await?;
            Ok(result.bytes().await?.to_vec())
        })
    }

    pub(super) fn exists(&self, parts: &[String]) -> std::result::Result<bool, StoreError> {
        let rt = runtime().map_err(|e| StoreError::Other(e.to_string()))?;
        match rt.block_on(self.store.head(&self.path(parts))) {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    pub(super) fn delete(&self, parts: &[String]) -> std::result::Result<(), StoreError> {
        let rt = runtime().map_err(|e| StoreError::Other(e.to_string()))?;
        match rt.block_on(self.store.delete(&self.path(parts))) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// The URL without user, password or query (where credentials hide).
fn redact(url: &url::Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_query(None);
    u.to_string()
}
