//! Raw access to `_delta_log`: one commit entry's actions and the file changes they make, the
//! listing of what the log still holds, fsync of a new entry, and naming the file that makes a
//! log unreadable.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use deltalake::kernel::{Add, Remove};
use serde_json::Value;

use crate::confined;
use crate::error::{Code, PondError, PondResult, from_io, from_join, from_log_json};
use crate::location::Root;

pub const LOG_DIR: &str = "_delta_log";
/// The hint naming the newest checkpoint.
pub const LAST_CHECKPOINT: &str = "_last_checkpoint";

pub fn log_dir(root: &Path) -> PathBuf {
    root.join(LOG_DIR)
}

pub fn entry_path(root: &Path, version: u64) -> PathBuf {
    log_dir(root).join(entry_name(version))
}

fn entry_name(version: u64) -> String {
    format!("{version:020}.json")
}

/// The table-relative path of `version`'s log entry, as reports name it.
pub fn entry_file(version: u64) -> String {
    format!("{LOG_DIR}/{}", entry_name(version))
}

/// What a directory at the top of a table is to Delta.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableDir {
    /// The log.
    Log,
    /// A partition's data files (`part_id=…`).
    Partition,
}

/// What the top-level entry `name` of a table is to Delta; `None` for what Delta does not own.
pub fn table_dir(name: &str) -> Option<TableDir> {
    let partition = name
        .strip_prefix(crate::schema::PARTITION_COLUMN)
        .is_some_and(|rest| rest.starts_with('='));
    match name {
        LOG_DIR => Some(TableDir::Log),
        _ if partition => Some(TableDir::Partition),
        _ => None,
    }
}

/// The bytes of a file in `_delta_log`, never through a link; `None` when it does not exist.
pub fn read_file(path: &Path) -> PondResult<Option<Vec<u8>>> {
    let Some(mut file) = confined::open_regular(path)? else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| from_io(e, "reading", path))?;
    Ok(Some(bytes))
}

/// The actions of commit `version` of the table at `root`, one JSON object per line; `None` when
/// there is no such entry.
pub async fn read_entry_at(root: &Root, version: u64) -> PondResult<Option<Vec<Value>>> {
    match root.read(&entry_file(version)).await? {
        Some(bytes) => parse_entry(&bytes, &root.shown(&entry_file(version))).map(Some),
        None => Ok(None),
    }
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
    /// Log files that are links or not regular files: left out of everything above, as if missing.
    pub strays: Vec<PathBuf>,
}

/// Versions missing from the log while a later one is there: `missing..next`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    /// The first missing version.
    pub missing: u64,
    /// The first version after it that has an entry.
    pub next: u64,
}

impl Gap {
    /// CORRUPT for a writer: committing now would write into the gap.
    pub fn refuse_write(&self, subject: &str) -> PondError {
        PondError::corrupt(format!(
            "{subject}: {}; pond does not write into a gap in the log (pond fsck reports it, \
             docs/design.md says how to repair it)",
            self.describe()
        ))
    }

    /// What is missing, and what is readable.
    pub fn describe(&self) -> String {
        let missing = if self.next == self.missing + 1 {
            format!("version {} is missing from the log", self.missing)
        } else {
            format!(
                "versions {} to {} are missing from the log",
                self.missing,
                self.next - 1
            )
        };
        format!(
            "{missing} while version {} is there: the newest readable version is {}",
            self.next,
            self.missing.saturating_sub(1)
        )
    }
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

    /// CORRUPT when a log file is a link or not a regular file: delta-rs, which reads the log on
    /// its own for time travel and checkpoints, would follow it.
    pub fn refuse_strays(&self) -> PondResult<()> {
        match self.strays.first() {
            Some(path) => Err(PondError::corrupt(format!(
                "{} is a symbolic link or not a regular file; pond does not follow links in its \
                 own directories",
                path.display()
            ))),
            None => Ok(()),
        }
    }

    /// Every run of versions missing between the oldest readable version and the newest entry.
    pub fn gaps(&self) -> Vec<Gap> {
        let mut gaps = Vec::new();
        let Some(mut expected) = self.oldest() else {
            return gaps;
        };
        for &version in self.entries.range(expected..).map(|(v, _)| v) {
            if version > expected {
                gaps.push(Gap {
                    missing: expected,
                    next: version,
                });
            }
            expected = version + 1;
        }
        gaps
    }

