//! An open op-log table: its location, the version it is loaded at, and the operations that move
//! that version (open, create, update, time travel) or act on it (checkpoint, file index).
//!
//! delta-rs's snapshot is only brought up to the loaded version when it is needed (checkpoints,
//! building the file index, table metadata): moving forward by a few versions reads just their
//! log entries.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use deltalake::kernel::transaction::CommitProperties;
use deltalake::logstore::{LogStore, LogStoreRef};
use deltalake::operations::create::CreateBuilder;
use deltalake::{DeltaTable, DeltaTableBuilder};
use url::Url;

use crate::bucket_store::BucketStore;
use crate::confined;
use crate::error::{Code, PondError, PondResult, Step, from_delta, from_io, from_join};
use crate::index::PartitionIndex;
use crate::location::Root;
use crate::log::{
    self, EntryChanges, Gap, entry_changes, entry_file, find_damaged, has_log, log_dir,
    read_entry_at,
};
use crate::replay::{self, Replayed};
use crate::scan::ScanCounters;
use crate::schema::{PARTITION_COLUMN, check_delta_schema, delta_columns};
use crate::store::LocalStore;

pub const CHECKPOINT_INTERVAL: &str = "delta.checkpointInterval";
const DEFAULT_CHECKPOINT_INTERVAL: i64 = 100;
/// Delta properties a caller may set on create; the rest are fixed so that history stays and the
/// table stays readable by every Delta reader.
const CALLER_DELTA_PROPERTIES: [&str; 3] = [
    CHECKPOINT_INTERVAL,
    "delta.logRetentionDuration",
    "delta.deletedFileRetentionDuration",
];
const HUNDRED_YEARS: &str = "interval 36500 days";
/// The Delta writer protocol pond's commits satisfy (append-only data, NOT NULL columns).
const MAX_WRITER_VERSION: i32 = 2;

/// What readers of the handle see; replaced as a whole when the loaded version moves.
#[derive(Clone)]
pub struct Loaded {
    /// The version the handle is at (commits go to `version + 1`).
    pub version: i64,
    /// delta-rs's view, loaded when first needed; after commits and updates its snapshot may lag
    /// `version` until needed.
    pub table: Option<DeltaTable>,
    pub properties: Arc<HashMap<String, String>>,
    pub checkpoint_interval: i64,
    /// Files per partition at `version`, built on the first scan.
    pub index: Option<Arc<PartitionIndex>>,
    /// Why pond must not write this table: commits bypass delta-rs's feature checks, so a
    /// table another tool upgraded past writer version 2 (constraints, generated columns,
    /// deletion vectors…) is read-only here.
    pub read_only_reason: Option<String>,
}

