//! pond's op-log schema in its three forms (Arrow with and without the partition column, Delta),
//! and the conversions that make incoming or stored rows fit it.

use std::sync::{Arc, LazyLock};

use deltalake::arrow::array::{Array, ArrayRef, RecordBatch, StringArray};
use deltalake::arrow::compute::{CastOptions, cast_with_options};
use deltalake::arrow::datatypes::{DataType as ArrowType, Field, Schema, SchemaRef, TimeUnit};
use deltalake::kernel::{DataType, StructField, StructType};

use crate::error::{PondError, PondResult};

pub const PARTITION_COLUMN: &str = "part_id";
pub const NODE_ID_COLUMN: &str = "node_id";
pub const TXN_SEQ_COLUMN: &str = "txn_seq";
pub const ATTRS_COLUMN: &str = "attrs";
pub const CONTENT_COLUMN: &str = "content";

/// (name, Arrow type, nullable) in table order; the partition column comes first.
fn columns() -> Vec<(&'static str, ArrowType, bool)> {
    let timestamp = ArrowType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    vec![
        (PARTITION_COLUMN, ArrowType::Utf8, false),
        (NODE_ID_COLUMN, ArrowType::Utf8, false),
        ("entry_type", ArrowType::Utf8, false),
        ("version", ArrowType::Int64, false),
        (TXN_SEQ_COLUMN, ArrowType::Int64, false),
        ("timestamp", timestamp, false),
        (CONTENT_COLUMN, ArrowType::Binary, true),
        ("content_ref", ArrowType::Utf8, true),
        ("size", ArrowType::Int64, false),
        ("sha256", ArrowType::Utf8, false),
        ("min_event_time", ArrowType::Int64, true),
        ("max_event_time", ArrowType::Int64, true),
        (ATTRS_COLUMN, ArrowType::Utf8, true),
    ]
}

/// The rows as they cross the JS boundary: every column, `part_id` included.
pub static TABLE_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(
        columns()
            .into_iter()
            .map(|(name, ty, nullable)| Field::new(name, ty, nullable))
            .collect::<Vec<_>>(),
    ))
});

/// The rows of a commit as the addon holds them: the table's columns, contents as views of the
/// buffers they arrived in rather than copies.
pub static INPUT_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(
        columns()
            .into_iter()
            .map(|(name, ty, nullable)| match name {
                CONTENT_COLUMN => Field::new(name, ArrowType::BinaryView, nullable),
                _ => Field::new(name, ty, nullable),
            })
            .collect::<Vec<_>>(),
    ))
});

/// Where a commit's row finds its content (see `ipc::decode_commit_rows`), in this order.
pub const CONTENT_LOCATION_COLUMNS: [&str; 3] =
    ["content_block", "content_offset", "content_length"];

/// A commit's rows as JavaScript encodes them: the table's columns but `content`, then where each
/// row's content is in the buffers that come beside the rows.
pub static COMMIT_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields: Vec<Field> = columns()
        .into_iter()
        .filter(|(name, _, _)| *name != CONTENT_COLUMN)
        .map(|(name, ty, nullable)| Field::new(name, ty, nullable))
        .collect();
    fields.extend(
        CONTENT_LOCATION_COLUMNS
            .iter()
            .map(|name| Field::new(*name, ArrowType::Int32, true)),
    );
    Arc::new(Schema::new(fields))
});

/// The rows as a data file stores them: Hive-style partitioning keeps `part_id` in the path.
pub static FILE_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(
        columns()
            .into_iter()
            .filter(|(name, _, _)| *name != PARTITION_COLUMN)
            .map(|(name, ty, nullable)| Field::new(name, ty, nullable))
            .collect::<Vec<_>>(),
    ))
});

fn delta_type(ty: &ArrowType) -> DataType {
    match ty {
        ArrowType::Utf8 => DataType::STRING,
        ArrowType::Int64 => DataType::LONG,
        ArrowType::Binary => DataType::BINARY,
        _ => DataType::TIMESTAMP,
    }
}

/// The Delta columns written into the table's metadata on create.
pub fn delta_columns() -> Vec<StructField> {
    columns()
        .iter()
        .map(|(name, ty, nullable)| StructField::new(*name, delta_type(ty), *nullable))
        .collect()
}

/// Whether a Delta table's schema and partitioning are pond's; names and types must match
/// exactly, nullability is not compared (other writers may declare every column nullable).
pub fn check_delta_schema(schema: &StructType, partition_columns: &[String]) -> PondResult<()> {
    let expected = columns();
    let mut problems = Vec::new();
    for (name, ty, _) in &expected {
        match schema.field(name) {
            None => problems.push(format!("missing column {name}")),
            Some(field) if field.data_type() != &delta_type(ty) => problems.push(format!(
                "column {name} is {} instead of {}",
                field.data_type(),
                delta_type(ty)
            )),
            Some(_) => {}
        }
    }
    for field in schema.fields() {
        if !expected.iter().any(|(name, _, _)| name == field.name()) {
            problems.push(format!("unexpected column {}", field.name()));
        }
    }
    if partition_columns != [PARTITION_COLUMN] {
        problems.push(format!(
            "partitioned by [{}] instead of [{PARTITION_COLUMN}]",
            partition_columns.join(", ")
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(PondError::einval(format!(
            "not a pond table: {}",
            problems.join("; ")
        )))
    }
}

/// Reorders and casts `batch` to `target` (by column name): Utf8/LargeUtf8/Utf8View and
/// Binary/LargeBinary/BinaryView, any timestamp unit or zone, dictionary-encoded strings are
/// all accepted. A missing column, a null in a non-null column or an impossible cast is the
/// returned message (the caller decides the code).
pub fn conform(batch: &RecordBatch, target: &SchemaRef) -> Result<RecordBatch, String> {
    let options = CastOptions {
        safe: false,
        ..Default::default()
    };
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(target.fields().len());
    for field in target.fields() {
        let Some(column) = batch.column_by_name(field.name()) else {
            return Err(format!("missing column {}", field.name()));
        };
        let column = if column.data_type() == field.data_type() {
            column.clone()
        } else {
            cast_with_options(column, field.data_type(), &options).map_err(|e| {
                format!(
                    "column {} of type {} does not convert to {}: {e}",
                    field.name(),
                    column.data_type(),
                    field.data_type()
                )
            })?
        };
        if !field.is_nullable() && column.null_count() > 0 {
            return Err(format!("column {} has nulls", field.name()));
        }
        arrays.push(column);
    }
    RecordBatch::try_new(target.clone(), arrays).map_err(|e| e.to_string())
}

/// Rows from JavaScript, made to fit the commit input schema.
pub fn conform_input(batch: &RecordBatch) -> PondResult<RecordBatch> {
    conform(batch, &INPUT_SCHEMA)
        .map_err(|m| PondError::einval(format!("rows do not fit the op-log schema: {m}")))
}

/// A data file's rows with `part_id` put back in front.
pub fn with_partition(batch: &RecordBatch, part_id: &str) -> PondResult<RecordBatch> {
    let part: ArrayRef = Arc::new(StringArray::from_iter_values(std::iter::repeat_n(
        part_id,
        batch.num_rows(),
    )));
    let mut arrays = Vec::with_capacity(batch.num_columns() + 1);
    arrays.push(part);
    arrays.extend(batch.columns().iter().cloned());
    RecordBatch::try_new(TABLE_SCHEMA.clone(), arrays)
        .map_err(|e| PondError::internal(format!("adding {PARTITION_COLUMN}: {e}")))
}
