//! Copying a pond's versions between two places: a local pond and a copy of it on an
//! S3-compatible store, or two of either. Data files and large files go first, then the log
//! entries that name them, each put only if absent; a copy cut short is finished by the next one.
//! The source is untrusted: the paths its log names must stay inside it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, WriteMultipart};
use percent_encoding::percent_decode_str;
use ring::digest::{Context, SHA256};

use crate::error::{Code, PondError, PondResult};

const LOG_DIR: &str = "_delta_log";
const LARGE_FILES_DIR: &str = "_large_files";
/// pond's log entries hold actions, not rows: a bigger one is not a pond's.
const MAX_LOG_ENTRY: u64 = 64 << 20;
const PART_SIZE: usize = 8 << 20;

/// A pond's place: a store and the pond's root inside it.
pub struct Place {
    store: Arc<dyn ObjectStore>,
    root: Path,
    /// The place as the user named it, without credentials: what messages say.
    shown: String,
    /// A local place's directory: object_store's local store follows links, pond does not.
    local: Option<std::path::PathBuf>,
    /// A bucket place, whose store must refuse overwriting a log entry.
    bucket: Option<Arc<crate::location::Bucket>>,
}

/// What a copy did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    /// The newest version on each side before the copy (`None`: no pond there yet).
    pub source_version: i64,
    pub destination_version: Option<i64>,
    pub versions: u64,
    pub files: u64,
    pub bytes: u64,
}

/// The place `target` names: `s3://bucket/prefix` (settings from the `AWS_*` environment
/// variables, then `options`), or a local directory (a path or `file://` URL; `create` makes it).
pub fn place(target: &str, options: &HashMap<String, String>, create: bool) -> PondResult<Place> {
    match target.split_once("://") {
        Some(("s3", _)) => s3_place(target, options),
        Some(("file", path)) => local_place(path, create),
        Some((scheme, _)) => Err(PondError::einval(format!(
            "{scheme}:// is not a place pond can copy to or from: use a local path or s3://bucket/prefix"
        ))),
        None => local_place(target, create),
    }
}

fn s3_place(target: &str, options: &HashMap<String, String>) -> PondResult<Place> {
    let bucket = crate::location::bucket(target, options)?
        .ok_or_else(|| PondError::einval(format!("{target} is not an s3:// URL")))?;
    Ok(Place {
        store: bucket.store.clone(),
        root: bucket.prefix.clone(),
        shown: bucket.shown.clone(),
        local: None,
        bucket: Some(Arc::new(bucket)),
    })
}

fn local_place(path: &str, create: bool) -> PondResult<Place> {
    if path.is_empty() {
        return Err(PondError::einval("the pond path is empty"));
    }
    let dir = std::path::absolute(path).map_err(|e| PondError::einval(format!("{path}: {e}")))?;
    if create {
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir.display().to_string(), &e))?;
    }
    let shown = dir.display().to_string();
    let store = LocalFileSystem::new_with_prefix(&dir).map_err(|e| match &e {
        object_store::Error::Generic { .. } | object_store::Error::NotFound { .. } => {
            PondError::new(Code::Enoent, format!("no pond at {shown}"))
        }
        _ => PondError::new(Code::Io, format!("{shown}: {e}")),
    })?;
    Ok(Place {
        store: Arc::new(store),
        root: Path::default(),
        shown,
        local: Some(dir),
        bucket: None,
    })
}

fn io_error(what: &str, e: &std::io::Error) -> PondError {
    PondError::new(Code::Io, format!("{what}: {e}"))
}

impl Place {
    fn at(&self, relative: &str) -> Path {
        self.root
            .parts()
            .chain(Path::from(relative).parts())
            .collect()
    }

    /// CORRUPT when `relative` in a local place is reached through a link, or is not what it
    /// should be: a pond someone sent must not lead a copy to read or write outside it.
    fn confine(&self, relative: &str, dir: bool) -> PondResult<()> {
        match &self.local {
            Some(root) => crate::confined::check_inside(root, relative, dir),
            None => Ok(()),
        }
    }

    fn failed(&self, what: &str, e: object_store::Error) -> PondError {
        let code = match e {
            object_store::Error::NotFound { .. } => Code::Enoent,
            _ => Code::Io,
        };
        // object_store's messages name the request, never its signature or keys.
        PondError::new(code, format!("{what} {}: {e}", self.shown))
    }

