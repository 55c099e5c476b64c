//! Delta file statistics (numRecords, minValues, maxValues, nullCount) of a data file's rows,
//! so that readers, ours included, can skip files by node_id; plus, for a file of few nodes,
//! the exact list of them (`pond.nodeIds`, which other readers ignore): a commit's file holds
//! its directory's record beside the new rows of a few children, so its node_id range spans
//! every child created since the directory and would rule out almost nothing.

use deltalake::arrow::array::{Array, AsArray, RecordBatch};
use deltalake::arrow::compute::{max, max_string, min, min_string};
use deltalake::arrow::datatypes::{DataType, Int64Type, TimeUnit, TimestampMicrosecondType};
use serde_json::{Map, Value};

use crate::schema::FILE_SCHEMA;

/// Delta timestamps in stats have millisecond precision; readers round a max up.
fn timestamp_json(micros: i64) -> Value {
    let millis = micros.div_euclid(1000);
    match chrono::DateTime::from_timestamp_millis(millis) {
        Some(t) => Value::from(t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
        None => Value::Null,
    }
}

/// Files of at most this many nodes list them in their stats.
const LISTED_NODES: usize = 64;

const NODE_IDS_KEY: &str = "pond.nodeIds";

/// The distinct node ids of `rows`, sorted, when there are at most LISTED_NODES of them.
fn listed_node_ids(rows: &[RecordBatch]) -> Option<Vec<Value>> {
    let mut distinct: Vec<&str> = Vec::new();
    for batch in rows {
        let column = batch.column_by_name(crate::schema::NODE_ID_COLUMN)?;
        for id in column.as_string_opt::<i32>()?.iter().flatten() {
            if let Err(at) = distinct.binary_search(&id) {
                if distinct.len() == LISTED_NODES {
                    return None;
                }
                distinct.insert(at, id);
            }
        }
    }
    Some(distinct.into_iter().map(Value::from).collect())
}

/// The least and greatest of per-batch bounds.
fn bounds<T: PartialOrd>(
    per_batch: impl Iterator<Item = (Option<T>, Option<T>)>,
) -> Option<(T, T)> {
    let mut out: Option<(T, T)> = None;
    for (lo, hi) in per_batch {
        let (Some(lo), Some(hi)) = (lo, hi) else {
            continue;
        };
        out = Some(match out {
            None => (lo, hi),
            Some((a, b)) => (if lo < a { lo } else { a }, if hi > b { hi } else { b }),
        });
    }
    out
}

/// The `stats` string of an Add action for `rows` (a data file's rows, without `part_id`).
pub fn file_stats(rows: &[RecordBatch]) -> String {
    let mut min_values = Map::new();
    let mut max_values = Map::new();
    let mut null_count = Map::new();
    for field in FILE_SCHEMA.fields() {
        let name = field.name().clone();
        let columns = || rows.iter().filter_map(|batch| batch.column_by_name(&name));
        let nulls: usize = columns().map(|column| column.null_count()).sum();
        null_count.insert(name.clone(), Value::from(nulls));
        let range = match field.data_type() {
            DataType::Utf8 => bounds(columns().map(|column| {
                let array = column.as_string::<i32>();
                (min_string(array), max_string(array))
            }))
            .map(|(lo, hi)| (Value::from(lo), Value::from(hi))),
            DataType::Int64 => bounds(columns().map(|column| {
                let array = column.as_primitive::<Int64Type>();
                (min(array), max(array))
            }))
            .map(|(lo, hi)| (Value::from(lo), Value::from(hi))),
            DataType::Timestamp(TimeUnit::Microsecond, _) => bounds(columns().map(|column| {
                let array = column.as_primitive::<TimestampMicrosecondType>();
                (min(array), max(array))
            }))
            .map(|(lo, hi)| (timestamp_json(lo), timestamp_json(hi))),
            // Binary columns carry no min/max in Delta.
            _ => None,
        };
        if let Some((lo, hi)) = range {
            min_values.insert(name.clone(), lo);
            max_values.insert(name, hi);
        }
    }
    let mut stats = Map::new();
    let records: usize = rows.iter().map(RecordBatch::num_rows).sum();
    stats.insert("numRecords".into(), Value::from(records));
    stats.insert("minValues".into(), Value::Object(min_values));
    stats.insert("maxValues".into(), Value::Object(max_values));
    stats.insert("nullCount".into(), Value::Object(null_count));
    if let Some(ids) = listed_node_ids(rows) {
        stats.insert(NODE_IDS_KEY.into(), Value::Array(ids));
    }
    Value::Object(stats).to_string()
}

/// What pond's scans use of a file's `stats` string, each part present when the writer
/// recorded it.
#[derive(Debug, Default)]
pub struct StatsSummary {
    pub node_ids: Option<(String, String)>,
    /// Every node id of the file, sorted, when the file lists them.
    pub node_set: Option<Vec<String>>,
    pub max_txn_seq: Option<i64>,
    pub rows: Option<i64>,
}

impl StatsSummary {
    pub fn parse(stats: Option<&str>) -> Self {
        let Some(value) = stats.and_then(|s| serde_json::from_str::<Value>(s).ok()) else {
            return Self::default();
        };
        let min = value.get("minValues");
        let max = value.get("maxValues");
        let string = |values: Option<&Value>| {
            values?
                .get(crate::schema::NODE_ID_COLUMN)?
                .as_str()
                .map(str::to_string)
        };
        let node_set = value
            .get(NODE_IDS_KEY)
            .and_then(Value::as_array)
            .and_then(|ids| {
                let mut ids: Vec<String> = ids
                    .iter()
                    .map(|id| id.as_str().map(str::to_string))
                    .collect::<Option<_>>()?;
                ids.sort_unstable();
                Some(ids)
            });
        Self {
            node_ids: string(min).zip(string(max)),
            node_set,
            max_txn_seq: max
                .and_then(|m| m.get(crate::schema::TXN_SEQ_COLUMN))
                .and_then(Value::as_i64),
            rows: value.get("numRecords").and_then(Value::as_i64),
        }
    }
}
