//! SQL over a pond (DataFusion). Each named table is a list of Parquet sources: bytes handed in
//! (staged contents, other backends), or contents stored in the table, read where they lie:
//! inline in an op-log row (read natively, never through JavaScript) or under `_large_files`
//! (opened as confined.rs opens the pond's files; in a bucket, fetched whole and checked). Sources are unioned by column name (a column
//! missing from a source is null there); a table may add each row's pond path as `_path`; a
//! series' chunks whose recorded event-time bounds miss the query's time range, or the bounds
//! its WHERE clause puts on the time column, are not read at all. Results stream as Arrow IPC.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Read;
use std::ops::Range;
use std::os::unix::fs::MetadataExt;
use std::path::{Path as FsPath, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Int64Type, Schema, SchemaRef};
use datafusion::arrow::ipc::writer::StreamWriter;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::stats::Precision;
use datafusion::common::{DataFusionError, ScalarValue, Statistics, TableReference};
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder, ParquetSource};
use datafusion::datasource::table_schema::TableSchema;
use datafusion::datasource::{TableType, ViewTable, provider_as_source};
use datafusion::execution::SendableRecordBatchStream;
use datafusion::execution::context::SQLOptions;
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::logical_expr::expr::InList;
use datafusion::logical_expr::{
    Between, BinaryExpr, Cast, Expr, LogicalPlanBuilder, Operator, TableProviderFilterPushDown,
    TryCast, col, lit,
};
use datafusion::parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::empty::EmptyExec;
use datafusion::prelude::{SessionConfig, SessionContext};
use futures::StreamExt;
use futures::stream::BoxStream;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as StorePath;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    ObjectStoreExt, PutMultipartOptions, PutOptions, PutPayload, PutResult, RenameOptions,
};
use ring::digest::{Context, SHA256, digest};

use crate::confined;
use crate::data_file::{self, Wanted};
use crate::error::{Code, PondError, PondResult, from_arrow_internal, from_io, from_join};
use crate::handle::Handle;
use crate::location::Root;

/// The column a table of several files adds: the pond path each row came from.
pub const PATH_COLUMN: &str = "_path";

/// The directory of large contents inside a pond.
const LARGE_FILES: &str = "_large_files";

/// What a query may hold in memory before an operator fails with an error (or spills, for
/// those that can) rather than the process running out.
const MEMORY_LIMIT: usize = 2 << 30;

/// Where a source's Parquet bytes are.
pub enum Content {
    /// Handed in.
    Bytes(Bytes),
    /// Inline in the op-log row of node `node_id`'s version `version`, in partition `part_id`.
    Inline {
        part_id: String,
        node_id: String,
        version: i64,
    },
    /// Under `_large_files`: `reference` is the row's `content_ref`.
    Large { reference: String },
}

/// One Parquet file of a table.
pub struct Source {
    /// The pond path (with its version) that names it in messages and in `_path`.
    pub path: String,
    pub content: Content,
    /// What the pond recorded for the content; stored contents are checked against them.
    pub size: u64,
    pub sha256: String,
    /// The chunk's recorded event-time bounds on the table's time column, epoch milliseconds
    /// rounded outwards; a source without them is always read.
    pub min_event_ms: Option<i64>,
    pub max_event_ms: Option<i64>,
}

/// A table of a query.
pub struct QueryTable {
    pub name: String,
    pub sources: Vec<Source>,
    /// Adds `_path`.
    pub path_column: bool,
    /// The column whose bounds prune sources, with the unit of an integer one (s, ms, us, ns).
    pub time_column: Option<String>,
    pub time_unit: Option<String>,
    /// Only rows with start <= time < end (epoch milliseconds), when the table has a time column.
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
}

/// A running query: its result as Arrow IPC stream bytes, a piece at a time.
pub struct QueryStream {
    batches: SendableRecordBatchStream,
    writer: Option<StreamWriter<Vec<u8>>>,
    sources_read: Arc<AtomicU64>,
}

impl QueryStream {
    /// The next piece of the IPC stream: the schema first, then one batch per call, then the end
    /// marker; `None` after that.
    pub async fn next(&mut self) -> PondResult<Option<Vec<u8>>> {
        let Some(writer) = self.writer.as_mut() else {
            return Ok(None);
        };
        if !writer.get_ref().is_empty() {
            return Ok(Some(std::mem::take(writer.get_mut())));
        }
        loop {
            match self.batches.next().await {
                Some(batch) => {
                    let batch = batch.map_err(from_datafusion)?;
                    if batch.num_rows() == 0 {
                        continue;
                    }
                    writer
                        .write(&batch)
                        .map_err(|e| from_arrow_internal(e, "encoding a result batch"))?;
                    return Ok(Some(std::mem::take(writer.get_mut())));
                }
                None => {
                    let mut writer = self
                        .writer
                        .take()
                        .ok_or_else(|| PondError::internal("the result stream ended twice"))?;
                    writer
                        .finish()
                        .map_err(|e| from_arrow_internal(e, "ending the result stream"))?;
                    return Ok(Some(std::mem::take(writer.get_mut())));
                }
            }
        }
    }

    /// How many sources (series chunks, files) the query has opened so far.
    pub fn sources_read(&self) -> u64 {
        self.sources_read.load(Ordering::Relaxed)
    }
}

