//! The bucket's object store as delta-rs sees a pond's table: object_store's S3 client, except
//! that a checkpoint is fetched whole, once, and log entries are kept once read (their HEADs
//! answered from what is kept, until they are deleted). The kernel reads a checkpoint's Parquet
//! a column chunk at a time, and the entries after it twice (for the table's metadata, then for
//! its files): on local disk that is free, against S3 it was a request each.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::{self, BoxStream, StreamExt};
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, GetResultPayload, ListResult, MultipartUpload, ObjectMeta,
    ObjectStore, PutMultipartOptions, PutOptions, PutPayload, PutResult, RenameOptions, Result,
};

/// A checkpoint larger than this is read range by range, as object_store does.
const WHOLE_CHECKPOINT_BYTES: u64 = 64 << 20;
/// How many bytes of log entries are kept, the oldest read going first.
const KEPT_ENTRY_BYTES: usize = 16 << 20;

#[derive(Debug)]
pub struct BucketStore {
    inner: Arc<dyn ObjectStore>,
    /// The checkpoint read last: checkpoints are never rewritten with other contents. Locked
    /// while one is fetched, so that concurrent ranged reads of it wait for that one request.
    held: tokio::sync::Mutex<Option<(ObjectMeta, Bytes)>>,
    /// Log entries read: an entry is put only if absent, so its contents never change.
    entries: Arc<std::sync::Mutex<KeptEntries>>,
}

#[derive(Debug, Default)]
struct KeptEntries {
    by_location: HashMap<Path, (ObjectMeta, Bytes)>,
    order: VecDeque<Path>,
    bytes: usize,
}

impl KeptEntries {
    fn forget(&mut self, location: &Path) {
        if let Some((_, gone)) = self.by_location.remove(location) {
            self.bytes -= gone.len();
            self.order.retain(|kept| kept != location);
        }
    }

    fn keep(&mut self, meta: ObjectMeta, bytes: Bytes) {
        if bytes.len() > KEPT_ENTRY_BYTES || self.by_location.contains_key(&meta.location) {
            return;
        }
        self.bytes += bytes.len();
        self.order.push_back(meta.location.clone());
        self.by_location.insert(meta.location.clone(), (meta, bytes));
        while self.bytes > KEPT_ENTRY_BYTES {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some((_, gone)) = self.by_location.remove(&oldest) {
                self.bytes -= gone.len();
            }
        }
    }
}

impl BucketStore {
    pub fn new(inner: Arc<dyn ObjectStore>) -> Self {
        Self {
            inner,
            held: tokio::sync::Mutex::new(None),
            entries: Default::default(),
        }
    }

    /// Log entry `location` whole: kept, or fetched and kept.
    async fn entry(&self, location: &Path) -> Result<GetResult> {
        let kept = self.kept_entries().by_location.get(location).cloned();
        let (meta, bytes) = match kept {
            Some(kept) => kept,
            None => {
                let got = self.inner.get_opts(location, GetOptions::default()).await?;
                let meta = got.meta.clone();
                let bytes = got.bytes().await?;
                self.kept_entries().keep(meta.clone(), bytes.clone());
                (meta, bytes)
            }
        };
        Ok(GetResult {
            range: 0..meta.size,
            payload: GetResultPayload::Stream(stream::once(async move { Ok(bytes) }).boxed()),
            meta,
            attributes: Default::default(),
        })
    }

    fn kept_entries(&self) -> std::sync::MutexGuard<'_, KeptEntries> {
        lock(&self.entries)
    }

    /// The whole checkpoint at `location`, fetched unless held; None when it is too large.
    async fn whole(&self, location: &Path) -> Result<Option<(ObjectMeta, Bytes)>> {
        let mut held = self.held.lock().await;
        if let Some(whole) = held.as_ref().filter(|(meta, _)| meta.location == *location) {
            return Ok(Some(whole.clone()));
        }
        let got = self.inner.get_opts(location, GetOptions::default()).await?;
        if got.meta.size > WHOLE_CHECKPOINT_BYTES {
            return Ok(None);
        }
        let meta = got.meta.clone();
        let bytes = got.bytes().await?;
        let whole = (meta, bytes);
        *held = Some(whole.clone());
        Ok(Some(whole))
    }
}

