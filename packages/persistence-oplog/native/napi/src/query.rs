//! SQL queries: their tables as JavaScript describes them, and the running query as a pull
//! stream of Arrow IPC pieces.

use std::sync::Arc;

use bytes::Bytes;
use napi::bindgen_prelude::{Buffer, Uint8Array};
use napi_derive::napi;
use pond_oplog_engine::{Content, PondError, PondResult, QueryStream, QueryTable, Source};

use crate::error::Settled;
use crate::settled;

/// One Parquet file of a query table: exactly one of `content` (an index into the query's
/// `contents`), `contentRef` (a large file of the pond) or `partId`/`nodeId`/`version` (content
/// inline in that row of the pond).
#[napi(object)]
pub struct QuerySourceSpec {
    /// The pond path that names it (in messages and in `_path`).
    pub path: String,
    pub content: Option<u32>,
    pub content_ref: Option<String>,
    pub part_id: Option<String>,
    pub node_id: Option<String>,
    pub version: Option<i64>,
    pub size: i64,
    pub sha256: String,
    /// Recorded event-time bounds on the table's time column (epoch ms), for pruning.
    pub min_event_time: Option<i64>,
    pub max_event_time: Option<i64>,
}

/// A table of a query.
#[napi(object)]
pub struct QueryTableSpec {
    pub name: String,
    pub sources: Vec<QuerySourceSpec>,
    /// Adds a `_path` column naming each row's file.
    pub path_column: bool,
    pub time_column: Option<String>,
    /// The unit of an integer time column: s, ms, us or ns.
    pub time_unit: Option<String>,
    /// Only rows with start <= time < end (epoch ms).
    pub start: Option<f64>,
    pub end: Option<f64>,
}

/// Converts the specs; `contents` become the sources' bytes without a copy.
pub fn tables(
    specs: Vec<QueryTableSpec>,
    contents: Vec<Uint8Array>,
) -> PondResult<Vec<QueryTable>> {
    let contents: Vec<Bytes> = contents.into_iter().map(Bytes::from_owner).collect();
    specs
        .into_iter()
        .map(|spec| {
            let sources = spec
                .sources
                .into_iter()
                .map(|s| source(s, &contents))
                .collect::<PondResult<Vec<_>>>()?;
            Ok(QueryTable {
                name: spec.name,
                sources,
                path_column: spec.path_column,
                time_column: spec.time_column,
                time_unit: spec.time_unit,
                start_ms: spec.start.map(millis).transpose()?,
                end_ms: spec.end.map(millis).transpose()?,
            })
        })
        .collect()
}

fn millis(value: f64) -> PondResult<i64> {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 9.0e15 {
        Ok(value as i64)
    } else {
        Err(PondError::einval(format!("invalid time {value}")))
    }
}

fn source(spec: QuerySourceSpec, contents: &[Bytes]) -> PondResult<Source> {
    let content = match (
        spec.content,
        spec.content_ref,
        spec.part_id,
        spec.node_id,
        spec.version,
    ) {
        (Some(index), None, None, None, None) => Content::Bytes(
            contents
                .get(index as usize)
                .cloned()
                .ok_or_else(|| PondError::einval(format!("{}: no content {index}", spec.path)))?,
        ),
        (None, Some(reference), _, _, _) => Content::Large { reference },
        (None, None, Some(part_id), Some(node_id), Some(version)) => Content::Inline {
            part_id,
            node_id,
            version,
        },
        _ => {
            return Err(PondError::einval(format!(
                "{}: a source is bytes, a content ref or a stored row",
                spec.path
            )));
        }
    };
    let size = u64::try_from(spec.size)
        .map_err(|_| PondError::einval(format!("{}: invalid size {}", spec.path, spec.size)))?;
    Ok(Source {
        path: spec.path,
        content,
        size,
        sha256: spec.sha256,
        min_event_ms: spec.min_event_time,
        max_event_ms: spec.max_event_time,
    })
}

/// A running query. `next()` answers the result's Arrow IPC stream a piece at a time (the
/// schema, then one batch per call, then the end marker), then null; a piece is made only when
/// asked for, so memory stays bounded however large the result.
#[napi]
pub struct NativeQuery {
    stream: Arc<tokio::sync::Mutex<QueryStream>>,
}

impl NativeQuery {
    pub fn new(stream: QueryStream) -> Self {
        Self {
            stream: Arc::new(tokio::sync::Mutex::new(stream)),
        }
    }
}

#[napi]
impl NativeQuery {
    /// The next piece of the result's IPC stream, or null after the last.
    #[napi(ts_return_type = "Promise<Buffer | null>")]
    pub async fn next(&self) -> Settled<Option<Buffer>> {
        let stream = self.stream.clone();
        settled("query", async move {
            Ok(stream.lock().await.next().await?.map(Buffer::from))
        })
        .await
    }

    /// How many sources (files, series chunks) the query has opened so far.
    #[napi(ts_return_type = "Promise<number>")]
    pub async fn sources_read(&self) -> Settled<i64> {
        let stream = self.stream.clone();
        settled("query", async move {
            Ok(stream.lock().await.sources_read() as i64)
        })
        .await
    }
}

/// Starts `sql` over `tables` whose sources are all bytes (`contents`), without a pond.
#[napi(ts_return_type = "Promise<NativeQuery>")]
pub async fn query(
    sql: String,
    tables: Vec<QueryTableSpec>,
    contents: Vec<Uint8Array>,
) -> Settled<NativeQuery> {
    settled("query", async move {
        let tables = self::tables(tables, contents)?;
        pond_oplog_engine::query(&sql, tables)
            .await
            .map(NativeQuery::new)
    })
    .await
}
