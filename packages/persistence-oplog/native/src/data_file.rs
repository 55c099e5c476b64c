//! One Parquet data file: writing it durably under its Hive-style partition directory, and
//! reading its rows back.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use deltalake::arrow::array::{RecordBatch, StringArray};
use deltalake::arrow::compute::filter_record_batch;
use deltalake::arrow::compute::kernels::cmp::eq;
use deltalake::kernel::Add;
use deltalake::parquet::arrow::ArrowWriter;
use deltalake::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use deltalake::parquet::basic::Compression;
use deltalake::parquet::file::properties::WriterProperties;

use crate::error::{
    PondError, PondResult, from_arrow_read, from_data_file_io, from_io, from_parquet_read,
    from_parquet_write,
};
use crate::log::sync_dir;
use crate::schema::{FILE_SCHEMA, NODE_ID_COLUMN, PARTITION_COLUMN, conform, with_partition};
use crate::stats::file_stats;

/// Escapes a partition value for a directory name; the value itself travels in the log.
fn escape_partition_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The table-relative path of a new data file of partition `part_id`.
pub fn new_data_path(part_id: &str) -> String {
    format!(
        "{PARTITION_COLUMN}={}/part-00000-{}-c000.snappy.parquet",
        escape_partition_value(part_id),
        uuid::Uuid::new_v4()
    )
}

/// Rows below which dictionary pages cost more than they save.
const DICTIONARY_MIN_ROWS: usize = 64;

/// Snappy rather than ZSTD: most files hold one transaction's few rows of one directory, and a
/// partition scan decodes hundreds of them; ZSTD's per-page decoder setup made such scans ~3x
/// slower for no size gain at that scale.
fn writer_properties(rows: usize) -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_dictionary_enabled(rows >= DICTIONARY_MIN_ROWS)
        .build()
}

/// Writes `rows` (file schema) as `root/relative`, fsyncs the file and its directory (and the
/// table root when the partition directory is new), and returns the Add action for the log.
pub fn write(root: &Path, relative: &str, part_id: &str, rows: &RecordBatch) -> PondResult<Add> {
    let path = root.join(relative);
    let dir = path
        .parent()
        .ok_or_else(|| PondError::internal(format!("{} has no directory", path.display())))?;
    let dir_is_new = !dir.is_dir();
    std::fs::create_dir_all(dir).map_err(|e| from_io(e, "creating partition directory", dir))?;

    let file = File::create(&path).map_err(|e| from_io(e, "creating data file", &path))?;
    let mut writer = ArrowWriter::try_new(
        BufWriter::new(file),
        FILE_SCHEMA.clone(),
        Some(writer_properties(rows.num_rows())),
    )
    .map_err(|e| from_parquet_write(e, &path))?;
    writer
        .write(rows)
        .map_err(|e| from_parquet_write(e, &path))?;
    let buffered = writer
        .into_inner()
        .map_err(|e| from_parquet_write(e, &path))?;
    let file = buffered
        .into_inner()
        .map_err(|e| from_io(e.into_error(), "flushing data file", &path))?;
    file.sync_all()
        .map_err(|e| from_io(e, "syncing data file", &path))?;
    let size = file
        .metadata()
        .map_err(|e| from_io(e, "reading size of data file", &path))?
        .len();
    sync_dir(dir)?;
    if dir_is_new {
        sync_dir(root)?;
    }

    Ok(Add {
        path: relative.to_string(),
        partition_values: [(PARTITION_COLUMN.to_string(), Some(part_id.to_string()))].into(),
        size: size as i64,
        modification_time: chrono::Utc::now().timestamp_millis(),
        data_change: true,
        stats: Some(file_stats(rows)),
        ..Default::default()
    })
}

/// Removes data files of a commit that did not happen; a file already gone is fine.
pub fn remove_all(root: &Path, relatives: &[String]) {
    for relative in relatives {
        // Best effort: a leftover file is unreachable from the log and fsck/vacuum reclaims it.
        let _ = std::fs::remove_file(root.join(relative));
    }
}

/// The rows of data file `root/relative` of partition `part_id`, with `part_id` added and, when
/// `node_id` is given, only that node's rows. A missing or undecodable file is CORRUPT.
pub fn read(
    root: &Path,
    relative: &str,
    part_id: &str,
    node_id: Option<&str>,
) -> PondResult<Vec<RecordBatch>> {
    let path: PathBuf = root.join(relative);
    let file = File::open(&path).map_err(|e| from_data_file_io(e, &path))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| from_parquet_read(e, &path))?
        .with_batch_size(8192)
        .build()
        .map_err(|e| from_parquet_read(e, &path))?;
    let wanted = node_id.map(StringArray::new_scalar);
    let mut out = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| from_arrow_read(e, &path))?;
        let batch = conform(&batch, &FILE_SCHEMA)
            .map_err(|m| PondError::corrupt(format!("data file {}: {m}", path.display())))?;
        let batch = match &wanted {
            Some(wanted) => {
                let column = batch
                    .column_by_name(NODE_ID_COLUMN)
                    .ok_or_else(|| PondError::internal("node_id column vanished"))?;
                let mask = eq(column, wanted).map_err(|e| from_arrow_read(e, &path))?;
                filter_record_batch(&batch, &mask).map_err(|e| from_arrow_read(e, &path))?
            }
            None => batch,
        };
        if batch.num_rows() > 0 {
            out.push(with_partition(&batch, part_id)?);
        }
    }
    Ok(out)
}
