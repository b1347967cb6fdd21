//! The shop's four apps (docs/shop.md) on the real binary, in one test
//! binary (one link instead of five):
//!
//! - [`journey`]: the whole journey over Streamable HTTP, legacy SSE and the
//!   stateless 2026 protocol, and the order read back after a restart;
//! - [`bad_input`]: every refusal is a helpful `isError` result and changes nothing;
//! - [`http_api`]: the sign-in route, demo reset and product images;
//! - [`concurrency`]: racing orders, scarce stock, replicas on PostgreSQL (+ Redis);
//! - [`external_provider`]: the external product API (a local fake), its cache and fallback.

#[path = "../common/mod.rs"]
mod common;

mod bad_input;
mod concurrency;
mod external_provider;
mod http_api;
mod journey;
