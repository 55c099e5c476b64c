//! Where a pond's table is: a local directory (read and written through the confined opens of
//! `confined.rs`) or a prefix of an S3-compatible bucket (through object_store, whose S3 client
//! writes a log entry only if absent: `If-None-Match: *`, so racing writers need no lock).
//! Settings come from the `AWS_*` variables, then the caller's options; secrets never reach a
//! message.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Once};
use std::time::Duration;

use deltalake::DeltaResult;
use deltalake::logstore::{
    LogStore, LogStoreFactory, ObjectStoreRef, StorageConfig, default_logstore, logstore_factories,
};
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey, Checksum};
use object_store::path::Path as ObjectPath;
use object_store::{
    BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload,
    RetryConfig,
};
use url::Url;

use crate::error::{PondError, PondResult, object_store_code};

/// A pond's table in a bucket.
#[derive(Debug)]
pub struct Bucket {
    /// The bucket's store, rooted at the bucket.
    pub store: Arc<dyn ObjectStore>,
    /// The table's prefix inside the bucket.
    pub prefix: ObjectPath,
    /// `s3://bucket/prefix/`, for delta-rs.
    pub url: Url,
    /// `s3://bucket/prefix`: what messages say (never credentials).
    pub shown: String,
    /// Whether the user vouches that one process writes (`pond_single_writer`): a store
    /// that ignores put-if-absent is then written all the same.
    single_writer: bool,
    /// Whether the store refuses a second put-if-absent of an object, once found out.
    refuses_overwrite: tokio::sync::OnceCell<bool>,
}

impl Bucket {
    /// The object `relative` (a `/`-separated path inside the table) names.
    pub fn at(&self, relative: &str) -> ObjectPath {
        self.prefix
            .parts()
            .chain(ObjectPath::from(relative).parts())
            .collect()
    }

    /// An object_store failure as a PondError naming the table: ENOENT for a missing object,
    /// ETIMEDOUT when the store did not answer, EIO otherwise.
    pub fn failed(&self, what: &str, e: object_store::Error) -> PondError {
        store_error(&self.shown, what, e)
    }
}

/// object_store's messages name the request, never its signature or keys.
pub fn store_error(shown: &str, what: &str, e: object_store::Error) -> PondError {
    PondError::new(
        object_store_code(&e),
        format!(
            "{what} {shown}: {}",
            redact(&e.to_string(), &HashMap::new())
        ),
    )
}

/// The storage option (or `POND_SINGLE_WRITER` variable) by which a user writes to a store that
/// cannot put an object only if absent, vouching that no other process writes the pond.
const SINGLE_WRITER: &str = "pond_single_writer";

/// The bucket `target` (`s3://bucket/prefix`) names, or None for anything else. EINVAL for a
/// URL carrying credentials or parameters, a missing bucket or an unknown setting.
pub fn bucket(target: &str, options: &HashMap<String, String>) -> PondResult<Option<Bucket>> {
    let Some(rest) = target.strip_prefix("s3://") else {
        return Ok(None);
    };
    let (authority, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if authority.contains('@') || target.contains('?') || target.contains('#') {
        return Err(PondError::einval(
            "an s3:// URL may not carry credentials or parameters: give them in AWS_* variables",
        ));
    }
    if authority.is_empty() {
        return Err(PondError::einval(format!("{target} names no bucket")));
    }
    let prefix = prefix.trim_matches('/');
    let shown = format!("s3://{authority}/{prefix}");
    let root = ObjectPath::parse(prefix)
        .map_err(|_| PondError::einval(format!("{shown}: not a usable prefix")))?;
    if root
        .parts()
        .any(|p| p.as_ref() == "." || p.as_ref() == "..")
    {
        return Err(PondError::einval(format!("{shown}: not a usable prefix")));
    }
    let url = Url::parse(&format!("s3://{authority}/{prefix}/"))
        .map_err(|e| PondError::einval(format!("{shown}: {e}")))?;
    let single_writer = match options
        .get(SINGLE_WRITER)
        .cloned()
        .or_else(|| std::env::var("POND_SINGLE_WRITER").ok())
        .as_deref()
    {
        None | Some("" | "false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(PondError::einval(format!(
                "{SINGLE_WRITER} is true or false, not {other:?}"
            )));
        }
    };
    let store_options: HashMap<String, String> = options
        .iter()
        .filter(|(key, _)| key.as_str() != SINGLE_WRITER)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(Some(Bucket {
        store: s3_store(authority, &shown, &store_options)?,
        prefix: root,
        url,
        shown,
        single_writer,
        refuses_overwrite: tokio::sync::OnceCell::new(),
    }))
}

