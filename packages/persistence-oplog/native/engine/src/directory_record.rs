//! Directory records' contents, each a tiny Arrow IPC stream of entry changes, decoded many at a
//! time into one stream and encoded from one stream into one per record: apache-arrow in JS pays
//! a fixed cost per stream that dwarfs these streams' few rows.

use std::io::Cursor;
use std::sync::{Arc, LazyLock};

use deltalake::arrow::array::{
    Array, ArrayRef, AsArray, RecordBatch, StringBuilder, UInt32Array, UInt32Builder,
};
use deltalake::arrow::compute::{cast, concat_batches, take_record_batch};
use deltalake::arrow::datatypes::{DataType, Field, Schema, SchemaRef, UInt32Type};
use deltalake::arrow::error::ArrowError;
use deltalake::arrow::ipc::reader::StreamReader;
use deltalake::arrow::ipc::writer::{
    DictionaryTracker, IpcDataGenerator, IpcWriteContext, IpcWriteOptions, StreamWriter,
    write_message,
};
use deltalake::arrow::ipc::{self, root_as_message};

use crate::error::{
    PondError, PondResult, from_arrow_content, from_arrow_input, from_arrow_internal,
};

/// The index of the record (of the list decoded, or of the stream to encode) a row belongs to.
const RECORD_COLUMN: &str = "record";

/// (name, nullable) of a record's columns, all Utf8, as directory-record.ts writes them.
const ENTRY_COLUMNS: [(&str, bool); 5] = [
    ("name", false),
    ("child_node_id", true),
    ("child_part_id", true),
    ("child_entry_type", true),
    ("op", false),
];

/// Records beyond this index are refused: the output has one stream per index up to the largest.
const MAX_RECORDS: u32 = 1 << 24;

/// One record's stream, exactly the schema directory-record.ts encodes.
static ENTRY_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(
        ENTRY_COLUMNS
            .iter()
            .map(|(name, nullable)| Field::new(*name, DataType::Utf8, *nullable))
            .collect::<Vec<_>>(),
    ))
});

/// Many records' rows in one stream; only `name` is required when decoding, so that a record
/// with a bad op reaches pond's own check and message.
static RECORDS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![Field::new(RECORD_COLUMN, DataType::UInt32, false)];
    fields.extend(
        ENTRY_COLUMNS
            .iter()
            .map(|(name, _)| Field::new(*name, DataType::Utf8, *name != "name")),
    );
    Arc::new(Schema::new(fields))
});

/// `column` as Utf8 (apache-arrow may write dictionary or large strings).
fn utf8(column: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    if column.data_type() == &DataType::Utf8 {
        Ok(column.clone())
    } else {
        cast(column, &DataType::Utf8)
    }
}

