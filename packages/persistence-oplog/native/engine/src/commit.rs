//! A pond transaction as exactly one Delta version: one data file per partition, then a
//! create-only write of the log entry at `loaded + 1`. Losing that race commits nothing.

use std::collections::HashMap;
use std::sync::Arc;

use deltalake::arrow::array::{AsArray, RecordBatch, UInt32Array};
use deltalake::arrow::compute::take_record_batch;
use deltalake::kernel::transaction::CommitData;
use deltalake::kernel::{Action, Add};
use deltalake::logstore::CommitOrBytes;
use deltalake::protocol::{DeltaOperation, SaveMode};
use futures::{StreamExt, TryStreamExt};
use serde_json::Value;

use crate::data_file::{self, Layout};
use crate::error::{Code, PondError, PondResult, Step, from_delta, from_join};
use crate::handle::{Handle, Loaded};
use crate::ipc::decode_commit_rows;
use crate::location::{Bucket, Root};
use crate::log::{entry_file, sync_dir, sync_entry};
use crate::schema::{FILE_SCHEMA, PARTITION_COLUMN, TABLE_SCHEMA};

/// Data files uploaded at once to a bucket.
const CONCURRENT_UPLOADS: usize = 8;

pub struct Committed {
    pub version: i64,
    pub files: u32,
    pub partitions: u32,
    /// Whether this commit reached a checkpoint interval; the checkpoint is written off the
    /// commit path (`Handle::start_checkpoint`, awaited by `Handle::settle_checkpoint`).
    pub checkpointed: bool,
}

/// Rows grouped by part_id (in first-seen order), without the part_id column: each partition's
/// rows as they came, batch by batch, never combined into one array (a transaction's contents may
/// be more than an Arrow array holds).
fn split_by_partition(batches: &[RecordBatch]) -> PondResult<Vec<(String, Vec<RecordBatch>)>> {
    let mut order: Vec<String> = Vec::new();
    let mut parts: HashMap<String, Vec<RecordBatch>> = HashMap::new();
    for batch in batches {
        for (part_id, rows) in split_batch(batch)? {
            match parts.get_mut(&part_id) {
                Some(list) => list.push(rows),
                None => {
                    order.push(part_id.clone());
                    parts.insert(part_id, vec![rows]);
                }
            }
        }
    }
    Ok(order
        .into_iter()
        .map(|part_id| {
            let rows = parts.remove(&part_id).unwrap_or_default();
            (part_id, rows)
        })
        .collect())
}

/// One batch's rows by part_id, in first-seen order; rows that arrive grouped are sliced rather
/// than copied.
fn split_batch(batch: &RecordBatch) -> PondResult<Vec<(String, RecordBatch)>> {
    let part_ids = batch
        .column_by_name(PARTITION_COLUMN)
        .ok_or_else(|| PondError::internal("part_id column vanished"))?
        .as_string::<i32>();
    let mut order: Vec<&str> = Vec::new();
    let mut rows: HashMap<&str, Vec<u32>> = HashMap::new();
    let mut runs = 0;
    let mut previous = None;
    for (i, part_id) in part_ids.iter().enumerate() {
        let part_id = part_id.ok_or_else(|| PondError::einval("a row has no part_id"))?;
        if part_id.is_empty() {
            return Err(PondError::einval("a row has an empty part_id"));
        }
        if previous != Some(part_id) {
            runs += 1;
            previous = Some(part_id);
        }
        rows.entry(part_id)
            .or_insert_with(|| {
                order.push(part_id);
                Vec::new()
            })
            .push(i as u32);
    }
    let file_columns: Vec<usize> = FILE_SCHEMA
        .fields()
        .iter()
        .filter_map(|f| TABLE_SCHEMA.index_of(f.name()).ok())
        .collect();
    let without_part = batch
        .project(&file_columns)
        .map_err(|e| PondError::internal(format!("projecting the file columns: {e}")))?;
    let grouped = runs == order.len();
    order
        .into_iter()
        .map(|part_id| {
            let indices = rows.remove(part_id).unwrap_or_default();
            let batch = match (grouped, indices.first()) {
                (true, Some(&first)) => without_part.slice(first as usize, indices.len()),
                _ => take_record_batch(&without_part, &UInt32Array::from(indices))
                    .map_err(|e| PondError::internal(format!("grouping rows by part_id: {e}")))?,
            };
            Ok((part_id.to_string(), batch))
        })
        .collect()
}

