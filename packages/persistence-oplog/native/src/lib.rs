//! Placeholder to warm the dependency cache.
#![deny(clippy::unwrap_used)]
use napi_derive::napi;
#[napi]
pub fn ping() -> u32 { 1 }
