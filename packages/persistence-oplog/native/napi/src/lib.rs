//! pond's op-log engine as a Node addon: `NativeTable` and the directory-record codec, each call
//! converting its arguments and results and mapping the engine's errors; the engine does the rest.
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod copied_buffers;
mod error;
pub mod query;
pub mod remote;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{Buffer, Uint8Array, Uint8ArraySlice};
use napi_derive::napi;
use pond_oplog_engine::{Code, PondError, PondResult, Table, Wanted, contained, contained_sync};

use crate::copied_buffers::CopiedBuffers;
use crate::error::{Settled, thrown};
use crate::query::{NativeQuery, QueryTableSpec};

/// The result of `NativeTable.commit`.
#[napi(object)]
pub struct CommitResult {
    /// The Delta version written (always the requested one).
    pub version: i64,
    /// Data files written (one per partition).
    pub files: u32,
    /// Distinct part_id values in the rows.
    pub partitions: u32,
    /// Whether the version hit the checkpoint interval: its checkpoint is written after the
    /// commit returns (`settleCheckpoint` waits for it).
    pub checkpointed: bool,
}

/// What a partition scan leaves out or adds.
#[napi(object)]
#[derive(Default)]
pub struct ScanOptions {
    /// With a node id: every row of the row groups that may hold it, not only the node's.
    pub neighbours: Option<bool>,
    /// The content column is not read and comes back null.
    pub skip_contents: Option<bool>,
}

/// What `NativeTable.compact` does: which partitions, when, and the layout of the new files.
#[napi(object)]
pub struct CompactOptions {
    /// Only these partitions (default: all).
    #[napi(ts_type = "Array<string> | null")]
    pub part_ids: Option<Vec<String>>,
    /// A partition is compacted when it has at least this many data files (default 2).
    pub min_files: Option<u32>,
    /// Rows per new file, about (default 262144).
    pub target_rows_per_file: Option<u32>,
    /// Rows per row group at most (default 4096); a row group also closes at about 1 MiB.
    pub row_group_rows: Option<u32>,
}

/// The result of `NativeTable.compact`.
#[napi(object)]
pub struct CompactResult {
    /// The version committed; absent when no partition needed compaction (nothing committed).
    pub version: Option<i64>,
    pub partitions: u32,
    pub files_removed: u32,
    pub files_added: u32,
    pub bytes_removed: i64,
    pub bytes_added: i64,
    pub rows: i64,
    /// Whether the version hit the checkpoint interval and a checkpoint was written.
    pub checkpointed: bool,
    /// Why a due checkpoint could not be written; the compaction itself succeeded.
    pub checkpoint_error: Option<String>,
}

/// One partition's share of the table at the loaded version.
#[napi(object)]
pub struct PartitionStats {
    pub part_id: String,
    pub files: u32,
    pub bytes: i64,
    /// Absent when a file's add action has no `numRecords` stats.
    pub rows: Option<i64>,
}

/// What `NativeTable.vacuum` deletes.
#[napi(object)]
pub struct VacuumOptions {
    /// The retention horizon, epoch ms: files removed by versions committed before it, and
    /// unreferenced files last modified before it, are deleted.
    pub older_than_ms: i64,
    /// A separate cut-off for unreferenced files (default `olderThanMs`): a grace period for
    /// commits in flight, independent of how long history is kept.
    pub orphans_older_than_ms: Option<i64>,
    /// List what would be deleted without deleting it.
    pub dry_run: Option<bool>,
}

/// The result of `NativeTable.vacuum`.
#[napi(object)]
pub struct VacuumResult {
    /// Table-relative paths, sorted.
    pub deleted: Vec<String>,
    pub bytes: i64,
}

/// An object of a table in a bucket, as `NativeTable.storedObjects` lists it.
#[napi(object)]
pub struct StoredObject {
    /// Its path inside the table.
    pub path: String,
    pub size: i64,
    pub modified_ms: i64,
}

/// The result of `NativeTable.cleanupLog`.
#[napi(object)]
pub struct LogCleanupResult {
    /// Table-relative paths (`_delta_log/…`), oldest first.
    pub deleted: Vec<String>,
    /// The oldest version that can still be loaded.
    pub oldest_version: i64,
}