/// Plans `sql` over `tables` whose sources are all bytes, and starts it.
pub async fn query(sql: &str, tables: Vec<QueryTable>) -> PondResult<QueryStream> {
    run(None, sql, tables).await
}

/// Plans `sql` over `tables` and starts it. `handle` reads stored contents; without one, every
/// source must be bytes. EINVAL for bad SQL (with the parser's position), unknown columns and
/// tables, statements other than queries, and sources that are not Parquet.
pub async fn run(
    handle: Option<&Handle>,
    sql: &str,
    tables: Vec<QueryTable>,
) -> PondResult<QueryStream> {
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_limit(MEMORY_LIMIT, 1.0)
        .build_arc()
        .map_err(from_datafusion)?;
    let mut config = SessionConfig::new().with_information_schema(false);
    // A join whose smaller side is up to a million rows builds one hash table from it that every
    // partition of the other side probes, rather than hash-repartitioning both sides: on a few
    // cores, moving every row of a long series between partitions costs more than the
    // parallel build saves (a join of 10M rows with 167K ran ~1.2x slower partitioned).
    let optimizer = &mut config.options_mut().optimizer;
    optimizer.hash_join_single_partition_threshold_rows = 1 << 20;
    optimizer.hash_join_single_partition_threshold = 64 << 20;
    let ctx = SessionContext::new_with_config_rt(config, runtime);
    let store = Arc::new(QueryStore::new(handle.and_then(local_dir))?);
    let url = ObjectStoreUrl::parse("pond://query/").map_err(from_datafusion)?;
    ctx.register_object_store(AsRef::<url::Url>::as_ref(&url), store.clone());
    let sources_read = Arc::new(AtomicU64::new(0));
    let mut names = HashSet::new();
    for table in tables {
        if !names.insert(table.name.clone()) {
            return Err(PondError::einval(format!(
                "table {:?} is named twice",
                table.name
            )));
        }
        let provider = PondTable::new(handle, &store, &url, table, sources_read.clone()).await?;
        register(&ctx, provider)?;
    }
    let options = SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false);
    let frame = ctx
        .sql_with_options(sql, options)
        .await
        .map_err(from_datafusion)?;
    let batches = frame.execute_stream().await.map_err(from_datafusion)?;
    let writer = StreamWriter::try_new(Vec::new(), batches.schema().as_ref())
        .map_err(|e| from_arrow_internal(e, "encoding the result schema"))?;
    Ok(QueryStream {
        batches,
        writer: Some(writer),
        sources_read,
    })
}

/// Registers a table under its own name, behind a view that keeps only its time range.
fn register(ctx: &SessionContext, table: PondTable) -> PondResult<()> {
    let name = TableReference::bare(table.name.clone());
    let range = table.range_filter()?;
    let provider: Arc<dyn TableProvider> = Arc::new(table);
    let provider = match range {
        None => provider,
        Some(filter) => {
            let plan = LogicalPlanBuilder::scan(name.clone(), provider_as_source(provider), None)
                .and_then(|plan| plan.filter(filter))
                .and_then(|plan| plan.build())
                .map_err(from_datafusion)?;
            Arc::new(ViewTable::new(plan, None))
        }
    };
    ctx.register_table(name, provider)
        .map_err(from_datafusion)?;
    Ok(())
}

/// A source once located: where DataFusion reads it, and its columns.
struct Located {
    path: String,
    location: StorePath,
    size: u64,
    /// Rows, from the footer: the planner's estimate (a join builds on its smaller side).
    rows: u64,
    sha256: String,
    min_event_ms: Option<i64>,
    max_event_ms: Option<i64>,
    /// A large file, hashed before its first read.
    large: bool,
}

#[derive(Debug)]
struct PondTable {
    name: String,
    schema: SchemaRef,
    file_schema: SchemaRef,
    path_column: bool,
    time_column: Option<String>,
    time_unit: Option<String>,
    start_ms: Option<i64>,
    end_ms: Option<i64>,
    sources: Vec<Arc<Located>>,
    url: ObjectStoreUrl,
    root: Option<PathBuf>,
    sources_read: Arc<AtomicU64>,
}

impl fmt::Debug for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.path, self.location)
    }
}

