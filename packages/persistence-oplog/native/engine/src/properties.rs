//! Changing the table configuration: a metaData action with the same schema and partitioning and
//! the merged configuration, committed as exactly one version like a data commit.

use std::collections::HashMap;
use std::sync::Arc;

use deltalake::kernel::{Action, Metadata};
use deltalake::protocol::DeltaOperation;
use serde_json::Value;

use crate::commit::{check_next_version, checkpoint_if_due, put_entry};
use crate::error::{PondError, PondResult, Step, from_delta};
use crate::handle::{CHECKPOINT_INTERVAL, Handle, checkpoint_interval};

/// How long removed files stay tombstoned in checkpoints, and the retention Delta vacuums
/// (anyone's) use by default: pond keeps it equal to the pond's history retention.
const DELETED_FILE_RETENTION: &str = "delta.deletedFileRetentionDuration";

/// Refuses keys other than `pond.*`, the checkpoint interval and the deleted-file retention: the
/// other Delta properties decide log retention and protocol features, which pond fixes at creation.
fn check(properties: &HashMap<String, String>) -> PondResult<()> {
    for (key, value) in properties {
        if key == DELETED_FILE_RETENTION {
            let parts: Vec<&str> = value.split_whitespace().collect();
            let valid = matches!(parts.as_slice(), ["interval", n, unit]
                if n.parse::<u64>().is_ok()
                    && ["second", "minute", "hour", "day", "week"]
                        .iter()
                        .any(|u| unit.trim_end_matches('s') == *u));
            if !valid {
                return Err(PondError::einval(format!(
                    "{DELETED_FILE_RETENTION} must read \"interval <n> <unit>\", not {value:?}"
                )));
            }
        } else if key == CHECKPOINT_INTERVAL {
            if !value.parse::<i64>().is_ok_and(|v| v > 0) {
                return Err(PondError::einval(format!(
                    "{CHECKPOINT_INTERVAL} must be a positive integer, not {value:?}"
                )));
            }
        } else if !key.starts_with("pond.") {
            return Err(PondError::einval(format!(
                "table property {key} cannot be changed (allowed: pond.*, {CHECKPOINT_INTERVAL}, {DELETED_FILE_RETENTION})"
            )));
        }
    }
    Ok(())
}

/// `metadata` with `properties` merged into its configuration, everything else kept.
fn merged(metadata: &Metadata, properties: &HashMap<String, String>) -> PondResult<Metadata> {
    let mut value = serde_json::to_value(metadata)
        .map_err(|e| PondError::internal(format!("encoding the table metadata: {e}")))?;
    let configuration = value
        .get_mut("configuration")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| PondError::internal("the table metadata has no configuration"))?;
    for (key, v) in properties {
        configuration.insert(key.clone(), Value::from(v.clone()));
    }
    serde_json::from_value(value)
        .map_err(|e| PondError::internal(format!("decoding the merged table metadata: {e}")))
}

pub async fn set_properties(
    handle: &Handle,
    properties: HashMap<String, String>,
    version: i64,
) -> PondResult<()> {
    check(&properties)?;
    let _op = handle.ops.lock().await;
    let mut loaded = handle.loaded();
    check_next_version(handle, &loaded, version).await?;
    let metadata = {
        let state = handle
            .current_table(&mut loaded)
            .await?
            .snapshot()
            .map_err(|e| from_delta(e, Step::Other, &handle.subject()))?;
        merged(state.metadata(), &properties)?
    };
    let configuration = metadata.configuration().clone();
    let operation = DeltaOperation::SetTableProperties {
        properties: properties.clone(),
    };
    let info = HashMap::from([("readVersion".to_string(), Value::from(version - 1))]);
    put_entry(
        handle,
        version,
        vec![Action::Metadata(metadata)],
        operation,
        info,
        &[],
    )
    .await?;

    let mut next = loaded;
    next.version = version;
    next.checkpoint_interval = checkpoint_interval(&configuration);
    next.properties = Arc::new(configuration);
    next.index = next
        .index
        .as_ref()
        .filter(|index| index.version == version - 1)
        .map(|index| Arc::new(index.with_changes(version, &[], &[])));
    handle.publish(next);
    // The version stands; a due checkpoint that fails is written by a later one.
    let _ = checkpoint_if_due(handle, version).await;
    Ok(())
}
