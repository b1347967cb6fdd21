//! Transports: thin adapters between a byte stream and the [`crate::engine`].
//!
//! - [`http::streamable`]: Streamable HTTP (`/{app}/mcp`), stateful or stateless, both eras.
//! - [`http::legacy_sse`]: the 2024-11-05 HTTP+SSE transport (`/{app}/sse` + `/{app}/messages`).
//! - [`stdio`]: newline-delimited JSON on stdin/stdout.

pub mod http;
pub mod stdio;
