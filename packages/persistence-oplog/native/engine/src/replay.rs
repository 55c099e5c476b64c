//! Opening the newest version without delta-rs's log replay: the last classic checkpoint's live
//! files, metadata and protocol, then the log entries after it, read by name.
//!
//! A table kept with its whole history carries a tombstone for every file compaction ever
//! replaced, and one log entry per version: delta-rs's replay decodes every checkpoint row and
//! lists the whole log directory, so its open grows with the table's age. Reading only the
//! checkpoint's `add`, `metaData` and `protocol` columns and probing the entries after it does
//! not. Anything unusual (multi-part or V2 checkpoints, reader features, deletion vectors, an
//! unreadable file, a link) is left to delta-rs, which then also reports any damage (after the
//! open refused links).

use std::collections::HashMap;
use std::path::Path;

use deltalake::arrow::array::{
    Array, AsArray, Int32Array, Int64Array, MapArray, RecordBatch, StringArray, StructArray,
};
use deltalake::kernel::StructType;
use deltalake::parquet::arrow::ProjectionMask;
use deltalake::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::confined::open_regular;
use crate::index::{DataFile, PartitionIndex};
use crate::log::{LAST_CHECKPOINT, entry_changes, entry_path, log_dir, parse_entry, read_file};
use crate::schema::PARTITION_COLUMN;

/// The newest version as the log says it is.
pub struct Replayed {
    pub version: i64,
    pub configuration: HashMap<String, String>,
    pub schema: StructType,
    pub partition_columns: Vec<String>,
    pub min_writer_version: i32,
    pub index: PartitionIndex,
}

/// The table's metadata and protocol, as far as pond needs them.
#[derive(Default)]
struct TableState {
    configuration: Option<HashMap<String, String>>,
    schema_string: Option<String>,
    partition_columns: Option<Vec<String>>,
    min_reader_version: Option<i32>,
    min_writer_version: Option<i32>,
}

const CHECKPOINT_COLUMNS: [&str; 7] = [
    "add.path",
    "add.partitionValues",
    "add.size",
    "add.stats",
    "add.deletionVector",
    "metaData",
    "protocol",
];

/// The newest version of the table at `root`, or `None` when delta-rs should load it.
pub fn newest(root: &Path) -> Option<Replayed> {
    let (checkpoint, mut state, files) = match last_checkpoint(root)? {
        Some(version) => {
            let (state, files) = read_checkpoint(root, version)?;
            (Some(version), state, files)
        }
        None => (None, TableState::default(), HashMap::new()),
    };
    let mut index = PartitionIndex::from_files(checkpoint.map_or(-1, |v| v as i64), files);
    let mut next = checkpoint.map_or(0, |v| v + 1);
    loop {
        let path = entry_path(root, next);
        let bytes = match read_file(&path) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => break,
            Err(_) => return None,
        };
        let actions = parse_entry(&bytes, &path).ok()?;
        for action in &actions {
            state.apply_json(action)?;
        }
        let changes = entry_changes(&actions, &path).ok()?;
        if changes.adds.iter().any(|add| add.deletion_vector.is_some()) {
            return None;
        }
        index.apply(next as i64, &changes.adds, &changes.removes);
        next += 1;
    }
    if index.version < 0 || state.min_reader_version? > 1 {
        return None;
    }
    let schema: StructType = serde_json::from_str(&state.schema_string?).ok()?;
    Some(Replayed {
        version: index.version,
        configuration: state.configuration?,
        schema,
        partition_columns: state.partition_columns?,
        min_writer_version: state.min_writer_version?,
        index,
    })
}

/// The version `_last_checkpoint` names: `Some(None)` when there is none (a young table read
/// from its first entry), `None` when it names a checkpoint pond does not read itself.
fn last_checkpoint(root: &Path) -> Option<Option<u64>> {
    let bytes = match read_file(&log_dir(root).join(LAST_CHECKPOINT)) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Some(None),
        Err(_) => return None,
    };
    let hint: Value = serde_json::from_slice(&bytes).ok()?;
    let single = hint.get("parts").is_none_or(|p| p.is_null() || p == 1);
    if !single || hint.get("v2Checkpoint").is_some_and(|v| !v.is_null()) {
        return None;
    }
    hint.get("version")?.as_u64().map(Some)
}

type Files = HashMap<String, Vec<DataFile>>;

fn read_checkpoint(root: &Path, version: u64) -> Option<(TableState, Files)> {
    let path = log_dir(root).join(format!("{version:020}.checkpoint.parquet"));
    let builder = ParquetRecordBatchReaderBuilder::try_new(open_regular(&path).ok()??).ok()?;
    let mask = ProjectionMask::columns(builder.parquet_schema(), CHECKPOINT_COLUMNS);
    let reader = builder.with_projection(mask).build().ok()?;
    let mut state = TableState::default();
    let mut files = Files::new();
    for batch in reader {
        let batch = batch.ok()?;
        state.apply_checkpoint(&batch)?;
        live_files(&batch, &mut files)?;
    }
    Some((state, files))
}

