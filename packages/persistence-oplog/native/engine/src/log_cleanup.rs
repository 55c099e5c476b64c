//! Log cleanup: the commit entries and checkpoints before a version are deleted once a checkpoint
//! at that version exists, so that the log stops growing; that version becomes the oldest one a
//! reader can load.

use std::fs::File;
use std::path::{Path, PathBuf};

use deltalake::parquet::file::reader::{ChunkReader, FileReader, SerializedFileReader};
use object_store::{ObjectStoreExt, PutPayload};
use serde_json::{Value, json};

use crate::error::{Code, PondError, PondResult, Step, from_delta, from_io, from_join};
use crate::handle::{Handle, to_version, write_checkpoint};
use crate::location::{Bucket, Root};
use crate::log::{
    LAST_CHECKPOINT, LOG_DIR, LogListing, list, list_at, log_dir, read_file, sync_dir,
};

pub struct Cleaned {
    /// Table-relative paths, oldest version first.
    pub deleted: Vec<String>,
    pub oldest: i64,
}

/// The rows of a checkpoint's files, which also proves their footers readable.
fn checkpoint_rows(files: &[PathBuf]) -> PondResult<i64> {
    let mut rows = 0;
    for path in files {
        let file = crate::confined::open_regular(path)?.ok_or_else(|| {
            PondError::corrupt(format!("checkpoint {} is missing", path.display()))
        })?;
        rows += rows_in(file, path)?;
    }
    Ok(rows)
}

fn rows_in<R: ChunkReader + 'static>(input: R, path: &Path) -> PondResult<i64> {
    let reader = SerializedFileReader::new(input)
        .map_err(|e| PondError::corrupt(format!("checkpoint {}: {e}", path.display())))?;
    Ok(reader.metadata().file_metadata().num_rows())
}

/// What `_last_checkpoint` says of the checkpoint of `version`.
fn hint_of(version: u64, rows: i64, parts: usize) -> Value {
    let mut value = json!({ "version": version, "size": rows });
    if parts > 1 {
        value["parts"] = json!(parts);
    }
    value
}

fn hinted_version(bytes: &[u8]) -> Option<u64> {
    serde_json::from_slice::<Value>(bytes)
        .ok()?
        .get("version")
        .and_then(Value::as_u64)
}

/// Makes the checkpoint at `version` durable and makes sure `_last_checkpoint` does not point
/// before it (readers start from that hint; it must not name a checkpoint about to go).
fn secure_checkpoint(root: &Path, version: u64, files: &[PathBuf]) -> PondResult<()> {
    let rows = checkpoint_rows(files)?;
    for path in files {
        File::open(path)
            .and_then(|f| f.sync_all())
            .map_err(|e| from_io(e, "syncing checkpoint", path))?;
    }
    let hint = log_dir(root).join(LAST_CHECKPOINT);
    let hinted = read_file(&hint)?.and_then(|bytes| hinted_version(&bytes));
    if hinted.is_none_or(|hinted| hinted < version) {
        let value = hint_of(version, rows, files.len());
        let temp = log_dir(root).join(format!(".{LAST_CHECKPOINT}.{}.tmp", uuid::Uuid::new_v4()));
        std::fs::write(&temp, value.to_string())
            .and_then(|()| File::open(&temp)?.sync_all())
            .and_then(|()| std::fs::rename(&temp, &hint))
            .map_err(|e| {
                let _ = std::fs::remove_file(&temp);
                from_io(e, "writing", &hint)
            })?;
    }
    sync_dir(&log_dir(root))
}

/// Deletes the log files of versions before `before`, oldest first, commit entries before the
/// checkpoint of the same version, so that at every point the log is readable from some version.
fn delete_before(root: &Path, before: u64) -> PondResult<Vec<String>> {
    let mut doomed: Vec<(u64, bool, PathBuf)> = list(root)?
        .versioned
        .into_iter()
        .filter(|(version, _)| *version < before)
        .map(|(version, path)| {
            let checkpoint = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().contains(".checkpoint"));
            (version, checkpoint, path)
        })
        .collect();
    doomed.sort();
    let mut deleted = Vec::with_capacity(doomed.len());
    for (_, _, path) in doomed {
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(from_io(e, "deleting", &path)),
        }
        if let Some(name) = path.file_name() {
            deleted.push(format!("{LOG_DIR}/{}", name.to_string_lossy()));
        }
    }
    sync_dir(&log_dir(root))?;
    Ok(deleted)
}

