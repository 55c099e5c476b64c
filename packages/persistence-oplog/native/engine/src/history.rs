//! The commit history from the oldest retained version up to the loaded one, read from the log's
//! commitInfo actions (never from file modification times, which copies change).

use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

use crate::error::PondResult;
use crate::handle::Handle;
use crate::log::read_entry_at;

const CONCURRENT_ENTRIES: usize = 32;

/// JSON array, oldest first: `[{ version, timestamp (ms), info }]`, from the oldest version the
/// log still holds. A version whose entry is gone (log cleanup meanwhile) is left out.
pub async fn history(handle: &Handle) -> PondResult<String> {
    let upto = handle.loaded().version;
    let root = &handle.root;
    let oldest = crate::log::list_at(root).await?.oldest().unwrap_or(0) as i64;
    let entries: Vec<Value> = futures::stream::iter(oldest.min(upto)..=upto)
        .map(|version| {
            async move {
                let Some(actions) = read_entry_at(root, version as u64).await? else {
                    return Ok::<_, crate::error::PondError>(None);
                };
                let info = actions
                    .into_iter()
                    .find_map(|mut action| action.get_mut("commitInfo").map(Value::take))
                    .unwrap_or_else(|| json!({}));
                let timestamp = info.get("timestamp").cloned().unwrap_or(Value::Null);
                Ok(Some(
                    json!({ "version": version, "timestamp": timestamp, "info": info }),
                ))
            }
        })
        .buffered(CONCURRENT_ENTRIES)
        .try_filter_map(|entry| async move { Ok(entry) })
        .try_collect()
        .await?;
    Ok(Value::Array(entries).to_string())
}