fn struct_column<'a>(batch: &'a RecordBatch, name: &str) -> Option<&'a StructArray> {
    batch.column_by_name(name)?.as_struct_opt()
}

fn string_field<'a>(parent: &'a StructArray, name: &str) -> Option<&'a StringArray> {
    parent.column_by_name(name)?.as_string_opt::<i32>()
}

/// The key/value pairs of one row of a string map column.
fn map_pairs(map: &MapArray, row: usize) -> Option<impl Iterator<Item = (&str, Option<&str>)>> {
    let range = map.value_offsets()[row] as usize..map.value_offsets()[row + 1] as usize;
    let keys = map.keys().as_string_opt::<i32>()?;
    let values = map.values().as_string_opt::<i32>()?;
    Some(range.map(|i| (keys.value(i), values.is_valid(i).then(|| values.value(i)))))
}

fn map_entry<'a>(map: &'a MapArray, row: usize, key: &str) -> Option<&'a str> {
    map_pairs(map, row)?.find(|(k, _)| *k == key)?.1
}

fn map_row(map: &MapArray, row: usize) -> Option<HashMap<String, String>> {
    Some(
        map_pairs(map, row)?
            .filter_map(|(key, value)| Some((key.to_string(), value?.to_string())))
            .collect(),
    )
}

/// Adds the checkpoint rows that are live files; `None` on a deletion vector or a malformed row.
fn live_files(batch: &RecordBatch, files: &mut Files) -> Option<()> {
    let add = struct_column(batch, "add")?;
    let paths = string_field(add, "path")?;
    let sizes = add
        .column_by_name("size")?
        .as_any()
        .downcast_ref::<Int64Array>()?;
    let stats = string_field(add, "stats");
    let partitions = add.column_by_name("partitionValues")?.as_map_opt()?;
    let vectors = add.column_by_name("deletionVector");
    for row in (0..add.len()).filter(|&row| add.is_valid(row)) {
        if vectors.is_some_and(|v| v.is_valid(row)) {
            return None;
        }
        let part_id = map_entry(partitions, row, PARTITION_COLUMN)?;
        let stats = stats.and_then(|s| s.is_valid(row).then(|| s.value(row)));
        let path = percent_decode_str(paths.value(row)).decode_utf8().ok()?;
        files
            .entry(part_id.to_string())
            .or_default()
            .push(DataFile::new(path.into_owned(), sizes.value(row), stats));
    }
    Some(())
}

impl TableState {
    fn apply_checkpoint(&mut self, batch: &RecordBatch) -> Option<()> {
        if let Some(metadata) = struct_column(batch, "metaData") {
            for row in (0..metadata.len()).filter(|&row| metadata.is_valid(row)) {
                let schema = string_field(metadata, "schemaString")?;
                self.schema_string = Some(schema.value(row).to_string());
                let configuration = metadata.column_by_name("configuration")?.as_map_opt()?;
                self.configuration = Some(map_row(configuration, row)?);
                let columns = metadata
                    .column_by_name("partitionColumns")?
                    .as_list_opt::<i32>()?
                    .value(row);
                let columns = columns.as_string_opt::<i32>()?;
                self.partition_columns =
                    Some(columns.iter().flatten().map(str::to_string).collect());
            }
        }
        if let Some(protocol) = struct_column(batch, "protocol") {
            let version = |name: &str| -> Option<&Int32Array> {
                protocol.column_by_name(name)?.as_any().downcast_ref()
            };
            let (reader, writer) = (version("minReaderVersion")?, version("minWriterVersion")?);
            for row in (0..protocol.len()).filter(|&row| protocol.is_valid(row)) {
                self.min_reader_version = Some(reader.value(row));
                self.min_writer_version = Some(writer.value(row));
            }
        }
        Some(())
    }

    /// A log entry's metaData or protocol action replaces what was known.
    fn apply_json(&mut self, action: &Value) -> Option<()> {
        if let Some(metadata) = action.get("metaData") {
            self.schema_string = Some(metadata.get("schemaString")?.as_str()?.to_string());
            let configuration: HashMap<String, Option<String>> = match metadata.get("configuration")
            {
                Some(value) => serde_json::from_value(value.clone()).ok()?,
                None => HashMap::new(),
            };
            self.configuration = Some(
                configuration
                    .into_iter()
                    .filter_map(|(key, value)| Some((key, value?)))
                    .collect(),
            );
            self.partition_columns =
                Some(serde_json::from_value(metadata.get("partitionColumns")?.clone()).ok()?);
        }
        if let Some(protocol) = action.get("protocol") {
            let version = |name: &str| protocol.get(name)?.as_i64()?.try_into().ok();
            self.min_reader_version = Some(version("minReaderVersion")?);
            self.min_writer_version = Some(version("minWriterVersion")?);
        }
        Some(())
    }
}
