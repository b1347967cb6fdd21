//! The store on the real binary: settings, crash durability, concurrent
//! updates and replicas sharing PostgreSQL (and Redis).
//!
//! One test binary per area (one link instead of one per file); each
//! module is one file of tests.

#[path = "../common/mod.rs"]
mod common;

mod concurrent_updates;
mod crash_durability;
mod scale_out;
mod store_settings;
