//! `NativeTable`, the JS class: argument conversion, the closed state and panic containment
//! around the operations of `Handle`.

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use futures::FutureExt;
use napi::bindgen_prelude::{Buffer, Uint8Array};
use napi_derive::napi;

use crate::error::{Code, PondError, PondResult, Settled, panic_text};
use crate::handle::Handle;
use crate::{commit, history, scan};

/// The result of `NativeTable.commit`.
#[napi(object)]
pub struct CommitResult {
    /// The Delta version written (always the requested one).
    pub version: i64,
    /// Data files written (one per partition).
    pub files: u32,
    /// Distinct part_id values in the rows.
    pub partitions: u32,
    /// Whether the version hit the checkpoint interval and a checkpoint was written.
    pub checkpointed: bool,
    /// Why a due checkpoint could not be written; the commit itself succeeded.
    pub checkpoint_error: Option<String>,
}

/// Runs an operation, turning a panic into an INTERNAL error instead of a crashed process.
async fn contained<T>(what: &str, op: impl Future<Output = PondResult<T>>) -> Settled<T> {
    match AssertUnwindSafe(op).catch_unwind().await {
        Ok(result) => Settled(result),
        Err(payload) => Settled(Err(PondError::internal(format!(
            "{what} panicked: {}",
            panic_text(payload)
        )))),
    }
}

/// A handle on one pond op-log table, loaded at one version.
#[napi]
pub struct NativeTable {
    inner: Mutex<Option<Arc<Handle>>>,
}

impl NativeTable {
    fn wrap(handle: Handle) -> Self {
        Self {
            inner: Mutex::new(Some(Arc::new(handle))),
        }
    }

    fn handle(&self) -> PondResult<Arc<Handle>> {
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
    pub async fn create(path: String, properties: HashMap<String, String>) -> Settled<NativeTable> {
        contained("create", async move {
            Handle::create(&path, properties)
                .await
                .map(NativeTable::wrap)
        })
        .await
    }

    /// Opens the table at `path` at its newest version, or at `version`. ENOENT when there is no
    /// table or version, CORRUPT when the log is unreadable, EINVAL when the schema is not pond's.
    #[napi(ts_return_type = "Promise<NativeTable>")]
    pub async fn open(path: String, version: Option<i64>) -> Settled<NativeTable> {
        contained("open", async move {
            Handle::open(&path, version).await.map(NativeTable::wrap)
        })
        .await
    }

    /// The loaded table version.
    #[napi]
    pub fn version(&self) -> napi::Result<i64, Code> {
        let handle = self.handle().map_err(PondError::into_napi)?;
        Ok(handle.loaded().version)
    }

    /// The table configuration (Delta and `pond.*` properties) at the loaded version.
    #[napi]
    pub fn properties(&self) -> napi::Result<HashMap<String, String>, Code> {
        let handle = self.handle().map_err(PondError::into_napi)?;
        Ok(handle.loaded().properties.as_ref().clone())
    }

    /// Loads the newest version and returns it.
    #[napi(ts_return_type = "Promise<number>")]
    pub async fn update(&self) -> Settled<i64> {
        let handle = self.handle();
        contained("update", async move { handle?.update().await }).await
    }

    /// Moves the handle to `version` (time travel, either direction).
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn load_version(&self, version: i64) -> Settled<()> {
        let handle = self.handle();
        contained(
            "loadVersion",
            async move { handle?.load_version(version).await },
        )
        .await
    }

    /// Commits `rowsIpc` (an Arrow IPC stream of op-log rows, part_id included) as exactly Delta
    /// version `version`, which must be the loaded version + 1. One Parquet file per part_id.
    /// VERSION_EXISTS when another writer took that version: then nothing is committed and the
    /// files written are removed. `infoJson` (a JSON object) goes into the commitInfo.
    #[napi(ts_return_type = "Promise<CommitResult>")]
    pub async fn commit(
        &self,
        rows_ipc: Uint8Array,
        version: i64,
        info_json: String,
    ) -> Settled<CommitResult> {
        let handle = self.handle();
        contained("commit", async move {
            let handle = handle?;
            let done = commit::commit(&handle, rows_ipc, version, &info_json).await?;
            Ok(CommitResult {
                version: done.version,
                files: done.files,
                partitions: done.partitions,
                checkpointed: done.checkpointed,
                checkpoint_error: done.checkpoint_error,
            })
        })
        .await
    }

    /// The rows of partition `partId` at the loaded version (only node `nodeId`'s when given), as
    /// an Arrow IPC stream with the full schema, in no particular order; an empty stream (schema
    /// only) when there are none. Files whose node_id stats exclude `nodeId` are not read.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub async fn scan_partition(
        &self,
        part_id: String,
        node_id: Option<String>,
    ) -> Settled<Buffer> {
        let handle = self.handle();
        contained("scanPartition", async move {
            let bytes = scan::scan_partition(&*handle?, &part_id, node_id).await?;
            Ok(Buffer::from(bytes))
        })
        .await
    }

    /// The rows added by Delta version `version` (all partitions), as an Arrow IPC stream; works
    /// for versions past the loaded one, to inspect a concurrent winner's commit.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub async fn read_version(&self, version: i64) -> Settled<Buffer> {
        let handle = self.handle();
        contained("readVersion", async move {
            let bytes = scan::read_version(&*handle?, version).await?;
            Ok(Buffer::from(bytes))
        })
        .await
    }

    /// JSON array, oldest first, up to the loaded version: `[{ version, timestamp, info }]` where
    /// `timestamp` is the commit time in ms and `info` the whole commitInfo with the user metadata.
    #[napi(ts_return_type = "Promise<string>")]
    pub async fn history(&self) -> Settled<String> {
        let handle = self.handle();
        contained("history", async move { history::history(&*handle?).await }).await
    }

    /// Writes a checkpoint at the loaded version.
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn checkpoint(&self) -> Settled<()> {
        let handle = self.handle();
        contained("checkpoint", async move { handle?.checkpoint().await }).await
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
