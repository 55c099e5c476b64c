//! Reading rows back: a partition or the whole table at the loaded version, or the rows one
//! version added; and the counters that show how much a scan could skip.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use deltalake::arrow::array::{Array, AsArray, BooleanArray, PrimitiveArray, RecordBatch};
use deltalake::arrow::compute::kernels::cmp::neq;
use deltalake::arrow::compute::{filter_record_batch, nullif};
use deltalake::arrow::datatypes::Int64Type;
use futures::{StreamExt, TryStreamExt};

use crate::data_file::{self, ReadCounts, Wanted};
use crate::error::{PondError, PondResult, from_join};
use crate::handle::Handle;
use crate::index::DataFile;
use crate::ipc::encode_rows;
use crate::log::{entry_changes, entry_file, read_entry_at};
use crate::schema::{
    ATTRS_COLUMN, CONTENT_COLUMN, NODE_ID_COLUMN, PARTITION_COLUMN, TXN_SEQ_COLUMN,
};

/// How many data files are decoded at once; small files are dominated by open/footer latency.
const CONCURRENT_FILES: usize = 8;

/// What the scans of one handle read and skipped, since it was opened.
#[derive(Debug, Default)]
pub struct ScanCounters {
    pub files_read: AtomicU64,
    /// Files a node lookup did not open because their log stats exclude the node.
    pub files_skipped: AtomicU64,
    pub row_groups_read: AtomicU64,
    /// Row groups of opened files not decoded because their statistics exclude the node.
    pub row_groups_skipped: AtomicU64,
}

impl ScanCounters {
    fn record(&self, files: usize, counts: ReadCounts) {
        self.files_read.fetch_add(files as u64, Ordering::Relaxed);
        self.row_groups_read
            .fetch_add(counts.row_groups_read, Ordering::Relaxed);
        self.row_groups_skipped
            .fetch_add(counts.row_groups_skipped, Ordering::Relaxed);
    }
}

struct FileRead {
    path: String,
    part_id: String,
}

/// Reads `files` concurrently (results in the given order), counting what was read.
async fn read_batches(
    handle: &Handle,
    files: Vec<FileRead>,
    wanted: Wanted,
) -> PondResult<Vec<RecordBatch>> {
    let root = &handle.root;
    let wanted = Arc::new(wanted);
    let count = files.len();
    let read: Vec<_> = futures::stream::iter(files)
        .map(|file| data_file::read_at(root, file.path, file.part_id, wanted.clone()))
        .buffered(CONCURRENT_FILES)
        .try_collect()
        .await?;
    let mut totals = ReadCounts::default();
    let mut batches = Vec::new();
    for (file_batches, counts) in read {
        totals.row_groups_read += counts.row_groups_read;
        totals.row_groups_skipped += counts.row_groups_skipped;
        batches.extend(file_batches);
    }
    handle.scan_counters.record(count, totals);
    Ok(batches)
}

async fn encode(batches: Vec<RecordBatch>) -> PondResult<Vec<u8>> {
    tokio::task::spawn_blocking(move || encode_rows(&batches))
        .await
        .map_err(|e| from_join(e, "encoding rows"))?
}

/// Reads `files` concurrently and encodes their rows, in the given order, as one IPC stream.
async fn read_files(handle: &Handle, files: Vec<FileRead>, wanted: Wanted) -> PondResult<Vec<u8>> {
    encode(read_batches(handle, files, wanted).await?).await
}

/// The rows of partition `part_id` at the loaded version that `wanted` asks for; only files whose
/// stats admit its node are read.
pub async fn scan_partition(handle: &Handle, part_id: &str, wanted: Wanted) -> PondResult<Vec<u8>> {
    let index = handle.index().await?;
    let all = index.files(part_id);
    let files: Vec<FileRead> = all
        .iter()
        .filter(|file| wanted.node_id.as_deref().is_none_or(|n| file.may_hold(n)))
        .map(|file| FileRead {
            path: file.path.clone(),
            part_id: part_id.to_string(),
        })
        .collect();
    handle
        .scan_counters
        .files_skipped
        .fetch_add((all.len() - files.len()) as u64, Ordering::Relaxed);
    read_files(handle, files, wanted).await
}

