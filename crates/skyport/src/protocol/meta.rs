//! Request `_meta`: the 2026-07-28 per-request context and the progress token.

use rmcp::model::ClientCapabilities;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, value::RawValue};

use super::error::{RpcError, code};
use super::version::{MODERN, SUPPORTED_VERSIONS, is_supported};

/// `_meta` key carrying the protocol version of a 2026-era request.
pub const KEY_PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
/// `_meta` key carrying the client capabilities of a 2026-era request.
pub const KEY_CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
/// `_meta` key carrying the client implementation info.
pub const KEY_CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
/// `_meta` key carrying the log level a 2026-era request wants.
pub const KEY_LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
/// Result and notification `_meta` key naming the server.
pub const KEY_SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";
/// Notification `_meta` key naming the `subscriptions/listen` request.
pub const KEY_SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";

/// Log levels, ordered from least to most severe (RFC 5424 names, as MCP uses).
///
/// Our own type because rmcp's `LoggingLevel` is deprecated (logging is
/// deprecated in 2026-07-28) and not ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Detailed debugging information.
    Debug,
    /// Informational messages.
    Info,
    /// Normal but significant events.
    Notice,
    /// Warning conditions.
    Warning,
    /// Error conditions.
    Error,
    /// Critical conditions.
    Critical,
    /// Action must be taken immediately.
    Alert,
    /// System is unusable.
    Emergency,
}

impl LogLevel {
    /// From its position in the ordering (for atomics).
    pub fn from_index(i: u8) -> Option<Self> {
        use LogLevel::*;
        [
            Debug, Info, Notice, Warning, Error, Critical, Alert, Emergency,
        ]
        .get(i as usize)
        .copied()
    }
}

#[derive(Deserialize)]
struct MetaOnly<'a> {
    #[serde(rename = "_meta", borrow, default)]
    meta: Option<&'a RawValue>,
}

/// The `_meta` of a request, parsed.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// The raw object (hints such as `openai/locale` live here).
    pub raw: Map<String, Value>,
    /// `progressToken`, when the client wants progress notifications.
    pub progress_token: Option<Value>,
}

impl RequestMeta {
    /// Reads `params._meta`; absent params or `_meta` give an empty meta.
    pub fn from_params(params: Option<&RawValue>) -> Result<Self, RpcError> {
        let Some(params) = params else {
            return Ok(Self::default());
        };
        // Cheap when `_meta` is absent: serde skips the other fields without building values.
        let only: MetaOnly<'_> = serde_json::from_str(params.get())
            .map_err(|e| RpcError::invalid_params(format!("Invalid params: {e}")))?;
        let Some(meta) = only.meta else {
            return Ok(Self::default());
        };
        let raw: Map<String, Value> = serde_json::from_str(meta.get()).map_err(|e| {
            RpcError::invalid_params(format!("Invalid params: `_meta` must be an object ({e})"))
        })?;
        let progress_token = raw
            .get("progressToken")
            .filter(|v| v.is_string() || v.is_number())
            .cloned();
        Ok(Self {
            raw,
            progress_token,
        })
    }

    /// The 2026-era protocol version, when this request carries one.
    pub fn protocol_version(&self) -> Option<&str> {
        self.raw.get(KEY_PROTOCOL_VERSION).and_then(Value::as_str)
    }

    /// True when the request is a 2026-era (stateless) request.
    pub fn is_modern(&self) -> bool {
        self.raw.contains_key(KEY_PROTOCOL_VERSION)
    }

