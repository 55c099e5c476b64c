//! Compaction: each chosen partition's files rewritten as a few large ones, rows sorted by
//! (node_id, version) in small row groups so that a node lookup decodes little, committed as one
//! OPTIMIZE version that removes the old files and adds the new ones, all with dataChange false.
//! Older versions keep reading the old files until vacuum deletes them.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use deltalake::arrow::array::RecordBatch;
use deltalake::arrow::compute::{
    SortColumn, concat_batches, lexsort_to_indices, take_record_batch,
};
use deltalake::kernel::{Action, Add, Remove};
use deltalake::parquet::basic::Compression;
use deltalake::protocol::DeltaOperation;
use futures::StreamExt;
use serde_json::{Value, json};

use crate::commit::{check_next_version, checkpoint_if_due, put_entry};
use crate::data_file::{self, Layout};
use crate::error::{Code, PondError, PondResult, from_arrow_internal, from_join};
use crate::handle::Handle;
use crate::index::DataFile;
use crate::location::Root;
use crate::schema::{FILE_SCHEMA, NODE_ID_COLUMN, PARTITION_COLUMN};

/// Partitions rewritten at once (each holds all its rows in memory while being rewritten).
const CONCURRENT_PARTITIONS: usize = 2;

/// How often a finished rewrite moves on to the next version when appends keep winning.
const MAX_RECOMMITS: u32 = 64;

pub struct CompactOptions {
    /// Only these partitions (all when `None`).
    pub part_ids: Option<Vec<String>>,
    /// A partition is compacted when it has at least this many files.
    pub min_files: usize,
    pub target_rows_per_file: usize,
    pub row_group_rows: usize,
}

impl Default for CompactOptions {
    /// Every partition of at least two files, about 256 Ki rows per file in row groups of 4096.
    fn default() -> Self {
        Self {
            part_ids: None,
            min_files: 2,
            target_rows_per_file: 256 * 1024,
            row_group_rows: 4096,
        }
    }
}

#[derive(Default)]
pub struct Compacted {
    /// The version committed; `None` when no partition needed compaction (nothing committed).
    pub version: Option<i64>,
    pub partitions: u32,
    pub files_removed: u32,
    pub files_added: u32,
    pub bytes_removed: i64,
    pub bytes_added: i64,
    pub rows: i64,
    pub checkpointed: bool,
    pub checkpoint_error: Option<String>,
}

/// Compacted files are Snappy too: a lookup decodes one row group, and parquet-rs sets up a
/// ZSTD codec (compressor and decompressor contexts) for every column chunk it reads, which
/// was a quarter of a lookup's time; ZSTD(1) saved a third of the compacted bytes, next to
/// nothing beside what compaction itself saves.
fn compacted_layout(row_group_rows: usize) -> Layout {
    Layout {
        compression: Compression::SNAPPY,
        row_group_rows,
        data_change: false,
    }
}

/// Rows sorted by (node_id, version, txn_seq).
fn sort_rows(rows: &RecordBatch) -> PondResult<RecordBatch> {
    let key = |name: &str| -> PondResult<SortColumn> {
        let values = rows
            .column_by_name(name)
            .ok_or_else(|| PondError::internal(format!("column {name} vanished")))?
            .clone();
        Ok(SortColumn {
            values,
            options: None,
        })
    };
    let keys = [key(NODE_ID_COLUMN)?, key("version")?, key("txn_seq")?];
    let order =
        lexsort_to_indices(&keys, None).map_err(|e| from_arrow_internal(e, "sorting rows"))?;
    take_record_batch(rows, &order).map_err(|e| from_arrow_internal(e, "sorting rows"))
}

