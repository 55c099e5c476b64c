//! What the retained log references: the base checkpoint a cleaned-up log starts at, and every
//! commit entry from there to the newest. Maintenance (vacuum, fsck's file list) works on this,
//! not on one loaded version.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use deltalake::arrow::array::{Array, AsArray, RecordBatch};
use deltalake::arrow::datatypes::Int64Type;
use deltalake::parquet::arrow::ProjectionMask;
use deltalake::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use futures::{StreamExt, TryStreamExt};

use crate::confined::check_data_file_path;
use crate::error::{PondError, PondResult, from_arrow_read, from_parquet_read};
use crate::location::Root;
use crate::log::{EntryChanges, LOG_DIR, LogListing, entry_changes, entry_file, read_entry_at};

const CONCURRENT_ENTRIES: usize = 32;

/// A file the base checkpoint lists: live at its version (an add) or a tombstone (a remove).
pub struct CheckpointFile {
    pub path: String,
    pub data_change: bool,
    /// Whether this is a tombstone (a remove action).
    pub removed: bool,
    /// A tombstone's deletionTimestamp (ms), when recorded.
    pub removed_at: Option<i64>,
}

pub struct RetainedLog {
    /// The oldest readable version.
    pub oldest: u64,
    /// The checkpoint at `oldest` when the entries before it are gone (empty otherwise).
    pub base: Vec<CheckpointFile>,
    /// The entries after the base checkpoint (from version 0 without one), oldest first.
    pub entries: Vec<(u64, EntryChanges)>,
}

/// What reading the retained log does about versions missing from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gaps {
    /// CORRUPT: what the missing entries reference is unknown (vacuum must not guess).
    Refuse,
    /// Read the entries that are there (fsck reports the gaps on its own).
    Skip,
}

impl RetainedLog {
    /// Reads the retained log of the table at `root`.
    pub async fn read(
        root: &Root,
        listing: &LogListing,
        subject: &str,
        gaps: Gaps,
    ) -> PondResult<Self> {
        let (Some(oldest), Some(_)) = (listing.oldest(), listing.newest()) else {
            return Err(PondError::corrupt(format!(
                "{subject}: the log holds no readable version"
            )));
        };
        let (base, first) = if oldest == 0 && listing.entries.contains_key(&0) {
            (Vec::new(), 0)
        } else {
            let files = listing
                .checkpoints
                .get(&oldest)
                .cloned()
                .unwrap_or_default();
            (read_checkpoint(root, &files).await?, oldest + 1)
        };
        if gaps == Gaps::Refuse
            && let Some(gap) = listing.gaps().first()
        {
            return Err(PondError::corrupt(format!("{subject}: {}", gap.describe())));
        }
        let versions: Vec<u64> = listing.entries.range(first..).map(|(v, _)| *v).collect();
        let entries = futures::stream::iter(versions)
            .map(|version| async move {
                let path = root.shown(&entry_file(version));
                let Some(actions) = read_entry_at(root, version).await? else {
                    return Err(PondError::corrupt(format!(
                        "log entry {} went missing while the log was read",
                        path.display()
                    )));
                };
                Ok((version, entry_changes(&actions, &path)?))
            })
            .buffered(CONCURRENT_ENTRIES)
            .try_collect()
            .await?;
        Ok(Self {
            oldest,
            base,
            entries,
        })
    }
}

/// The add and remove actions of a checkpoint (all its parts, listed as `files`), paths
/// percent-decoded.
async fn read_checkpoint(root: &Root, files: &[PathBuf]) -> PondResult<Vec<CheckpointFile>> {
    let mut out = Vec::new();
    for path in files {
        let missing = || PondError::corrupt(format!("checkpoint {} is missing", path.display()));
        let name = path.file_name().ok_or_else(missing)?.to_string_lossy();
        let bytes = root
            .read(&format!("{LOG_DIR}/{name}"))
            .await?
            .ok_or_else(missing)?;
        let path = path.clone();
        let actions = tokio::task::spawn_blocking(move || checkpoint_actions(bytes, &path))
            .await
            .map_err(|e| crate::error::from_join(e, "reading a checkpoint"))??;
        out.extend(actions);
    }
    Ok(out)
}

