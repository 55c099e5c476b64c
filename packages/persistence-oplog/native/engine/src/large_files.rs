//! Large files of a pond in a bucket (`_large_files/sha256=…`, the layout of a local pond): put
//! whole, checked against the digest their name gives, and read back whole. A local pond's are
//! written by the TypeScript side through the host filesystem.

use bytes::Bytes;
use object_store::{ObjectStoreExt, PutPayload, WriteMultipart};
use ring::digest::{SHA256, digest};

use crate::error::{PondError, PondResult};
use crate::location::{Bucket, Root};

const LARGE_FILES_DIR: &str = "_large_files";
const PART_SIZE: usize = 8 << 20;

/// `_large_files/<name>` for a name `sha256=<64 hex digits>`; EINVAL for anything else.
fn relative(name: &str) -> PondResult<String> {
    let hex = name.strip_prefix("sha256=").unwrap_or_default();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
        return Err(PondError::einval(format!("{name:?} is not a large file's name")));
    }
    Ok(format!("{LARGE_FILES_DIR}/{name}"))
}

fn bucket<'a>(root: &'a Root) -> PondResult<&'a Bucket> {
    match root {
        Root::Bucket(bucket) => Ok(bucket),
        Root::Local(_) => Err(PondError::einval(
            "a local pond's large files are host files, not written through the engine",
        )),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Stores `content` as large file `name`, a part at a time when it is bigger than one.
pub async fn put(root: &Root, name: &str, content: Bytes) -> PondResult<()> {
    let relative = relative(name)?;
    let bucket = bucket(root)?;
    let sha = hex(digest(&SHA256, &content).as_ref());
    if name.strip_prefix("sha256=") != Some(sha.as_str()) {
        return Err(PondError::einval(format!(
            "content whose sha256 is {sha} cannot be stored as {name}"
        )));
    }
    let at = bucket.at(&relative);
    let failed = |e| bucket.failed(&format!("writing {relative} to"), e);
    if content.len() <= PART_SIZE {
        bucket.store.put(&at, PutPayload::from(content)).await.map_err(failed)?;
        return Ok(());
    }
    let upload = bucket.store.put_multipart(&at).await.map_err(failed)?;
    let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
    let mut offset = 0;
    while offset < content.len() {
        let end = (offset + PART_SIZE).min(content.len());
        if let Err(e) = writer.wait_for_capacity(2).await {
            return Err(failed(e));
        }
        writer.put(content.slice(offset..end));
        offset = end;
    }
    writer.finish().await.map_err(failed)?;
    Ok(())
}

/// Large file `name`, None when the bucket does not hold it.
pub async fn read(root: &Root, name: &str) -> PondResult<Option<Bytes>> {
    let relative = relative(name)?;
    bucket(root)?;
    root.read(&relative).await
}

/// Deletes large file `name` (a transaction's that did not commit); gone already is fine.
pub async fn remove(root: &Root, name: &str) -> PondResult<()> {
    let relative = relative(name)?;
    let bucket = bucket(root)?;
    match bucket.store.delete(&bucket.at(&relative)).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(bucket.failed(&format!("deleting {relative} of"), e)),
    }
}