    /// The log entries by version, and the newest checkpoint's version, from one listing.
    async fn log(&self) -> PondResult<Log> {
        self.confine(LOG_DIR, true)?;
        let prefix = self.at(LOG_DIR);
        let listed: Vec<_> = self
            .store
            .list(Some(&prefix))
            .try_collect()
            .await
            .map_err(|e| self.failed("listing the log of", e))?;
        let mut log = Log::default();
        for meta in listed {
            let Some(name) = meta.location.filename() else {
                continue;
            };
            if let Some(version) = name.strip_suffix(".json").and_then(log_version) {
                log.entries.insert(version, meta.size);
            } else if let Some((version, _)) = name.split_once(".checkpoint")
                && let Some(version) = log_version(version)
            {
                log.checkpoints
                    .entry(version)
                    .or_default()
                    .push(name.to_owned());
            }
        }
        Ok(log)
    }

    async fn exists(&self, relative: &str) -> PondResult<Option<u64>> {
        self.confine(relative, false)?;
        match self.store.head(&self.at(relative)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.failed(&format!("looking up {relative} in"), e)),
        }
    }

    async fn read_small(&self, relative: &str, limit: u64) -> PondResult<Bytes> {
        self.confine(relative, false)?;
        let got = self
            .store
            .get(&self.at(relative))
            .await
            .map_err(|e| self.failed(&format!("reading {relative} from"), e))?;
        if got.meta.size > limit {
            return Err(PondError::corrupt(format!(
                "{relative} in {} has {} bytes, more than a pond writes",
                self.shown, got.meta.size
            )));
        }
        got.bytes()
            .await
            .map_err(|e| self.failed(&format!("reading {relative} from"), e))
    }
}

#[derive(Default)]
struct Log {
    entries: BTreeMap<u64, u64>,
    checkpoints: BTreeMap<u64, Vec<String>>,
}

fn log_version(name: &str) -> Option<u64> {
    (name.len() == 20 && name.bytes().all(|b| b.is_ascii_digit()))
        .then(|| name.parse().ok())
        .flatten()
}

fn entry_name(version: u64) -> String {
    format!("{LOG_DIR}/{version:020}.json")
}

/// A data file path from a source's log, checked to stay inside the pond.
fn data_file_path(raw: &str, source: &Place) -> PondResult<String> {
    let bad = || {
        PondError::corrupt(format!(
            "the log of {} names the data file {raw:?}, which is not inside the pond",
            source.shown
        ))
    };
    let decoded = percent_decode_str(raw).decode_utf8().map_err(|_| bad())?;
    if decoded.is_empty()
        || decoded.starts_with('/')
        || decoded.contains("://")
        || decoded.contains('\\')
        || decoded.contains('\0')
        || decoded
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..")
        || decoded.starts_with(LOG_DIR)
    {
        return Err(bad());
    }
    Ok(decoded.into_owned())
}

/// The data files a log entry adds, with their sizes.
fn added_files(entry: &[u8], version: u64, source: &Place) -> PondResult<Vec<(String, u64)>> {
    let corrupt = |why: String| {
        PondError::corrupt(format!(
            "version {version} of {} is not a Delta log entry: {why}",
            source.shown
        ))
    };
    let mut files = Vec::new();
    for line in entry.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let action: serde_json::Value =
            serde_json::from_slice(line).map_err(|e| corrupt(e.to_string()))?;
        let Some(add) = action.get("add") else {
            continue;
        };
        let path = add
            .get("path")
            .and_then(|p| p.as_str())
            .ok_or_else(|| corrupt("an add without a path".into()))?;
        let size = add
            .get("size")
            .and_then(|s| s.as_u64())
            .ok_or_else(|| corrupt(format!("the add of {path:?} has no size")))?;
        files.push((data_file_path(path, source)?, size));
    }
    Ok(files)
}

