//! Arrow IPC stream encoding, the only way rows cross the JS boundary.

use deltalake::arrow::array::RecordBatch;
use deltalake::arrow::buffer::Buffer;
use deltalake::arrow::compute::concat_batches;
use deltalake::arrow::ipc::reader::StreamDecoder;
use deltalake::arrow::ipc::writer::StreamWriter;

use crate::error::{PondResult, from_arrow_input, from_arrow_internal};
use crate::schema::{TABLE_SCHEMA, conform_input};

/// Decodes an IPC stream of op-log rows, each batch made to fit the table schema. The arrays
/// point into `bytes` rather than copies of it: a large commit's contents are not copied again.
pub fn decode_rows(bytes: impl AsRef<[u8]> + Send + 'static) -> PondResult<Vec<RecordBatch>> {
    let invalid = |e| from_arrow_input(e, "decoding the rows' Arrow IPC stream");
    let mut buffer = Buffer::from(bytes::Bytes::from_owner(bytes));
    let mut decoder = StreamDecoder::new();
    let mut batches = Vec::new();
    while !buffer.is_empty() {
        if let Some(batch) = decoder.decode(&mut buffer).map_err(invalid)?
            && batch.num_rows() > 0
        {
            batches.push(conform_input(&batch)?);
        }
    }
    decoder.finish().map_err(invalid)?;
    Ok(batches)
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
