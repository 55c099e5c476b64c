//! One Parquet data file: writing it durably under its Hive-style partition directory, and
//! reading its rows back.

use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use deltalake::arrow::array::{RecordBatch, StringArray, new_null_array};
use deltalake::arrow::compute::filter_record_batch;
use deltalake::arrow::compute::kernels::cmp::eq;
use deltalake::arrow::datatypes::{DataType, Field, FieldRef, Schema};
use deltalake::arrow::error::ArrowError;
use deltalake::kernel::Add;
use deltalake::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use deltalake::parquet::arrow::{ArrowWriter, ProjectionMask};
use deltalake::parquet::basic::Compression;
use deltalake::parquet::file::properties::{EnabledStatistics, WriterProperties};
use deltalake::parquet::file::reader::ChunkReader;
use deltalake::parquet::file::statistics::Statistics;
use deltalake::parquet::schema::types::ColumnPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

use crate::confined;
use crate::error::{
    PondError, PondResult, from_arrow_read, from_io, from_join, from_parquet_read,
    from_parquet_write,
};
use crate::location::{Bucket, Root};
use crate::log::sync_dir;
use crate::schema::{
    CONTENT_COLUMN, FILE_SCHEMA, NODE_ID_COLUMN, PARTITION_COLUMN, conform, with_partition,
};
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

/// How a data file is laid out.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub compression: Compression,
    /// Rows per row group at most (a row group also closes at about ROW_GROUP_BYTES).
    pub row_group_rows: usize,
    /// Whether the rows are new to the table (a commit) or rearranged (compaction).
    pub data_change: bool,
}

/// Rows below which dictionary pages cost more than they save.
const DICTIONARY_MIN_ROWS: usize = 64;

/// A row group closes at this many (estimated) bytes whatever its row count, so that a node
/// lookup decodes little even where the rows carry large inline contents, and a large commit's
/// file is not held in memory whole while it is written.
const ROW_GROUP_BYTES: usize = 1 << 20;

/// Rows handed to the Parquet writer at a time, so that its byte limit can act between them.
const WRITE_SLICE_ROWS: usize = 256;

/// Rows per row group of a commit's file, as compaction's default.
const COMMIT_ROW_GROUP_ROWS: usize = 4096;

impl Layout {
    /// A commit's file: Snappy rather than ZSTD: most files hold one transaction's few rows of
    /// one directory, and a partition scan decodes hundreds of them; ZSTD's per-page decoder
    /// setup made such scans ~3x slower for no size gain at that scale.
    pub fn commit() -> Self {
        Self {
            compression: Compression::SNAPPY,
            row_group_rows: COMMIT_ROW_GROUP_ROWS,
            data_change: true,
        }
    }

    /// The suffix of the file name, naming the codec as Spark and delta-rs do.
    fn codec_name(&self) -> &'static str {
        match self.compression {
            Compression::SNAPPY => "snappy",
            Compression::ZSTD(_) => "zstd",
            Compression::UNCOMPRESSED => "uncompressed",
            _ => "parquet",
        }
    }

    fn writer_properties(&self, rows: usize) -> WriterProperties {
        // File contents are opaque and rarely repeat: a dictionary or min/max of them is work
        // that no reader uses.
        let content = ColumnPath::from(CONTENT_COLUMN);
        WriterProperties::builder()
            .set_compression(self.compression)
            .set_dictionary_enabled(rows >= DICTIONARY_MIN_ROWS)
            .set_column_dictionary_enabled(content.clone(), false)
            .set_column_statistics_enabled(content, EnabledStatistics::None)
            .set_max_row_group_row_count(Some(self.row_group_rows.max(1)))
            .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
            .build()
    }

    /// The table-relative path of a new data file of partition `part_id`.
    pub fn new_path(&self, part_id: &str) -> String {
        format!(
            "{PARTITION_COLUMN}={}/part-00000-{}-c000.{}.parquet",
            escape_partition_value(part_id),
            uuid::Uuid::new_v4(),
            self.codec_name()
        )
    }
}

/// A data file written and synced, with its directory.
pub struct Written {
    /// The Add action for the log.
    pub add: Add,
    /// Whether its partition directory was made for it: the table root then needs a sync, once
    /// for all the files of a commit.
    pub new_directory: bool,
}