/// A data file the retained log adds.
#[napi(object)]
pub struct DataFileEntry {
    /// Table-relative.
    pub path: String,
    /// The version whose log entry adds it (the oldest retained version for a file the log's
    /// base checkpoint lists).
    pub version: i64,
    /// False for files that rearrange rows committed before (compaction).
    pub data_change: bool,
}

/// An add or remove of the retained log that names no data file of the table.
#[napi(object)]
pub struct LogActionProblem {
    /// The version whose log entry holds the action.
    pub version: i64,
    /// The path as the action gives it.
    pub path: String,
    pub problem: String,
}

/// Versions missing from the log: `missing` up to (not including) `next`, which is there.
#[napi(object)]
pub struct LogGap {
    pub missing: i64,
    pub next: i64,
}

impl From<pond_oplog_engine::Gap> for LogGap {
    fn from(gap: pond_oplog_engine::Gap) -> Self {
        Self {
            missing: gap.missing as i64,
            next: gap.next as i64,
        }
    }
}

/// What the scans of a handle read and skipped since it was opened.
#[napi(object)]
pub struct ScanStats {
    pub files_read: i64,
    /// Files a node lookup did not open: their log stats exclude the node.
    pub files_skipped: i64,
    pub row_groups_read: i64,
    /// Row groups of opened files a node lookup did not decode: their statistics exclude it.
    pub row_groups_skipped: i64,
}

/// Runs an engine call with its panics contained, settling the JS promise with its outcome.
async fn settled<T>(what: &str, op: impl Future<Output = PondResult<T>>) -> Settled<T> {
    Settled(contained(what, op).await)
}

/// A handle on one pond op-log table, loaded at one version.
#[napi]
pub struct NativeTable {
    inner: Mutex<Option<Arc<Table>>>,
}

impl NativeTable {
    fn wrap(table: Table) -> Self {
        Self {
            inner: Mutex::new(Some(Arc::new(table))),
        }
    }

    fn table(&self) -> PondResult<Arc<Table>> {
        let guard = match self.inner.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        guard.clone().ok_or_else(PondError::closed)
    }
}

#[napi]
impl NativeTable {
    /// Creates a pond table at `path` (directories included) as version 0. EEXIST if a Delta
    /// table is already there. `properties`: `pond.*` keys, and optionally
    /// `delta.checkpointInterval`, `delta.logRetentionDuration`, `delta.deletedFileRetentionDuration`.
    #[napi(ts_return_type = "Promise<NativeTable>")]
    pub async fn create(
        path: String,
        properties: HashMap<String, String>,
        storage_options: Option<HashMap<String, String>>,
    ) -> Settled<NativeTable> {
        settled("create", async move {
            Table::create(&path, properties, &storage_options.unwrap_or_default())
                .await
                .map(NativeTable::wrap)
        })
        .await
    }

    /// Opens the table at `path` at its newest version, or at `version`. ENOENT when there is no
    /// table or version, CORRUPT when the log is unreadable, EINVAL when the schema is not pond's.
    #[napi(ts_return_type = "Promise<NativeTable>")]
    pub async fn open(
        path: String,
        version: Option<i64>,
        storage_options: Option<HashMap<String, String>>,
    ) -> Settled<NativeTable> {
        settled("open", async move {
            Table::open(&path, version, &storage_options.unwrap_or_default())
                .await
                .map(NativeTable::wrap)
        })
        .await
    }

    /// Whether the table is in a bucket: its large files are then stored through the calls
    /// below, not as host files.
    #[napi]
    pub fn in_bucket(&self) -> napi::Result<bool, Code> {
        Ok(self.table().map_err(thrown)?.in_bucket())
    }

    /// Stores large file `name` (`sha256=<hex>`, checked against the content).
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn put_large_file(&self, name: String, content: Buffer) -> Settled<()> {
        let table = self.table();
        let content = bytes::Bytes::from(content.to_vec());
        settled("putLargeFile", async move {
            table?.put_large_file(&name, content).await
        })
        .await
    }

    /// Large file `name`; null when the table does not hold it.
    #[napi(ts_return_type = "Promise<Buffer | null>")]
    pub async fn read_large_file(&self, name: String) -> Settled<Option<Buffer>> {
        let table = self.table();
        settled("readLargeFile", async move {
            Ok(table?.read_large_file(&name).await?.map(|b| Buffer::from(b.to_vec())))
        })
        .await
    }