/// Reads every file of a partition and writes its rows, sorted, as files of about
/// `target_rows` rows each; returns their add actions and the row count. On failure, removes
/// what it wrote.
async fn rewrite_partition(
    root: &Root,
    part_id: String,
    files: Arc<Vec<DataFile>>,
    layout: Layout,
    target_rows: usize,
) -> PondResult<(Vec<Add>, usize)> {
    let mut batches = Vec::new();
    for file in files.iter() {
        let wanted = Arc::new(data_file::Wanted::all());
        batches.extend(data_file::rows_at(root, file.path.clone(), wanted).await?.0);
    }
    let sorted = tokio::task::spawn_blocking(move || {
        let all = concat_batches(&FILE_SCHEMA, &batches)
            .map_err(|e| from_arrow_internal(e, "combining a partition's rows"))?;
        drop(batches);
        sort_rows(&all)
    })
    .await
    .map_err(|e| from_join(e, "sorting a partition's rows"))??;
    let total = sorted.num_rows();
    if total == 0 {
        return Ok((Vec::new(), 0));
    }
    // Files of equal size rather than full ones and a small remainder.
    let count = total.div_ceil(target_rows.max(1));
    let per_file = total.div_ceil(count);
    let mut adds = Vec::new();
    let mut offset = 0;
    while offset < total {
        let length = per_file.min(total - offset);
        let relative = layout.new_path(&part_id);
        let rows = vec![sorted.slice(offset, length)];
        match data_file::write_at(root, relative.clone(), part_id.clone(), rows, layout).await {
            Ok(add) => adds.push(add),
            Err(err) => {
                let mut written: Vec<String> = adds.into_iter().map(|a: Add| a.path).collect();
                written.push(relative);
                data_file::remove_all(root, &written).await;
                return Err(err);
            }
        }
        offset += length;
    }
    Ok((adds, total))
}

/// A remove action for a file being replaced by compaction.
fn remove_of(file: &DataFile, part_id: &str, now: i64) -> Remove {
    Remove {
        path: file.path.clone(),
        data_change: false,
        deletion_timestamp: Some(now),
        extended_file_metadata: Some(true),
        partition_values: Some(HashMap::from([(
            PARTITION_COLUMN.to_string(),
            Some(part_id.to_string()),
        )])),
        size: Some(file.size),
        ..Default::default()
    }
}

fn predicate(part_ids: &Option<Vec<String>>) -> Option<String> {
    part_ids.as_ref().map(|ids| {
        let quoted: Vec<String> = ids
            .iter()
            .map(|id| format!("'{}'", id.replace('\'', "''")))
            .collect();
        format!("{PARTITION_COLUMN} IN ({})", quoted.join(", "))
    })
}