/// Writes `rows` (file schema), batch after batch, as `root/relative` and fsyncs the file and
/// its directory.
pub fn write(
    root: &Path,
    relative: &str,
    part_id: &str,
    rows: &[RecordBatch],
    layout: &Layout,
) -> PondResult<Written> {
    let path = root.join(relative);
    let (file, dir_is_new) = confined::create_data_file(root, relative)?;
    let dir = path
        .parent()
        .ok_or_else(|| PondError::internal(format!("{} has no directory", path.display())))?;
    let buffered = write_rows(BufWriter::new(file), rows, layout, &path)?;
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
    Ok(Written {
        add: add_for(relative, part_id, size, rows, layout),
        new_directory: dir_is_new,
    })
}

/// Writes `rows` (file schema) as data file `relative` of a table in a bucket, only if absent.
pub async fn write_to_bucket(
    bucket: &Bucket,
    relative: &str,
    part_id: &str,
    rows: Vec<RecordBatch>,
    layout: Layout,
) -> PondResult<Written> {
    let shown = PathBuf::from(format!("{}/{relative}", bucket.shown));
    let (bytes, rows) = tokio::task::spawn_blocking(move || {
        write_rows(Vec::new(), &rows, &layout, &shown).map(|bytes| (bytes, rows))
    })
    .await
    .map_err(|e| from_join(e, "encoding a data file"))??;
    let size = bytes.len() as u64;
    let put = bucket
        .store
        .put_opts(
            &bucket.at(relative),
            PutPayload::from(bytes),
            PutOptions {
                mode: PutMode::Create,
                ..PutOptions::default()
            },
        )
        .await;
    match put {
        // The name is new (a UUID): only this upload, sent again after its answer was lost,
        // can be there already.
        Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => {}
        Err(e) => return Err(bucket.failed(&format!("writing {relative} to"), e)),
    }
    Ok(Written {
        add: add_for(relative, part_id, size, &rows, &layout),
        new_directory: false,
    })
}

/// `write` to the table at `root`, wherever it is; a local table's root is synced when the
/// file's partition directory is new.
pub async fn write_at(
    root: &Root,
    relative: String,
    part_id: String,
    rows: Vec<RecordBatch>,
    layout: Layout,
) -> PondResult<Add> {
    match root {
        Root::Local(dir) => {
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || {
                let written = write(&dir, &relative, &part_id, &rows, &layout)?;
                if written.new_directory {
                    sync_dir(&dir)?;
                }
                Ok(written.add)
            })
            .await
            .map_err(|e| from_join(e, "writing a data file"))?
        }
        Root::Bucket(bucket) => Ok(write_to_bucket(bucket, &relative, &part_id, rows, layout)
            .await?
            .add),
    }
}

/// Encodes `rows` (file schema) as Parquet into `sink`, batch after batch.
fn write_rows<W: std::io::Write + Send>(
    sink: W,
    rows: &[RecordBatch],
    layout: &Layout,
    path: &Path,
) -> PondResult<W> {
    let mut writer = ArrowWriter::try_new(
        sink,
        FILE_SCHEMA.clone(),
        Some(layout.writer_properties(rows.iter().map(RecordBatch::num_rows).sum())),
    )
    .map_err(|e| from_parquet_write(e, path))?;
    for batch in rows {
        let mut offset = 0;
        while offset < batch.num_rows() {
            let length = WRITE_SLICE_ROWS.min(batch.num_rows() - offset);
            // A commit's contents are views of the buffers they arrived in: copied here, a
            // slice at a time.
            let slice = conform(&batch.slice(offset, length), &FILE_SCHEMA)
                .map_err(|m| PondError::internal(format!("rows for {}: {m}", path.display())))?;
            writer
                .write(&slice)
                .map_err(|e| from_parquet_write(e, path))?;
            offset += length;
        }
    }
    writer.into_inner().map_err(|e| from_parquet_write(e, path))
}