    /// Deletes large file `name` (gone already is fine).
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn remove_large_file(&self, name: String) -> Settled<()> {
        let table = self.table();
        settled("removeLargeFile", async move {
            table?.remove_large_file(&name).await
        })
        .await
    }

    /// Every object of a table in a bucket.
    #[napi(ts_return_type = "Promise<StoredObject[]>")]
    pub async fn stored_objects(&self) -> Settled<Vec<StoredObject>> {
        let table = self.table();
        settled("storedObjects", async move {
            let objects = table?.stored_objects().await?;
            Ok(objects
                .into_iter()
                .map(|o| StoredObject {
                    path: o.relative,
                    size: o.size as i64,
                    modified_ms: o.modified_ms,
                })
                .collect())
        })
        .await
    }

    /// The loaded table version.
    #[napi]
    pub fn version(&self) -> napi::Result<i64, Code> {
        Ok(self.table().map_err(thrown)?.version())
    }

    /// The table configuration (Delta and `pond.*` properties) at the loaded version.
    #[napi]
    pub fn properties(&self) -> napi::Result<HashMap<String, String>, Code> {
        Ok(self.table().map_err(thrown)?.properties())
    }

    /// Versions missing from the log after the newest one this open could read, while a later
    /// one is there (found by looking a checkpoint interval further): null when none was seen,
    /// and for a handle opened at an older version.
    #[napi]
    pub fn log_gap(&self) -> napi::Result<Option<LogGap>, Code> {
        Ok(self.table().map_err(thrown)?.log_gap().map(LogGap::from))
    }

    /// Every run of versions missing from the log between its oldest readable version and its
    /// newest entry (the whole log is listed), oldest first.
    #[napi(ts_return_type = "Promise<Array<LogGap>>")]
    pub async fn log_gaps(&self) -> Settled<Vec<LogGap>> {
        let table = self.table();
        settled("logGaps", async move {
            let gaps = table?.log_gaps().await?;
            Ok(gaps.into_iter().map(LogGap::from).collect())
        })
        .await
    }

    /// Loads the newest version and returns it.
    #[napi(ts_return_type = "Promise<number>")]
    pub async fn update(&self) -> Settled<i64> {
        let table = self.table();
        settled("update", async move { table?.update().await }).await
    }

    /// Moves the handle to `version` (time travel, either direction).
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn load_version(&self, version: i64) -> Settled<()> {
        let table = self.table();
        settled(
            "loadVersion",
            async move { table?.load_version(version).await },
        )
        .await
    }

    /// Commits `rowsIpc` (an Arrow IPC stream of `commitSchema()`: op-log rows, part_id included,
    /// whose contents are not in it but in `contents`, each row naming its buffer, offset and
    /// length in `content_block`, `content_offset`, `content_length`) as exactly Delta version
    /// `version`, which must be the loaded version + 1. One Parquet file per part_id.
    /// VERSION_EXISTS when another writer took that version: then nothing is committed and the
    /// files written are removed. `infoJson` (a JSON object) goes into the commitInfo.
    #[napi(ts_return_type = "Promise<CommitResult>")]
    pub async fn commit(
        &self,
        rows_ipc: Uint8Array,
        contents: Vec<Uint8Array>,
        version: i64,
        info_json: String,
    ) -> Settled<CommitResult> {
        let table = self.table();
        settled("commit", async move {
            let done = table?
                .commit(rows_ipc, contents, version, &info_json)
                .await?;
            Ok(CommitResult {
                version: done.version,
                files: done.files,
                partitions: done.partitions,
                checkpointed: done.checkpointed,
            })
        })
        .await
    }

    /// The rows of partition `partId` at the loaded version (only node `nodeId`'s when given), as
    /// an Arrow IPC stream with the full schema, in no particular order; an empty stream (schema
    /// only) when there are none. Files whose node_id stats exclude `nodeId` are not read, nor
    /// row groups whose statistics do. `options.neighbours`: every row of the row groups read,
    /// not only the node's; `options.skipContents`: the content column is not read (null).
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub async fn scan_partition(
        &self,
        part_id: String,
        node_id: Option<String>,
        options: Option<ScanOptions>,
    ) -> Settled<Buffer> {
        let table = self.table();
        settled("scanPartition", async move {
            let options = options.unwrap_or_default();
            let wanted = Wanted {
                node_id,
                neighbours: options.neighbours.unwrap_or(false),
                skip_contents: options.skip_contents.unwrap_or(false),
            };
            Ok(Buffer::from(table?.scan_partition(&part_id, wanted).await?))
        })
        .await
    }

