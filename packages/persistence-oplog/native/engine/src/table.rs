//! `Table`, the engine's surface: one pond op-log table loaded at one version, and every
//! operation on it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::commit::{self, Committed};
use crate::compact::{self, CompactOptions, Compacted};
use crate::data_file::Wanted;
use crate::error::{PondError, PondResult};
use crate::handle::Handle;
use crate::log::{self, Gap, LogListing};
use crate::log_cleanup::{self, Cleaned};
use crate::query::{QueryStream, QueryTable};
use crate::retained::{ActionProblem, FileAdded, Gaps, RetainedLog};
use crate::vacuum::{self, Vacuumed};
use crate::{history, properties, query, scan};

/// One partition's share of the table at the loaded version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionStats {
    pub part_id: String,
    pub files: u32,
    pub bytes: i64,
    /// `None` when a file's add action has no `numRecords` stats.
    pub rows: Option<i64>,
}

/// What the scans of a table read and skipped since it was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanStats {
    pub files_read: u64,
    /// Files a node lookup did not open: their log stats exclude the node.
    pub files_skipped: u64,
    pub row_groups_read: u64,
    /// Row groups of opened files a node lookup did not decode: their statistics exclude it.
    pub row_groups_skipped: u64,
}

/// A pond op-log table, loaded at one version. Rows go in and come out as Arrow IPC streams of
/// the op-log schema (see `schema::commit_schema_ipc`).
pub struct Table {
    handle: Handle,
}

impl Table {
    /// Creates a pond table at `path` (directories included) as version 0. EEXIST if a Delta
    /// table is already there. `properties`: `pond.*` keys, and optionally
    /// `delta.checkpointInterval`, `delta.logRetentionDuration`, `delta.deletedFileRetentionDuration`.
    /// `path` is a directory or `s3://bucket/prefix`; `options` holds the bucket's settings.
    pub async fn create(
        path: &str,
        properties: HashMap<String, String>,
        options: &HashMap<String, String>,
    ) -> PondResult<Self> {
        Handle::create(path, properties, options)
            .await
            .map(|handle| Self { handle })
    }

    /// Opens the table at `path` at its newest version, or at `version`. ENOENT when there is no
    /// table or version, CORRUPT when the log is unreadable, EINVAL when the schema is not pond's.
    pub async fn open(
        path: &str,
        version: Option<i64>,
        options: &HashMap<String, String>,
    ) -> PondResult<Self> {
        Handle::open(path, version, options)
            .await
            .map(|handle| Self { handle })
    }

    /// Whether the table is in a bucket (its large files then go through the engine).
    pub fn in_bucket(&self) -> bool {
        matches!(self.handle.root, crate::location::Root::Bucket(_))
    }

    /// Stores large file `name` (`sha256=…`, checked) of a table in a bucket.
    pub async fn put_large_file(&self, name: &str, content: bytes::Bytes) -> PondResult<()> {
        crate::large_files::put(&self.handle.root, name, content).await
    }

    /// Large file `name` of a table in a bucket; None when it is not there.
    pub async fn read_large_file(&self, name: &str) -> PondResult<Option<bytes::Bytes>> {
        crate::large_files::read(&self.handle.root, name).await
    }

    /// Deletes large file `name` of a table in a bucket.
    pub async fn remove_large_file(&self, name: &str) -> PondResult<()> {
        crate::large_files::remove(&self.handle.root, name).await
    }

    /// Every object of a table in a bucket (fsck's view of what is stored); EINVAL for a local
    /// table, whose files are looked at through the host filesystem.
    pub async fn stored_objects(&self) -> PondResult<Vec<crate::location::StoredObject>> {
        match &self.handle.root {
            crate::location::Root::Bucket(bucket) => bucket.list_all().await,
            crate::location::Root::Local(_) => Err(PondError::einval(
                "a local table's files are listed through the host filesystem",
            )),
        }
    }

    /// The loaded version.
    pub fn version(&self) -> i64 {
        self.handle.loaded().version
    }