impl PondTable {
    async fn new(
        handle: Option<&Handle>,
        store: &QueryStore,
        url: &ObjectStoreUrl,
        table: QueryTable,
        sources_read: Arc<AtomicU64>,
    ) -> PondResult<Self> {
        let root = handle.and_then(local_dir);
        let inline = match handle {
            Some(handle) => inline_contents(handle, &table.sources).await?,
            None => HashMap::new(),
        };
        let table_index = store.tables.fetch_add(1, Ordering::Relaxed);
        let mut located = Vec::with_capacity(table.sources.len());
        let mut schema: Option<(Schema, String)> = None;
        for (index, source) in table.sources.into_iter().enumerate() {
            // What is read: the bytes held, or the large file checked to be of the recorded size.
            // Bytes handed in or read from an op-log row are held in memory under their own name.
            let held = match source.content {
                Content::Bytes(bytes) => Ok((bytes, "bytes")),
                Content::Inline {
                    part_id,
                    node_id,
                    version,
                } => {
                    let key = (part_id, node_id, version);
                    let bytes = inline.get(&key).cloned().ok_or_else(|| {
                        PondError::corrupt(format!(
                            "{}: version {} of node {} is not in partition {}",
                            source.path, key.2, key.1, key.0
                        ))
                    })?;
                    check_content(&bytes, source.size, &source.sha256, &source.path)?;
                    Ok((bytes, "inline"))
                }
                Content::Large { reference } => match handle {
                    // A bucket's large file is fetched whole and checked, then held as bytes are.
                    Some(handle) if root.is_none() => {
                        let bytes = bucket_large_file(handle, &reference, &source.path).await?;
                        check_content(&bytes, source.size, &source.sha256, &source.path)?;
                        Ok((bytes, "large"))
                    }
                    _ => Err(reference),
                },
            };
            let (location, large, file_schema, size, rows) = match held {
                Ok((bytes, kind)) => {
                    let size = bytes.len() as u64;
                    let location = StorePath::from(format!("{kind}/{table_index}/{index}"));
                    let (file_schema, rows) = parquet_schema(&bytes, &source.path)?;
                    store
                        .memory
                        .put(&location, bytes.into())
                        .await
                        .map_err(|e| {
                            PondError::internal(format!("holding {}: {e}", source.path))
                        })?;
                    (location, false, file_schema, size, rows)
                }
                Err(reference) => {
                    let root = root.as_deref().ok_or_else(|| {
                        PondError::einval(format!(
                            "{}: a stored content needs its pond",
                            source.path
                        ))
                    })?;
                    let file = open_large(root, &reference, &source.sha256, source.size)?;
                    let meta = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new())
                        .map_err(|e| not_parquet(&source.path, &e))?;
                    let schema = meta.schema().clone();
                    let rows = rows_of(&meta);
                    (StorePath::from(reference), true, schema, source.size, rows)
                }
            };
            merge_into(&mut schema, &file_schema, &source.path)?;
            located.push(Arc::new(Located {
                path: source.path,
                location,
                size,
                rows,
                sha256: source.sha256,
                min_event_ms: source.min_event_ms,
                max_event_ms: source.max_event_ms,
                large,
            }));
        }
        let Some((file_schema, _)) = schema else {
            return Err(PondError::new(
                Code::Enoent,
                format!("table {:?} has no file", table.name),
            ));
        };
        let file_schema = Arc::new(file_schema);
        let mut fields: Vec<Field> = file_schema
            .fields()
            .iter()
            .map(|f| f.as_ref().clone())
            .collect();
        if table.path_column {
            if file_schema.field_with_name(PATH_COLUMN).is_ok() {
                return Err(PondError::einval(format!(
                    "table {:?}: its files have a column named {PATH_COLUMN}, the column that names each row's file",
                    table.name
                )));
            }
            fields.push(Field::new(PATH_COLUMN, DataType::Utf8, false));
        }
        if let Some(column) = &table.time_column
            && file_schema.field_with_name(column).is_err()
        {
            return Err(PondError::einval(format!(
                "table {:?} has no time column {column:?}",
                table.name
            )));
        }
        Ok(Self {
            name: table.name,
            schema: Arc::new(Schema::new(fields)),
            file_schema,
            path_column: table.path_column,
            time_column: table.time_column,
            time_unit: table.time_unit,
            start_ms: table.start_ms,
            end_ms: table.end_ms,
            sources: located,
            url: url.clone(),
            root,
            sources_read,
        })
    }

    /// `start <= time AND time < end` on the time column, when the table has a range.
    fn range_filter(&self) -> PondResult<Option<Expr>> {
        let Some(column) = &self.time_column else {
            return Ok(None);
        };
        if self.start_ms.is_none() && self.end_ms.is_none() {
            return Ok(None);
        }
        let field = self
            .file_schema
            .field_with_name(column)
            .map_err(|e| PondError::einval(e.to_string()))?;
        let bound = |ms: i64| time_literal(ms, field.data_type(), self.time_unit.as_deref());
        let time = col(datafusion::common::Column::new_unqualified(column));
        let mut filter: Option<Expr> = None;
        if let Some(start) = self.start_ms {
            filter = Some(time.clone().gt_eq(lit(bound(start)?)));
        }
        if let Some(end) = self.end_ms {
            let upper = time.lt(lit(bound(end)?));
            filter = Some(match filter {
                Some(lower) => lower.and(upper),
                None => upper,
            });
        }
        Ok(filter)
    }

    /// The epoch-millisecond bounds `filters` put on the time column: (lowest, highest).
    fn bounds(&self, filters: &[Expr]) -> (Option<i64>, Option<i64>) {
        let Some(column) = &self.time_column else {
            return (None, None);
        };
        let unit = self.time_unit.as_deref();
        let mut bounds = (None, None);
        for filter in filters {
            collect_bounds(filter, column, unit, &mut bounds);
        }
        bounds
    }

    /// Hashes a large file before it is first read: a pond's content is checked against its
    /// recorded sha256 on every read, here as elsewhere (once per process while the file is
    /// unchanged, see `verify_large`).
    async fn verify(&self, source: &Located) -> PondResult<()> {
        if !source.large {
            return Ok(());
        }
        let Some(root) = self.root.clone() else {
            return Err(PondError::internal("a large file without its pond"));
        };
        let (reference, sha256, size, path) = (
            source.location.to_string(),
            source.sha256.clone(),
            source.size,
            source.path.clone(),
        );
        tokio::task::spawn_blocking(move || verify_large(&root, &reference, &sha256, size, &path))
            .await
            .map_err(|e| from_join(e, "hashing a large file"))?
    }
}

