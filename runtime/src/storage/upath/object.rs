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
                k.starts_with("AWS_")
                    || k.starts_with("AZURE_")
                    || k.starts_with("GOOGLE_")
                    || k == "LARDER_ALLOW_INSTANCE_METADATA"
            })
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        opts.extend(
            options
                .into_iter()
                .map(|(k, v)| (k.as_ref().to_ascii_lowercase(), v.into())),
        );
        let opts = require_credentials(&parsed, opts)?;
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

    pub(super) fn size(&self, parts: &[String]) -> std::result::Result<u64, StoreError> {
        let rt = runtime().map_err(|e| StoreError::Other(e.to_string()))?;
        Ok(rt.block_on(self.store.head(&self.path(parts)))?.size)
    }

    pub(super) fn get_range(
        &self,
        parts: &[String],
        range: std::ops::Range<u64>,
    ) -> std::result::Result<Vec<u8>, StoreError> {
        let rt = runtime().map_err(|e| StoreError::Other(e.to_string()))?;
        let path = self.path(parts);
        Ok(rt.block_on(self.store.get_range(&path, range))?.to_vec())
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

/// The option that lets a store without credentials ask the cloud's
/// instance-metadata service (or managed identity) for them.
pub(super) const ALLOW_INSTANCE_METADATA: &str = "allow_instance_metadata";

/// Refuses a store that has no credentials and was not told it may fetch
/// them from the instance-metadata service. Without this check
/// `object_store` falls through to that service (a link-local address) and
/// fails after network round trips, or, on a cloud machine, silently runs
/// as the machine's identity. Returns the options without larder's own.
fn require_credentials(
    url: &url::Url,
    opts: Vec<(String, String)>,
) -> Result<Vec<(String, String)>> {
    let mut allow = false;
    let mut rest = Vec::with_capacity(opts.len());
    for (k, v) in opts {
        let key = k.strip_prefix("larder_").unwrap_or(&k);
        if key == ALLOW_INSTANCE_METADATA {
            allow = parse_flag(&v).ok_or_else(|| {
                Error::msg(format!(
                    "{}: option `{ALLOW_INSTANCE_METADATA}` must be true or false, not {v:?}",
                    redact(url)
                ))
            })?;
        } else {
            rest.push((k, v));
        }
    }
    if allow {
        return Ok(rest);
    }
    let scheme = url.scheme();
    let missing = match scheme {
        "s3" | "s3a" => (!s3_has_credentials(&rest)).then_some(
            "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI), pass them as options (`aws_access_key_id`, `aws_secret_access_key`), or set `aws_skip_signature` for a public bucket",
        ),
        "az" | "adl" | "azure" | "abfs" | "abfss" => (!azure_has_credentials(&rest)).then_some(
            "set AZURE_STORAGE_ACCOUNT_KEY, AZURE_STORAGE_SAS_KEY, AZURE_STORAGE_TOKEN or AZURE_CLIENT_ID with AZURE_CLIENT_SECRET and AZURE_TENANT_ID (or AZURE_FEDERATED_TOKEN_FILE), pass them as options, set `azure_use_azure_cli`, or `azure_storage_use_emulator` for Azurite",
        ),
        "gs" => (!gcs_has_credentials(&rest)).then_some(
            "set GOOGLE_SERVICE_ACCOUNT (a key file) or GOOGLE_APPLICATION_CREDENTIALS, pass `google_service_account_key`, or run `gcloud auth application-default login`",
        ),
        // http(s):// and other stores have no metadata-service fallback.
        _ => None,
    };
    match missing {
        Some(how) => Err(Error::msg(format!(
            "no credentials for {}: {how}; or, on a cloud machine whose identity should be used, enable the instance-metadata service with the option `{ALLOW_INSTANCE_METADATA}=true` (or LARDER_ALLOW_INSTANCE_METADATA=true)",
            redact(url)
        ))),
        None => Ok(rest),
    }
}

fn parse_flag(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" | "" => Some(false),
        _ => None,
    }
}

/// The options object_store understands, parsed by its own key parser (so
/// every alias counts), with their values.
struct Known<K>(Vec<(K, String)>);

impl<K: std::str::FromStr> Known<K> {
    fn new(opts: &[(String, String)]) -> Self {
        Known(
            opts.iter()
                .filter_map(|(k, v)| k.parse::<K>().ok().map(|k| (k, v.clone())))
                .collect(),
        )
    }

    /// Whether an option `want` accepts is set to something.
    fn has(&self, want: impl Fn(&K) -> bool) -> bool {
        self.0.iter().any(|(k, v)| want(k) && !v.is_empty())
    }