    /// The table configuration (Delta and `pond.*` properties) at the loaded version.
    pub fn properties(&self) -> HashMap<String, String> {
        self.handle.loaded().properties.as_ref().clone()
    }

    /// Versions missing from the log after the newest one the open could read, while a later one
    /// is there (found by looking a checkpoint interval further): `None` when none was seen, and
    /// for a table opened at an older version.
    pub fn log_gap(&self) -> Option<Gap> {
        self.handle.gap
    }

    /// Every run of versions missing from the log between its oldest readable version and its
    /// newest entry (the whole log is listed), oldest first.
    pub async fn log_gaps(&self) -> PondResult<Vec<Gap>> {
        Ok(self.listing().await?.gaps())
    }

    /// The oldest version that can still be loaded (0 until the log is cleaned up).
    pub async fn oldest_version(&self) -> PondResult<i64> {
        self.listing()
            .await?
            .oldest()
            .map(|v| v as i64)
            .ok_or_else(|| {
                PondError::corrupt(format!(
                    "{}: the log holds no readable version",
                    self.handle.subject()
                ))
            })
    }

    async fn listing(&self) -> PondResult<LogListing> {
        log::list_at(&self.handle.root).await
    }

    /// Loads the newest version and returns it.
    pub async fn update(&self) -> PondResult<i64> {
        self.handle.update().await
    }

    /// Moves the table to `version` (time travel, either direction).
    pub async fn load_version(&self, version: i64) -> PondResult<()> {
        self.handle.load_version(version).await
    }

    /// Commits `rows_ipc` (an Arrow IPC stream of the commit schema: op-log rows whose contents
    /// are located in `contents` by `content_block`, `content_offset` and `content_length`) as
    /// exactly version `version`, the loaded version + 1: one Parquet file per part_id.
    /// VERSION_EXISTS when another writer took that version: then nothing is committed and the
    /// files written are removed. `info_json` (a JSON object) goes into the commitInfo.
    pub async fn commit(
        &self,
        rows_ipc: impl AsRef<[u8]> + Send + 'static,
        contents: Vec<impl AsRef<[u8]> + Send + 'static>,
        version: i64,
        info_json: &str,
    ) -> PondResult<Committed> {
        commit::commit(&self.handle, rows_ipc, contents, version, info_json).await
    }

    /// The rows of partition `part_id` at the loaded version, as an Arrow IPC stream with the
    /// full schema, in no particular order (schema only when there are none). Files and row
    /// groups whose statistics exclude `wanted.node_id` are not read.
    pub async fn scan_partition(&self, part_id: &str, wanted: Wanted) -> PondResult<Vec<u8>> {
        scan::scan_partition(&self.handle, part_id, wanted).await
    }

    /// The rows of node `node_id` in partition `part_id` from its newest row whose attrs equal
    /// `marker` onward (by txn_seq; all of the node's rows when none is marked), or its newest
    /// row when `marker` is `None`. Files are read newest first and reading stops where only
    /// older rows are left.
    pub async fn scan_node_tail(
        &self,
        part_id: &str,
        node_id: &str,
        marker: Option<&str>,
    ) -> PondResult<Vec<u8>> {
        scan::scan_node_tail(&self.handle, part_id, node_id, marker).await
    }

    /// The rows added by version `version` (all partitions), with the content of directory
    /// records only; works for versions past the loaded one.
    pub async fn read_version(&self, version: i64) -> PondResult<Vec<u8>> {
        scan::read_version(&self.handle, version).await
    }

    /// Every row of every partition at the loaded version, partition after partition.
    pub async fn scan_all(&self) -> PondResult<Vec<u8>> {
        scan::scan_all(&self.handle).await
    }

    /// Starts `sql` over `tables`, whose stored sources are read from this table (inline
    /// contents from its rows at the loaded version, large files from its `_large_files`).
    pub async fn query(&self, sql: &str, tables: Vec<QueryTable>) -> PondResult<QueryStream> {
        query::run(Some(&self.handle), sql, tables).await
    }

