//! Vacuum under a retention horizon: deletes the data files no version after the horizon needs,
//! and orphans that no log entry references. The newest version on disk decides what is live,
//! whatever version the handle is loaded at. `_delta_log` and `_large_files` are never touched,
//! and nothing is deleted through a link (see confined.rs).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::UNIX_EPOCH;

use object_store::ObjectStoreExt;

use crate::confined;
use crate::error::{PondResult, from_io, from_join};
use crate::handle::Handle;
use crate::location::{Bucket, Root};
use crate::log::list_at;
use crate::retained::{Gaps, RetainedLog};
use crate::schema::PARTITION_COLUMN;

#[derive(Debug)]
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
        if !name.starts_with(&prefix) || !confined::real_dir(&dir.path())? {
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

/// Deletes the candidates, table-relative paths from the log or the partition directories: each
/// checked to be a data file inside a real partition directory, or the vacuum is CORRUPT and
/// stops before deleting anything through a link.
fn delete(root: &Path, candidates: Vec<String>, dry_run: bool) -> PondResult<Vacuumed> {
    let mut deleted = Vec::new();
    let mut bytes = 0;
    for relative in candidates {
        let path = confined::data_file(root, &relative)?;
        let in_real_dir = match path.parent() {
            Some(dir) => confined::real_dir(dir)?,
            None => false,
        };
        let size = match std::fs::symlink_metadata(&path) {
            Ok(meta) if in_real_dir && meta.is_file() => meta.len() as i64,
            // Already gone (vacuumed before), or not a file: nothing to do.
            _ => continue,
        };
        if !dry_run && !confined::remove_data_file(root, &relative)? {
            continue;
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
    let listing = list_at(&handle.root).await?;
    let log = RetainedLog::read(&handle.root, &listing, &handle.subject(), Gaps::Refuse).await?;
    let refs = references(log);
    let mut candidates: Vec<String> = refs
        .removed_at
        .iter()
        .filter(|(path, at)| at.is_some_and(|at| at < older_than_ms) && !refs.live.contains(*path))
        .map(|(path, _)| path.clone())
        .collect();
    match &handle.root {
        Root::Local(root) => {
            let root = root.clone();
            tokio::task::spawn_blocking(move || {
                candidates.extend(orphans(&root, &refs, orphans_older_than_ms)?);
                delete(&root, candidates, dry_run)
            })
            .await
            .map_err(|e| from_join(e, "vacuuming"))?
        }
        Root::Bucket(bucket) => {
            vacuum_bucket(bucket, &refs, candidates, orphans_older_than_ms, dry_run).await
        }
    }
}

/// `vacuum` of a table in a bucket: only objects its listing shows as data files of a partition
/// are candidates, so no log entry can name anything else for deletion.
async fn vacuum_bucket(
    bucket: &Bucket,
    refs: &References,
    mut candidates: Vec<String>,
    cutoff: i64,
    dry_run: bool,
) -> PondResult<Vacuumed> {
    let prefix = format!("{PARTITION_COLUMN}=");
    let mut sizes = HashMap::new();
    for object in bucket.list_all().await? {
        let Some((dir, name)) = object.relative.split_once('/') else {
            continue;
        };
        if !dir.starts_with(&prefix) || name.contains('/') || !name.ends_with(".parquet") {
            continue;
        }
        if !refs.referenced.contains(&object.relative) && object.modified_ms < cutoff {
            candidates.push(object.relative.clone());
        }
        sizes.insert(object.relative, object.size as i64);
    }
    candidates.sort();
    candidates.dedup();
    let mut deleted = Vec::new();
    let mut bytes = 0;
    for relative in candidates {
        let Some(size) = sizes.get(&relative) else {
            continue;
        };
        if !dry_run {
            match bucket.store.delete(&bucket.at(&relative)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(bucket.failed(&format!("deleting {relative} of"), e)),
            }
        }
        deleted.push(relative);
        bytes += size;
    }
    Ok(Vacuumed { deleted, bytes })
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use crate::error::Code;
    use std::os::unix::fs::symlink;

    fn scratch() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("pond-vacuum-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("pond/part_id=real")).expect("scratch");
        std::fs::create_dir_all(dir.join("outside")).expect("scratch");
        dir
    }

    #[test]
    fn deletes_only_data_files_inside_real_partition_directories() {
        let dir = scratch();
        let root = dir.join("pond");
        std::fs::write(dir.join("outside/victim.parquet"), b"host").expect("victim");
        std::fs::write(root.join("part_id=real/old.parquet"), b"rows").expect("old");
        symlink(dir.join("outside"), root.join("part_id=linked")).expect("link");

        let linked = delete(&root, vec!["part_id=linked/victim.parquet".into()], false);
        assert_eq!(linked.expect_err("refused").code, Code::Corrupt);
        for bad in [
            "../outside/victim.parquet",
            "/etc/hostname",
            "part_id=real/../../x",
        ] {
            let refused = delete(&root, vec![bad.into()], false).expect_err(bad);
            assert_eq!(refused.code, Code::Corrupt, "{bad}");
        }
        assert!(dir.join("outside/victim.parquet").exists());

        let done = delete(&root, vec!["part_id=real/old.parquet".into()], false).expect("delete");
        assert_eq!(done.deleted, vec!["part_id=real/old.parquet".to_string()]);
        assert!(!root.join("part_id=real/old.parquet").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_linked_partition_directory_stops_the_orphan_search() {
        let dir = scratch();
        let root = dir.join("pond");
        std::fs::write(dir.join("outside/stray.parquet"), b"host").expect("stray");
        symlink(dir.join("outside"), root.join("part_id=linked")).expect("link");
        let refs = References::default();
        let err = orphans(&root, &refs, i64::MAX).expect_err("refused");
        assert_eq!(err.code, Code::Corrupt);
        assert!(err.message.contains("symbolic link"), "{}", err.message);
        std::fs::remove_file(root.join("part_id=linked")).expect("unlink");
        std::fs::write(root.join("part_id=real/stray.parquet"), b"rows").expect("stray");
        let found = orphans(&root, &refs, i64::MAX).expect("orphans");
        assert_eq!(found, vec!["part_id=real/stray.parquet".to_string()]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