/// The literal for epoch milliseconds `ms` in a time column of type `data_type`.
fn time_literal(ms: i64, data_type: &DataType, unit: Option<&str>) -> PondResult<ScalarValue> {
    let value = match data_type {
        DataType::Timestamp(_, tz) => ScalarValue::TimestampMillisecond(Some(ms), tz.clone())
            .cast_to(data_type)
            .map_err(from_datafusion)?,
        DataType::Int64 | DataType::Int32 => {
            let scaled = match unit.unwrap_or("ms") {
                "s" => ms.div_euclid(1000),
                "ms" => ms,
                "us" => ms.saturating_mul(1000),
                "ns" => ms.saturating_mul(1_000_000),
                other => return Err(PondError::einval(format!("unknown time unit {other:?}"))),
            };
            ScalarValue::Int64(Some(scaled))
                .cast_to(data_type)
                .map_err(from_datafusion)?
        }
        other => {
            return Err(PondError::einval(format!(
                "a time range needs a timestamp or integer time column, not {other}"
            )));
        }
    };
    Ok(value)
}

/// Epoch milliseconds of a literal compared with the time column (floor or ceiling), if it is
/// one pruning understands.
fn literal_ms(value: &ScalarValue, unit: Option<&str>, ceiling: bool) -> Option<i64> {
    let divide = |v: i64, by: i64| {
        if ceiling {
            v.div_euclid(by) + i64::from(v.rem_euclid(by) != 0)
        } else {
            v.div_euclid(by)
        }
    };
    match value {
        ScalarValue::TimestampSecond(Some(v), _) => v.checked_mul(1000),
        ScalarValue::TimestampMillisecond(Some(v), _) => Some(*v),
        ScalarValue::TimestampMicrosecond(Some(v), _) => Some(divide(*v, 1000)),
        ScalarValue::TimestampNanosecond(Some(v), _) => Some(divide(*v, 1_000_000)),
        ScalarValue::Int64(Some(v)) => match unit? {
            "s" => v.checked_mul(1000),
            "ms" => Some(*v),
            "us" => Some(divide(*v, 1000)),
            "ns" => Some(divide(*v, 1_000_000)),
            _ => None,
        },
        ScalarValue::Int32(Some(v)) => {
            literal_ms(&ScalarValue::Int64(Some(i64::from(*v))), unit, ceiling)
        }
        _ => None,
    }
}

/// The value of a literal, or of a literal cast to another type (as a comparison of a timestamp
/// column with a string or a timestamp of another unit reaches a table).
fn literal_of(expr: &Expr) -> Option<ScalarValue> {
    match expr {
        Expr::Literal(v, _) => Some(v.clone()),
        Expr::Cast(Cast { expr, field }) | Expr::TryCast(TryCast { expr, field }) => {
            literal_of(expr)?.cast_to(field.data_type()).ok()
        }
        _ => None,
    }
}

/// Narrows `bounds` (lowest, highest epoch ms) by what `filter` says of `column`.
fn collect_bounds(
    filter: &Expr,
    column: &str,
    unit: Option<&str>,
    bounds: &mut (Option<i64>, Option<i64>),
) {
    let is_time = |e: &Expr| matches!(e, Expr::Column(c) if c.name == column);
    let lower = |ms: i64, b: &mut (Option<i64>, Option<i64>)| {
        b.0 = Some(b.0.map_or(ms, |lo: i64| lo.max(ms)));
    };
    let upper = |ms: i64, b: &mut (Option<i64>, Option<i64>)| {
        b.1 = Some(b.1.map_or(ms, |hi: i64| hi.min(ms)));
    };
    match filter {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
            if *op == Operator::And {
                collect_bounds(left, column, unit, bounds);
                collect_bounds(right, column, unit, bounds);
                return;
            }
            // Either side: what both bound (a short IN list reaches a table as equalities ORed).
            if *op == Operator::Or {
                let (mut l, mut r) = ((None, None), (None, None));
                collect_bounds(left, column, unit, &mut l);
                collect_bounds(right, column, unit, &mut r);
                if let (Some(a), Some(b)) = (l.0, r.0) {
                    lower(a.min(b), bounds);
                }
                if let (Some(a), Some(b)) = (l.1, r.1) {
                    upper(a.max(b), bounds);
                }
                return;
            }
            let (op, value) = match (left.as_ref(), right.as_ref()) {
                (l, r) if is_time(l) => match literal_of(r) {
                    Some(v) => (*op, v),
                    None => return,
                },
                (l, r) if is_time(r) => match (op.swap(), literal_of(l)) {
                    (Some(op), Some(v)) => (op, v),
                    _ => return,
                },
                _ => return,
            };
            let value = &value;
            match op {
                Operator::Gt | Operator::GtEq => {
                    if let Some(ms) = literal_ms(value, unit, false) {
                        lower(ms, bounds);
                    }
                }
                Operator::Lt | Operator::LtEq => {
                    if let Some(ms) = literal_ms(value, unit, true) {
                        upper(ms, bounds);
                    }
                }
                Operator::Eq => {
                    if let (Some(lo), Some(hi)) = (
                        literal_ms(value, unit, false),
                        literal_ms(value, unit, true),
                    ) {
                        lower(lo, bounds);
                        upper(hi, bounds);
                    }
                }
                _ => {}
            }
        }
        Expr::Between(Between {
            expr,
            negated: false,
            low,
            high,
        }) if is_time(expr) => {
            if let Some(ms) = literal_of(low).and_then(|v| literal_ms(&v, unit, false)) {
                lower(ms, bounds);
            }
            if let Some(ms) = literal_of(high).and_then(|v| literal_ms(&v, unit, true)) {
                upper(ms, bounds);
            }
        }
        // Only rows equal to one of the values: between the least and the greatest.
        Expr::InList(InList {
            expr,
            list,
            negated: false,
        }) if is_time(expr) => {
            let floors: Option<Vec<i64>> = list
                .iter()
                .map(|e| literal_of(e).and_then(|v| literal_ms(&v, unit, false)))
                .collect();
            let ceilings: Option<Vec<i64>> = list
                .iter()
                .map(|e| literal_of(e).and_then(|v| literal_ms(&v, unit, true)))
                .collect();
            if let (Some(lo), Some(hi)) = (
                floors.and_then(|f| f.into_iter().min()),
                ceilings.and_then(|c| c.into_iter().max()),
            ) {
                lower(lo, bounds);
                upper(hi, bounds);
            }
        }
        _ => {}
    }
}