pub async fn compact(
    handle: &Handle,
    version: i64,
    options: CompactOptions,
) -> PondResult<Compacted> {
    if options.min_files == 0 || options.target_rows_per_file == 0 || options.row_group_rows == 0 {
        return Err(PondError::einval(
            "minFiles, targetRowsPerFile and rowGroupRows must be at least 1",
        ));
    }
    let _op = handle.ops.lock().await;
    let loaded = handle.loaded();
    check_next_version(handle, &loaded, version).await?;
    let index = handle.index_locked().await?;
    let wanted: Option<HashSet<&str>> = options
        .part_ids
        .as_ref()
        .map(|ids| ids.iter().map(String::as_str).collect());
    let chosen: Vec<(String, Arc<Vec<DataFile>>)> = index
        .part_ids()
        .into_iter()
        .filter(|id| wanted.as_ref().is_none_or(|w| w.contains(id)))
        .map(|id| (id.to_string(), index.files(id)))
        .filter(|(_, files)| files.len() >= options.min_files)
        .collect();
    if chosen.is_empty() {
        return Ok(Compacted::default());
    }

    let layout = compacted_layout(options.row_group_rows);
    let target_rows = options.target_rows_per_file;
    let outcomes: Vec<PondResult<(Vec<Add>, usize)>> = futures::stream::iter(chosen.clone())
        .map(|(part_id, files)| {
            rewrite_partition(&handle.root, part_id, files, layout, target_rows)
        })
        .buffered(CONCURRENT_PARTITIONS)
        .collect()
        .await;
    let mut adds = Vec::new();
    let mut rows = 0;
    let mut first_error = None;
    for outcome in outcomes {
        match outcome {
            Ok((partition_adds, partition_rows)) => {
                adds.extend(partition_adds);
                rows += partition_rows;
            }
            Err(err) => {
                first_error.get_or_insert(err);
            }
        }
    }
    let written: Vec<String> = adds.iter().map(|a| a.path.clone()).collect();
    if let Some(err) = first_error {
        data_file::remove_all(&handle.root, &written).await;
        return Err(err);
    }

    let now = chrono::Utc::now().timestamp_millis();
    let removes: Vec<Remove> = chosen
        .iter()
        .flat_map(|(part_id, files)| files.iter().map(move |f| remove_of(f, part_id, now)))
        .collect();
    let bytes_removed: i64 = removes.iter().filter_map(|r| r.size).sum();
    let bytes_added: i64 = adds.iter().map(|a| a.size).sum();
    let metadata = |read_version: i64| -> HashMap<String, Value> {
        HashMap::from([
            ("readVersion".to_string(), Value::from(read_version)),
            (
                "operationMetrics".to_string(),
                json!({
                    "numRemovedFiles": removes.len(),
                    "numAddedFiles": adds.len(),
                    "numRemovedBytes": bytes_removed,
                    "numAddedBytes": bytes_added,
                    "partitionsOptimized": chosen.len(),
                    "numRows": rows,
                }),
            ),
            (
                "pondLayout".to_string(),
                json!({
                    "sortedBy": [NODE_ID_COLUMN, "version"],
                    "targetRowsPerFile": target_rows,
                    "rowGroupRows": options.row_group_rows,
                }),
            ),
        ])
    };
    let operation = DeltaOperation::Optimize {
        predicate: predicate(&options.part_ids),
        target_size: 0,
    };
    let actions: Vec<Action> = removes
        .iter()
        .cloned()
        .map(Action::Remove)
        .chain(adds.iter().cloned().map(Action::Add))
        .collect();
    // Appends never touch the files a compaction replaces, so losing the race to one only
    // moves the same rewrite to the next version; only another compaction of the same files
    // makes it void.
    let mut version = version;
    let mut index = index;
    let mut attempts = 0;
    loop {
        let outcome = put_entry(
            handle,
            version,
            actions.clone(),
            operation.clone(),
            metadata(version - 1),
            &[],
        )
        .await;
        match outcome {
            Ok(()) => break,
            Err(err) if err.code == Code::VersionExists && attempts < MAX_RECOMMITS => {
                attempts += 1;
                let moved = async {
                    let newest = handle.update_locked().await?;
                    let fresh = handle.index_locked().await?;
                    PondResult::Ok((newest, fresh))
                }
                .await;
                let (newest, fresh) = match moved {
                    Ok(moved) => moved,
                    Err(err) => {
                        data_file::remove_all(&handle.root, &written).await;
                        return Err(err);
                    }
                };
                let still_there = chosen.iter().all(|(part_id, files)| {
                    let now = fresh.files(part_id);
                    files.iter().all(|f| now.iter().any(|n| n.path == f.path))
                });
                if !still_there {
                    data_file::remove_all(&handle.root, &written).await;
                    return Err(PondError::new(
                        Code::VersionExists,
                        format!(
                            "{}: another compaction replaced these files first",
                            handle.subject()
                        ),
                    ));
                }
                version = newest + 1;
                index = fresh;
            }
            Err(err) => {
                data_file::remove_all(&handle.root, &written).await;
                return Err(err);
            }
        }
    }

    let mut next = handle.loaded();
    next.version = version;
    next.index = Some(Arc::new(index.with_changes(version, &adds, &removes)));
    handle.publish(next);
    let (checkpointed, checkpoint_error) = checkpoint_if_due(handle, version).await;
    Ok(Compacted {
        version: Some(version),
        partitions: chosen.len() as u32,
        files_removed: removes.len() as u32,
        files_added: adds.len() as u32,
        bytes_removed,
        bytes_added,
        rows: rows as i64,
        checkpointed,
        checkpoint_error,
    })
}