/// The commitInfo user metadata: the caller's JSON object, plus the version it was based on.
fn app_metadata(info_json: &str, version: i64) -> PondResult<HashMap<String, Value>> {
    let value: Value = serde_json::from_str(info_json)
        .map_err(|e| PondError::einval(format!("commit info is not JSON: {e}")))?;
    let Value::Object(map) = value else {
        return Err(PondError::einval("commit info must be a JSON object"));
    };
    let mut metadata: HashMap<String, Value> = map.into_iter().collect();
    metadata.insert("readVersion".into(), Value::from(version - 1));
    Ok(metadata)
}

/// Writes the data files concurrently; on any failure removes those written.
pub async fn write_files(
    handle: &Handle,
    parts: Vec<(String, Vec<RecordBatch>)>,
    layout: Layout,
) -> PondResult<Vec<Add>> {
    let root = match &handle.root {
        Root::Local(dir) => dir.clone(),
        Root::Bucket(bucket) => return write_to_bucket(handle, bucket, parts, layout).await,
    };
    let tasks: Vec<_> = parts
        .into_iter()
        .map(|(part_id, rows)| {
            let root = root.clone();
            let relative = layout.new_path(&part_id);
            let cleanup = relative.clone();
            let task = tokio::task::spawn_blocking(move || {
                data_file::write(&root, &relative, &part_id, &rows, &layout)
            });
            (cleanup, task)
        })
        .collect();
    let mut adds = Vec::new();
    let mut new_directory = false;
    let mut attempted = Vec::new();
    let mut first_error = None;
    for (relative, task) in tasks {
        attempted.push(relative);
        match task.await {
            Ok(Ok(written)) => {
                adds.push(written.add);
                new_directory |= written.new_directory;
            }
            Ok(Err(e)) => {
                first_error.get_or_insert(e);
            }
            Err(e) => {
                first_error.get_or_insert(from_join(e, "writing a data file"));
            }
        }
    }
    if first_error.is_none() && new_directory {
        match tokio::task::spawn_blocking(move || sync_dir(&root)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => first_error = Some(e),
            Err(e) => first_error = Some(from_join(e, "syncing the table directory")),
        }
    }
    match first_error {
        None => Ok(adds),
        Some(err) => {
            data_file::remove_all(&handle.root, &attempted).await;
            Err(err)
        }
    }
}

async fn write_to_bucket(
    handle: &Handle,
    bucket: &Bucket,
    parts: Vec<(String, Vec<RecordBatch>)>,
    layout: Layout,
) -> PondResult<Vec<Add>> {
    let attempted: Vec<String> = parts.iter().map(|(p, _)| layout.new_path(p)).collect();
    let written = futures::stream::iter(parts.into_iter().zip(attempted.clone()))
        .map(|((part_id, rows), relative)| async move {
            data_file::write_to_bucket(bucket, &relative, &part_id, rows, layout).await
        })
        .buffered(CONCURRENT_UPLOADS)
        .try_collect::<Vec<_>>()
        .await;
    match written {
        Ok(written) => Ok(written.into_iter().map(|w| w.add).collect()),
        Err(err) => {
            data_file::remove_all(&handle.root, &attempted).await;
            Err(err)
        }
    }
}

/// Refuses a write to a table pond must not write, to a version other than loaded + 1, or into a
/// gap of the log.
pub async fn check_next_version(handle: &Handle, loaded: &Loaded, version: i64) -> PondResult<()> {
    if let Some(reason) = &loaded.read_only_reason {
        return Err(PondError::einval(reason.clone()));
    }
    if version != loaded.version + 1 {
        return Err(PondError::einval(format!(
            "{}: a commit goes to version {} (loaded + 1), not {version}",
            handle.subject(),
            loaded.version + 1
        )));
    }
    handle.check_contiguous(loaded).await
}

