//! The engine and its transports on the real binary: both protocol eras,
//! Streamable HTTP (stateful and stateless), legacy HTTP+SSE, stdio,
//! every bad-input case, health, metrics and graceful shutdown.
//!
//! One test binary per area (one link instead of one per file); each
//! module is one file of tests.

#[path = "../common/mod.rs"]
mod common;

mod bad_input;
mod batching_2025_03_26;
mod cancellation;
mod graceful_shutdown;
mod health_and_metrics;
mod legacy_sse_transport;
mod modern_2026_stateless;
mod progress_and_logging;
mod sampling_and_elicitation;
mod sse_resumption;
mod stdio_transport;
mod streamable_http_stateful;
mod streamable_http_stateless;
