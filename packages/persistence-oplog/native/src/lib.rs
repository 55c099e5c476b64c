//! pond's op-log I/O as a Node addon: Delta commits, partition scans, time travel, history and
//! checkpoints over a local Delta Lake table, and its upkeep (compaction, vacuum, log cleanup).
//! It converts and does I/O; pond's logic is in TypeScript.
#![deny(clippy::unwrap_used, clippy::expect_used)]

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
mod log;
mod log_cleanup;
mod properties;
mod replay;
mod retained;
mod scan;
mod schema;
mod stats;
mod store;
mod table;
mod vacuum;

pub use table::{
    CommitResult, CompactOptions, CompactResult, DataFileEntry, LogCleanupResult, LogGap,
    NativeTable, PartitionStats, ScanStats, VacuumOptions, VacuumResult, decode_directory_records,
    encode_directory_records,
};