    /// The rows of node `nodeId` in partition `partId` at the loaded version from its newest row
    /// whose attrs equal `marker` onward (by txn_seq), as an Arrow IPC stream like
    /// `scanPartition`'s; all of the node's rows when none is marked, only its newest row when
    /// `marker` is null. Files are read newest first and reading stops where only older rows
    /// are left.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub async fn scan_node_tail(
        &self,
        part_id: String,
        node_id: String,
        marker: Option<String>,
    ) -> Settled<Buffer> {
        let table = self.table();
        settled("scanNodeTail", async move {
            let bytes = table?
                .scan_node_tail(&part_id, &node_id, marker.as_deref())
                .await?;
            Ok(Buffer::from(bytes))
        })
        .await
    }

    /// The rows added by Delta version `version` (all partitions), as an Arrow IPC stream, with
    /// the content of directory records only; works for versions past the loaded one, to inspect
    /// a concurrent winner's commit.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub async fn read_version(&self, version: i64) -> Settled<Buffer> {
        let table = self.table();
        settled("readVersion", async move {
            Ok(Buffer::from(table?.read_version(version).await?))
        })
        .await
    }

    /// JSON array, oldest first, from the oldest retained version up to the loaded one:
    /// `[{ version, timestamp, info }]` where `timestamp` is the commit time in ms and `info` the
    /// whole commitInfo with the user metadata.
    #[napi(ts_return_type = "Promise<string>")]
    pub async fn history(&self) -> Settled<String> {
        let table = self.table();
        settled("history", async move { table?.history().await }).await
    }

    /// Writes a checkpoint at the loaded version.
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn checkpoint(&self) -> Settled<()> {
        let table = self.table();
        settled("checkpoint", async move { table?.checkpoint().await }).await
    }

    /// Waits for the checkpoint a commit started, if it is still being written: before closing,
    /// so that a process that exits next does not cut it short.
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn settle_checkpoint(&self) -> Settled<()> {
        let table = self.table();
        settled("settleCheckpoint", async move {
            table?.settle_checkpoint().await;
            Ok(())
        })
        .await
    }

    /// Rewrites the data files of each partition that has at least `minFiles` of them at the
    /// loaded version as a few files of rows sorted by (node_id, version) in small row groups,
    /// committed as exactly version `version` (loaded + 1), an OPTIMIZE whose adds and removes
    /// all have dataChange false. VERSION_EXISTS when another writer took that version: then
    /// nothing is committed and the files written are removed. Older versions keep reading the
    /// old files until `vacuum` deletes them.
    #[napi(ts_return_type = "Promise<CompactResult>")]
    pub async fn compact(
        &self,
        version: i64,
        options: Option<CompactOptions>,
    ) -> Settled<CompactResult> {
        let table = self.table();
        settled("compact", async move {
            let defaults = pond_oplog_engine::CompactOptions::default();
            let options = match options {
                None => defaults,
                Some(given) => pond_oplog_engine::CompactOptions {
                    part_ids: given.part_ids,
                    min_files: given.min_files.map_or(defaults.min_files, |n| n as usize),
                    target_rows_per_file: given
                        .target_rows_per_file
                        .map_or(defaults.target_rows_per_file, |n| n as usize),
                    row_group_rows: given
                        .row_group_rows
                        .map_or(defaults.row_group_rows, |n| n as usize),
                },
            };
            let done = table?.compact(version, options).await?;
            Ok(CompactResult {
                version: done.version,
                partitions: done.partitions,
                files_removed: done.files_removed,
                files_added: done.files_added,
                bytes_removed: done.bytes_removed,
                bytes_added: done.bytes_added,
                rows: done.rows,
                checkpointed: done.checkpointed,
                checkpoint_error: done.checkpoint_error,
            })
        })
        .await
    }

    /// Files, bytes and rows of each partition at the loaded version, sorted by partId.
    #[napi(ts_return_type = "Promise<Array<PartitionStats>>")]
    pub async fn partition_stats(&self) -> Settled<Vec<PartitionStats>> {
        let table = self.table();
        settled("partitionStats", async move {
            let stats = table?.partition_stats().await?;
            Ok(stats
                .into_iter()
                .map(|s| PartitionStats {
                    part_id: s.part_id,
                    files: s.files,
                    bytes: s.bytes,
                    rows: s.rows,
                })
                .collect())
        })
        .await
    }

    /// Every row of every partition at the loaded version, as one Arrow IPC stream with the full
    /// schema (part_id included), partition after partition.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub async fn scan_all(&self) -> Settled<Buffer> {
        let table = self.table();
        settled("scanAll", async move {
            Ok(Buffer::from(table?.scan_all().await?))
        })
        .await
    }

    /// Every data file the retained log adds, from the oldest retained version to the newest on
    /// disk (past the loaded one), oldest first: what fsck compares the partition directories to.
    #[napi(ts_return_type = "Promise<Array<DataFileEntry>>")]
    pub async fn data_files(&self) -> Settled<Vec<DataFileEntry>> {
        let table = self.table();
        settled("dataFiles", async move {
            let files = table?.data_files().await?;
            Ok(files
                .into_iter()
                .map(|file| DataFileEntry {
                    path: file.path,
                    version: file.version as i64,
                    data_change: file.data_change,
                })
                .collect())
        })
        .await
    }

    /// Every add or remove of the retained log whose path is not a data file of the table, or
    /// that removes a file no retained version adds: a hand-made entry, for fsck to report.
    #[napi(ts_return_type = "Promise<LogActionProblem[]>")]
    pub async fn log_action_problems(&self) -> Settled<Vec<LogActionProblem>> {
        let table = self.table();
        settled("logActionProblems", async move {
            Ok(table?
                .log_action_problems()
                .await?
                .into_iter()
                .map(|found| LogActionProblem {
                    version: found.version as i64,
                    path: found.path,
                    problem: found.problem,
                })
                .collect())
        })
        .await
    }

    /// Deletes the data files that (a) a version committed before `olderThanMs` removed and the
    /// newest version does not reference, or (b) sit in a `part_id=…` directory, end with
    /// .parquet, are named by no retained log entry and were last modified before
    /// `orphansOlderThanMs` (default `olderThanMs`; left by failed commits). Never touches
    /// `_delta_log` or `_large_files`. With `dryRun`, only lists them.
    #[napi(ts_return_type = "Promise<VacuumResult>")]
    pub async fn vacuum(&self, options: VacuumOptions) -> Settled<VacuumResult> {
        let table = self.table();
        settled("vacuum", async move {
            let orphans = options
                .orphans_older_than_ms
                .unwrap_or(options.older_than_ms);
            let dry_run = options.dry_run.unwrap_or(false);
            let done = table?
                .vacuum(options.older_than_ms, orphans, dry_run)
                .await?;
            Ok(VacuumResult {
                deleted: done.deleted,
                bytes: done.bytes,
            })
        })
        .await
    }

    /// Makes sure a checkpoint of `beforeVersion` exists (writing it if needed), then deletes
    /// the log's commit entries and checkpoints of older versions: `beforeVersion` becomes the
    /// oldest version that can be loaded. EINVAL past the loaded version; nothing to do when it
    /// is not past the oldest version.
    #[napi(ts_return_type = "Promise<LogCleanupResult>")]
    pub async fn cleanup_log(&self, before_version: i64) -> Settled<LogCleanupResult> {
        let table = self.table();
        settled("cleanupLog", async move {
            let done = table?.cleanup_log(before_version).await?;
            Ok(LogCleanupResult {
                deleted: done.deleted,
                oldest_version: done.oldest,
            })
        })
        .await
    }

    /// The oldest version that can still be loaded (0 until the log is cleaned up).
    #[napi(ts_return_type = "Promise<number>")]
    pub async fn oldest_version(&self) -> Settled<i64> {
        let table = self.table();
        settled(
            "oldestVersion",
            async move { table?.oldest_version().await },
        )
        .await
    }

    /// Merges `properties` into the table configuration as exactly version `version` (loaded +
    /// 1), a metaData action with the same schema and partitioning. Only `pond.*` keys and
    /// `delta.checkpointInterval` may be set (EINVAL otherwise). VERSION_EXISTS when another
    /// writer took that version.
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn set_properties(
        &self,
        properties: HashMap<String, String>,
        version: i64,
    ) -> Settled<()> {
        let table = self.table();
        settled("setProperties", async move {
            table?.set_properties(properties, version).await
        })
        .await
    }

    /// Starts `sql` over `tables`: sources with `content` are `contents[content]`, the others
    /// are read from this table (inline contents from its rows, large files from its
    /// `_large_files`), never through JavaScript.
    #[napi(ts_return_type = "Promise<NativeQuery>")]
    pub async fn query(
        &self,
        sql: String,
        tables: Vec<QueryTableSpec>,
        contents: Vec<Uint8Array>,
    ) -> Settled<NativeQuery> {
        let table = self.table();
        settled("query", async move {
            let tables = query::tables(tables, contents)?;
            table?.query(&sql, tables).await.map(NativeQuery::new)
        })
        .await
    }

    /// What the scans of this handle read and skipped since it was opened.
    #[napi]
    pub fn scan_stats(&self) -> napi::Result<ScanStats, Code> {
        let stats = self.table().map_err(thrown)?.scan_stats();
        Ok(ScanStats {
            files_read: stats.files_read as i64,
            files_skipped: stats.files_skipped as i64,
            row_groups_read: stats.row_groups_read as i64,
            row_groups_skipped: stats.row_groups_skipped as i64,
        })
    }

    /// Releases the handle; later calls fail with CLOSED. Calls already running complete.
    #[napi]
    pub fn close(&self) {
        let mut guard = match self.inner.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        guard.take();
    }
}

