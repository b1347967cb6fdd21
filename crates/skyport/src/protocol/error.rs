//! JSON-RPC errors as they go on the wire.

use serde::Serialize;
use serde_json::Value;

/// JSON-RPC and MCP error codes used by Skyport.
pub mod code {
    /// Invalid JSON was received.
    pub const PARSE_ERROR: i32 = -32700;
    /// The JSON sent is not a valid JSON-RPC request.
    pub const INVALID_REQUEST: i32 = -32600;
    /// The method does not exist or is not available in this protocol version.
    pub const METHOD_NOT_FOUND: i32 = -32601;
    /// Invalid method parameters (also: unknown tool, bad cursor, unsupported version at initialize).
    pub const INVALID_PARAMS: i32 = -32602;
    /// Internal JSON-RPC error.
    pub const INTERNAL_ERROR: i32 = -32603;
    /// Resource not found (protocol versions up to 2025-11-25).
    pub const RESOURCE_NOT_FOUND: i32 = -32002;
    /// Session not found (SDK convention for HTTP transports).
    pub const SESSION_NOT_FOUND: i32 = -32001;
    /// Transport-level rejection (SDK convention).
    pub const TRANSPORT_REJECTED: i32 = -32000;
    /// 2026-07-28: an HTTP header disagrees with the body.
    pub const HEADER_MISMATCH: i32 = -32020;
    /// 2026-07-28: the request needs a client capability the client did not declare.
    pub const MISSING_CLIENT_CAPABILITY: i32 = -32021;
    /// 2026-07-28: the requested protocol version is not supported.
    pub const UNSUPPORTED_PROTOCOL_VERSION: i32 = -32022;
    /// The request was cancelled before it completed.
    pub const REQUEST_CANCELLED: i32 = -32800;
    /// A server-to-client request timed out.
    pub const REQUEST_TIMEOUT: i32 = -32001;
}

/// A JSON-RPC error object: `{code, message, data?}`.
///
/// Messages are written for the caller: they say what was wrong and what to do.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, thiserror::Error)]
#[error("JSON-RPC error {code}: {message}")]
pub struct RpcError {
    /// The JSON-RPC error code (see [`code`]).
    pub code: i32,
    /// A human-readable message that tells the caller what to fix.
    pub message: String,
    /// Optional structured detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl RpcError {
    /// An error with a code and message.
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// Attaches structured detail.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// -32700: the body is not JSON.
    pub fn parse_error(detail: impl std::fmt::Display) -> Self {
        Self::new(
            code::PARSE_ERROR,
            format!("Parse error: the body is not valid JSON ({detail})"),
        )
    }

    /// -32600: the body is JSON but not a JSON-RPC message.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(code::INVALID_REQUEST, message)
    }

    /// -32601: unknown method.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(
            code::METHOD_NOT_FOUND,
            format!("Method not found: {method}"),
        )
        .with_data(serde_json::json!({ "method": method }))
    }

    /// -32602: invalid params.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(code::INVALID_PARAMS, message)
    }

    /// -32603: internal error. The message must not leak internals.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(code::INTERNAL_ERROR, message)
    }
}