fn write_stream(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<Vec<u8>, ArrowError> {
    let mut out = Vec::new();
    let mut writer = StreamWriter::try_new(&mut out, schema)?;
    for batch in batches {
        writer.write(batch)?;
    }
    writer.finish()?;
    drop(writer);
    Ok(out)
}

/// The merged rows being built: the record index and the five entry columns.
struct Merged {
    records: UInt32Builder,
    columns: [StringBuilder; 5],
}

impl Merged {
    /// Room for about `rows` rows of `bytes` string bytes in all.
    fn with_capacity(rows: usize, bytes: usize) -> Self {
        Self {
            records: UInt32Builder::with_capacity(rows),
            columns: std::array::from_fn(|_| StringBuilder::with_capacity(rows, bytes / 5)),
        }
    }

    /// Appends a batch of one record, decoded by Arrow's reader (any string encoding).
    fn append_batch(&mut self, batch: &RecordBatch, record: u32) -> Result<(), ArrowError> {
        let mut arrays = Vec::with_capacity(ENTRY_COLUMNS.len());
        for (name, _) in ENTRY_COLUMNS {
            let column = batch
                .column_by_name(name)
                .ok_or_else(|| ArrowError::SchemaError(format!("no column {name}")))?;
            arrays.push(utf8(column)?);
        }
        for row in 0..batch.num_rows() {
            self.records.append_value(record);
            for (builder, array) in self.columns.iter_mut().zip(&arrays) {
                let array = array.as_string::<i32>();
                builder.append_option(array.is_valid(row).then(|| array.value(row)));
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<RecordBatch, ArrowError> {
        let mut columns: Vec<ArrayRef> = vec![Arc::new(self.records.finish())];
        for builder in &mut self.columns {
            columns.push(Arc::new(builder.finish()));
        }
        RecordBatch::try_new(RECORDS_SCHEMA.clone(), columns)
    }
}

/// The metadata of the IPC message framed at `at` in `bytes` and where it ends; `None` at the
/// end of the stream or when the framing is broken.
fn frame(bytes: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let word = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(
            bytes.get(at..at.checked_add(4)?)?.try_into().ok()?,
        ))
    };
    let mut at = at;
    let mut length = word(at)?;
    at += 4;
    if length == 0xFFFF_FFFF {
        length = word(at)?;
        at += 4;
    }
    if length == 0 {
        return None;
    }
    let end = at.checked_add(length as usize)?;
    Some((bytes.get(at..end)?, end))
}

/// Where the five entry columns are in a stream's schema, when every field is a plain Utf8
/// column (what directory-record.ts writes): then their buffers are read directly.
fn plain_layout(schema_meta: &[u8]) -> Option<[usize; 5]> {
    let message = root_as_message(schema_meta).ok()?;
    if message.bodyLength() != 0 {
        return None;
    }
    let schema = message.header_as_schema()?;
    let fields = schema.fields()?;
    for i in 0..fields.len() {
        let field = fields.get(i);
        if field.type_type() != ipc::Type::Utf8
            || field.dictionary().is_some()
            || field.children().is_some_and(|c| !c.is_empty())
        {
            return None;
        }
    }
    let mut layout = [0; 5];
    for (slot, (name, _)) in layout.iter_mut().zip(ENTRY_COLUMNS) {
        *slot = (0..fields.len()).find(|&i| fields.get(i).name() == Some(name))?;
    }
    Some(layout)
}

/// The five entry columns of one uncompressed record batch of a plain-Utf8 stream, read straight
/// from its buffers; `None` when it is not such a batch, for Arrow's reader to decode or reject.
fn plain_columns<'a>(
    layout: &[usize; 5],
    batch: ipc::RecordBatch<'_>,
    body: &'a [u8],
) -> Option<Vec<Vec<Option<&'a str>>>> {
    if batch.compression().is_some() {
        return None;
    }
    let rows = usize::try_from(batch.length()).ok()?;
    let nodes = batch.nodes()?;
    let buffers = batch.buffers()?;
    let slice = |index: usize| -> Option<&'a [u8]> {
        if index >= buffers.len() {
            return None;
        }
        let buffer = buffers.get(index);
        let start = usize::try_from(buffer.offset()).ok()?;
        let length = usize::try_from(buffer.length()).ok()?;
        body.get(start..start.checked_add(length)?)
    };
    let mut columns = Vec::with_capacity(layout.len());
    for &field in layout {
        if field >= nodes.len() {
            return None;
        }
        let node = nodes.get(field);
        if usize::try_from(node.length()).ok()? != rows {
            return None;
        }
        // Each Utf8 field has three buffers: validity, offsets, values.
        let validity = slice(3 * field)?;
        let offsets = slice(3 * field + 1)?;
        let values = slice(3 * field + 2)?;
        let nullable = node.null_count() > 0;
        if (nullable && validity.len() * 8 < rows) || offsets.len() < 4 * (rows + 1) {
            return None;
        }
        let offset = |i: usize| -> Option<usize> {
            let bytes: [u8; 4] = offsets.get(4 * i..4 * i + 4)?.try_into().ok()?;
            usize::try_from(i32::from_le_bytes(bytes)).ok()
        };
        let mut strings = Vec::with_capacity(rows);
        for row in 0..rows {
            let valid = !nullable || validity[row / 8] & (1 << (row % 8)) != 0;
            strings.push(if valid {
                let bytes = values.get(offset(row)?..offset(row + 1)?)?;
                Some(std::str::from_utf8(bytes).ok()?)
            } else {
                None
            });
        }
        columns.push(strings);
    }
    Some(columns)
}

/// One record's batches read directly, when it is the plain stream directory-record.ts writes.
/// `known` caches the last schema message seen (verified) and its layout: records written by one
/// encoder share it byte for byte, and verifying it is most of the cost of a tiny stream.
fn plain_record<'a>(
    content: &'a [u8],
    known: &mut Option<(&'a [u8], Option<[usize; 5]>)>,
) -> Option<Vec<Vec<Vec<Option<&'a str>>>>> {
    let (schema, mut at) = frame(content, 0)?;
    let layout = match *known {
        Some((bytes, layout)) if bytes == schema => layout,
        _ => {
            let layout = plain_layout(schema);
            *known = Some((schema, layout));
            layout
        }
    }?;
    let mut batches = Vec::new();
    while let Some((meta, end)) = frame(content, at) {
        let message = root_as_message(meta).ok()?;
        let body_end = end.checked_add(usize::try_from(message.bodyLength()).ok()?)?;
        let body = content.get(end..body_end)?;
        batches.push(plain_columns(
            &layout,
            message.header_as_record_batch()?,
            body,
        )?);
        at = body_end;
    }
    Some(batches)
}

/// All rows of `contents` as one IPC stream, with each row's index into `contents`.
pub fn decode(contents: &[&[u8]]) -> PondResult<Vec<u8>> {
    let bytes: usize = contents.iter().map(|c| c.len()).sum();
    let mut merged = Merged::with_capacity(contents.len() * 4, bytes / 2);
    // Records written by one encoder share their schema message byte for byte.
    let mut known = None;
    for (record, content) in contents.iter().enumerate() {
        if let Some(batches) = plain_record(content, &mut known) {
            for columns in batches {
                let rows = columns.first().map_or(0, Vec::len);
                for row in 0..rows {
                    merged.records.append_value(record as u32);
                    for (builder, column) in merged.columns.iter_mut().zip(&columns) {
                        builder.append_option(column[row]);
                    }
                }
            }
            continue;
        }
        let what = || format!("directory record {record}");
        let reader = StreamReader::try_new(Cursor::new(*content), None)
            .map_err(|e| from_arrow_content(e, &what()))?;
        for batch in reader {
            let batch = batch.map_err(|e| from_arrow_content(e, &what()))?;
            merged
                .append_batch(&batch, record as u32)
                .map_err(|e| from_arrow_content(e, &what()))?;
        }
    }
    let merged = merged
        .finish()
        .map_err(|e| from_arrow_content(e, "directory records"))?;
    write_stream(&RECORDS_SCHEMA, &[merged])
        .map_err(|e| from_arrow_internal(e, "encoding directory records"))
}