fn add_for(relative: &str, part_id: &str, size: u64, rows: &[RecordBatch], layout: &Layout) -> Add {
    Add {
        path: relative.to_string(),
        partition_values: [(PARTITION_COLUMN.to_string(), Some(part_id.to_string()))].into(),
        size: size as i64,
        modification_time: chrono::Utc::now().timestamp_millis(),
        data_change: layout.data_change,
        stats: Some(file_stats(rows)),
        ..Default::default()
    }
}

/// Removes data files of a commit that did not happen; a file already gone is fine.
pub async fn remove_all(root: &Root, relatives: &[String]) {
    // Best effort: a leftover file is unreachable from the log and fsck/vacuum reclaims it.
    match root {
        Root::Local(dir) => remove_local(dir, relatives),
        Root::Bucket(bucket) => {
            for relative in relatives {
                let _ = bucket.store.delete(&bucket.at(relative)).await;
            }
        }
    }
}

/// `remove_all` of a local table.
pub fn remove_local(root: &Path, relatives: &[String]) {
    for relative in relatives {
        let _ = confined::remove_data_file(root, relative);
    }
}

/// What reading one file cost, in row groups.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReadCounts {
    pub row_groups_read: u64,
    pub row_groups_skipped: u64,
}

/// Whether a row group's node_id statistics admit `node_id` (bytes compare like Rust strings).
fn row_group_may_hold(
    row_group: &deltalake::parquet::file::metadata::RowGroupMetaData,
    column: usize,
    node_id: &str,
) -> bool {
    let statistics = row_group.column(column).statistics();
    // The deprecated min/max fields of old writers may be ordered by signed bytes.
    let Some(Statistics::ByteArray(stats)) = statistics.filter(|s| !s.is_min_max_deprecated())
    else {
        return true;
    };
    let wanted = node_id.as_bytes();
    let above_min = stats.min_bytes_opt().is_none_or(|lo| lo <= wanted);
    let below_max = stats.max_bytes_opt().is_none_or(|hi| wanted <= hi);
    above_min && below_max
}

/// Which rows and columns a read of data files returns.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    /// Only the row groups whose statistics admit this node, and of them only its rows (every
    /// row with `neighbours`).
    pub node_id: Option<String>,
    pub neighbours: bool,
    /// Without contents the content column is not read (its values are null).
    pub skip_contents: bool,
}

impl Wanted {
    /// Every row, every column.
    pub fn all() -> Self {
        Self::default()
    }

    /// The rows of one node.
    pub fn node(node_id: &str) -> Self {
        Self {
            node_id: Some(node_id.to_string()),
            ..Self::default()
        }
    }
}

/// The rows of data file `root/relative` in the file schema (no `part_id`), as `wanted` says. A
/// missing or undecodable file is CORRUPT.
pub fn read_file_rows(
    root: &Path,
    relative: &str,
    wanted: &Wanted,
) -> PondResult<(Vec<RecordBatch>, ReadCounts)> {
    let path: PathBuf = root.join(relative);
    let file = confined::open_data_file(root, relative)?;
    rows_of(file, &path, wanted)
}

