//! The data files of each partition at one table version, with their node_id ranges, so that a
//! partition scan touches only its own files and skips those that cannot hold the node.

use std::collections::HashMap;
use std::sync::Arc;

use deltalake::DeltaTable;
use deltalake::kernel::Add;

use crate::error::{PondError, PondResult, Step, from_delta};
use crate::schema::PARTITION_COLUMN;
use crate::stats::node_id_range;

#[derive(Debug, Clone)]
pub struct DataFile {
    /// Table-relative, percent-decoded.
    pub path: String,
    /// (min, max) node_id when the writer recorded stats.
    pub node_ids: Option<(String, String)>,
}

impl DataFile {
    /// Whether the file may hold rows of `node_id`.
    pub fn may_hold(&self, node_id: &str) -> bool {
        match &self.node_ids {
            Some((lo, hi)) => lo.as_str() <= node_id && node_id <= hi.as_str(),
            None => true,
        }
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
            let node_ids = file.stats().as_deref().and_then(node_id_range);
            partitions
                .entry(part_id.clone())
                .or_default()
                .push(DataFile {
                    path: file.path().into_owned(),
                    node_ids,
                });
        }
        for files in partitions.values_mut() {
            files.sort_by(|a, b| a.path.cmp(&b.path));
        }
        Ok(Self {
            version: state.version() as i64,
            partitions: partitions
                .into_iter()
                .map(|(k, v)| (k, Arc::new(v)))
                .collect(),
        })
    }

    /// This index advanced by a commit that only added `adds`.
    pub fn with_adds(&self, version: i64, adds: &[Add]) -> Self {
        let mut next = self.clone();
        next.version = version;
        for add in adds {
            let Some(Some(part_id)) = add.partition_values.get(PARTITION_COLUMN) else {
                continue;
            };
            let files = next.partitions.entry(part_id.clone()).or_default();
            Arc::make_mut(files).push(DataFile {
                path: add.path.clone(),
                node_ids: add.stats.as_deref().and_then(node_id_range),
            });
        }
        next
    }

    pub fn files(&self, part_id: &str) -> Arc<Vec<DataFile>> {
        self.partitions.get(part_id).cloned().unwrap_or_default()
    }
}