pub struct Handle {
    pub root: Root,
    pub log_store: LogStoreRef,
    loaded: Mutex<Loaded>,
    /// Serializes the operations that move the loaded version (commit, update, time travel).
    pub ops: tokio::sync::Mutex<()>,
    pub scan_counters: ScanCounters,
    /// Versions missing from the log after the newest one the open could read, seen when it
    /// looked a little further (see `log::gap_after`).
    pub gap: Option<Gap>,
    /// Whether the whole log was listed and found contiguous, which the first write needs.
    log_checked: AtomicBool,
    /// The checkpoint being written off the commit path, if any (see `start_checkpoint`).
    checkpointing: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

fn table_url(root: &Path) -> PondResult<Url> {
    Url::from_directory_path(root)
        .map_err(|()| PondError::einval(format!("{} is not a usable table path", root.display())))
}

/// delta-rs's builder for the table at `root`: on pond's local store, or on the bucket's.
fn table_builder(root: &Root) -> PondResult<DeltaTableBuilder> {
    let (store, url): (Arc<dyn deltalake::ObjectStore>, Url) = match root {
        Root::Local(dir) => (Arc::new(LocalStore::new()), table_url(dir)?),
        Root::Bucket(bucket) => (
            Arc::new(BucketStore::new(bucket.store.clone())),
            bucket.url.clone(),
        ),
    };
    let builder = DeltaTableBuilder::from_url(url.clone())
        .map_err(|e| from_delta(e, Step::Load, &root.subject()))?;
    Ok(builder.with_storage_backend(store, url))
}

pub fn to_version(version: i64) -> PondResult<u64> {
    u64::try_from(version).map_err(|_| PondError::einval(format!("invalid version {version}")))
}

/// A load failure; when the log is unreadable, names the damaged file.
fn load_error(err: deltalake::DeltaTableError, root: &Root, version: Option<u64>) -> PondError {
    let mapped = from_delta(err, Step::Load, &root.subject());
    let Root::Local(root) = root else {
        return mapped;
    };
    if mapped.code != Code::Corrupt {
        return mapped;
    }
    match find_damaged(root, version) {
        Some(named) => PondError::corrupt(format!("{}; {}", named.message, mapped.message)),
        None => mapped,
    }
}

/// Writes the checkpoint of `version` from a kernel snapshot of that version, as delta-rs's
/// `create_checkpoint` does, without bringing a delta-rs table up to it first.
pub fn write_checkpoint(root: &Root, log_store: &LogStoreRef, version: u64) -> PondResult<()> {
    if let Root::Local(root) = root {
        log::list(root)?.refuse_strays()?;
    }
    let failed = |e: &dyn std::fmt::Display| {
        PondError::new(
            Code::Io,
            format!("writing the checkpoint of version {version}: {e}"),
        )
    };
    let engine = log_store.engine(None);
    let url = log_store.transaction_url(None).map_err(|e| failed(&e))?;
    let snapshot = delta_kernel::Snapshot::builder_for(url)
        .at_version(version)
        .build(engine.as_ref())
        .map_err(|e| failed(&e))?;
    snapshot
        .checkpoint(engine.as_ref(), None)
        .map_err(|e| failed(&e))?;
    Ok(())
}

/// The checkpoint interval a table configuration asks for.
pub fn checkpoint_interval(properties: &HashMap<String, String>) -> i64 {
    properties
        .get(CHECKPOINT_INTERVAL)
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|v| *v > 0)
        .unwrap_or(DEFAULT_CHECKPOINT_INTERVAL)
}

fn loaded_from(table: DeltaTable, root: &Root) -> PondResult<Loaded> {
    let state = table
        .snapshot()
        .map_err(|e| from_delta(e, Step::Load, &root.subject()))?;
    let metadata = state.metadata();
    check_delta_schema(&state.schema(), metadata.partition_columns())
        .map_err(|e| e.context(root.subject()))?;
    let mut loaded = Loaded::new(
        state.version() as i64,
        metadata.configuration().clone(),
        state.protocol().min_writer_version(),
        root,
    );
    loaded.table = Some(table);
    Ok(loaded)
}

fn loaded_from_replay(replayed: Replayed, root: &Root) -> PondResult<Loaded> {
    check_delta_schema(&replayed.schema, &replayed.partition_columns)
        .map_err(|e| e.context(root.subject()))?;
    let mut loaded = Loaded::new(
        replayed.version,
        replayed.configuration,
        replayed.min_writer_version,
        root,
    );
    loaded.index = Some(Arc::new(replayed.index));
    Ok(loaded)
}

impl Loaded {
    fn new(
        version: i64,
        properties: HashMap<String, String>,
        min_writer_version: i32,
        root: &Root,
    ) -> Self {
        let read_only_reason = (min_writer_version > MAX_WRITER_VERSION).then(|| {
            format!(
                "{}: Delta writer version {min_writer_version} needs features pond does not write (it writes {MAX_WRITER_VERSION})",
                root.subject(),
            )
        });
        Self {
            version,
            table: None,
            checkpoint_interval: checkpoint_interval(&properties),
            properties: Arc::new(properties),
            index: None,
            read_only_reason,
        }
    }
}

impl Handle {
    fn new(root: Root, log_store: LogStoreRef, loaded: Loaded) -> Self {
        Self {
            root,
            log_store,
            loaded: Mutex::new(loaded),
            ops: tokio::sync::Mutex::new(()),
            scan_counters: ScanCounters::default(),
            gap: None,
            log_checked: AtomicBool::new(false),
            checkpointing: Mutex::new(None),
        }
    }

