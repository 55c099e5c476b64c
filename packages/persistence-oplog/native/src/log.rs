//! Raw access to `_delta_log`: one commit entry's actions and the file changes they make, the
//! listing of what the log still holds, fsync of a new entry, and naming the file that makes a
//! log unreadable.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use deltalake::kernel::{Add, Remove};
use serde_json::Value;

use crate::error::{Code, PondError, PondResult, from_io, from_log_json};

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

/// What one commit entry does to the table's files and state.
#[derive(Default)]
pub struct EntryChanges {
    /// The entry's commit time (commitInfo.timestamp, ms), when it recorded one.
    pub timestamp: Option<i64>,
    pub adds: Vec<Add>,
    pub removes: Vec<Remove>,
    /// A metaData or protocol action: the table's configuration, schema or protocol changed.
    pub changes_table: bool,
}

/// Sorts an entry's actions into file changes; an add or remove that is not Delta's is CORRUPT.
pub fn entry_changes(actions: &[Value], path: &Path) -> PondResult<EntryChanges> {
    let mut changes = EntryChanges::default();
    for action in actions {
        if let Some(add) = action.get("add") {
            let add: Add = serde_json::from_value(add.clone()).map_err(|e| {
                PondError::corrupt(format!("log entry {}: bad add action: {e}", path.display()))
            })?;
            changes.adds.push(add);
        } else if let Some(remove) = action.get("remove") {
            let remove: Remove = serde_json::from_value(remove.clone()).map_err(|e| {
                PondError::corrupt(format!(
                    "log entry {}: bad remove action: {e}",
                    path.display()
                ))
            })?;
            changes.removes.push(remove);
        } else if let Some(info) = action.get("commitInfo") {
            changes.timestamp = info.get("timestamp").and_then(Value::as_i64);
        } else if action.get("metaData").is_some() || action.get("protocol").is_some() {
            changes.changes_table = true;
        }
    }
    Ok(changes)
}

/// The commit entries and checkpoints `_delta_log` holds, by version.
#[derive(Debug, Default)]
pub struct LogListing {
    /// Versions with a commit entry (`N.json`).
    pub entries: BTreeMap<u64, PathBuf>,
    /// Versions with a complete checkpoint, and its files (one, or every part of a multi-part one).
    pub checkpoints: BTreeMap<u64, Vec<PathBuf>>,
    /// Every versioned file (entries, checkpoints, checksums, compacted logs) with the newest
    /// version it covers, for cleanup.
    pub versioned: Vec<(u64, PathBuf)>,
}

impl LogListing {
    /// The oldest version that can still be read: 0 while the first entry exists, else the
    /// oldest checkpoint (everything before it was cleaned up).
    pub fn oldest(&self) -> Option<u64> {
        if self.entries.contains_key(&0) {
            return Some(0);
        }
        self.checkpoints.keys().next().copied()
    }

    /// The newest version with a commit entry.
    pub fn newest(&self) -> Option<u64> {
        self.entries.keys().next_back().copied()
    }

    /// Whether `version` can be loaded: it is not older than the oldest and has an entry or a
    /// checkpoint.
    pub fn has(&self, version: u64) -> bool {
        self.oldest().is_some_and(|oldest| oldest <= version)
            && (self.entries.contains_key(&version) || self.checkpoints.contains_key(&version))
    }

    /// ENOENT for a version that cannot be loaded, naming the oldest available one.
    pub fn missing(&self, version: u64, subject: &str) -> PondError {
        let message = match self.oldest() {
            Some(oldest) if version < oldest => format!(
                "{subject}: version {version} is no longer available: the log was cleaned up \
                 before version {oldest}, the oldest available version"
            ),
            _ => format!("{subject}: version {version} does not exist"),
        };
        PondError::new(Code::Enoent, message)
    }
}

/// What `name` in `_delta_log` is: `(version, Some(parts))` for a checkpoint file (parts of a
/// multi-part one, else 1), `(version, None)` for another versioned file.
fn classify(name: &str) -> Option<(u64, Option<(u32, u32)>)> {
    let version: u64 = name.get(..20)?.parse().ok()?;
    let rest = name.get(20..)?;
    if rest == ".json" || rest == ".crc" {
        return Some((version, None));
    }
    if let Some(checkpoint) = rest.strip_prefix(".checkpoint") {
        if checkpoint == ".parquet" {
            return Some((version, Some((1, 1))));
        }
        // Multi-part: .checkpoint.<part>.<parts>.parquet; V2: .checkpoint.<uuid>.(json|parquet).
        let fields: Vec<&str> = checkpoint.trim_start_matches('.').split('.').collect();
        return match fields.as_slice() {
            [part, parts, "parquet"] => {
                Some((version, Some((part.parse().ok()?, parts.parse().ok()?))))
            }
            [_, "json" | "parquet"] => Some((version, Some((1, 1)))),
            _ => None,
        };
    }
    // A compacted log range: <from>.<to>.compacted.json covers up to <to>.
    let to: u64 = rest
        .strip_prefix('.')?
        .strip_suffix(".compacted.json")?
        .parse()
        .ok()?;
    Some((to, None))
}

/// Lists `_delta_log` (ENOENT when it does not exist).
pub fn list(root: &Path) -> PondResult<LogListing> {
    let dir = log_dir(root);
    let reader = std::fs::read_dir(&dir).map_err(|e| from_io(e, "listing", &dir))?;
    let mut listing = LogListing::default();
    let mut parts: BTreeMap<u64, (u32, Vec<PathBuf>)> = BTreeMap::new();
    for entry in reader {
        let entry = entry.map_err(|e| from_io(e, "listing", &dir))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let Some((version, checkpoint)) = classify(name) else {
            continue;
        };
        let path = entry.path();
        listing.versioned.push((version, path.clone()));
        match checkpoint {
            None if name.ends_with(".json") && name.len() == 25 => {
                listing.entries.insert(version, path);
            }
            None => {}
            Some((_, of)) => {
                let slot = parts.entry(version).or_insert((of, Vec::new()));
                slot.1.push(path);
            }
        }
    }
    for (version, (of, mut files)) in parts {
        if files.len() as u32 >= of {
            files.sort();
            listing.checkpoints.insert(version, files);
        }
    }
    listing.versioned.sort();
    Ok(listing)
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
