//! The bucket's object store as delta-rs sees a pond's table: object_store's S3 client, except
//! that a checkpoint is fetched whole, once. The kernel reads a checkpoint's Parquet a column
//! chunk at a time: on local disk that is free, against S3 it was a dozen requests per open.

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

#[derive(Debug)]
pub struct BucketStore {
    inner: Arc<dyn ObjectStore>,
    /// The checkpoint read last: checkpoints are never rewritten with other contents. Locked
    /// while one is fetched, so that concurrent ranged reads of it wait for that one request.
    held: tokio::sync::Mutex<Option<(ObjectMeta, Bytes)>>,
}

impl BucketStore {
    pub fn new(inner: Arc<dyn ObjectStore>) -> Self {
        Self {
            inner,
            held: tokio::sync::Mutex::new(None),
        }
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

/// A plain ranged read: no conditions, no version, not a HEAD.
fn plain_range(options: &GetOptions) -> bool {
    options.range.is_some()
        && !options.head
        && options.if_match.is_none()
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
        self.inner.delete_stream(locations)
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
