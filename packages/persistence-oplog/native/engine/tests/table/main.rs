//! The engine on real Delta tables in temporary directories, one module per area.

mod common;

mod compaction;
mod log_cleanup;
mod replay;
mod scans;
mod stats;
mod vacuum;
