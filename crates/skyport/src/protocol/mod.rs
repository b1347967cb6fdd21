//! The wire layer: JSON-RPC framing, protocol versions and protocol errors.
//!
//! The MCP message shapes themselves (tools, resources, results, capabilities)
//! come from [`rmcp::model`], re-exported here as [`model`]. Only rmcp's *types*
//! are used: its service and transport layers are not on our request path
//! (measured: rmcp's stateless HTTP handler serves 0.36x the calls of a bare
//! axum handler; see `shared/bench/RESULTS.md`). What is written by hand here is
//! the borrowed, zero-copy envelope parse and the response framing that keep
//! the hot path at the speed of a bare handler.

pub mod error;
pub mod jsonrpc;
pub mod meta;
pub mod version;

pub use error::RpcError;
pub use jsonrpc::{Incoming, IncomingKind, OwnedId};
pub use version::{Era, LATEST_LEGACY, SUPPORTED_VERSIONS, negotiate};

/// The MCP wire types (tools, resources, prompts, results, capabilities), from rmcp.
pub use rmcp::model;