#[async_trait]
impl TableProvider for PondTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> datafusion::common::Result<Vec<TableProviderFilterPushDown>> {
        // Seen for pruning; DataFusion still applies every filter to the rows read.
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> datafusion::common::Result<Arc<dyn ExecutionPlan>> {
        let (lowest, highest) = self.bounds(filters);
        // A chunk's recorded bounds are rounded outwards, so one that ends before the lowest
        // time wanted or starts after the highest holds no row the query keeps.
        let wanted: Vec<&Arc<Located>> = self
            .sources
            .iter()
            .filter(|s| match (s.min_event_ms, s.max_event_ms) {
                (Some(min), Some(max)) => {
                    lowest.is_none_or(|lo| max >= lo) && highest.is_none_or(|hi| min <= hi)
                }
                _ => true,
            })
            .collect();
        self.sources_read
            .fetch_add(wanted.len() as u64, Ordering::Relaxed);
        if wanted.is_empty() {
            let schema = match projection {
                Some(p) => Arc::new(self.schema.project(p)?),
                None => self.schema.clone(),
            };
            return Ok(Arc::new(EmptyExec::new(schema)));
        }
        for source in &wanted {
            self.verify(source)
                .await
                .map_err(|e| DataFusionError::External(Box::new(e)))?;
        }
        let partitions = state.config().target_partitions().max(1);
        let mut groups: Vec<Vec<PartitionedFile>> = vec![Vec::new(); partitions.min(wanted.len())];
        let count = groups.len();
        for (i, source) in wanted.iter().enumerate() {
            let mut file = PartitionedFile::new_from_meta(ObjectMeta {
                location: source.location.clone(),
                last_modified: chrono::DateTime::<chrono::Utc>::MIN_UTC,
                size: source.size,
                e_tag: None,
                version: None,
            });
            if self.path_column {
                file =
                    file.with_partition_values(vec![ScalarValue::Utf8(Some(source.path.clone()))]);
            }
            groups[i % count].push(file);
        }
        let partition_cols = if self.path_column {
            vec![Arc::new(Field::new(PATH_COLUMN, DataType::Utf8, false))]
        } else {
            Vec::new()
        };
        let table_schema = TableSchema::builder(self.file_schema.clone())
            .with_table_partition_cols(partition_cols)
            .build();
        let source = Arc::new(ParquetSource::new(table_schema));
        let mut statistics = Statistics::new_unknown(&self.schema);
        let rows: u64 = wanted.iter().map(|s| s.rows).sum();
        statistics.num_rows = Precision::Inexact(usize::try_from(rows).unwrap_or(usize::MAX));
        let config = FileScanConfigBuilder::new(self.url.clone(), source)
            .with_file_groups(groups.into_iter().map(FileGroup::new).collect())
            .with_statistics(statistics)
            .with_projection_indices(projection.cloned())?
            .with_limit(limit)
            .build();
        let format = ParquetFormat::default().with_options(state.table_options().parquet.clone());
        format.create_physical_plan(state, config).await
    }
}

/// Adds `file`'s columns to `merged`: union by name, first seen first; a column typed otherwise
/// than where it was first seen is EINVAL naming both files.
fn merge_into(merged: &mut Option<(Schema, String)>, file: &Schema, path: &str) -> PondResult<()> {
    let (schema, first) = merged.get_or_insert_with(|| (Schema::empty(), path.to_string()));
    let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    for field in file.fields() {
        match fields.iter().find(|f| f.name() == field.name()) {
            Some(seen) if seen.data_type() != field.data_type() => {
                return Err(PondError::einval(format!(
                    "column {:?} is {} in {path} but {} in {first}",
                    field.name(),
                    field.data_type(),
                    seen.data_type()
                )));
            }
            Some(_) => {}
            None => fields.push(Field::new(field.name(), field.data_type().clone(), true)),
        }
    }
    *schema = Schema::new(fields);
    Ok(())
}