    /// JSON array, oldest first, from the oldest retained version up to the loaded one:
    /// `[{ version, timestamp, info }]`.
    pub async fn history(&self) -> PondResult<String> {
        history::history(&self.handle).await
    }

    /// Writes a checkpoint at the loaded version.
    pub async fn checkpoint(&self) -> PondResult<()> {
        self.handle.checkpoint().await
    }

    /// Waits for the checkpoint a commit started, if it is still being written.
    pub async fn settle_checkpoint(&self) {
        self.handle.settle_checkpoint().await
    }

    /// Rewrites the data files of each partition that has at least `min_files` of them as a few
    /// files of rows sorted by (node_id, version), committed as exactly version `version`
    /// (loaded + 1), with dataChange false. VERSION_EXISTS when another writer took it.
    pub async fn compact(&self, version: i64, options: CompactOptions) -> PondResult<Compacted> {
        compact::compact(&self.handle, version, options).await
    }

    /// Files, bytes and rows of each partition at the loaded version, sorted by part_id.
    pub async fn partition_stats(&self) -> PondResult<Vec<PartitionStats>> {
        let index = self.handle.index().await?;
        Ok(index
            .part_ids()
            .into_iter()
            .map(|part_id| {
                let files = index.files(part_id);
                PartitionStats {
                    part_id: part_id.to_string(),
                    files: files.len() as u32,
                    bytes: files.iter().map(|f| f.size).sum(),
                    rows: files.iter().map(|f| f.rows()).sum(),
                }
            })
            .collect())
    }

    /// Every data file the retained log adds, from the oldest retained version to the newest on
    /// disk (past the loaded one), oldest first.
    pub async fn data_files(&self) -> PondResult<Vec<FileAdded>> {
        let root = &self.handle.root;
        let listing = log::list_at(root).await?;
        let retained =
            RetainedLog::read(root, &listing, &self.handle.subject(), Gaps::Skip).await?;
        Ok(retained.files_added())
    }

    /// Every add or remove of the retained log whose path is not a data file of the table, or
    /// that removes a file no retained version adds: a hand-made entry, for fsck to report.
    pub async fn log_action_problems(&self) -> PondResult<Vec<ActionProblem>> {
        let root = &self.handle.root;
        let listing = log::list_at(root).await?;
        let retained =
            RetainedLog::read(root, &listing, &self.handle.subject(), Gaps::Skip).await?;
        Ok(retained.action_problems())
    }

    /// Deletes the data files that a version committed before `older_than_ms` removed and the
    /// newest version does not reference, and the unreferenced `.parquet` files of partition
    /// directories last modified before `orphans_older_than_ms`. With `dry_run`, only lists them.
    pub async fn vacuum(
        &self,
        older_than_ms: i64,
        orphans_older_than_ms: i64,
        dry_run: bool,
    ) -> PondResult<Vacuumed> {
        self.handle.settle_checkpoint().await;
        vacuum::vacuum(&self.handle, older_than_ms, orphans_older_than_ms, dry_run).await
    }

    /// Makes sure a checkpoint of `before_version` exists, then deletes the log's entries and
    /// checkpoints of older versions: `before_version` becomes the oldest loadable version.
    pub async fn cleanup_log(&self, before_version: i64) -> PondResult<Cleaned> {
        self.handle.settle_checkpoint().await;
        log_cleanup::cleanup_log(&self.handle, before_version).await
    }

    /// Merges `properties` into the table configuration as exactly version `version` (loaded +
    /// 1). Only `pond.*` keys and `delta.checkpointInterval` may be set.
    pub async fn set_properties(
        &self,
        properties: HashMap<String, String>,
        version: i64,
    ) -> PondResult<()> {
        properties::set_properties(&self.handle, properties, version).await
    }

    /// What the scans of this table read and skipped since it was opened.
    pub fn scan_stats(&self) -> ScanStats {
        let counters = &self.handle.scan_counters;
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        ScanStats {
            files_read: get(&counters.files_read),
            files_skipped: get(&counters.files_skipped),
            row_groups_read: get(&counters.row_groups_read),
            row_groups_skipped: get(&counters.row_groups_skipped),
        }
    }
}
