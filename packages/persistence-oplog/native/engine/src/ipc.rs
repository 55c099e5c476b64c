//! Arrow IPC streams, the way rows cross the JS boundary (with a commit's contents beside them).

use std::sync::Arc;

use deltalake::arrow::array::{Array, ArrayRef, AsArray, BinaryViewBuilder, RecordBatch};
use deltalake::arrow::buffer::Buffer;
use deltalake::arrow::compute::concat_batches;
use deltalake::arrow::datatypes::{Field, Int32Type, Schema};
use deltalake::arrow::ipc::reader::StreamDecoder;
use deltalake::arrow::ipc::writer::StreamWriter;

use crate::error::{PondError, PondResult, from_arrow_input, from_arrow_internal};
use crate::schema::{
    COMMIT_SCHEMA, CONTENT_COLUMN, CONTENT_LOCATION_COLUMNS, INPUT_SCHEMA, TABLE_SCHEMA,
    conform_input,
};

/// Decodes a commit's rows: an IPC stream of the table's columns but `content`, whose bytes stay
/// in the `contents` buffers they came in, located by `content_block` (an index into
/// `contents`), `content_offset` and `content_length`. Nothing is copied: the content column is
/// made of views of those buffers.
pub fn decode_commit_rows(
    rows: impl AsRef<[u8]> + Send + 'static,
    contents: Vec<impl AsRef<[u8]> + Send + 'static>,
) -> PondResult<Vec<RecordBatch>> {
    let invalid = |e| from_arrow_input(e, "decoding the rows' Arrow IPC stream");
    let blocks: Vec<Buffer> = contents
        .into_iter()
        .map(|content| Buffer::from(bytes::Bytes::from_owner(content)))
        .collect();
    let mut buffer = Buffer::from(bytes::Bytes::from_owner(rows));
    let mut decoder = StreamDecoder::new();
    let mut batches = Vec::new();
    while !buffer.is_empty() {
        if let Some(batch) = decoder.decode(&mut buffer).map_err(invalid)?
            && batch.num_rows() > 0
        {
            batches.push(with_contents(&batch, &blocks)?);
        }
    }
    decoder.finish().map_err(invalid)?;
    Ok(batches)
}

/// `batch` with its content column made from the views its location columns describe.
fn with_contents(batch: &RecordBatch, blocks: &[Buffer]) -> PondResult<RecordBatch> {
    let location = |name: &str| {
        batch
            .column_by_name(name)
            .and_then(|column| column.as_primitive_opt::<Int32Type>())
            .ok_or_else(|| PondError::einval(format!("the rows have no Int32 column {name}")))
    };
    let [block, offset, length] = CONTENT_LOCATION_COLUMNS;
    let (block, offset, length) = (location(block)?, location(offset)?, location(length)?);
    let mut contents = BinaryViewBuilder::with_capacity(batch.num_rows());
    let ids: Vec<u32> = blocks
        .iter()
        .map(|block| contents.append_block(block.clone()))
        .collect();
    for row in 0..batch.num_rows() {
        if block.is_null(row) {
            contents.append_null();
            continue;
        }
        let id = usize::try_from(block.value(row))
            .ok()
            .and_then(|index| ids.get(index))
            .ok_or_else(|| PondError::einval("a row's content_block names no content buffer"))?;
        let offset = u32::try_from(offset.value(row))
            .map_err(|_| PondError::einval("a row's content_offset is negative"))?;
        let length = u32::try_from(length.value(row))
            .map_err(|_| PondError::einval("a row's content_length is negative"))?;
        contents
            .try_append_view(*id, offset, length)
            .map_err(|e| from_arrow_input(e, "locating a row's content"))?;
    }
    let contents: ArrayRef = Arc::new(contents.finish());
    let mut fields = Vec::new();
    let mut columns = Vec::new();
    for field in INPUT_SCHEMA.fields() {
        let column = match field.name().as_str() {
            CONTENT_COLUMN => contents.clone(),
            name => match batch.column_by_name(name) {
                Some(column) => column.clone(),
                None => return Err(PondError::einval(format!("the rows have no column {name}"))),
            },
        };
        fields.push(Field::new(field.name(), column.data_type().clone(), true));
        columns.push(column);
    }
    let assembled = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| from_arrow_input(e, "assembling the rows"))?;
    conform_input(&assembled)
}

/// The schema of a commit's rows as an IPC stream without batches: how JavaScript learns it.
pub fn commit_schema_ipc() -> PondResult<Vec<u8>> {
    let mut out = Vec::new();
    let writer =
        StreamWriter::try_new(&mut out, &COMMIT_SCHEMA).and_then(|mut writer| writer.finish());
    writer.map_err(|e| from_arrow_internal(e, "encoding the commit schema"))?;
    Ok(out)
}

/// A merged batch stays well below the 2 GiB of values an Arrow binary array holds.
const MERGED_BYTES: usize = 1 << 30;

/// Encodes rows of the table schema as one IPC stream (schema only when there are none). Small
/// batches (one per data file) are merged first: each IPC batch costs framing and a JS decode.
pub fn encode_rows(batches: &[RecordBatch]) -> PondResult<Vec<u8>> {
    let mut merged = Vec::new();
    let mut group: Vec<RecordBatch> = Vec::new();
    let mut bytes = 0;
    for batch in batches {
        let size = batch.get_array_memory_size();
        if !group.is_empty() && bytes + size > MERGED_BYTES {
            merged.push(merge(&group)?);
            group.clear();
            bytes = 0;
        }
        group.push(batch.clone());
        bytes += size;
    }
    if !group.is_empty() {
        merged.push(merge(&group)?);
    }
    let mut out = Vec::new();
    {
        let mut writer = StreamWriter::try_new(&mut out, &TABLE_SCHEMA)
            .map_err(|e| from_arrow_internal(e, "encoding Arrow IPC"))?;
        for batch in &merged {
            writer
                .write(batch)
                .map_err(|e| from_arrow_internal(e, "encoding Arrow IPC"))?;
        }
        writer
            .finish()
            .map_err(|e| from_arrow_internal(e, "encoding Arrow IPC"))?;
    }
    Ok(out)
}

fn merge(batches: &[RecordBatch]) -> PondResult<RecordBatch> {
    match batches {
        [one] => Ok(one.clone()),
        _ => concat_batches(&TABLE_SCHEMA, batches)
            .map_err(|e| from_arrow_internal(e, "merging rows")),
    }
}