    /// Validates the 2026 per-request context and returns it.
    pub fn modern_context(&self) -> Result<ModernContext, RpcError> {
        let version = match self.raw.get(KEY_PROTOCOL_VERSION) {
            Some(Value::String(v)) => v.as_str(),
            _ => {
                return Err(RpcError::invalid_params(format!(
                    "`_meta[\"{KEY_PROTOCOL_VERSION}\"]` must be a version string"
                )));
            }
        };
        if version != MODERN {
            return Err(RpcError::new(
                code::UNSUPPORTED_PROTOCOL_VERSION,
                format!(
                    "Unsupported protocol version {version}: this server speaks {} (use `initialize` for the session-era versions)",
                    SUPPORTED_VERSIONS.join(", ")
                ),
            )
            .with_data(serde_json::json!({ "supported": SUPPORTED_VERSIONS, "requested": version })));
        }
        let caps = match self.raw.get(KEY_CLIENT_CAPABILITIES) {
            Some(v) => serde_json::from_value::<ClientCapabilities>(v.clone()).map_err(|e| {
                RpcError::invalid_params(format!(
                    "`_meta[\"{KEY_CLIENT_CAPABILITIES}\"]` is malformed: {e}"
                ))
            })?,
            None => {
                return Err(RpcError::invalid_params(format!(
                    "Missing `_meta[\"{KEY_CLIENT_CAPABILITIES}\"]`: every 2026-07-28 request must declare the client's capabilities"
                )));
            }
        };
        let log_level = match self.raw.get(KEY_LOG_LEVEL) {
            None => None,
            Some(v) => Some(serde_json::from_value::<LogLevel>(v.clone()).map_err(|_| {
                RpcError::invalid_params(format!(
                    "`_meta[\"{KEY_LOG_LEVEL}\"]` must be a log level such as \"info\""
                ))
            })?),
        };
        Ok(ModernContext {
            client_capabilities: caps,
            log_level,
        })
    }

    /// A hint from the host, e.g. `openai/locale`. Never used for authorization.
    pub fn hint(&self, key: &str) -> Option<&Value> {
        self.raw.get(key)
    }
}

/// The per-request client context of a 2026-era request.
#[derive(Debug, Clone, Default)]
pub struct ModernContext {
    /// The capabilities the client declared on this request.
    pub client_capabilities: ClientCapabilities,
    /// The log level it wants (no log notifications when absent).
    pub log_level: Option<LogLevel>,
}

/// A version string from the `MCP-Protocol-Version` header, checked.
///
/// An unknown version is -32022 (UnsupportedProtocolVersion, with `data.supported`)
/// so a client of a newer era sending the same version in header and `_meta`
/// learns which versions to use instead.
pub fn check_header_version(v: &str) -> Result<(), RpcError> {
    if is_supported(v) {
        Ok(())
    } else {
        Err(RpcError::new(
            code::UNSUPPORTED_PROTOCOL_VERSION,
            format!(
                "Unsupported MCP-Protocol-Version header {v:?}: supported versions are {}",
                SUPPORTED_VERSIONS.join(", ")
            ),
        )
        .with_data(serde_json::json!({ "supported": SUPPORTED_VERSIONS, "requested": v })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.into()).unwrap()
    }

    #[test]
    fn legacy_requests_have_no_modern_meta() {
        let p = raw(r#"{"name":"x","arguments":{"a":1}}"#);
        let m = RequestMeta::from_params(Some(&p)).unwrap();
        assert!(!m.is_modern());
        assert!(m.progress_token.is_none());
    }

    #[test]
    fn modern_meta_is_validated() {
        let ok = raw(
            r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/logLevel":"info","progressToken":5}}"#,
        );
        let m = RequestMeta::from_params(Some(&ok)).unwrap();
        let ctx = m.modern_context().unwrap();
        assert_eq!(ctx.log_level, Some(LogLevel::Info));
        assert_eq!(m.progress_token, Some(serde_json::json!(5)));

        let missing = raw(r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#);
        let e = RequestMeta::from_params(Some(&missing))
            .unwrap()
            .modern_context()
            .unwrap_err();
        assert_eq!(e.code, code::INVALID_PARAMS);

        let wrong = raw(
            r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2030-01-01","io.modelcontextprotocol/clientCapabilities":{}}}"#,
        );
        let e = RequestMeta::from_params(Some(&wrong))
            .unwrap()
            .modern_context()
            .unwrap_err();
        assert_eq!(e.code, code::UNSUPPORTED_PROTOCOL_VERSION);
    }

    #[test]
    fn log_levels_are_ordered() {
        assert!(LogLevel::Debug < LogLevel::Error);
        assert_eq!(LogLevel::from_index(3), Some(LogLevel::Warning));
    }
}