/// The schema of `NativeTable.commit`'s rows, as an Arrow IPC stream without batches: the one
/// declaration of the op-log's columns is the engine's.
#[napi]
pub fn commit_schema() -> napi::Result<Buffer, Code> {
    contained_sync("commitSchema", || {
        pond_oplog_engine::commit_schema_ipc().map(Buffer::from)
    })
    .map_err(thrown)
}

/// What a directory at the top of a table is to Delta.
#[napi(string_enum = "lowercase")]
pub enum TableDir {
    /// The log.
    Log,
    /// A partition's data files.
    Partition,
}

/// What the top-level entry `name` of a table directory is to Delta: null for what Delta does not
/// own (pond's large files, anything else).
#[napi]
pub fn table_dir(name: String) -> Option<TableDir> {
    pond_oplog_engine::table_dir(&name).map(|dir| match dir {
        pond_oplog_engine::TableDir::Log => TableDir::Log,
        pond_oplog_engine::TableDir::Partition => TableDir::Partition,
    })
}

/// The table-relative path of version `version`'s log entry. EINVAL for a negative version.
#[napi]
pub fn log_entry_file(version: i64) -> napi::Result<String, Code> {
    let version = u64::try_from(version)
        .map_err(|_| thrown(PondError::einval(format!("invalid version {version}"))))?;
    Ok(pond_oplog_engine::log_entry_file(version))
}