/// Copies `relative` from `from` to `to`, a part at a time when it is bigger than one, returning
/// its size and SHA-256.
async fn copy_object(from: &Place, to: &Place, relative: &str) -> PondResult<(u64, String)> {
    from.confine(relative, false)?;
    to.confine(relative, false)?;
    let got = from
        .store
        .get(&from.at(relative))
        .await
        .map_err(|e| from.failed(&format!("reading {relative} from"), e))?;
    let mut hash = Context::new(&SHA256);
    if got.meta.size <= PART_SIZE as u64 {
        // One request rather than a multipart upload's three.
        let bytes = got
            .bytes()
            .await
            .map_err(|e| from.failed(&format!("reading {relative} from"), e))?;
        hash.update(&bytes);
        let size = bytes.len() as u64;
        to.store
            .put(&to.at(relative), bytes.into())
            .await
            .map_err(|e| to.failed(&format!("writing {relative} to"), e))?;
        return Ok((size, hex(hash)));
    }
    let upload = to
        .store
        .put_multipart(&to.at(relative))
        .await
        .map_err(|e| to.failed(&format!("writing {relative} to"), e))?;
    let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
    let mut size = 0u64;
    let mut stream = got.into_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(e) => {
                let _ = writer.abort().await;
                return Err(from.failed(&format!("reading {relative} from"), e));
            }
        };
        hash.update(&chunk);
        size += chunk.len() as u64;
        if let Err(e) = writer.wait_for_capacity(2).await {
            return Err(to.failed(&format!("writing {relative} to"), e));
        }
        writer.put(chunk);
    }
    writer
        .finish()
        .await
        .map_err(|e| to.failed(&format!("writing {relative} to"), e))?;
    Ok((size, hex(hash)))
}

