//! pond's op-log I/O as a Node addon: Delta commits, partition scans, time travel, history and
//! checkpoints over a local Delta Lake table. It converts and does I/O; pond's logic is in TypeScript.
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod commit;
mod data_file;
mod error;
mod handle;
mod history;
mod index;
mod ipc;
mod log;
mod scan;
mod schema;
mod stats;
mod table;

pub use table::{CommitResult, NativeTable};