/// Decodes directory records' contents (each an Arrow IPC stream of name, child_node_id,
/// child_part_id, child_entry_type, op) into one IPC stream of all their rows with a `record`
/// UInt32 column, the row's index into `contents`. CORRUPT when a content is not such a stream.
#[napi]
pub fn decode_directory_records(contents: Vec<Uint8ArraySlice>) -> napi::Result<Buffer, Code> {
    contained_sync("decodeDirectoryRecords", || {
        let slices: Vec<&[u8]> = contents.iter().map(|c| c.as_ref()).collect();
        pond_oplog_engine::decode_directory_records(&slices).map(Buffer::from)
    })
    .map_err(thrown)
}

/// Encodes directory entries (one IPC stream with a `record` column and the five entry columns)
/// as one record content per index 0..=max record, rows in input order, in the schema
/// directory-record.ts reads. EINVAL when the stream does not fit.
#[napi(ts_return_type = "Array<Buffer>")]
pub fn encode_directory_records(entries_ipc: Uint8ArraySlice) -> napi::Result<CopiedBuffers, Code> {
    contained_sync("encodeDirectoryRecords", || {
        pond_oplog_engine::encode_directory_records(entries_ipc.as_ref()).map(CopiedBuffers)
    })
    .map_err(thrown)
}