fn not_parquet(path: &str, err: &dyn fmt::Display) -> PondError {
    PondError::einval(format!(
        "{path} is not a Parquet file, so it cannot be queried ({err})"
    ))
}

/// The Arrow schema of Parquet `bytes`; EINVAL when they are not Parquet.
fn parquet_schema(bytes: &Bytes, path: &str) -> PondResult<(SchemaRef, u64)> {
    ArrowReaderMetadata::load(bytes, ArrowReaderOptions::new())
        .map(|meta| (meta.schema().clone(), rows_of(&meta)))
        .map_err(|e| not_parquet(path, &e))
}

/// The row count a Parquet footer records.
fn rows_of(meta: &ArrowReaderMetadata) -> u64 {
    u64::try_from(meta.metadata().file_metadata().num_rows()).unwrap_or(0)
}

/// CORRUPT unless `bytes` are `size` bytes hashing to `sha256`.
fn check_content(bytes: &[u8], size: u64, sha256: &str, path: &str) -> PondResult<()> {
    if bytes.len() as u64 != size {
        return Err(PondError::corrupt(format!(
            "{path}: stored content is {} bytes, its row says {size}",
            bytes.len()
        )));
    }
    let actual = hex(digest(&SHA256, bytes).as_ref());
    if actual != sha256 {
        return Err(PondError::corrupt(format!(
            "{path}: stored content does not match its sha256"
        )));
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Opens large file `reference` of the pond at `root`, checking that the reference is exactly
/// `_large_files/sha256=<sha256>`, that `_large_files` is a real directory and the file a regular
/// file of `size` bytes, without following a link.
fn open_large(
    root: &FsPath,
    reference: &str,
    sha256: &str,
    size: u64,
) -> PondResult<std::fs::File> {
    let hex_ok = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !hex_ok || reference != format!("{LARGE_FILES}/sha256={sha256}") {
        return Err(PondError::corrupt(format!(
            "content reference {reference:?} is not {LARGE_FILES}/sha256=<its sha256>"
        )));
    }
    let path = root.join(reference);
    let missing = || PondError::corrupt(format!("large file {} is missing", path.display()));
    if !confined::real_dir(&root.join(LARGE_FILES))? {
        return Err(missing());
    }
    let file = confined::open_regular(&path)?.ok_or_else(missing)?;
    let actual = file
        .metadata()
        .map_err(|e| from_io(e, "inspecting", &path))?
        .len();
    if actual != size {
        return Err(PondError::corrupt(format!(
            "large file {} is {actual} bytes, its row says {size}",
            path.display()
        )));
    }
    Ok(file)
}

/// The large files this process has hashed, as (sha256, device, inode, size, modification
/// time): a content-addressed file that is still the same file need not be hashed again.
static VERIFIED: LazyLock<Mutex<HashSet<(String, u64, u64, u64, i64, i64)>>> =
    LazyLock::new(|| Mutex::new(HashSet::new()));

/// Hashes a large file (unless this process did while it was the same file), CORRUPT naming
/// `path` when it does not match.
fn verify_large(
    root: &FsPath,
    reference: &str,
    sha256: &str,
    size: u64,
    path: &str,
) -> PondResult<()> {
    let mut file = open_large(root, reference, sha256, size)?;
    let full = root.join(reference);
    let meta = file
        .metadata()
        .map_err(|e| from_io(e, "inspecting", &full))?;
    let key = (
        sha256.to_string(),
        meta.dev(),
        meta.ino(),
        meta.size(),
        meta.mtime(),
        meta.mtime_nsec(),
    );
    if VERIFIED.lock().is_ok_and(|v| v.contains(&key)) {
        return Ok(());
    }
    let mut hasher = Context::new(&SHA256);
    let mut buffer = vec![0u8; 1 << 20];
    let mut read = 0u64;
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| from_io(e, "reading", &full))?;
        if n == 0 {
            break;
        }
        read += n as u64;
        if read > size {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    if read != size || hex(hasher.finish().as_ref()) != sha256 {
        return Err(PondError::corrupt(format!(
            "{path}: large file {} does not match its sha256",
            full.display()
        )));
    }
    if let Ok(mut verified) = VERIFIED.lock() {
        verified.insert(key);
    }
    Ok(())
}

/// The inline contents of the `Inline` sources, read from their nodes' rows: one read of each
/// node's files, only those whose stats admit it.
async fn inline_contents(
    handle: &Handle,
    sources: &[Source],
) -> PondResult<HashMap<(String, String, i64), Bytes>> {
    let mut nodes: HashMap<(String, String), HashSet<i64>> = HashMap::new();
    for source in sources {
        if let Content::Inline {
            part_id,
            node_id,
            version,
        } = &source.content
        {
            nodes
                .entry((part_id.clone(), node_id.clone()))
                .or_default()
                .insert(*version);
        }
    }
    let mut contents = HashMap::new();
    if nodes.is_empty() {
        return Ok(contents);
    }
    let index = handle.index().await?;
    for ((part_id, node_id), versions) in nodes {
        let files: Vec<String> = index
            .files(&part_id)
            .iter()
            .filter(|f| f.may_hold(&node_id))
            .map(|f| f.path.clone())
            .collect();
        let wanted = Arc::new(Wanted::node(&node_id));
        let mut batches = Vec::new();
        for path in files {
            batches.extend(data_file::rows_at(&handle.root, path, wanted.clone()).await?.0);
        }
        for batch in &batches {
            for (version, bytes) in row_contents(batch)? {
                if versions.contains(&version) {
                    contents.insert((part_id.clone(), node_id.clone(), version), bytes);
                }
            }
        }
    }
    Ok(contents)
}

/// The directory of a table on local disk; None for one in a bucket.
fn local_dir(handle: &Handle) -> Option<PathBuf> {
    match &handle.root {
        Root::Local(dir) => Some(dir.clone()),
        Root::Bucket(_) => None,
    }
}

/// Large file `reference` (`_large_files/<name>`) of a table in a bucket, whole.
async fn bucket_large_file(handle: &Handle, reference: &str, path: &str) -> PondResult<Bytes> {
    let name = reference
        .strip_prefix(LARGE_FILES)
        .and_then(|rest| rest.strip_prefix('/'))
        .ok_or_else(|| PondError::corrupt(format!("{path}: {reference:?} is not a large file")))?;
    crate::large_files::read(&handle.root, name)
        .await?
        .ok_or_else(|| PondError::corrupt(format!("{path}: large file {reference} is missing")))
}

/// (version, inline content) of each row of `batch` (file schema) that has one.
fn row_contents(batch: &RecordBatch) -> PondResult<Vec<(i64, Bytes)>> {
    let column = |name: &str| {
        batch
            .column_by_name(name)
            .ok_or_else(|| PondError::internal(format!("{name} column vanished")))
    };
    let versions = column("version")?.as_primitive::<Int64Type>();
    let contents = column(crate::schema::CONTENT_COLUMN)?.as_binary::<i32>();
    Ok((0..batch.num_rows())
        .filter(|&i| contents.is_valid(i))
        .map(|i| (versions.value(i), Bytes::copy_from_slice(contents.value(i))))
        .collect())
}

/// DataFusion's error as pond's: the query's own faults are EINVAL with DataFusion's message
/// (which holds the parser's line and column), pond's errors pass through, storage faults keep
/// their kind.
pub fn from_datafusion(err: DataFusionError) -> PondError {
    let root = err.find_root();
    if let DataFusionError::External(inner) = root
        && let Some(pond) = inner.downcast_ref::<PondError>()
    {
        return PondError::new(pond.code, pond.message.clone());
    }
    let code = match root {
        DataFusionError::SQL(..)
        | DataFusionError::Plan(_)
        | DataFusionError::SchemaError(..)
        | DataFusionError::NotImplemented(_)
        | DataFusionError::Configuration(_)
        | DataFusionError::Execution(_)
        | DataFusionError::ArrowError(..) => Code::Einval,
        DataFusionError::ResourcesExhausted(_) => Code::Einval,
        DataFusionError::ParquetError(_) => Code::Corrupt,
        DataFusionError::IoError(_) | DataFusionError::ObjectStore(_) => Code::Io,
        _ => Code::Internal,
    };
    PondError::new(code, root.to_string())
}

/// The object store a query reads: handed-in and inline contents held in memory, large files
/// from the pond's `_large_files` (checked by `open_large` before they are named here).
#[derive(Debug)]
struct QueryStore {
    memory: InMemory,
    local: Option<LocalFileSystem>,
    /// Tables registered so far: each one's sources go under its own number.
    tables: AtomicU64,
}

impl QueryStore {
    fn new(root: Option<PathBuf>) -> PondResult<Self> {
        let local = match root {
            Some(root) => Some(LocalFileSystem::new_with_prefix(&root).map_err(|e| {
                PondError::new(Code::Io, format!("reading {}: {e}", root.display()))
            })?),
            None => None,
        };
        Ok(Self {
            memory: InMemory::new(),
            local,
            tables: AtomicU64::new(0),
        })
    }

    fn route(&self, location: &StorePath) -> &dyn ObjectStore {
        match (&self.local, location.parts().next()) {
            (Some(local), Some(first)) if first.as_ref() == LARGE_FILES => local,
            _ => &self.memory,
        }
    }
}

impl fmt::Display for QueryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pond query sources")
    }
}