/// Writes `actions` as log entry `version` with a create-only put: no retry, no rebase onto a
/// later version; VERSION_EXISTS when another writer has it. The entry is flushed to disk. On
/// any failure the data files `written` (table-relative) are removed: nothing references them.
pub async fn put_entry(
    handle: &Handle,
    version: i64,
    actions: Vec<Action>,
    operation: DeltaOperation,
    metadata: HashMap<String, Value>,
    written: &[String],
) -> PondResult<()> {
    // Log cleanup deletes the entries below the oldest kept version, so a create-only put there
    // would succeed and land below the table's checkpoint, never to be read: a writer whose base
    // version was cleaned up lost the race for its version as surely as to another commit. (A
    // cleanup between this check and the put needs a writer lagging past the retention horizon
    // and a cleaner that loaded a later version within those microseconds.)
    if let Root::Bucket(bucket) = &handle.root
        && let Err(err) = bucket.check_put_if_absent().await
    {
        data_file::remove_all(&handle.root, written).await;
        return Err(err);
    }
    if version > 0 && !handle.root.exists(&entry_file((version - 1) as u64)).await? {
        data_file::remove_all(&handle.root, written).await;
        return Err(PondError::new(
            Code::VersionExists,
            format!(
                "{}: the log was cleaned up past version {}: version {version} is taken",
                handle.subject(),
                version - 1
            ),
        ));
    }
    let entry = CommitData::new(actions, operation, metadata, Vec::new())
        .get_bytes()
        .map_err(|e| from_delta(e.into(), Step::Commit, &handle.subject()));
    let entry = match entry {
        Ok(entry) => entry,
        Err(err) => {
            data_file::remove_all(&handle.root, written).await;
            return Err(err);
        }
    };
    let put = handle
        .log_store
        .write_commit_entry(
            version as u64,
            CommitOrBytes::LogBytes(entry.clone()),
            uuid::Uuid::new_v4(),
        )
        .await;
    if let Err(err) = put {
        let error = from_delta(err.into(), Step::Commit, &handle.subject())
            .context(format!("committing version {version}"));
        match &handle.root {
            Root::Local(_) => {
                data_file::remove_all(&handle.root, written).await;
                return Err(error);
            }
            // A put whose answer was lost is sent again, and refused: the version is taken, by
            // this very entry. When the store cannot say, the entry may stand, and so must the
            // data files it names (vacuum reclaims them if it does not).
            Root::Bucket(_) => match handle.root.read(&entry_file(version as u64)).await {
                Ok(Some(found)) if found == entry => {}
                Ok(_) => {
                    data_file::remove_all(&handle.root, written).await;
                    return Err(error);
                }
                Err(_) => return Err(error),
            },
        }
    }
    // The entry is visible to other writers now, so the commit stands even if this flush fails;
    // a failure here is as rare as it is unrecoverable, and reporting it would invite a retry.
    if let Root::Local(root) = &handle.root {
        let root = root.clone();
        let _ = tokio::task::spawn_blocking(move || sync_entry(&root, version as u64)).await;
    }
    Ok(())
}

/// Writes the checkpoint `version` is due for, if any: (written, why it failed). The version
/// itself stands either way.
pub async fn checkpoint_if_due(handle: &Handle, version: i64) -> (bool, Option<String>) {
    if version % handle.loaded().checkpoint_interval != 0 {
        return (false, None);
    }
    match handle.checkpoint_locked().await {
        Ok(()) => (true, None),
        Err(err) => (false, Some(err.to_string())),
    }
}

/// Commits the rows of `rows_ipc` (contents in `contents`, see `decode_commit_rows`) as exactly
/// `version`.
pub async fn commit(
    handle: &Handle,
    rows_ipc: impl AsRef<[u8]> + Send + 'static,
    contents: Vec<impl AsRef<[u8]> + Send + 'static>,
    version: i64,
    info_json: &str,
) -> PondResult<Committed> {
    let _op = handle.ops.lock().await;
    let loaded = handle.loaded();
    check_next_version(handle, &loaded, version).await?;
    let metadata = app_metadata(info_json, version)?;

    let parts = tokio::task::spawn_blocking(move || {
        split_by_partition(&decode_commit_rows(rows_ipc, contents)?)
    })
    .await
    .map_err(|e| from_join(e, "decoding rows"))??;
    let partitions = parts.len() as u32;

    let adds = write_files(handle, parts, Layout::commit()).await?;
    let written: Vec<String> = adds.iter().map(|a| a.path.clone()).collect();

    let operation = DeltaOperation::Write {
        mode: SaveMode::Append,
        partition_by: Some(vec![PARTITION_COLUMN.to_string()]),
        predicate: None,
    };
    let actions = adds.iter().cloned().map(Action::Add).collect();
    put_entry(handle, version, actions, operation, metadata, &written).await?;

    let mut next = handle.loaded();
    next.version = version;
    next.index = next
        .index
        .as_ref()
        .filter(|index| index.version == version - 1)
        .map(|index| Arc::new(index.with_changes(version, &adds, &[])));
    handle.publish(next);

    let checkpointed = version % handle.loaded().checkpoint_interval == 0;
    if checkpointed {
        handle.start_checkpoint(version as u64);
    }
    Ok(Committed {
        version,
        files: adds.len() as u32,
        partitions,
        checkpointed,
    })
}