/// The rows of node `node_id` in partition `part_id` at the loaded version from its newest row
/// whose attrs equal `marker` onward (by txn_seq; all of them when none is marked), or its two
/// newest rows when `marker` is `None` (the one before the newest shows a newest row that reuses
/// a version). Files are read newest first by their txn_seq stats, one, one, then two, four and
/// up to eight at a time, and reading stops once every file left holds only rows older than the
/// marked one, so the cost follows the rows since the marker rather than the partition's age (on
/// a bucket, a request per file).
pub async fn scan_node_tail(
    handle: &Handle,
    part_id: &str,
    node_id: &str,
    marker: Option<&str>,
) -> PondResult<Vec<u8>> {
    let index = handle.index().await?;
    let all = index.files(part_id);
    let mut files: Vec<&DataFile> = all.iter().filter(|file| file.may_hold(node_id)).collect();
    // A file without stats might hold anything, so it is read first.
    let newest = |file: &DataFile| file.max_txn_seq().unwrap_or(i64::MAX);
    files.sort_by_key(|file| std::cmp::Reverse(newest(file)));
    let mut marked = i64::MIN;
    let mut newest_two = [i64::MIN; 2];
    let mut next = 0;
    let mut rounds = 0;
    let mut round_size = 1;
    let mut batches = Vec::new();
    while next < files.len() && newest(files[next]) >= marked {
        let round: Vec<FileRead> = files[next..]
            .iter()
            .take(round_size)
            .take_while(|file| newest(file) >= marked)
            .map(|file| FileRead {
                path: file.path.clone(),
                part_id: part_id.to_string(),
            })
            .collect();
        next += round.len();
        rounds += 1;
        if rounds >= 2 {
            round_size = (round_size * 2).min(CONCURRENT_FILES);
        }
        for batch in read_batches(handle, round, Wanted::node(node_id)).await? {
            match marker {
                Some(marker) => marked = marked.max(newest_marked(&batch, marker)?),
                None => {
                    for &seq in txn_seqs(&batch)?.values() {
                        if seq > newest_two[0] {
                            newest_two = [seq, newest_two[0]];
                        } else if seq > newest_two[1] {
                            newest_two[1] = seq;
                        }
                    }
                    marked = newest_two[1];
                }
            }
            batches.push(batch);
        }
    }
    handle
        .scan_counters
        .files_skipped
        .fetch_add((all.len() - next) as u64, Ordering::Relaxed);
    // A compacted file read for its newest rows holds all the older ones too.
    let batches = batches
        .iter()
        .map(|batch| rows_from(batch, marked))
        .collect::<PondResult<Vec<_>>>()?;
    encode(batches).await
}

fn txn_seqs(batch: &RecordBatch) -> PondResult<&PrimitiveArray<Int64Type>> {
    Ok(batch
        .column_by_name(TXN_SEQ_COLUMN)
        .ok_or_else(|| PondError::internal(format!("{TXN_SEQ_COLUMN} column vanished")))?
        .as_primitive::<Int64Type>())
}

/// The rows of `batch` whose txn_seq is at least `from`.
fn rows_from(batch: &RecordBatch, from: i64) -> PondResult<RecordBatch> {
    let txn_seqs = txn_seqs(batch)?;
    if txn_seqs.values().iter().all(|&seq| seq >= from) {
        return Ok(batch.clone());
    }
    let keep: BooleanArray = txn_seqs
        .values()
        .iter()
        .map(|&seq| Some(seq >= from))
        .collect();
    filter_record_batch(batch, &keep)
        .map_err(|e| PondError::internal(format!("filtering rows by txn_seq: {e}")))
}

