//! Vacuum under a retention horizon: deletes the data files no version after the horizon needs,
//! and orphans that no log entry references. The newest version on disk decides what is live,
//! whatever version the handle is loaded at. `_delta_log` and `_large_files` are never touched.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path};
use std::time::UNIX_EPOCH;

use crate::error::{PondResult, from_io, from_join};
use crate::handle::Handle;
use crate::log::list;
use crate::retained::RetainedLog;
use crate::schema::PARTITION_COLUMN;

pub struct Vacuumed {
    /// Table-relative paths, sorted.
    pub deleted: Vec<String>,
    pub bytes: i64,
}

/// What the retained log says about each file path.
#[derive(Default)]
struct References {
    /// Named by the base checkpoint or by any retained entry.
    referenced: HashSet<String>,
    /// Live at the newest version.
    live: HashSet<String>,
    /// Removed and not added again: when (ms), if known.
    removed_at: HashMap<String, Option<i64>>,
}

fn references(log: RetainedLog) -> References {
    let mut refs = References::default();
    for file in log.base {
        if file.removed {
            refs.removed_at.insert(file.path.clone(), file.removed_at);
        } else {
            refs.live.insert(file.path.clone());
        }
        refs.referenced.insert(file.path);
    }
    for (_, entry) in log.entries {
        // Within a version removes come first: a version that removes and adds a path keeps it.
        for remove in entry.removes {
            let at = entry.timestamp.or(remove.deletion_timestamp);
            refs.live.remove(&remove.path);
            refs.removed_at.insert(remove.path.clone(), at);
            refs.referenced.insert(remove.path);
        }
        for add in entry.adds {
            refs.removed_at.remove(&add.path);
            refs.live.insert(add.path.clone());
            refs.referenced.insert(add.path);
        }
    }
    refs
}

/// Whether a path from the log is a data file vacuum may delete: relative, inside the table, and
/// not under a directory Delta or pond keep for themselves (names starting with `_` or `.`).
fn deletable(path: &str) -> bool {
    let path = Path::new(path);
    let mut components = path.components();
    let Some(Component::Normal(first)) = components.next() else {
        return false;
    };
    let first = first.to_string_lossy();
    !first.starts_with('_')
        && !first.starts_with('.')
        && !path.to_string_lossy().contains("://")
        && components.all(|c| matches!(c, Component::Normal(_)))
}

fn millis(time: std::time::SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Data files in `part_id=…` directories that no log entry names, older than `cutoff`.
fn orphans(root: &Path, refs: &References, cutoff: i64) -> PondResult<Vec<String>> {
    let prefix = format!("{PARTITION_COLUMN}=");
    let mut out = Vec::new();
    let dirs = std::fs::read_dir(root).map_err(|e| from_io(e, "listing", root))?;
    for dir in dirs {
        let dir = dir.map_err(|e| from_io(e, "listing", root))?;
        let name = dir.file_name().to_string_lossy().into_owned();
        if !name.starts_with(&prefix) || !dir.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let files = match std::fs::read_dir(dir.path()) {
            Ok(files) => files,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(from_io(e, "listing", &dir.path())),
        };
        for file in files {
            let file = file.map_err(|e| from_io(e, "listing", &dir.path()))?;
            let file_name = file.file_name().to_string_lossy().into_owned();
            let relative = format!("{name}/{file_name}");
            if !file_name.ends_with(".parquet") || refs.referenced.contains(&relative) {
                continue;
            }
            let Ok(meta) = file.metadata() else {
                continue;
            };
            if meta.is_file() && meta.modified().is_ok_and(|m| millis(m) < cutoff) {
                out.push(relative);
            }
        }
    }
    Ok(out)
}

fn delete(root: &Path, candidates: Vec<String>, dry_run: bool) -> PondResult<Vacuumed> {
    let mut deleted = Vec::new();
    let mut bytes = 0;
    for relative in candidates {
        let path = root.join(&relative);
        let size = match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() => meta.len() as i64,
            // Already gone (vacuumed before), or not a file: nothing to do.
            _ => continue,
        };
        if !dry_run {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(from_io(e, "deleting", &path)),
            }
        }
        deleted.push(relative);
        bytes += size;
    }
    deleted.sort();
    Ok(Vacuumed { deleted, bytes })
}

/// Deletes (or with `dry_run` only lists) the data files that (a) a version committed before
/// `older_than_ms` removed and the newest version does not reference, or (b) sit in a partition
/// directory, are named by no log entry and were last modified before `orphans_older_than_ms`.
pub async fn vacuum(
    handle: &Handle,
    older_than_ms: i64,
    orphans_older_than_ms: i64,
    dry_run: bool,
) -> PondResult<Vacuumed> {
    let root = handle.root.clone();
    let subject = handle.subject();
    let listing = {
        let root = root.clone();
        tokio::task::spawn_blocking(move || list(&root))
            .await
            .map_err(|e| from_join(e, "listing the log"))??
    };
    let log = RetainedLog::read(&root, &listing, &subject).await?;
    tokio::task::spawn_blocking(move || {
        let refs = references(log);
        let mut candidates: Vec<String> = refs
            .removed_at
            .iter()
            .filter(|(path, at)| {
                at.is_some_and(|at| at < older_than_ms)
                    && !refs.live.contains(*path)
                    && deletable(path)
            })
            .map(|(path, _)| path.clone())
            .collect();
        candidates.extend(orphans(&root, &refs, orphans_older_than_ms)?);
        delete(&root, candidates, dry_run)
    })
    .await
    .map_err(|e| from_join(e, "vacuuming"))?
}