fn is_checkpoint(location: &Path) -> bool {
    location
        .filename()
        .is_some_and(|name| name.contains(".checkpoint") && name.ends_with(".parquet"))
}

fn lock(entries: &std::sync::Mutex<KeptEntries>) -> std::sync::MutexGuard<'_, KeptEntries> {
    entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A Delta log entry, `_delta_log/<version>.json`.
fn is_log_entry(location: &Path) -> bool {
    location.filename().is_some_and(|name| {
        name.strip_suffix(".json")
            .is_some_and(|stem| stem.len() == 20 && stem.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// A plain ranged read: no conditions, no version, not a HEAD.
fn plain_range(options: &GetOptions) -> bool {
    options.range.is_some() && plain(options)
}

/// A plain read: no range, no conditions, no version, not a HEAD.
fn plain_whole(options: &GetOptions) -> bool {
    options.range.is_none() && plain(options)
}

/// A HEAD with no range, no conditions, no version.
fn plain_head(options: &GetOptions) -> bool {
    options.head && options.range.is_none() && unconditional(options)
}

fn plain(options: &GetOptions) -> bool {
    !options.head && unconditional(options)
}

fn unconditional(options: &GetOptions) -> bool {
    options.if_match.is_none()
        && options.if_none_match.is_none()
        && options.if_modified_since.is_none()
        && options.if_unmodified_since.is_none()
        && options.version.is_none()
}

fn out_of_range(
    location: &Path,
    error: impl std::error::Error + Send + Sync + 'static,
) -> object_store::Error {
    object_store::Error::Generic {
        store: "pond bucket",
        source: format!("{location}: {error}").into(),
    }
}

impl fmt::Display for BucketStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pond:{}", self.inner)
    }
}

#[async_trait]
impl ObjectStore for BucketStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        if is_log_entry(location) && plain_whole(&options) {
            return self.entry(location).await;
        }
        if is_log_entry(location) && plain_head(&options) {
            let kept = self.kept_entries().by_location.get(location).cloned();
            if let Some((meta, _)) = kept {
                return Ok(GetResult {
                    range: 0..meta.size,
                    payload: GetResultPayload::Stream(stream::empty().boxed()),
                    meta,
                    attributes: Default::default(),
                });
            }
        }
        if !is_checkpoint(location) || !plain_range(&options) {
            return self.inner.get_opts(location, options).await;
        }
        let Some((meta, bytes)) = self.whole(location).await? else {
            return self.inner.get_opts(location, options).await;
        };
        let range = match &options.range {
            Some(wanted) => wanted
                .as_range(meta.size)
                .map_err(|e| out_of_range(location, e))?,
            None => 0..meta.size,
        };
        let slice = bytes.slice(range.start as usize..range.end as usize);
        Ok(GetResult {
            payload: GetResultPayload::Stream(stream::once(async move { Ok(slice) }).boxed()),
            meta,
            range,
            attributes: Default::default(),
        })
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        if !is_checkpoint(location) {
            return self.inner.get_ranges(location, ranges).await;
        }
        let Some((meta, bytes)) = self.whole(location).await? else {
            return self.inner.get_ranges(location, ranges).await;
        };
        ranges
            .iter()
            .map(|range| {
                if range.start > range.end || range.end > meta.size {
                    return Err(out_of_range(
                        location,
                        std::io::Error::other(format!("range {range:?} of {} bytes", meta.size)),
                    ));
                }
                Ok(bytes.slice(range.start as usize..range.end as usize))
            })
            .collect()
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        let entries = self.entries.clone();
        self.inner
            .delete_stream(locations)
            .map(move |deleted| {
                if let Ok(location) = &deleted {
                    lock(&entries).forget(location);
                }
                deleted
            })
            .boxed()
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    fn list_with_offset(
        &self,
        prefix: Option<&Path>,
        offset: &Path,
    ) -> BoxStream<'static, Result<ObjectMeta>> {
        self.inner.list_with_offset(prefix, offset)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inner.copy_opts(from, to, options).await
    }

    async fn rename_opts(&self, from: &Path, to: &Path, options: RenameOptions) -> Result<()> {
        self.inner.rename_opts(from, to, options).await
    }
}
