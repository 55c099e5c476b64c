//! Raw access to `_delta_log`: one commit entry's actions, fsync of a new entry, and naming the
//! file that makes a log unreadable.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{PondError, PondResult, from_io, from_log_json};

pub const LOG_DIR: &str = "_delta_log";

pub fn log_dir(root: &Path) -> PathBuf {
    root.join(LOG_DIR)
}

pub fn entry_path(root: &Path, version: u64) -> PathBuf {
    log_dir(root).join(format!("{version:020}.json"))
}

/// The actions of commit `version`, one JSON object per line; `None` when there is no such entry.
pub async fn read_entry(root: &Path, version: u64) -> PondResult<Option<Vec<Value>>> {
    let path = entry_path(root, version);
    let bytes = match tokio::fs::read(&path).await {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(from_io(e, "reading log entry", &path)),
    };
    parse_entry(&bytes, &path).map(Some)
}

/// Splits a log entry into its actions.
pub fn parse_entry(bytes: &[u8], path: &Path) -> PondResult<Vec<Value>> {
    let mut actions = Vec::new();
    for line in bytes.split(|b| *b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let action: Value = serde_json::from_slice(line).map_err(|e| from_log_json(e, path))?;
        if !action.is_object() {
            return Err(PondError::corrupt(format!(
                "log entry {}: a line is not a JSON object",
                path.display()
            )));
        }
        actions.push(action);
    }
    Ok(actions)
}

/// Whether `root` holds a Delta log with at least one commit or checkpoint.
pub fn has_log(root: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(log_dir(root)) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        name.ends_with(".json") || name.ends_with(".parquet")
    })
}

/// Flushes a just-written log entry and its directory entry to disk.
pub fn sync_entry(root: &Path, version: u64) -> PondResult<()> {
    let path = entry_path(root, version);
    std::fs::File::open(&path)
        .and_then(|f| f.sync_all())
        .map_err(|e| from_io(e, "syncing log entry", &path))?;
    sync_dir(&log_dir(root))
}

/// Flushes a directory's entries (new or removed files) to disk.
pub fn sync_dir(dir: &Path) -> PondResult<()> {
    std::fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| from_io(e, "syncing directory", dir))
}

/// Finds the first log file up to `version` (all when `None`) that cannot be decoded, so that a
/// CORRUPT error from delta-rs can name it. Commit entries are parsed as JSON lines, checkpoints
/// must have a readable Parquet footer.
pub fn find_damaged(root: &Path, version: Option<u64>) -> Option<PondError> {
    let mut files: Vec<(u64, PathBuf)> = std::fs::read_dir(log_dir(root))
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let number: u64 = name.get(..20)?.parse().ok()?;
            let wanted = name.ends_with(".json") || name.ends_with(".parquet");
            (wanted && version.is_none_or(|v| number <= v)).then(|| (number, entry.path()))
        })
        .collect();
    files.sort();
    for (_, path) in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.ends_with(".json") {
            match std::fs::read(&path) {
                Ok(bytes) => {
                    if let Err(err) = parse_entry(&bytes, &path) {
                        return Some(err);
                    }
                }
                Err(e) => return Some(from_io(e, "reading log entry", &path)),
            }
        } else {
            let footer = std::fs::File::open(&path)
                .map_err(|e| e.to_string())
                .and_then(|f| {
                    deltalake::parquet::file::reader::SerializedFileReader::new(f)
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                });
            if let Err(message) = footer {
                return Some(PondError::corrupt(format!(
                    "checkpoint {}: {message}",
                    path.display()
                )));
            }
        }
    }
    None
}
