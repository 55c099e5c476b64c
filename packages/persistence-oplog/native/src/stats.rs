//! Delta file statistics (numRecords, minValues, maxValues, nullCount) of a data file's rows,
//! so that readers, ours included, can skip files by node_id.

use deltalake::arrow::array::{Array, AsArray, RecordBatch};
use deltalake::arrow::compute::{max, max_string, min, min_string};
use deltalake::arrow::datatypes::{DataType, Int64Type, TimeUnit, TimestampMicrosecondType};
use serde_json::{Map, Value};

/// Delta timestamps in stats have millisecond precision; readers round a max up.
fn timestamp_json(micros: i64) -> Value {
    let millis = micros.div_euclid(1000);
    match chrono::DateTime::from_timestamp_millis(millis) {
        Some(t) => Value::from(t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
        None => Value::Null,
    }
}

/// The `stats` string of an Add action for `batch` (a data file's rows, without `part_id`).
pub fn file_stats(batch: &RecordBatch) -> String {
    let mut min_values = Map::new();
    let mut max_values = Map::new();
    let mut null_count = Map::new();
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        let name = field.name().clone();
        null_count.insert(name.clone(), Value::from(column.null_count()));
        let (lo, hi) = match column.data_type() {
            DataType::Utf8 => {
                let array = column.as_string::<i32>();
                (
                    min_string(array).map(Value::from),
                    max_string(array).map(Value::from),
                )
            }
            DataType::Int64 => {
                let array = column.as_primitive::<Int64Type>();
                (min(array).map(Value::from), max(array).map(Value::from))
            }
            DataType::Timestamp(TimeUnit::Microsecond, _) => {
                let array = column.as_primitive::<TimestampMicrosecondType>();
                (
                    min(array).map(timestamp_json),
                    max(array).map(timestamp_json),
                )
            }
            // Binary columns carry no min/max in Delta.
            _ => (None, None),
        };
        if let (Some(lo), Some(hi)) = (lo, hi) {
            min_values.insert(name.clone(), lo);
            max_values.insert(name, hi);
        }
    }
    let mut stats = Map::new();
    stats.insert("numRecords".into(), Value::from(batch.num_rows()));
    stats.insert("minValues".into(), Value::Object(min_values));
    stats.insert("maxValues".into(), Value::Object(max_values));
    stats.insert("nullCount".into(), Value::Object(null_count));
    Value::Object(stats).to_string()
}

/// The node_id range of a file from its `stats` string, when the writer recorded one.
pub fn node_id_range(stats: &str) -> Option<(String, String)> {
    let value: Value = serde_json::from_str(stats).ok()?;
    let lo = value
        .get("minValues")?
        .get(crate::schema::NODE_ID_COLUMN)?
        .as_str()?;
    let hi = value
        .get("maxValues")?
        .get(crate::schema::NODE_ID_COLUMN)?
        .as_str()?;
    Some((lo.to_string(), hi.to_string()))
}

/// The row count of a file from its `stats` string, when the writer recorded one.
pub fn num_records(stats: &str) -> Option<i64> {
    let value: Value = serde_json::from_str(stats).ok()?;
    value.get("numRecords")?.as_i64()
}
