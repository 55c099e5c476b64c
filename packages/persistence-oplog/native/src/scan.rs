//! Reading rows back: a partition at the loaded version, or the rows one version added.

use std::path::PathBuf;
use std::sync::Arc;

use deltalake::kernel::Add;
use futures::{StreamExt, TryStreamExt};

use crate::data_file;
use crate::error::{Code, PondError, PondResult, from_join};
use crate::handle::Handle;
use crate::ipc::encode_rows;
use crate::log::{entry_path, read_entry};
use crate::schema::PARTITION_COLUMN;

/// How many data files are decoded at once; small files are dominated by open/footer latency.
const CONCURRENT_FILES: usize = 8;

struct FileRead {
    path: String,
    part_id: String,
}

/// Reads `files` concurrently (results in the given order) and encodes them as one IPC stream.
async fn read_files(
    root: PathBuf,
    files: Vec<FileRead>,
    node_id: Option<String>,
) -> PondResult<Vec<u8>> {
    let root = Arc::new(root);
    let node_id = Arc::new(node_id);
    let batches: Vec<_> = futures::stream::iter(files)
        .map(|file| {
            let root = root.clone();
            let node_id = node_id.clone();
            async move {
                tokio::task::spawn_blocking(move || {
                    data_file::read(&root, &file.path, &file.part_id, node_id.as_deref())
                })
                .await
                .map_err(|e| from_join(e, "reading a data file"))?
            }
        })
        .buffered(CONCURRENT_FILES)
        .try_collect()
        .await?;
    let batches: Vec<_> = batches.into_iter().flatten().collect();
    tokio::task::spawn_blocking(move || encode_rows(&batches))
        .await
        .map_err(|e| from_join(e, "encoding rows"))?
}

/// The rows of partition `part_id` at the loaded version, optionally only node `node_id`'s.
pub async fn scan_partition(
    handle: &Handle,
    part_id: &str,
    node_id: Option<String>,
) -> PondResult<Vec<u8>> {
    let index = handle.index().await?;
    let files: Vec<FileRead> = index
        .files(part_id)
        .iter()
        .filter(|file| node_id.as_deref().is_none_or(|n| file.may_hold(n)))
        .map(|file| FileRead {
            path: file.path.clone(),
            part_id: part_id.to_string(),
        })
        .collect();
    read_files(handle.root.clone(), files, node_id).await
}

/// The rows added by Delta version `version` (all partitions), whatever version is loaded.
pub async fn read_version(handle: &Handle, version: i64) -> PondResult<Vec<u8>> {
    let number = u64::try_from(version)
        .map_err(|_| PondError::einval(format!("invalid version {version}")))?;
    let Some(actions) = read_entry(&handle.root, number).await? else {
        return Err(PondError::new(
            Code::Enoent,
            format!("{}: version {version} does not exist", handle.subject()),
        ));
    };
    let path = entry_path(&handle.root, number);
    let mut files = Vec::new();
    for action in actions {
        let Some(add) = action.get("add") else {
            continue;
        };
        let add: Add = serde_json::from_value(add.clone()).map_err(|e| {
            PondError::corrupt(format!("log entry {}: bad add action: {e}", path.display()))
        })?;
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
    read_files(handle.root.clone(), files, None).await
}
