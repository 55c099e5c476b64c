//! Temporary tables, a runtime, and op-log rows built and read back as the binding passes them.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use deltalake::arrow::array::{
    Array, ArrayRef, AsArray, Int32Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use deltalake::arrow::datatypes::{Int64Type, SchemaRef};
use deltalake::arrow::ipc::reader::StreamReader;
use deltalake::arrow::ipc::writer::StreamWriter;
use pond_oplog_engine::{Committed, Table, commit_schema_ipc};

/// A directory removed with everything in it when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(format!("pond-engine-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn table(&self) -> String {
        self.0.join("pond").to_str().unwrap().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `future` on a multi-threaded runtime, as the addon's calls run.
pub fn run<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// One op-log row: a node's version committed at pond version `txn_seq`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Row {
    pub part_id: String,
    pub node_id: String,
    pub version: i64,
    pub txn_seq: i64,
    pub content: Option<Vec<u8>>,
    pub attrs: Option<String>,
}

impl Row {
    pub fn file(part_id: &str, node_id: &str, version: i64, txn_seq: i64) -> Self {
        Self {
            part_id: part_id.into(),
            node_id: node_id.into(),
            version,
            txn_seq,
            content: Some(format!("{node_id} v{version}").into_bytes()),
            attrs: None,
        }
    }

    pub fn with_attrs(mut self, attrs: &str) -> Self {
        self.attrs = Some(attrs.into());
        self
    }
}

fn commit_schema() -> SchemaRef {
    let bytes = commit_schema_ipc().unwrap();
    StreamReader::try_new(bytes.as_slice(), None)
        .unwrap()
        .schema()
}

/// `rows` as a commit hands them over: an IPC stream of the commit schema (the engine's own) and
/// the contents beside it, each row's in a buffer of its own.
pub fn commit_input(rows: &[Row]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let strings = |pick: fn(&Row) -> Option<String>| -> ArrayRef {
        Arc::new(rows.iter().map(pick).collect::<StringArray>())
    };
    let longs = |pick: fn(&Row) -> Option<i64>| -> ArrayRef {
        Arc::new(rows.iter().map(pick).collect::<Int64Array>())
    };
    let contents: Vec<Vec<u8>> = rows.iter().filter_map(|r| r.content.clone()).collect();
    let mut block = Vec::new();
    let mut next = 0;
    for row in rows {
        block.push(row.content.as_ref().map(|_| {
            next += 1;
            next - 1
        }));
    }
    let length: Int32Array = rows
        .iter()
        .map(|r| r.content.as_ref().map(|c| c.len() as i32))
        .collect();
    let offset: Int32Array = rows.iter().map(|r| r.content.as_ref().map(|_| 0)).collect();
    let timestamps: TimestampMicrosecondArray = rows
        .iter()
        .map(|r| Some(1_700_000_000_000_000 + r.txn_seq))
        .collect::<TimestampMicrosecondArray>()
        .with_timezone("UTC");
    let columns: Vec<ArrayRef> = vec![
        strings(|r| Some(r.part_id.clone())),
        strings(|r| Some(r.node_id.clone())),
        strings(|_| Some("file:data".into())),
        longs(|r| Some(r.version)),
        longs(|r| Some(r.txn_seq)),
        Arc::new(timestamps),
        strings(|_| None),
        longs(|r| Some(r.content.as_ref().map_or(0, |c| c.len() as i64))),
        strings(|_| Some("0".repeat(64))),
        longs(|_| None),
        longs(|_| None),
        strings(|r| r.attrs.clone()),
        Arc::new(block.into_iter().collect::<Int32Array>()),
        Arc::new(offset),
        Arc::new(length),
    ];
    let schema = commit_schema();
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let mut ipc = Vec::new();
    let mut writer = StreamWriter::try_new(&mut ipc, &schema).unwrap();
    writer.write(&batch).unwrap();
    writer.finish().unwrap();
    drop(writer);
    (ipc, contents)
}

/// Creates a table with `properties` (string pairs).
pub async fn create(dir: &TempDir, properties: &[(&str, &str)]) -> Table {
    let properties: HashMap<String, String> = properties
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Table::create(&dir.table(), properties, &Default::default()).await.unwrap()
}

/// Commits `rows` as the version after the loaded one.
pub async fn commit(table: &Table, rows: &[Row]) -> Committed {
    let (ipc, contents) = commit_input(rows);
    table
        .commit(ipc, contents, table.version() + 1, "{}")
        .await
        .unwrap()
}

/// The rows of an IPC stream of the table schema, sorted.
pub fn rows_of(ipc: &[u8]) -> Vec<Row> {
    let reader = StreamReader::try_new(ipc, None).unwrap();
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        let text = |name: &str| {
            batch
                .column_by_name(name)
                .unwrap()
                .as_string::<i32>()
                .clone()
        };
        let long = |name: &str| {
            batch
                .column_by_name(name)
                .unwrap()
                .as_primitive::<Int64Type>()
                .clone()
        };
        let (part_id, node_id, attrs) = (text("part_id"), text("node_id"), text("attrs"));
        let (version, txn_seq) = (long("version"), long("txn_seq"));
        let content = batch
            .column_by_name("content")
            .unwrap()
            .as_binary::<i32>()
            .clone();
        for i in 0..batch.num_rows() {
            rows.push(Row {
                part_id: part_id.value(i).into(),
                node_id: node_id.value(i).into(),
                version: version.value(i),
                txn_seq: txn_seq.value(i),
                content: (!content.is_null(i)).then(|| content.value(i).to_vec()),
                attrs: (!attrs.is_null(i)).then(|| attrs.value(i).into()),
            });
        }
    }
    rows.sort();
    rows
}

/// The `.parquet` files under a table's directory, relative to it, sorted.
pub fn data_files_on_disk(dir: &TempDir) -> Vec<String> {
    let root = PathBuf::from(dir.table());
    let mut found = Vec::new();
    for partition in std::fs::read_dir(&root).unwrap() {
        let partition = partition.unwrap();
        let name = partition.file_name().into_string().unwrap();
        if !name.starts_with("part_id=") {
            continue;
        }
        for file in std::fs::read_dir(partition.path()).unwrap() {
            let file = file.unwrap().file_name().into_string().unwrap();
            if file.ends_with(".parquet") {
                found.push(format!("{name}/{file}"));
            }
        }
    }
    found.sort();
    found
}