fn hex(hash: Context) -> String {
    hash.finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The large files `place` holds, by name (`sha256=…`).
async fn large_files(place: &Place) -> PondResult<HashMap<String, u64>> {
    place.confine(LARGE_FILES_DIR, true)?;
    let listed: Vec<_> = place
        .store
        .list(Some(&place.at(LARGE_FILES_DIR)))
        .try_collect()
        .await
        .map_err(|e| place.failed("listing the large files of", e))?;
    Ok(listed
        .into_iter()
        .filter_map(|meta| {
            let name = meta.location.filename()?.to_owned();
            let hex = name.strip_prefix("sha256=")?;
            (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
                .then_some((name, meta.size))
        })
        .collect())
}

/// Copies the versions `to` lacks from `from`. CONFLICT when the two histories differ at a
/// version both have, or when another writer takes a version on `to` during the copy.
pub async fn copy_versions(from: &Place, to: &Place) -> PondResult<Copied> {
    let source = from.log().await?;
    let Some((&newest, _)) = source.entries.last_key_value() else {
        return Err(PondError::new(
            Code::Enoent,
            format!("no pond at {}", from.shown),
        ));
    };
    let destination = to.log().await?;
    let have = destination.entries.last_key_value().map(|(&v, _)| v);
    let mut copied = Copied {
        source_version: newest as i64,
        destination_version: have.map(|v| v as i64),
        ..Copied::default()
    };
    if let Some(have) = have {
        let common = have.min(newest);
        let ours = to.read_small(&entry_name(common), MAX_LOG_ENTRY).await?;
        let theirs = from.read_small(&entry_name(common), MAX_LOG_ENTRY).await?;
        if ours != theirs {
            return Err(PondError::new(
                Code::Conflict,
                format!(
                    "{} and {} have different histories from version {common} on (or earlier): nothing was copied",
                    from.shown, to.shown
                ),
            ));
        }
        if have >= newest {
            return Ok(copied);
        }
    }
    let first = have.map_or(0, |v| v + 1);
    if let Some(missing) = (first..=newest).find(|v| !source.entries.contains_key(v)) {
        return Err(PondError::new(
            Code::Einval,
            format!(
                "{} no longer has version {missing} in its log (cleaned up): a copy needs every version after {}",
                from.shown,
                have.map_or("its start".to_owned(), |v| v.to_string())
            ),
        ));
    }

    // Large files first, all the source has that the destination lacks: rows of any version
    // may name them, and a large file no entry names yet is harmless.
    let theirs = large_files(from).await?;
    let ours = if theirs.is_empty() {
        HashMap::new()
    } else {
        large_files(to).await?
    };
    for (name, size) in &theirs {
        if ours.get(name) == Some(size) {
            continue;
        }
        let relative = format!("{LARGE_FILES_DIR}/{name}");
        let (got, digest) = copy_object(from, to, &relative).await?;
        if got != *size || name.strip_prefix("sha256=") != Some(digest.as_str()) {
            return Err(PondError::corrupt(format!(
                "{relative} in {} does not hold the content its name says (sha256 {digest})",
                from.shown
            )));
        }
        copied.files += 1;
        copied.bytes += got;
    }

    for version in first..=newest {
        let name = entry_name(version);
        let entry = from.read_small(&name, MAX_LOG_ENTRY).await?;
        for (file, size) in added_files(&entry, version, from)? {
            if to.exists(&file).await? == Some(size) {
                continue;
            }
            let (got, _) = copy_object(from, to, &file).await?;
            if got != size {
                return Err(PondError::corrupt(format!(
                    "{file} in {} has {got} bytes where version {version} says {size}",
                    from.shown
                )));
            }
            copied.files += 1;
            copied.bytes += got;
        }
        to.confine(&name, false)?;
        if let Some(bucket) = &to.bucket {
            bucket.check_put_if_absent().await?;
        }
        let put = to
            .store
            .put_opts(
                &to.at(&name),
                PutPayload::from(entry.clone()),
                PutOptions {
                    mode: PutMode::Create,
                    ..PutOptions::default()
                },
            )
            .await;
        match put {
            Ok(_) => {}
            Err(object_store::Error::AlreadyExists { .. }) => {
                return Err(PondError::new(
                    Code::Conflict,
                    format!(
                        "another writer committed version {version} to {} during the copy: {} versions were copied",
                        to.shown, copied.versions
                    ),
                ));
            }
            Err(object_store::Error::NotImplemented { .. }) => {
                return Err(PondError::einval(format!(
                    "{} cannot write a file only if it is absent (S3 conditional writes), which several writers need",
                    to.shown
                )));
            }
            Err(e) => return Err(to.failed(&format!("writing {name} to"), e)),
        }
        copied.versions += 1;
        copied.bytes += entry.len() as u64;
    }

    copy_checkpoint(from, to, &source, &destination, newest).await?;
    Ok(copied)
}

/// The source's newest checkpoint, when the destination's is older, so that opening the copy
/// reads the checkpoint and the entries after it rather than the whole log.
async fn copy_checkpoint(
    from: &Place,
    to: &Place,
    source: &Log,
    destination: &Log,
    newest: u64,
) -> PondResult<()> {
    let Some((&version, files)) = source.checkpoints.range(..=newest).next_back() else {
        return Ok(());
    };
    if destination
        .checkpoints
        .last_key_value()
        .is_some_and(|(&have, _)| have >= version)
    {
        return Ok(());
    }
    for file in files {
        copy_object(from, to, &format!("{LOG_DIR}/{file}")).await?;
    }
    let last = from
        .read_small(&format!("{LOG_DIR}/_last_checkpoint"), 1 << 20)
        .await?;
    let parsed: serde_json::Value = serde_json::from_slice(&last)
        .map_err(|e| PondError::corrupt(format!("_last_checkpoint of {}: {e}", from.shown)))?;
    if parsed.get("version").and_then(|v| v.as_u64()) == Some(version) {
        to.confine(&format!("{LOG_DIR}/_last_checkpoint"), false)?;
        to.store
            .put(&to.at(&format!("{LOG_DIR}/_last_checkpoint")), last.into())
            .await
            .map_err(|e| to.failed("writing _last_checkpoint to", e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(dir: &std::path::Path) -> Place {
        place(dir.to_str().unwrap_or_default(), &HashMap::new(), true).unwrap_or_else(|e| {
            panic!("{}", e.message);
        })
    }

    #[test]
    fn paths_leaving_the_pond_are_refused() {
        let dir = std::env::temp_dir();
        let source = local(&dir);
        for raw in [
            "../x",
            "/etc/passwd",
            "a/../../b",
            "s3://b/k",
            "a//b",
            "%2e%2e/x",
            "_delta_log/1.json",
        ] {
            assert!(data_file_path(raw, &source).is_err(), "{raw}");
        }
        assert_eq!(
            data_file_path("part_id=ab/part-1%3D.parquet", &source)
                .ok()
                .as_deref(),
            Some("part_id=ab/part-1=.parquet")
        );
    }

    #[test]
    fn credentials_in_a_url_are_refused_and_secrets_redacted() {
        let err = place("s3://key:secret@bucket/p", &HashMap::new(), false).err();
        assert!(err.is_some_and(|e| !e.message.contains("secret")));
        let options = HashMap::from([("aws_secret_access_key".to_owned(), "hunter22".to_owned())]);
        assert_eq!(
            crate::location::redact("signed with hunter22", &options),
            "signed with ***"
        );
        assert!(place("gs://bucket/p", &HashMap::new(), false).is_err());
    }
}
