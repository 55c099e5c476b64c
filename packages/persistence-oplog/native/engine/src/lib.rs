//! pond's op-log storage engine: Delta commits, log replay, partition scans, time travel, history
//! and checkpoints over a Delta Lake table on local disk or in a bucket, and its upkeep
//! (compaction, vacuum, log cleanup). `Table` is the whole surface; pond's filesystem logic is in TypeScript, and the
//! Node binding only converts types and maps errors.
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod bucket_store;
mod commit;
mod compact;
mod confined;
mod data_file;
mod directory_record;
mod error;
mod handle;
mod history;
mod index;
mod ipc;
mod large_files;
mod location;
mod log;
mod log_cleanup;
mod properties;
mod query;
mod remote;
mod replay;
mod retained;
mod scan;
mod schema;
mod stats;
mod store;
mod table;
mod vacuum;

pub use commit::Committed;
pub use compact::{CompactOptions, Compacted};
pub use data_file::Wanted;
pub use directory_record::{
    decode as decode_directory_records, encode as encode_directory_records,
};
pub use error::{Code, PondError, PondResult, contained, contained_sync};
pub use ipc::commit_schema_ipc;
pub use log::{Gap, TableDir, entry_file as log_entry_file, table_dir};
pub use log_cleanup::Cleaned;
pub use query::{Content, PATH_COLUMN, QueryStream, QueryTable, Source, query};
pub use remote::{Copied, Place, copy_versions, place};
pub use retained::{ActionProblem, FileAdded};
pub use table::{PartitionStats, ScanStats, Table};
pub use vacuum::Vacuumed;