/// Writes one record's rows as a whole IPC stream; the schema message, the same for all, is
/// encoded once.
struct RecordEncoder {
    header: Vec<u8>,
    generator: IpcDataGenerator,
    tracker: DictionaryTracker,
    context: IpcWriteContext,
    options: IpcWriteOptions,
}

impl RecordEncoder {
    fn new() -> Result<Self, ArrowError> {
        let options = IpcWriteOptions::default();
        let writer =
            StreamWriter::try_new_with_options(Vec::new(), &ENTRY_SCHEMA, options.clone())?;
        Ok(Self {
            header: writer.get_ref().clone(),
            generator: IpcDataGenerator::default(),
            tracker: DictionaryTracker::new(false),
            context: IpcWriteContext::default(),
            options,
        })
    }

    fn encode(&mut self, batch: &RecordBatch) -> Result<Vec<u8>, ArrowError> {
        let (_, encoded) =
            self.generator
                .encode(batch, &mut self.tracker, &self.options, &mut self.context)?;
        let mut out = Vec::with_capacity(
            self.header.len() + encoded.ipc_message.len() + encoded.arrow_data.len() + 16,
        );
        out.extend_from_slice(&self.header);
        write_message(&mut out, encoded, &self.options)?;
        // End of stream: continuation marker and a zero length.
        out.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]);
        Ok(out)
    }
}

/// One record stream per index 0..=max of the `record` column of `entries_ipc` (an empty one for
/// an index without rows), rows in their input order.
pub fn encode(entries_ipc: &[u8]) -> PondResult<Vec<Vec<u8>>> {
    const WHAT: &str = "directory entries";
    let reader = StreamReader::try_new(Cursor::new(entries_ipc), None)
        .map_err(|e| from_arrow_input(e, WHAT))?;
    let schema = reader.schema();
    let mut batches = Vec::new();
    for batch in reader {
        batches.push(batch.map_err(|e| from_arrow_input(e, WHAT))?);
    }
    let all = concat_batches(&schema, &batches).map_err(|e| from_arrow_input(e, WHAT))?;
    if all.num_rows() == 0 {
        return Ok(Vec::new());
    }
    let records = all
        .column_by_name(RECORD_COLUMN)
        .ok_or_else(|| PondError::einval(format!("{WHAT}: no column {RECORD_COLUMN}")))?;
    let records = cast(records, &DataType::UInt32).map_err(|e| from_arrow_input(e, WHAT))?;
    let records = records.as_primitive::<UInt32Type>();
    if records.null_count() > 0 {
        return Err(PondError::einval(format!(
            "{WHAT}: a row has no {RECORD_COLUMN}"
        )));
    }
    let max = records.values().iter().copied().max().unwrap_or(0);
    if max >= MAX_RECORDS {
        return Err(PondError::einval(format!(
            "{WHAT}: record index {max} is too large"
        )));
    }
    let mut columns = Vec::with_capacity(ENTRY_COLUMNS.len());
    for (name, _) in ENTRY_COLUMNS {
        let column = all
            .column_by_name(name)
            .ok_or_else(|| PondError::einval(format!("{WHAT}: no column {name}")))?;
        columns.push(utf8(column).map_err(|e| from_arrow_input(e, WHAT))?);
    }
    let entries = RecordBatch::try_new(ENTRY_SCHEMA.clone(), columns)
        .map_err(|e| from_arrow_input(e, WHAT))?;
    RecordEncoder::new()
        .and_then(|mut encoder| {
            let values = records.values();
            if values.windows(2).all(|w| w[0] <= w[1]) {
                // Rows grouped by record already (the usual case): slices, no copies.
                let mut out = Vec::with_capacity(max as usize + 1);
                let mut start = 0;
                for record in 0..=max {
                    let end = start + values[start..].iter().take_while(|r| **r == record).count();
                    out.push(encoder.encode(&entries.slice(start, end - start))?);
                    start = end;
                }
                Ok(out)
            } else {
                let mut rows: Vec<Vec<u32>> = vec![Vec::new(); max as usize + 1];
                for (row, record) in values.iter().enumerate() {
                    rows[*record as usize].push(row as u32);
                }
                rows.into_iter()
                    .map(|indices| {
                        encoder.encode(&take_record_batch(&entries, &UInt32Array::from(indices))?)
                    })
                    .collect()
            }
        })
        .map_err(|e| from_arrow_internal(e, "encoding directory records"))
}