fn s3_store(
    bucket: &str,
    shown: &str,
    options: &HashMap<String, String>,
) -> PondResult<Arc<dyn ObjectStore>> {
    // Bounded: a store that is down fails a command in seconds, not minutes. Set first: the
    // client options hold `allow_http` too, which the variables and options may set.
    let mut builder = AmazonS3Builder::new()
        // Every upload carries its SHA-256, which the store checks before keeping it.
        .with_checksum_algorithm(Checksum::SHA256)
        .with_client_options(
            ClientOptions::new()
                .with_connect_timeout(Duration::from_secs(5))
                .with_timeout(Duration::from_secs(60)),
        )
        .with_retry(RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(2),
                base: 2.0,
            },
            max_retries: 4,
            retry_timeout: Duration::from_secs(15),
        });
    for (key, value) in std::env::vars() {
        if key.starts_with("AWS_")
            && let Ok(key) = key.to_ascii_lowercase().parse::<AmazonS3ConfigKey>()
        {
            builder = builder.with_config(key, value);
        }
    }
    builder = builder.with_bucket_name(bucket);
    for (key, value) in options {
        let key: AmazonS3ConfigKey = key
            .to_ascii_lowercase()
            .parse()
            .map_err(|_| PondError::einval(format!("unknown storage option {key:?}")))?;
        builder = builder.with_config(key, value);
    }
    let store = builder
        .build()
        .map_err(|e| PondError::einval(format!("{shown}: {}", redact(&e.to_string(), options))))?;
    register_log_store();
    Ok(Arc::new(store))
}

/// delta-rs's own log store for `s3://` tables, over the store pond builds: its commit is a
/// put-if-absent of the entry, which S3 answers with 412 when another writer has the version.
/// (delta-rs's AWS crate would bring the AWS SDK and a DynamoDB lock; neither is needed.)
fn register_log_store() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if let Ok(scheme) = Url::parse("s3://") {
            logstore_factories().insert(scheme, Arc::new(ConditionalPutLogStore));
        }
    });
}

struct ConditionalPutLogStore;

impl LogStoreFactory for ConditionalPutLogStore {
    fn with_options(
        &self,
        prefixed_store: ObjectStoreRef,
        root_store: ObjectStoreRef,
        location: &Url,
        options: &StorageConfig,
    ) -> DeltaResult<Arc<dyn LogStore>> {
        Ok(default_logstore(
            prefixed_store,
            root_store,
            location,
            options,
        ))
    }
}

/// Secret values never reach a message, whatever the store's error quotes.
pub fn redact(message: &str, options: &HashMap<String, String>) -> String {
    let mut secrets: Vec<String> = options
        .iter()
        .filter(|(k, _)| is_secret(k))
        .map(|(_, v)| v.clone())
        .collect();
    secrets.extend(
        std::env::vars()
            .filter(|(k, _)| k.starts_with("AWS_") && is_secret(k))
            .map(|(_, v)| v),
    );
    secrets
        .iter()
        .filter(|s| s.len() >= 4)
        .fold(message.to_owned(), |m, s| m.replace(s.as_str(), "***"))
}

fn is_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.contains("secret") || key.contains("token") || key.contains("password")
}

/// Where a pond's table is.
#[derive(Debug, Clone)]
pub enum Root {
    Local(PathBuf),
    Bucket(Arc<Bucket>),
}

impl Root {
    /// The table `target` names: `s3://bucket/prefix`, else a local path (`file://` URL or
    /// not); EINVAL for another scheme.
    pub fn parse(target: &str, options: &HashMap<String, String>) -> PondResult<Root> {
        if let Some(bucket) = bucket(target, options)? {
            return Ok(Root::Bucket(Arc::new(bucket)));
        }
        let path = match target.split_once("://") {
            Some(("file", path)) => path,
            Some((scheme, _)) => {
                return Err(PondError::einval(format!(
                    "{scheme}:// is not a place for a pond: use a local path or s3://bucket/prefix"
                )));
            }
            None => target,
        };
        if path.is_empty() {
            return Err(PondError::einval("the table path is empty"));
        }
        std::path::absolute(path)
            .map(Root::Local)
            .map_err(|e| crate::error::from_io(e, "resolving", std::path::Path::new(path)))
    }

    /// `table <where>`, as messages name it.
    pub fn subject(&self) -> String {
        match self {
            Root::Local(dir) => format!("table {}", dir.display()),
            Root::Bucket(bucket) => format!("table {}", bucket.shown),
        }
    }

    /// A file of the table as messages name it.
    pub fn shown(&self, relative: &str) -> PathBuf {
        match self {
            Root::Local(dir) => dir.join(relative),
            Root::Bucket(bucket) => PathBuf::from(format!("{}/{relative}", bucket.shown)),
        }
    }