/// The rows of a data file's Parquet `input` (see `read_file_rows`); `path` names it.
fn rows_of<T: ChunkReader + 'static>(
    input: T,
    path: &Path,
    wanted: &Wanted,
) -> PondResult<(Vec<RecordBatch>, ReadCounts)> {
    let path = path.to_path_buf();
    let node_id = wanted.node_id.as_deref();
    let contents = !wanted.skip_contents;
    let mut builder = ParquetRecordBatchReaderBuilder::try_new(input)
        .map_err(|e| from_parquet_read(e, &path))?
        .with_batch_size(8192);
    let total = builder.metadata().num_row_groups() as u64;
    let mut counts = ReadCounts {
        row_groups_read: total,
        row_groups_skipped: 0,
    };
    if let Some(node_id) = node_id {
        let column = builder
            .parquet_schema()
            .columns()
            .iter()
            .position(|c| c.path().parts() == [NODE_ID_COLUMN]);
        if let Some(column) = column {
            let keep: Vec<usize> = builder
                .metadata()
                .row_groups()
                .iter()
                .enumerate()
                .filter(|(_, rg)| row_group_may_hold(rg, column, node_id))
                .map(|(i, _)| i)
                .collect();
            counts.row_groups_read = keep.len() as u64;
            counts.row_groups_skipped = total - keep.len() as u64;
            if keep.is_empty() {
                return Ok((Vec::new(), counts));
            }
            if keep.len() as u64 != total {
                builder = builder.with_row_groups(keep);
            }
        }
    }
    if !contents {
        let leaves: Vec<usize> = (0..builder.parquet_schema().num_columns())
            .filter(|&i| builder.parquet_schema().column(i).path().parts() != [CONTENT_COLUMN])
            .collect();
        let mask = ProjectionMask::leaves(builder.parquet_schema(), leaves);
        builder = builder.with_projection(mask);
    }
    let reader = builder.build().map_err(|e| from_parquet_read(e, &path))?;
    let only = node_id
        .filter(|_| !wanted.neighbours)
        .map(StringArray::new_scalar);
    let mut out = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| from_arrow_read(e, &path))?;
        let batch = if contents {
            batch
        } else {
            with_null_contents(&batch).map_err(|e| from_arrow_read(e, &path))?
        };
        let batch = conform(&batch, &FILE_SCHEMA)
            .map_err(|m| PondError::corrupt(format!("data file {}: {m}", path.display())))?;
        let batch = match &only {
            Some(only) => {
                let column = batch
                    .column_by_name(NODE_ID_COLUMN)
                    .ok_or_else(|| PondError::internal("node_id column vanished"))?;
                let mask = eq(column, only).map_err(|e| from_arrow_read(e, &path))?;
                filter_record_batch(&batch, &mask).map_err(|e| from_arrow_read(e, &path))?
            }
            None => batch,
        };
        if batch.num_rows() > 0 {
            out.push(batch);
        }
    }
    Ok((out, counts))
}

/// `read_file_rows` of the table at `root`, wherever it is. A file in a bucket is read whole,
/// then decoded.
pub async fn rows_at(
    root: &Root,
    relative: String,
    wanted: Arc<Wanted>,
) -> PondResult<(Vec<RecordBatch>, ReadCounts)> {
    match root {
        Root::Local(dir) => {
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || read_file_rows(&dir, &relative, &wanted))
                .await
                .map_err(|e| from_join(e, "reading a data file"))?
        }
        Root::Bucket(_) => {
            crate::confined::check_data_file_path(&relative).map_err(|why| {
                PondError::corrupt(format!(
                    "the log names {relative:?}, not a data file: {why}"
                ))
            })?;
            let bytes = root.read(&relative).await?.ok_or_else(|| {
                PondError::corrupt(format!(
                    "data file {} is missing",
                    root.shown(&relative).display()
                ))
            })?;
            let path = root.shown(&relative);
            tokio::task::spawn_blocking(move || rows_of(bytes, &path, &wanted))
                .await
                .map_err(|e| from_join(e, "reading a data file"))?
        }
    }
}

/// `rows_at` with `part_id` added to each row.
pub async fn read_at(
    root: &Root,
    relative: String,
    part_id: String,
    wanted: Arc<Wanted>,
) -> PondResult<(Vec<RecordBatch>, ReadCounts)> {
    let (batches, counts) = rows_at(root, relative, wanted).await?;
    with_part_id(batches, counts, &part_id)
}

fn with_part_id(
    batches: Vec<RecordBatch>,
    counts: ReadCounts,
    part_id: &str,
) -> PondResult<(Vec<RecordBatch>, ReadCounts)> {
    let batches = batches
        .iter()
        .map(|batch| with_partition(batch, part_id))
        .collect::<PondResult<_>>()?;
    Ok((batches, counts))
}

/// `batch`, read without its content column, with one of nulls in its place.
fn with_null_contents(batch: &RecordBatch) -> Result<RecordBatch, ArrowError> {
    let mut fields: Vec<FieldRef> = batch.schema().fields().iter().cloned().collect();
    let mut columns = batch.columns().to_vec();
    fields.push(Arc::new(Field::new(CONTENT_COLUMN, DataType::Binary, true)));
    columns.push(new_null_array(&DataType::Binary, batch.num_rows()));
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
}