    /// A gap after the newest version `loaded` could read: looks a checkpoint interval beyond it
    /// (a full listing costs as much as the rest of the open on an old pond).
    fn gap_after_newest(
        root: &Path,
        version: i64,
        properties: &HashMap<String, String>,
    ) -> Option<Gap> {
        let window = checkpoint_interval(properties) as u64;
        log::gap_after(root, u64::try_from(version).ok()?, window)
    }

    /// CORRUPT when a commit now could land in a gap of the log: the whole log is listed once,
    /// before the handle's first write (a gap written into loses the versions after it).
    pub async fn check_contiguous(&self, loaded: &Loaded) -> PondResult<()> {
        if self.log_checked.load(Ordering::Relaxed) {
            return Ok(());
        }
        if let Some(gap) = self.gap {
            return Err(gap.refuse_write(&self.subject()));
        }
        let listing = log::list_at(&self.root).await?;
        if let Some(gap) = listing.gap_for_writer(to_version(loaded.version)?) {
            return Err(gap.refuse_write(&self.subject()));
        }
        self.log_checked.store(true, Ordering::Relaxed);
        Ok(())
    }

    pub fn subject(&self) -> String {
        self.root.subject()
    }

    /// A consistent copy of what is loaded (cheap: Arcs).
    pub fn loaded(&self) -> Loaded {
        match self.loaded.lock() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn publish(&self, loaded: Loaded) {
        match self.loaded.lock() {
            Ok(mut guard) => *guard = loaded,
            Err(poisoned) => *poisoned.into_inner() = loaded,
        }
    }

    /// Opens the table at `path` (a directory or `s3://bucket/prefix`, whose settings
    /// `options` holds), at its latest version or at `version`.
    pub async fn open(
        path: &str,
        version: Option<i64>,
        options: &HashMap<String, String>,
    ) -> PondResult<Self> {
        let root = Root::parse(path, options)?;
        let version = version.map(to_version).transpose()?;
        let dir = match &root {
            Root::Local(dir) => dir.clone(),
            Root::Bucket(_) => return Self::open_in_bucket(root, version).await,
        };
        if !confined::real_dir(&log_dir(&dir))? {
            return Err(PondError::new(
                Code::Enoent,
                format!(
                    "no Delta table at {} (no {})",
                    dir.display(),
                    crate::log::LOG_DIR
                ),
            ));
        }
        if version.is_none() {
            let replay_root = dir.clone();
            let replayed = tokio::task::spawn_blocking(move || {
                let replayed = replay::newest(&replay_root)?;
                let gap =
                    Self::gap_after_newest(&replay_root, replayed.version, &replayed.configuration);
                Some((replayed, gap))
            })
            .await
            .map_err(|e| from_join(e, "reading the log"))?;
            if let Some((replayed, gap)) = replayed {
                let log_store = table_builder(&root)?
                    .build_storage()
                    .map_err(|e| from_delta(e, Step::Load, &root.subject()))?;
                let loaded = loaded_from_replay(replayed, &root)?;
                return Ok(Self {
                    gap,
                    ..Self::new(root, log_store, loaded)
                });
            }
        }
        let listing = log::list(&dir)?;
        listing.refuse_strays()?;
        if listing.oldest().is_none() && listing.newest().is_some() {
            return Err(PondError::corrupt(format!(
                "{}: the log's first entry (version 0, {}) is missing and no checkpoint \
                 replaces it: no version can be read",
                root.subject(),
                log::entry_path(&dir, 0).display()
            )));
        }
        if let Some(v) = version
            && !listing.has(v)
        {
            return Err(listing.missing(v, &root.subject()));
        }
        let mut builder = table_builder(&root)?;
        if let Some(v) = version {
            builder = builder.with_version(v);
        }
        let table = builder
            .load()
            .await
            .map_err(|e| load_error(e, &root, version))?;
        let log_store = table.log_store();
        let loaded = loaded_from(table, &root)?;
        let gap = match version {
            Some(_) => None,
            None => {
                let (probe, newest, properties) =
                    (dir.clone(), loaded.version, loaded.properties.clone());
                tokio::task::spawn_blocking(move || {
                    Self::gap_after_newest(&probe, newest, &properties)
                })
                .await
                .map_err(|e| from_join(e, "reading the log"))?
            }
        };
        Ok(Self {
            gap,
            ..Self::new(root, log_store, loaded)
        })
    }

    /// `open` of a table in a bucket: delta-rs reads `_last_checkpoint`, the checkpoint and the
    /// entries after it. A gap in the log is found by the listing before the first write.
    async fn open_in_bucket(root: Root, version: Option<u64>) -> PondResult<Self> {
        let mut builder = table_builder(&root)?;
        if let Some(v) = version {
            builder = builder.with_version(v);
        }
        let table = match builder.load().await {
            Ok(table) => table,
            Err(e) => {
                let mapped = load_error(e, &root, version);
                if version.is_none() && log::list_at(&root).await?.newest().is_none() {
                    return Err(PondError::new(
                        Code::Enoent,
                        format!("no Delta table at {}", root.shown("").display()),
                    ));
                }
                return Err(mapped);
            }
        };
        let log_store = table.log_store();
        let loaded = loaded_from(table, &root)?;
        Ok(Self::new(root, log_store, loaded))
    }

    /// Creates a pond table at `path` (making directories) as version 0.
    pub async fn create(
        path: &str,
        properties: HashMap<String, String>,
        options: &HashMap<String, String>,
    ) -> PondResult<Self> {
        let root = Root::parse(path, options)?;
        if let Root::Local(dir) = &root {
            // A linked `_delta_log` (even an empty one) would take the new table elsewhere.
            confined::real_dir(&log_dir(dir))?;
        }
        if let Root::Bucket(bucket) = &root {
            bucket.check_put_if_absent().await?;
        }
        if Self::has_table(&root).await? {
            return Err(PondError::new(
                Code::Eexist,
                format!(
                    "a Delta table already exists at {}",
                    root.shown("").display()
                ),
            ));
        }
        let mut configuration: HashMap<String, String> = HashMap::from([
            (
                CHECKPOINT_INTERVAL.into(),
                DEFAULT_CHECKPOINT_INTERVAL.to_string(),
            ),
            ("delta.enableExpiredLogCleanup".into(), "false".into()),
            ("delta.logRetentionDuration".into(), HUNDRED_YEARS.into()),
            (
                "delta.deletedFileRetentionDuration".into(),
                HUNDRED_YEARS.into(),
            ),
        ]);
        for (key, value) in properties {
            if !key.starts_with("pond.") && !CALLER_DELTA_PROPERTIES.contains(&key.as_str()) {
                return Err(PondError::einval(format!(
                    "table property {key} cannot be set (allowed: pond.*, {})",
                    CALLER_DELTA_PROPERTIES.join(", ")
                )));
            }
            configuration.insert(key, value);
        }
        if let Root::Local(dir) = &root {
            std::fs::create_dir_all(dir).map_err(|e| from_io(e, "creating", dir))?;
        }
        let log_store = table_builder(&root)?
            .build_storage()
            .map_err(|e| from_delta(e, Step::Other, &root.subject()))?;
        let table = CreateBuilder::new()
            .with_log_store(log_store)
            .with_table_name("pond")
            .with_comment("pond")
            .with_columns(delta_columns())
            .with_partition_columns([PARTITION_COLUMN])
            .with_configuration(configuration.into_iter().map(|(k, v)| (k, Some(v))))
            // Keys were checked above; delta-rs would otherwise reject pond.* as unknown.
            .with_raise_if_key_not_exists(false)
            .with_commit_properties(
                CommitProperties::default()
                    .with_max_retries(0)
                    .with_create_checkpoint(false)
                    .with_cleanup_expired_logs(Some(false)),
            )
            .await;
        let table = match table {
            Ok(table) => table,
            // Another process may have created the table since the check above; delta-rs
            // reports that with a private error type, so the table's presence decides.
            Err(e @ deltalake::DeltaTableError::GenericError { .. })
                if Self::has_table(&root).await? =>
            {
                return Err(PondError::new(
                    Code::Eexist,
                    format!(
                        "a Delta table was created at {} meanwhile: {e}",
                        root.shown("").display()
                    ),
                ));
            }
            Err(e) => return Err(from_delta(e, Step::Create, &root.subject())),
        };
        if let Root::Local(dir) = &root {
            crate::log::sync_entry(dir, 0)?;
        }
        let log_store = table.log_store();
        let loaded = loaded_from(table, &root)?;
        let handle = Self::new(root, log_store, loaded);
        handle.log_checked.store(true, Ordering::Relaxed);
        Ok(handle)
    }

    /// Whether `root` holds a Delta log with at least one commit or checkpoint.
    async fn has_table(root: &Root) -> PondResult<bool> {
        match root {
            Root::Local(dir) => Ok(has_log(dir)),
            Root::Bucket(bucket) => Ok(bucket
                .list(crate::log::LOG_DIR)
                .await?
                .iter()
                .any(|(name, _)| name.ends_with(".json") || name.ends_with(".parquet"))),
        }
    }

    /// delta-rs's table loaded afresh (newest, or at `version`): for when an incremental load
    /// cannot work, e.g. because the log entries after the old snapshot were cleaned up.
    async fn fresh_table(&self, version: Option<u64>) -> PondResult<DeltaTable> {
        self.refuse_strays().await?;
        let mut builder = table_builder(&self.root)?;
        if let Some(v) = version {
            builder = builder.with_version(v);
        }
        builder
            .load()
            .await
            .map_err(|e| load_error(e, &self.root, version))
    }

    /// CORRUPT when a file of the log is a link or not a regular file: delta-rs reads the log
    /// on its own and would follow it.
    async fn refuse_strays(&self) -> PondResult<()> {
        let Root::Local(root) = &self.root else {
            return Ok(());
        };
        let root = root.clone();
        tokio::task::spawn_blocking(move || log::list(&root)?.refuse_strays())
            .await
            .map_err(|e| from_join(e, "listing the log"))?
    }

    /// Moves delta-rs's table to `target`: incrementally when it can, afresh otherwise.
    async fn move_table(&self, table: &mut DeltaTable, target: u64) -> PondResult<()> {
        self.refuse_strays().await?;
        if table.load_version(target).await.is_err() {
            *table = self.fresh_table(Some(target)).await?;
        }
        Ok(())
    }

    /// delta-rs's table at the loaded version: loaded on first use, else brought up to it (it
    /// lags after commits and updates).
    pub async fn current_table<'a>(&self, loaded: &'a mut Loaded) -> PondResult<&'a DeltaTable> {
        let target = to_version(loaded.version)?;
        let table = match loaded.table.take() {
            Some(mut table) => {
                if table.version() != Some(target) {
                    self.move_table(&mut table, target).await?;
                }
                table
            }
            None => self.fresh_table(Some(target)).await?,
        };
        Ok(loaded.table.insert(table))
    }

    /// The changes of the consecutive log entries after `version`, up to the first missing one.
    async fn entries_after(&self, version: i64) -> PondResult<Vec<(i64, EntryChanges)>> {
        let mut out = Vec::new();
        let mut next = version + 1;
        while let Some(actions) = read_entry_at(&self.root, to_version(next)?).await? {
            out.push((
                next,
                entry_changes(&actions, &self.root.shown(&entry_file(to_version(next)?)))?,
            ));
            next += 1;
        }
        Ok(out)
    }

    /// Loads the newest version; returns it. Reads only the new log entries; delta-rs's
    /// snapshot is reloaded only when one of them changed the table's metadata or protocol.
    pub async fn update(&self) -> PondResult<i64> {
        let _op = self.ops.lock().await;
        self.update_locked().await
    }

    /// `update` for a caller that already holds `ops`.
    pub async fn update_locked(&self) -> PondResult<i64> {
        let loaded = self.loaded();
        let before = loaded.version;
        let mut entries = self.entries_after(before).await?;
        // No next entry: either nothing new, or the log was cleaned up past the loaded version
        // (then the loaded version's own entry is gone too, and only a listing finds the newest).
        let cleaned_past =
            entries.is_empty() && !self.root.exists(&entry_file(to_version(before)?)).await?;
        let newest = match entries.last() {
            Some(&(newest, _)) => newest,
            None if cleaned_past => before,
            None => return Ok(before),
        };
        let mut next = if cleaned_past || entries.iter().any(|(_, e)| e.changes_table) {
            self.refuse_strays().await?;
            let mut table = loaded.table.clone();
            if let Some(current) = table.as_mut()
                && current.update_state().await.is_err()
            {
                table = None;
            }
            let table = match table {
                Some(table) => table,
                None => self.fresh_table(None).await?,
            };
            let next = loaded_from(table, &self.root)?;
            // delta-rs may have seen entries written since ours were read.
            if next.version > newest {
                entries.extend(self.entries_after(newest).await?);
            }
            next
        } else {
            let mut next = loaded.clone();
            next.version = newest;
            next
        };
        let version = next.version;
        next.index = match loaded.index {
            Some(index) if index.version == before => {
                let mut index = (*index).clone();
                let mut complete = true;
                for want in before + 1..=version {
                    match entries.iter().find(|(v, _)| *v == want) {
                        Some((v, changes)) => index.apply(*v, &changes.adds, &changes.removes),
                        None => {
                            complete = false;
                            break;
                        }
                    }
                }
                complete.then(|| Arc::new(index))
            }
            _ => None,
        };
        self.publish(next);
        Ok(version)
    }

    /// Moves the handle to `version` (back or forth).
    pub async fn load_version(&self, version: i64) -> PondResult<()> {
        let target = to_version(version)?;
        let _op = self.ops.lock().await;
        let loaded = self.loaded();
        if loaded.version == version {
            return Ok(());
        }
        if !self.root.exists(&entry_file(target)).await? {
            let listing = log::list_at(&self.root).await?;
            if !listing.has(target) {
                return Err(listing.missing(target, &self.subject()));
            }
        }
        let table = match loaded.table {
            Some(mut table) => {
                self.move_table(&mut table, target).await?;
                table
            }
            None => self.fresh_table(Some(target)).await?,
        };
        let next = loaded_from(table, &self.root)?;
        self.publish(next);
        Ok(())
    }

    /// Writes a checkpoint of the loaded version (no log cleanup).
    pub async fn checkpoint(&self) -> PondResult<()> {
        let _op = self.ops.lock().await;
        self.checkpoint_locked().await
    }

    /// `checkpoint` for a caller that already holds `ops`.
    pub async fn checkpoint_locked(&self) -> PondResult<()> {
        self.settle_checkpoint().await;
        let mut loaded = self.loaded();
        let table = self.current_table(&mut loaded).await?;
        deltalake::checkpoints::create_checkpoint(table, None)
            .await
            .map_err(|e| {
                from_delta(e, Step::Other, &self.subject()).context("writing a checkpoint")
            })?;
        self.publish(loaded);
        Ok(())
    }

    /// Starts writing the checkpoint of `version` and returns: a commit that falls due for one
    /// does not wait for it. Each is written from a kernel snapshot of its own, after the one
    /// before it, so neither the loaded table nor `ops` is involved and commits go on meanwhile.
    pub fn start_checkpoint(&self, version: u64) {
        let mut pending = match self.checkpointing.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let previous = pending.take();
        let root = self.root.clone();
        let log_store = self.log_store.clone();
        *pending = Some(tokio::spawn(async move {
            if let Some(previous) = previous {
                let _ = previous.await;
            }
            // One that fails is written at the next interval: a checkpoint only speeds up opens.
            let _ =
                tokio::task::spawn_blocking(move || write_checkpoint(&root, &log_store, version))
                    .await;
        }));
    }

    /// Waits for the checkpoint being written off the commit path, if any.
    pub async fn settle_checkpoint(&self) {
        let pending = match self.checkpointing.lock() {
            Ok(mut guard) => guard.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(task) = pending {
            let _ = task.await;
        }
    }

    /// The file index at the loaded version, built on first use.
    pub async fn index(&self) -> PondResult<Arc<PartitionIndex>> {
        let loaded = self.loaded();
        if let Some(index) = &loaded.index
            && index.version == loaded.version
        {
            return Ok(index.clone());
        }
        let _op = self.ops.lock().await;
        self.index_locked().await
    }

    /// `index` for a caller that already holds `ops`.
    pub async fn index_locked(&self) -> PondResult<Arc<PartitionIndex>> {
        let mut loaded = self.loaded();
        if let Some(index) = &loaded.index
            && index.version == loaded.version
        {
            return Ok(index.clone());
        }
        let table = self.current_table(&mut loaded).await?;
        let index = Arc::new(PartitionIndex::build(table, &self.subject())?);
        loaded.index = Some(index.clone());
        self.publish(loaded);
        Ok(index)
    }
}