pub async fn cleanup_log(handle: &Handle, before: i64) -> PondResult<Cleaned> {
    let target = to_version(before)?;
    let _op = handle.ops.lock().await;
    let mut loaded = handle.loaded();
    if before > loaded.version {
        return Err(PondError::einval(format!(
            "{}: cannot clean up the log before version {before}, past the loaded version {}",
            handle.subject(),
            loaded.version
        )));
    }
    let listing = list_at(&handle.root).await?;
    let Some(oldest) = listing.oldest() else {
        return Err(PondError::corrupt(format!(
            "{}: the log holds no readable version",
            handle.subject()
        )));
    };
    if target <= oldest {
        return Ok(Cleaned {
            deleted: Vec::new(),
            oldest: oldest as i64,
        });
    }
    // Once the entries before `before` are gone, delta-rs could not move a snapshot that lags
    // behind it forward incrementally: bring it to the loaded version now.
    handle.current_table(&mut loaded).await?;
    handle.publish(loaded);
    let root = match &handle.root {
        Root::Local(dir) => dir.clone(),
        Root::Bucket(bucket) => return cleanup_bucket_log(handle, bucket, &listing, target).await,
    };

    if !listing.checkpoints.contains_key(&target) {
        let url = url::Url::from_directory_path(&root).map_err(|()| {
            PondError::einval(format!("{} is not a usable table path", root.display()))
        })?;
        deltalake::checkpoints::create_checkpoint_from_table_url_and_cleanup(
            url,
            target,
            Some(false),
            None,
        )
        .await
        .map_err(|e| {
            from_delta(e, Step::Other, &handle.subject())
                .context(format!("writing the checkpoint of version {before}"))
        })?;
    }
    tokio::task::spawn_blocking(move || {
        let files = list(&root)?.checkpoints.remove(&target).ok_or_else(|| {
            PondError::new(
                Code::Internal,
                format!("the checkpoint of version {target} was not written"),
            )
        })?;
        secure_checkpoint(&root, target, &files)?;
        let deleted = delete_before(&root, target)?;
        Ok(Cleaned {
            deleted,
            oldest: before,
        })
    })
    .await
    .map_err(|e| from_join(e, "cleaning up the log"))?
}

/// `cleanup_log` of a table in a bucket: the checkpoint of `target` is written through the
/// table's log store, `_last_checkpoint` moved to it, then what precedes it deleted, oldest first.
async fn cleanup_bucket_log(
    handle: &Handle,
    bucket: &Bucket,
    listing: &LogListing,
    target: u64,
) -> PondResult<Cleaned> {
    if !listing.checkpoints.contains_key(&target) {
        let root = handle.root.clone();
        let log_store = handle.log_store.clone();
        tokio::task::spawn_blocking(move || write_checkpoint(&root, &log_store, target))
            .await
            .map_err(|e| from_join(e, "writing a checkpoint"))??;
    }
    let files = list_at(&handle.root)
        .await?
        .checkpoints
        .remove(&target)
        .ok_or_else(|| {
            PondError::internal(format!(
                "the checkpoint of version {target} was not written"
            ))
        })?;
    let hint = format!("{LOG_DIR}/{LAST_CHECKPOINT}");
    let hinted = handle
        .root
        .read(&hint)
        .await?
        .and_then(|b| hinted_version(&b));
    if hinted.is_none_or(|hinted| hinted < target) {
        let mut rows = 0;
        for path in &files {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes = handle
                .root
                .read(&format!("{LOG_DIR}/{name}"))
                .await?
                .ok_or_else(|| {
                    PondError::corrupt(format!("checkpoint {} is missing", path.display()))
                })?;
            rows += rows_in(bytes, path)?;
        }
        let value = hint_of(target, rows, files.len());
        bucket
            .store
            .put(&bucket.at(&hint), PutPayload::from(value.to_string()))
            .await
            .map_err(|e| bucket.failed(&format!("writing {hint} of"), e))?;
    }
    let mut doomed: Vec<&(u64, PathBuf)> = listing
        .versioned
        .iter()
        .filter(|(version, _)| *version < target)
        .collect();
    doomed.sort();
    let mut deleted = Vec::with_capacity(doomed.len());
    for (_, path) in doomed {
        let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        let relative = format!("{LOG_DIR}/{name}");
        match bucket.store.delete(&bucket.at(&relative)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => deleted.push(relative),
            Err(e) => return Err(bucket.failed(&format!("deleting {relative} of"), e)),
        }
    }
    Ok(Cleaned {
        deleted,
        oldest: target as i64,
    })
}
