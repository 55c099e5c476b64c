//! The local-filesystem object store pond's tables use: object_store's own, except that listing
//! from an offset compares plain file names before doing anything per entry. Delta lists the
//! log from the newest checkpoint on every load, and a pond that keeps its history keeps every
//! log entry, so the generic listing (a path conversion per entry) grew with the pond's age.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult, RenameOptions, Result,
};

#[derive(Debug)]
pub struct LocalStore {
    inner: Arc<LocalFileSystem>,
}

impl LocalStore {
    pub fn new() -> Self {
        Self {
            inner: Arc::new(LocalFileSystem::new()),
        }
    }
}

impl fmt::Display for LocalStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pond:{}", self.inner)
    }
}

/// The plain files directly in `dir` whose location sorts after `offset`, or `None` when `dir`
/// has subdirectories (a recursive listing is left to object_store). Only those files are
/// looked at beyond their names.
fn list_after(dir: &std::path::Path, prefix: &Path, offset: &Path) -> Option<Vec<ObjectMeta>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(Vec::new()),
        Err(_) => return None,
    };
    let mut listed = Vec::new();
    for entry in entries {
        let entry = entry.ok()?;
        if !entry.file_type().ok()?.is_file() {
            return None;
        }
        let name = entry.file_name();
        let name = name.to_str()?;
        // object_store's in-progress uploads (`name#123`) are not objects.
        if name
            .split_once('#')
            .is_some_and(|(_, suffix)| suffix.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        let location = prefix.clone().join(name);
        if location <= *offset {
            continue;
        }
        match entry.metadata() {
            Ok(metadata) => listed.push(object_meta(location, &metadata)),
            // Gone since the directory was read: not listed, as object_store does.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(_) => return None,
        }
    }
    Some(listed)
}

/// What object_store's local store reports for a file, e_tag included.
fn object_meta(location: Path, metadata: &std::fs::Metadata) -> ObjectMeta {
    let modified = metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let micros = modified
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_micros();
    ObjectMeta {
        location,
        last_modified: modified.into(),
        size: metadata.len(),
        e_tag: Some(format!(
            "{:x}-{micros:x}-{:x}",
            inode(metadata),
            metadata.len()
        )),
        version: None,
    }
}

#[cfg(unix)]
fn inode(metadata: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(metadata)
}

#[cfg(not(unix))]
fn inode(_metadata: &std::fs::Metadata) -> u64 {
    0
}

#[async_trait]
impl ObjectStore for LocalStore {
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
        self.inner.get_opts(location, options).await
    }

    async fn get_ranges(
        &self,
        location: &Path,
        ranges: &[std::ops::Range<u64>],
    ) -> Result<Vec<bytes::Bytes>> {
        self.inner.get_ranges(location, ranges).await
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
        let inner = self.inner.clone();
        let prefix = prefix.cloned().unwrap_or_default();
        let offset = offset.clone();
        stream::once(async move {
            let dir = inner.path_to_filesystem(&prefix)?;
            let listed = {
                let (prefix, offset) = (prefix.clone(), offset.clone());
                tokio::task::spawn_blocking(move || list_after(&dir, &prefix, &offset))
                    .await
                    .ok()
                    .flatten()
            };
            Ok::<_, object_store::Error>(match listed {
                Some(metas) => stream::iter(metas.into_iter().map(Ok)).boxed(),
                None => inner.list_with_offset(Some(&prefix), &offset),
            })
        })
        .try_flatten()
        .boxed()
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