/// The greatest txn_seq of the rows of `batch` whose attrs equal `marker` (i64::MIN if none).
fn newest_marked(batch: &RecordBatch, marker: &str) -> PondResult<i64> {
    let column = |name: &str| {
        batch
            .column_by_name(name)
            .ok_or_else(|| PondError::internal(format!("{name} column vanished")))
    };
    let attrs = column(ATTRS_COLUMN)?.as_string::<i32>();
    let txn_seqs = column(TXN_SEQ_COLUMN)?.as_primitive::<Int64Type>();
    Ok((0..batch.num_rows())
        .filter(|&i| attrs.is_valid(i) && attrs.value(i) == marker)
        .map(|i| txn_seqs.value(i))
        .max()
        .unwrap_or(i64::MIN))
}

/// Every row of every partition at the loaded version, partition after partition.
pub async fn scan_all(handle: &Handle) -> PondResult<Vec<u8>> {
    let index = handle.index().await?;
    let mut files = Vec::new();
    for part_id in index.part_ids() {
        for file in index.files(part_id).iter() {
            files.push(FileRead {
                path: file.path.clone(),
                part_id: part_id.to_string(),
            });
        }
    }
    read_files(handle, files, Wanted::all()).await
}

/// The rows added by Delta version `version` (all partitions), whatever version is loaded, file
/// contents left out. Files added with `dataChange: false` hold rows committed before
/// (compaction) and are left out, so that applying each version's rows in turn never sees a row
/// twice.
pub async fn read_version(handle: &Handle, version: i64) -> PondResult<Vec<u8>> {
    let number = u64::try_from(version)
        .map_err(|_| PondError::einval(format!("invalid version {version}")))?;
    let Some(actions) = read_entry_at(&handle.root, number).await? else {
        let subject = handle.subject();
        let listing = crate::log::list_at(&handle.root).await?;
        return Err(listing.missing(number, &subject));
    };
    let path = handle.root.shown(&entry_file(number));
    let mut files = Vec::new();
    for add in entry_changes(&actions, &path)?.adds {
        if !add.data_change {
            continue;
        }
        let Some(Some(part_id)) = add.partition_values.get(PARTITION_COLUMN) else {
            return Err(PondError::corrupt(format!(
                "log entry {}: data file {} has no {PARTITION_COLUMN} value",
                path.display(),
                add.path
            )));
        };
        files.push(FileRead {
            part_id: part_id.clone(),
            path: add.path,
        });
    }
    let batches = read_batches(handle, files, Wanted::all()).await?;
    let batches = batches
        .iter()
        .map(without_file_contents)
        .collect::<PondResult<Vec<_>>>()?;
    encode(batches).await
}

/// `batch` with the content of every row but directory records (`node_id == part_id`) left out:
/// what changed is in the records and the metadata; a commit's file bytes are read when wanted.
fn without_file_contents(batch: &RecordBatch) -> PondResult<RecordBatch> {
    let column = |name: &str| {
        batch
            .column_by_name(name)
            .ok_or_else(|| PondError::internal(format!("{name} column vanished")))
    };
    let is_file = neq(column(NODE_ID_COLUMN)?, column(PARTITION_COLUMN)?)
        .map_err(|e| PondError::internal(format!("comparing node and part ids: {e}")))?;
    let contents = nullif(column(CONTENT_COLUMN)?, &is_file)
        .map_err(|e| PondError::internal(format!("leaving out file contents: {e}")))?;
    let index = batch
        .schema()
        .index_of(CONTENT_COLUMN)
        .map_err(|e| PondError::internal(format!("content column vanished: {e}")))?;
    let mut columns = batch.columns().to_vec();
    columns[index] = contents;
    RecordBatch::try_new(batch.schema(), columns)
        .map_err(|e| PondError::internal(format!("leaving out file contents: {e}")))
}
