//! The data files of each partition at one table version, with their sizes, row counts and
//! node_id ranges, so that a partition scan touches only its own files and skips those that
//! cannot hold the node, and maintenance knows what each partition costs.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use deltalake::DeltaTable;
use deltalake::kernel::{Add, Remove};

use crate::error::{PondError, PondResult, Step, from_delta};
use crate::schema::PARTITION_COLUMN;
use crate::stats::StatsSummary;

#[derive(Debug, Clone)]
pub struct DataFile {
    /// Table-relative, percent-decoded.
    pub path: String,
    /// Bytes, from the add action.
    pub size: i64,
    stats: Option<Arc<str>>,
    /// Parsed on first use: an open indexes every file, a read looks at few of them.
    summary: Arc<OnceLock<StatsSummary>>,
}

impl DataFile {
    /// A file from its add action's path, size and stats string.
    pub fn new(path: String, size: i64, stats: Option<&str>) -> Self {
        Self {
            path,
            size,
            stats: stats.map(Arc::from),
            summary: Arc::default(),
        }
    }

    fn summary(&self) -> &StatsSummary {
        self.summary
            .get_or_init(|| StatsSummary::parse(self.stats.as_deref()))
    }

    /// Whether the file may hold rows of `node_id`.
    pub fn may_hold(&self, node_id: &str) -> bool {
        let summary = self.summary();
        if let Some(set) = &summary.node_set {
            return set.binary_search_by(|id| id.as_str().cmp(node_id)).is_ok();
        }
        match &summary.node_ids {
            Some((lo, hi)) => lo.as_str() <= node_id && node_id <= hi.as_str(),
            None => true,
        }
    }

    /// The newest txn_seq of its rows, when the writer recorded stats.
    pub fn max_txn_seq(&self) -> Option<i64> {
        self.summary().max_txn_seq
    }

    /// Rows, when the writer recorded `numRecords`.
    pub fn rows(&self) -> Option<i64> {
        self.summary().rows
    }

    fn of_add(add: &Add) -> Self {
        Self::new(add.path.clone(), add.size, add.stats.as_deref())
    }
}

/// Immutable once built: a newer version gets a new index (sharing untouched partitions).
#[derive(Debug, Clone, Default)]
pub struct PartitionIndex {
    pub version: i64,
    pub partitions: HashMap<String, Arc<Vec<DataFile>>>,
}

impl PartitionIndex {
    /// Lists the live files of `table`'s loaded snapshot.
    pub fn build(table: &DeltaTable, subject: &str) -> PondResult<Self> {
        let state = table
            .snapshot()
            .map_err(|e| from_delta(e, Step::Other, subject))?;
        let log_data = state
            .snapshot()
            .try_log_data()
            .map_err(|e| from_delta(e, Step::Load, subject))?;
        let mut partitions: HashMap<String, Vec<DataFile>> = HashMap::new();
        for file in log_data.iter() {
            let values = file.partition_values_map();
            let Some(Some(part_id)) = values.get(PARTITION_COLUMN) else {
                return Err(PondError::corrupt(format!(
                    "{subject}: data file {} has no {PARTITION_COLUMN} value",
                    file.path()
                )));
            };
            partitions
                .entry(part_id.clone())
                .or_default()
                .push(DataFile::new(
                    file.path().into_owned(),
                    file.size(),
                    file.stats().as_deref(),
                ));
        }
        Ok(Self::from_files(state.version() as i64, partitions))
    }

    /// The index of `version` whose live files are `partitions`, in any order.
    pub fn from_files(version: i64, partitions: HashMap<String, Vec<DataFile>>) -> Self {
        let partitions = partitions
            .into_iter()
            .map(|(part_id, mut files)| {
                files.sort_by(|a, b| a.path.cmp(&b.path));
                (part_id, Arc::new(files))
            })
            .collect();
        Self {
            version,
            partitions,
        }
    }

    /// This index advanced to `version` by file actions: `removes` first, then `adds`, which is
    /// how a version that rewrites files reads (a version never removes a file it adds).
    pub fn with_changes(&self, version: i64, adds: &[Add], removes: &[Remove]) -> Self {
        let mut next = self.clone();
        next.apply(version, adds, removes);
        next
    }

    /// `with_changes` in place.
    pub fn apply(&mut self, version: i64, adds: &[Add], removes: &[Remove]) {
        let next = self;
        next.version = version;
        for remove in removes {
            let part_id = remove
                .partition_values
                .as_ref()
                .and_then(|values| values.get(PARTITION_COLUMN).cloned().flatten());
            let candidates: Vec<String> = match part_id {
                Some(part_id) => vec![part_id],
                // Without partition values the file can be in any partition.
                None => next.partitions.keys().cloned().collect(),
            };
            for part_id in candidates {
                if let Some(files) = next.partitions.get_mut(&part_id)
                    && files.iter().any(|f| f.path == remove.path)
                {
                    Arc::make_mut(files).retain(|f| f.path != remove.path);
                    if files.is_empty() {
                        next.partitions.remove(&part_id);
                    }
                    break;
                }
            }
        }
        for add in adds {
            let Some(Some(part_id)) = add.partition_values.get(PARTITION_COLUMN) else {
                continue;
            };
            let files = next.partitions.entry(part_id.clone()).or_default();
            Arc::make_mut(files).push(DataFile::of_add(add));
        }
    }

    pub fn files(&self, part_id: &str) -> Arc<Vec<DataFile>> {
        self.partitions.get(part_id).cloned().unwrap_or_default()
    }

    /// The partition ids, sorted.
    pub fn part_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.partitions.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids
    }
}