    /// The bytes of `relative`, None when it does not exist; a local file is never read through
    /// a link.
    pub async fn read(&self, relative: &str) -> PondResult<Option<bytes::Bytes>> {
        match self {
            Root::Local(dir) => {
                let path = dir.join(relative);
                let read = tokio::task::spawn_blocking(move || crate::log::read_file(&path))
                    .await
                    .map_err(|e| crate::error::from_join(e, "reading a file"))??;
                Ok(read.map(bytes::Bytes::from))
            }
            Root::Bucket(bucket) => match bucket.store.get(&bucket.at(relative)).await {
                Ok(got) => got
                    .bytes()
                    .await
                    .map(Some)
                    .map_err(|e| bucket.failed(&format!("reading {relative} of"), e)),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(bucket.failed(&format!("reading {relative} of"), e)),
            },
        }
    }

    /// Whether `relative` exists (a local one as a regular file).
    pub async fn exists(&self, relative: &str) -> PondResult<bool> {
        match self {
            Root::Local(dir) => Ok(dir.join(relative).is_file()),
            Root::Bucket(bucket) => match bucket.store.head(&bucket.at(relative)).await {
                Ok(_) => Ok(true),
                Err(object_store::Error::NotFound { .. }) => Ok(false),
                Err(e) => Err(bucket.failed(&format!("looking up {relative} in"), e)),
            },
        }
    }
}

impl Bucket {
    /// The names (relative to `dir`) and sizes of the objects directly in `dir` of the table.
    pub async fn list(&self, dir: &str) -> PondResult<Vec<(String, u64)>> {
        use futures::TryStreamExt;
        let prefix = self.at(dir);
        let listed: Vec<_> = self
            .store
            .list(Some(&prefix))
            .try_collect()
            .await
            .map_err(|e| self.failed(&format!("listing {dir} of"), e))?;
        Ok(listed
            .into_iter()
            .filter_map(|meta| {
                let name = meta.location.prefix_match(&prefix)?.collect::<Vec<_>>();
                match name.as_slice() {
                    [one] => Some((one.as_ref().to_owned(), meta.size)),
                    _ => None,
                }
            })
            .collect())
    }
}

/// An object of a table in a bucket.
pub struct StoredObject {
    /// Its path inside the table (`part_id=…/….parquet`, `_large_files/…`, `_delta_log/…`).
    pub relative: String,
    pub size: u64,
    pub modified_ms: i64,
}

impl Bucket {
    /// Every object under the table's prefix.
    pub async fn list_all(&self) -> PondResult<Vec<StoredObject>> {
        use futures::TryStreamExt;
        let root = self.at("");
        let listed: Vec<_> = self
            .store
            .list(Some(&root))
            .try_collect()
            .await
            .map_err(|e| self.failed("listing the objects of", e))?;
        Ok(listed
            .into_iter()
            .filter_map(|meta| {
                let parts: Vec<String> = meta
                    .location
                    .prefix_match(&root)?
                    .map(|p| p.as_ref().to_owned())
                    .collect();
                Some(StoredObject {
                    relative: parts.join("/"),
                    size: meta.size,
                    modified_ms: meta.last_modified.timestamp_millis(),
                })
            })
            .collect())
    }
}

impl Bucket {
    /// Refuses writing to a store that overwrites on a put-if-absent (`If-None-Match: *`): two
    /// writers could both write one version, and one commit would be lost without a word.
    /// Found out once per bucket handle by putting a probe object twice, unless the user
    /// vouches for a single writer.
    pub async fn check_put_if_absent(&self) -> PondResult<()> {
        if self.single_writer {
            return Ok(());
        }
        let refuses = self
            .refuses_overwrite
            .get_or_try_init(|| async {
                let probe = self.at(&format!("_pond_probe/{}", uuid::Uuid::new_v4()));
                let create = || PutOptions {
                    mode: PutMode::Create,
                    ..PutOptions::default()
                };
                let failed = |e| self.failed("checking put-if-absent on", e);
                self.store
                    .put_opts(&probe, PutPayload::from_static(b"first"), create())
                    .await
                    .map_err(failed)?;
                let second = self
                    .store
                    .put_opts(&probe, PutPayload::from_static(b"second"), create())
                    .await;
                let _ = self.store.delete(&probe).await;
                match second {
                    Err(object_store::Error::AlreadyExists { .. }) => Ok(true),
                    Ok(_) => Ok(false),
                    Err(e) => Err(failed(e)),
                }
            })
            .await?;
        if *refuses {
            return Ok(());
        }
        Err(PondError::enotsup(format!(
            "{}: the store overwrote an object put only if absent (If-None-Match: *), so two \
             writers could both commit one version and one would be lost; to write from one \
             process only, set the storage option {SINGLE_WRITER}=true (or POND_SINGLE_WRITER=true)",
            self.shown
        )))
    }
}

