//! The backlog app (docs/backlog.md) on the real binary, in one test binary:
//!
//! - [`tools`]: the six tools' declarations and a whole session over
//!   Streamable HTTP, legacy SSE and the stateless 2026 protocol; data
//!   survives a restart; writes are idempotent;
//! - [`bad_input`]: every refusal is a helpful `isError` result and changes nothing;
//! - [`paging`]: a 10,000-task backlog paged through completely, under filters;
//! - [`auth`]: API keys share one backlog, OAuth users each have their own,
//!   scopes per tool, on MCP and on the viewer API;
//! - [`viewer`]: the standalone viewer page and its read-only JSON API;
//! - [`replicas`]: two replicas on PostgreSQL serve one backlog.

#[path = "../common/mod.rs"]
mod common;

mod auth;
mod bad_input;
mod client;
mod files;
mod paging;
mod replicas;
mod tools;
mod viewer;