fn read_only() -> object_store::Error {
    object_store::Error::NotSupported {
        source: "a query's sources are read-only".into(),
    }
}

#[async_trait]
impl ObjectStore for QueryStore {
    async fn put_opts(
        &self,
        _location: &StorePath,
        _payload: PutPayload,
        _opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        Err(read_only())
    }

    async fn put_multipart_opts(
        &self,
        _location: &StorePath,
        _opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        Err(read_only())
    }

    async fn get_opts(
        &self,
        location: &StorePath,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        self.route(location).get_opts(location, options).await
    }

    async fn get_ranges(
        &self,
        location: &StorePath,
        ranges: &[Range<u64>],
    ) -> object_store::Result<Vec<Bytes>> {
        self.route(location).get_ranges(location, ranges).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, object_store::Result<StorePath>>,
    ) -> BoxStream<'static, object_store::Result<StorePath>> {
        locations.map(|_| Err(read_only())).boxed()
    }

    fn list(
        &self,
        prefix: Option<&StorePath>,
    ) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        self.memory.list(prefix)
    }

    async fn list_with_delimiter(
        &self,
        prefix: Option<&StorePath>,
    ) -> object_store::Result<ListResult> {
        self.memory.list_with_delimiter(prefix).await
    }

    async fn copy_opts(
        &self,
        _from: &StorePath,
        _to: &StorePath,
        _options: CopyOptions,
    ) -> object_store::Result<()> {
        Err(read_only())
    }

    async fn rename_opts(
        &self,
        _from: &StorePath,
        _to: &StorePath,
        _options: RenameOptions,
    ) -> object_store::Result<()> {
        Err(read_only())
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Float64Array, Int64Array, TimestampMillisecondArray};
    use datafusion::arrow::datatypes::TimeUnit;
    use datafusion::arrow::ipc::reader::StreamReader;
    use datafusion::parquet::arrow::ArrowWriter;

    /// Parquet of `times` (ms) and, when `with_value`, a value column equal to the time.
    fn parquet(times: &[i64], with_value: bool) -> Bytes {
        let mut fields = vec![Field::new(
            "t",
            DataType::Timestamp(TimeUnit::Millisecond, None),
            false,
        )];
        let mut columns: Vec<Arc<dyn Array>> =
            vec![Arc::new(TimestampMillisecondArray::from(times.to_vec()))];
        if with_value {
            fields.push(Field::new("value", DataType::Float64, true));
            columns.push(Arc::new(Float64Array::from(
                times.iter().map(|&t| t as f64).collect::<Vec<_>>(),
            )));
        }
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap();
        let mut out = Vec::new();
        let mut writer = ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        Bytes::from(out)
    }

    fn chunk(times: &[i64], with_value: bool) -> Source {
        Source {
            path: "/series".into(),
            content: Content::Bytes(parquet(times, with_value)),
            size: 0,
            sha256: String::new(),
            min_event_ms: times.iter().min().copied(),
            max_event_ms: times.iter().max().copied(),
        }
    }

    fn table(sources: Vec<Source>, start_ms: Option<i64>) -> QueryTable {
        QueryTable {
            name: "s".into(),
            sources,
            path_column: false,
            time_column: Some("t".into()),
            time_unit: Some("ms".into()),
            start_ms,
            end_ms: None,
        }
    }

    /// The whole result, decoded, and how many sources were read.
    fn collect(sql: &str, tables: Vec<QueryTable>) -> PondResult<(Vec<RecordBatch>, u64)> {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let mut stream = query(sql, tables).await?;
            let mut bytes = Vec::new();
            while let Some(piece) = stream.next().await? {
                bytes.extend(piece);
            }
            let reader = StreamReader::try_new(bytes.as_slice(), None).unwrap();
            let batches = reader.collect::<Result<Vec<_>, _>>().unwrap();
            Ok((batches, stream.sources_read()))
        })
    }

    fn count(batches: &[RecordBatch], column: usize) -> i64 {
        batches[0]
            .column(column)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap()
            .value(0)
    }

    #[test]
    fn chunks_union_by_name_and_prune_by_time() {
        let sources = || {
            vec![
                chunk(&[0, 1, 2], true),
                chunk(&[10, 11], false),
                chunk(&[20], true),
            ]
        };
        let (batches, read) = collect(
            "SELECT count(*), count(value) FROM s",
            vec![table(sources(), None)],
        )
        .unwrap();
        assert_eq!((count(&batches, 0), count(&batches, 1), read), (6, 4, 3));
        let (batches, read) = collect(
            "SELECT count(*) FROM s WHERE t >= TIMESTAMP '1970-01-01 00:00:00.010'",
            vec![table(sources(), None)],
        )
        .unwrap();
        assert_eq!((count(&batches, 0), read), (3, 2));
        let (batches, read) =
            collect("SELECT count(*) FROM s", vec![table(sources(), Some(11))]).unwrap();
        assert_eq!((count(&batches, 0), read), (2, 2));
    }

    #[test]
    fn bad_queries_are_einval_with_the_engine_message() {
        let run = |sql: &str| collect(sql, vec![table(vec![chunk(&[1], true)], None)]).unwrap_err();
        let syntax = run("SELEC 1");
        assert_eq!(syntax.code, Code::Einval);
        assert!(
            syntax.message.contains("Line: 1, Column: 1"),
            "{}",
            syntax.message
        );
        let column = run("SELECT nope FROM s");
        assert_eq!(column.code, Code::Einval);
        assert!(column.message.contains("nope"), "{}", column.message);
        assert_eq!(run("CREATE TABLE x (a INT)").code, Code::Einval);
        let not_parquet = collect(
            "SELECT * FROM s",
            vec![table(
                vec![Source {
                    content: Content::Bytes(Bytes::from_static(b"text")),
                    ..chunk(&[1], true)
                }],
                None,
            )],
        )
        .unwrap_err();
        assert!(
            not_parquet.message.contains("not a Parquet file"),
            "{}",
            not_parquet.message
        );
    }
}