fn checkpoint_actions(bytes: bytes::Bytes, path: &Path) -> PondResult<Vec<CheckpointFile>> {
    let mut out = Vec::new();
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(bytes).map_err(|e| from_parquet_read(e, path))?;
    let mask = ProjectionMask::columns(
        builder.parquet_schema(),
        [
            "add.path",
            "add.dataChange",
            "remove.path",
            "remove.dataChange",
            "remove.deletionTimestamp",
        ],
    );
    let reader = builder
        .with_projection(mask)
        .build()
        .map_err(|e| from_parquet_read(e, path))?;
    for batch in reader {
        let batch = batch.map_err(|e| from_arrow_read(e, path))?;
        collect_actions(&batch, path, &mut out)?;
    }
    Ok(out)
}

fn collect_actions(
    batch: &RecordBatch,
    path: &Path,
    out: &mut Vec<CheckpointFile>,
) -> PondResult<()> {
    let bad = |what: &str| PondError::corrupt(format!("checkpoint {}: {what}", path.display()));
    for (kind, removed) in [("add", false), ("remove", true)] {
        let Some(column) = batch.column_by_name(kind) else {
            continue;
        };
        let actions = column
            .as_struct_opt()
            .ok_or_else(|| bad(&format!("{kind} is not a struct")))?;
        let paths = actions
            .column_by_name("path")
            .and_then(|c| c.as_string_opt::<i32>())
            .ok_or_else(|| bad(&format!("{kind}.path is not a string")))?;
        let data_change = actions
            .column_by_name("dataChange")
            .and_then(|c| c.as_boolean_opt());
        let deleted_at = actions
            .column_by_name("deletionTimestamp")
            .and_then(|c| c.as_primitive_opt::<Int64Type>());
        for i in 0..actions.len() {
            if actions.is_null(i) || paths.is_null(i) {
                continue;
            }
            let decoded = percent_encoding::percent_decode_str(paths.value(i))
                .decode_utf8()
                .map_err(|e| bad(&format!("a path is not UTF-8: {e}")))?;
            out.push(CheckpointFile {
                path: decoded.into_owned(),
                data_change: data_change.is_none_or(|d| d.is_null(i) || d.value(i)),
                removed,
                removed_at: deleted_at
                    .filter(|d| removed && d.is_valid(i))
                    .map(|d| d.value(i)),
            });
        }
    }
    Ok(())
}

/// A data file a retained log entry (or the base checkpoint) adds.
pub struct FileAdded {
    pub path: String,
    /// The version whose entry adds it; the base checkpoint's version for a file added before.
    pub version: u64,
    pub data_change: bool,
}

/// A file action of a retained entry pond will not follow: its path is not a data file of the
/// table, or it removes a file that no retained version adds.
pub struct ActionProblem {
    pub version: u64,
    pub path: String,
    pub problem: String,
}

impl RetainedLog {
    /// Every add or remove of a retained entry that names no data file of this table.
    pub fn action_problems(&self) -> Vec<ActionProblem> {
        let decoded = |path: &str| {
            percent_encoding::percent_decode_str(path)
                .decode_utf8()
                .map(|p| p.into_owned())
                .unwrap_or_else(|_| path.to_string())
        };
        let mut live: HashSet<String> = self
            .base
            .iter()
            .filter(|file| !file.removed)
            .map(|file| file.path.clone())
            .collect();
        let mut problems = Vec::new();
        for (version, entry) in &self.entries {
            let mut report = |path: &str, problem: String| {
                problems.push(ActionProblem {
                    version: *version,
                    path: path.to_string(),
                    problem,
                })
            };
            for add in &entry.adds {
                match check_data_file_path(&add.path) {
                    Err(why) => report(&add.path, format!("adds {:?}: {why}", add.path)),
                    Ok(()) => {
                        live.insert(decoded(&add.path));
                    }
                }
            }
            for remove in &entry.removes {
                if let Err(why) = check_data_file_path(&remove.path) {
                    report(&remove.path, format!("removes {:?}: {why}", remove.path));
                } else if !live.contains(&decoded(&remove.path)) {
                    report(
                        &remove.path,
                        format!("removes {:?}, which no retained version adds", remove.path),
                    );
                }
            }
        }
        problems
    }

    /// Every file added by the base checkpoint or a retained entry, oldest first.
    pub fn files_added(&self) -> Vec<FileAdded> {
        let base = self
            .base
            .iter()
            .filter(|file| !file.removed)
            .map(|file| FileAdded {
                path: file.path.clone(),
                version: self.oldest,
                data_change: file.data_change,
            });
        let entries = self.entries.iter().flat_map(|(version, entry)| {
            entry.adds.iter().map(move |add| FileAdded {
                path: add.path.clone(),
                version: *version,
                data_change: add.data_change,
            })
        });
        base.chain(entries).collect()
    }
}