    /// Whether a flag `want` accepts is set to true.
    fn flag(&self, want: impl Fn(&K) -> bool) -> bool {
        self.0
            .iter()
            .any(|(k, v)| want(k) && parse_flag(v) == Some(true))
    }
}

fn s3_has_credentials(opts: &[(String, String)]) -> bool {
    use object_store::aws::AmazonS3ConfigKey as K;
    let o = Known::<K>::new(opts);
    (o.has(|k| matches!(k, K::AccessKeyId)) && o.has(|k| matches!(k, K::SecretAccessKey)))
        || (o.has(|k| matches!(k, K::WebIdentityTokenFile)) && o.has(|k| matches!(k, K::RoleArn)))
        || o.has(|k| matches!(k, K::ContainerCredentialsRelativeUri))
        || (o.has(|k| matches!(k, K::ContainerCredentialsFullUri))
            && o.has(|k| matches!(k, K::ContainerAuthorizationTokenFile)))
        || o.flag(|k| matches!(k, K::SkipSignature))
}

fn azure_has_credentials(opts: &[(String, String)]) -> bool {
    use object_store::azure::AzureConfigKey as K;
    let o = Known::<K>::new(opts);
    o.has(|k| {
        matches!(
            k,
            K::AccessKey | K::SasKey | K::Token | K::FederatedTokenFile
        )
    }) || (o.has(|k| matches!(k, K::ClientId))
        && o.has(|k| matches!(k, K::ClientSecret))
        && o.has(|k| matches!(k, K::AuthorityId)))
        || o.flag(|k| matches!(k, K::UseEmulator | K::UseAzureCli | K::SkipSignature))
}

fn gcs_has_credentials(opts: &[(String, String)]) -> bool {
    use object_store::gcp::GoogleConfigKey as K;
    let o = Known::<K>::new(opts);
    o.has(|k| {
        matches!(
            k,
            K::ServiceAccount | K::ServiceAccountKey | K::ApplicationCredentials | K::BearerToken
        )
    }) || o.flag(|k| matches!(k, K::SkipSignature))
        || gcloud_adc_file().is_some_and(|p| p.is_file())
}

/// gcloud's application-default credentials, which object_store reads
/// before it tries the metadata server.
fn gcloud_adc_file() -> Option<std::path::PathBuf> {
    let config = match std::env::var_os("CLOUDSDK_CONFIG") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => std::path::PathBuf::from(std::env::var_os("HOME")?).join(".config/gcloud"),
    };
    Some(config.join("application_default_credentials.json"))
}

/// The URL without user, password or query (where credentials hide).
fn redact(url: &url::Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_query(None);
    u.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn check(url: &str, pairs: &[(&str, &str)]) -> Result<Vec<(String, String)>> {
        require_credentials(&url::Url::parse(url).unwrap(), opts(pairs))
    }

    #[test]
    fn a_store_without_credentials_is_refused_naming_the_fix() {
        let err = check("s3://bucket/prefix", &[("aws_region", "eu-west-1")]).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("no credentials for s3://bucket/prefix: set AWS_ACCESS_KEY_ID"),
            "{msg}"
        );
        assert!(msg.contains("allow_instance_metadata=true"), "{msg}");
        for url in ["az://container", "gs://bucket"] {
            let msg = check(url, &[]).unwrap_err().to_string();
            assert!(
                msg.starts_with(&format!("no credentials for {url}")),
                "{msg}"
            );
        }
        // A key id alone is not a credential.
        assert!(check("s3://b", &[("aws_access_key_id", "AKIA")]).is_err());
    }

    #[test]
    fn credentials_or_an_explicit_opt_in_are_accepted() {
        let static_keys = [("aws_access_key_id", "a"), ("aws_secret_access_key", "b")];
        assert_eq!(check("s3://b", &static_keys).unwrap(), opts(&static_keys));
        // Aliases, through object_store's own key parser.
        assert!(
            check(
                "s3://b",
                &[("access_key_id", "a"), ("secret_access_key", "b")]
            )
            .is_ok()
        );
        assert!(check("s3://b", &[("aws_skip_signature", "true")]).is_ok());
        assert!(check("az://c", &[("azure_storage_use_emulator", "true")]).is_ok());
        assert!(check("gs://b", &[("google_service_account", "/key.json")]).is_ok());
        // The opt-in is larder's own option and is not passed on.
        for key in ["allow_instance_metadata", "larder_allow_instance_metadata"] {
            assert_eq!(check("s3://b", &[(key, "true")]).unwrap(), Vec::new());
        }
        let err = check("s3://b", &[("allow_instance_metadata", "maybe")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "s3://b: option `allow_instance_metadata` must be true or false, not \"maybe\""
        );
        assert!(check("s3://b", &[("allow_instance_metadata", "false")]).is_err());
    }
}
