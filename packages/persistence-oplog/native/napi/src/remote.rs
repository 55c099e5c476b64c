//! Copies of a pond between a local directory and an S3-compatible store.

use std::collections::HashMap;

use napi_derive::napi;
use pond_oplog_engine::{Copied, contained};

use crate::error::Settled;

/// What `copyVersions` did.
#[napi(object)]
pub struct CopyResult {
    /// The newest version of the source.
    pub source_version: i64,
    /// The newest version of the destination before the copy; null when it had no pond.
    pub destination_version: Option<i64>,
    pub versions: i64,
    pub files: i64,
    pub bytes: i64,
}

impl From<Copied> for CopyResult {
    fn from(c: Copied) -> Self {
        Self {
            source_version: c.source_version,
            destination_version: c.destination_version,
            versions: c.versions as i64,
            files: c.files as i64,
            bytes: c.bytes as i64,
        }
    }
}

/// Copies the versions `to` lacks from `from` (each a local path, `file://` or `s3://` URL;
/// settings in `storageOptions` and `AWS_*` variables). A local destination is created.
#[napi(ts_return_type = "Promise<CopyResult>")]
pub async fn copy_versions(
    from: String,
    to: String,
    storage_options: HashMap<String, String>,
) -> Settled<CopyResult> {
    Settled(
        contained("copyVersions", async move {
            let source = pond_oplog_engine::place(&from, &storage_options, false)?;
            let destination = pond_oplog_engine::place(&to, &storage_options, true)?;
            pond_oplog_engine::copy_versions(&source, &destination)
                .await
                .map(CopyResult::from)
        })
        .await,
    )
}