    /// The first gap a writer at `loaded` must not write into: one after the newest checkpoint
    /// at or before `loaded` (readers start there), or after the oldest version without one.
    pub fn gap_for_writer(&self, loaded: u64) -> Option<Gap> {
        let start = self
            .checkpoints
            .range(..=loaded)
            .next_back()
            .map(|(v, _)| *v)
            .or(self.oldest())?;
        self.gaps().into_iter().find(|gap| gap.missing > start)
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

/// Lists `_delta_log` (ENOENT when it does not exist, CORRUPT when it is a link).
pub fn list(root: &Path) -> PondResult<LogListing> {
    let dir = log_dir(root);
    confined::real_dir(&dir)?;
    let reader = std::fs::read_dir(&dir).map_err(|e| from_io(e, "listing", &dir))?;
    let mut files = Vec::new();
    for entry in reader {
        let entry = entry.map_err(|e| from_io(e, "listing", &dir))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        // The entry's own type, links not followed (no extra system call on most filesystems).
        let regular = entry.file_type().is_ok_and(|t| t.is_file());
        files.push((name.to_owned(), regular, entry.path()));
    }
    Ok(listing_of(files))
}

/// Lists the log of the table at `root`, wherever it is.
pub async fn list_at(root: &Root) -> PondResult<LogListing> {
    match root {
        Root::Local(dir) => {
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || list(&dir))
                .await
                .map_err(|e| from_join(e, "listing the log"))?
        }
        Root::Bucket(bucket) => {
            let listed = bucket.list(LOG_DIR).await?;
            Ok(listing_of(listed.into_iter().map(|(name, _)| {
                let shown = root.shown(&format!("{LOG_DIR}/{name}"));
                (name, true, shown)
            })))
        }
    }
}

/// The listing of the log files named in `files` (name, whether a regular file, path).
fn listing_of(files: impl IntoIterator<Item = (String, bool, PathBuf)>) -> LogListing {
    let mut listing = LogListing::default();
    let mut parts: BTreeMap<u64, (u32, Vec<PathBuf>)> = BTreeMap::new();
    for (name, regular, path) in files {
        let classified = classify(&name);
        if classified.is_none() && name != LAST_CHECKPOINT {
            continue;
        }
        if !regular {
            listing.strays.push(path);
            continue;
        }
        let Some((version, checkpoint)) = classified else {
            continue;
        };
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
    listing
}

/// The first version after `newest` (the newest entry read) that has an entry within `window`
/// versions, while `newest + 1` is missing: a gap that reading entries one by one stops at.
/// Not a gap when a checkpoint covers the version found (a concurrent log cleanup) nor when
/// `newest + 1` appears meanwhile (a concurrent commit: a writer commits a version only after
/// the one before it exists, so one found missing after a later one was seen never was there).
pub fn gap_after(root: &Path, newest: u64, window: u64) -> Option<Gap> {
    let exists = |version: u64| std::fs::symlink_metadata(entry_path(root, version)).is_ok();
    let next = (newest + 2..=newest.saturating_add(window.max(1))).find(|&v| exists(v))?;
    let checkpointed = log_dir(root)
        .join(format!("{next:020}.checkpoint.parquet"))
        .exists();
    (!checkpointed && !exists(newest + 1)).then_some(Gap {
        missing: newest + 1,
        next,
    })
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
            match read_file(&path) {
                Ok(Some(bytes)) => {
                    if let Err(err) = parse_entry(&bytes, &path) {
                        return Some(err);
                    }
                }
                Ok(None) => {}
                Err(err) => return Some(err),
            }
        } else {
            let footer = confined::open_regular(&path)
                .map_err(|e| e.message)
                .and_then(|f| f.ok_or_else(|| "missing".to_string()))
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

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn the_log_and_partitions_are_delta_s_and_nothing_else_is() {
        assert_eq!(table_dir("_delta_log"), Some(TableDir::Log));
        assert_eq!(table_dir("part_id=abc"), Some(TableDir::Partition));
        assert_eq!(table_dir("part_id="), Some(TableDir::Partition));
        for other in [
            "_large_files",
            "part_idx=a",
            "part_id",
            "notes.txt",
            "_delta_log2",
        ] {
            assert_eq!(table_dir(other), None, "{other}");
        }
        assert_eq!(entry_file(7), "_delta_log/00000000000000000007.json");
    }

    /// A table root whose `_delta_log` holds empty entries for `versions` and checkpoints for
    /// `checkpoints`; removed when dropped.
    struct Log(PathBuf);

    impl Log {
        fn new(versions: impl IntoIterator<Item = u64>, checkpoints: &[u64]) -> Self {
            let root = std::env::temp_dir().join(format!("pond-log-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(log_dir(&root)).expect("log dir");
            for version in versions {
                std::fs::write(entry_path(&root, version), b"{}\n").expect("entry");
            }
            for version in checkpoints {
                let name = format!("{version:020}.checkpoint.parquet");
                std::fs::write(log_dir(&root).join(name), b"").expect("checkpoint");
            }
            Self(root)
        }
    }

    impl Drop for Log {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn a_contiguous_log_has_no_gap() {
        let log = Log::new(0..=12, &[10]);
        let listing = list(&log.0).expect("list");
        assert_eq!(listing.gaps(), vec![]);
        assert_eq!(listing.gap_for_writer(12), None);
        assert_eq!(gap_after(&log.0, 12, 100), None);
    }

    #[test]
    fn every_gap_is_found_and_the_writer_refuses_those_after_its_checkpoint() {
        // 3 and 4 missing before the checkpoint at 10, 12 missing after it.
        let log = Log::new((0..=14).filter(|v| ![3, 4, 12].contains(v)), &[10]);
        let listing = list(&log.0).expect("list");
        let gaps = listing.gaps();
        assert_eq!(
            gaps,
            vec![
                Gap {
                    missing: 3,
                    next: 5
                },
                Gap {
                    missing: 12,
                    next: 13
                }
            ]
        );
        assert_eq!(listing.gap_for_writer(11), gaps.get(1).copied());
        let message = gaps[0].describe();
        assert!(message.contains("versions 3 to 4 are missing"), "{message}");
        assert!(
            message.contains("newest readable version is 2"),
            "{message}"
        );
        // What reading entries one by one from the checkpoint stops at, and looks beyond.
        assert_eq!(gap_after(&log.0, 11, 100), gaps.get(1).copied());
        assert_eq!(gap_after(&log.0, 11, 1), None);
    }

    #[test]
    fn a_log_cleaned_up_to_a_checkpoint_is_no_gap() {
        let log = Log::new(20..=25, &[20]);
        let listing = list(&log.0).expect("list");
        assert_eq!(listing.oldest(), Some(20));
        assert_eq!(listing.gaps(), vec![]);
        // A reader that loaded 5 before the cleanup finds 20 with its checkpoint.
        assert_eq!(gap_after(&log.0, 5, 100), None);
    }

    #[test]
    fn linked_log_files_are_strays_as_if_missing() {
        let log = Log::new((0..=3).filter(|v| *v != 2), &[]);
        let outside = log.0.with_extension("outside");
        std::fs::write(&outside, b"{}\n").expect("outside");
        symlink(&outside, entry_path(&log.0, 2)).expect("link");
        symlink(&outside, log_dir(&log.0).join(LAST_CHECKPOINT)).expect("link");
        let listing = list(&log.0).expect("list");
        assert_eq!(listing.strays.len(), 2);
        assert!(listing.refuse_strays().is_err());
        assert_eq!(
            listing.gaps(),
            vec![Gap {
                missing: 2,
                next: 3
            }]
        );
        let err = read_file(&entry_path(&log.0, 2)).expect_err("link refused");
        assert_eq!(err.code, Code::Corrupt);
        let _ = std::fs::remove_file(&outside);
    }

    #[test]
    fn a_linked_log_directory_is_refused() {
        let log = Log::new(0..=1, &[]);
        let elsewhere = log.0.with_extension("elsewhere");
        std::fs::rename(log_dir(&log.0), &elsewhere).expect("move");
        symlink(&elsewhere, log_dir(&log.0)).expect("link");
        assert_eq!(list(&log.0).expect_err("refused").code, Code::Corrupt);
        let _ = std::fs::remove_dir_all(&elsewhere);
    }
}
