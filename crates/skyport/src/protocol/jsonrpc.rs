//! JSON-RPC 2.0 framing: a borrowed parse of incoming messages and the
//! serialization of outgoing ones.
//!
//! Written by hand (not rmcp's `JsonRpcMessage`) because the hot path must not
//! build a `serde_json::Value` tree per request: the envelope is parsed in place
//! (`&RawValue` for id and params) and only the params of the method actually
//! called are deserialized, into rmcp's typed structs.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::error::RpcError;

/// What kind of JSON-RPC message arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncomingKind {
    /// Has `id` and `method`: must be answered.
    Request,
    /// Has `method` but no `id`: must not be answered.
    Notification,
    /// Has `id` and `result` or `error`: answers one of our server-to-client requests.
    Response,
}

/// One incoming JSON-RPC message, borrowing from the request body.
#[derive(Debug, Clone)]
pub struct Incoming<'a> {
    /// Request, notification or response.
    pub kind: IncomingKind,
    /// The request id, verbatim (a string or an integer).
    pub id: Option<&'a RawValue>,
    /// The method (requests and notifications).
    pub method: Cow<'a, str>,
    /// The params, unparsed.
    pub params: Option<&'a RawValue>,
    /// The result (responses).
    pub result: Option<&'a RawValue>,
    /// The error (error responses).
    pub error: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    jsonrpc: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "present_id")]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    params: Option<&'a RawValue>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(borrow, default)]
    error: Option<&'a RawValue>,
}

/// A present `id`, even `null`: serde reads `null` as an absent `Option`, which
/// would turn `{"id":null,"method":..}` into a notification instead of an
/// invalid request (MCP: ids MUST NOT be null).
fn present_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&'de RawValue>::deserialize(d).map(Some)
}

/// A parsed body: one message, or a batch (a JSON array, allowed by 2025-03-26 only).
#[derive(Debug)]
pub enum Body<'a> {
    /// A single message.
    Single(Incoming<'a>),
    /// A JSON array of messages.
    Batch(Vec<Incoming<'a>>),
}

/// Why a body could not be parsed, with the error to send back (id-less).
#[derive(Debug)]
pub struct BodyError {
    /// The id of the offending message, when it could be read.
    pub id: Option<Box<RawValue>>,
    /// The JSON-RPC error.
    pub error: RpcError,
}

impl<'a> Incoming<'a> {
    /// Parses a request body: one message or a batch.
    pub fn parse_body(body: &'a [u8]) -> Result<Body<'a>, BodyError> {
        match serde_json::from_slice::<Envelope<'a>>(body) {
            Ok(env) => Self::from_envelope(env).map(Body::Single),
            Err(e) => {
                // Only on the error path: tell "not JSON" from "JSON, wrong shape".
                match serde_json::from_slice::<&'a RawValue>(body) {
                    Err(_) => Err(BodyError {
                        id: None,
                        error: RpcError::parse_error(e),
                    }),
                    Ok(raw) if raw.get().trim_start().starts_with('[') => {
                        let items: Vec<&'a RawValue> =
                            serde_json::from_str(raw.get()).map_err(|e| BodyError {
                                id: None,
                                error: RpcError::parse_error(e),
                            })?;
                        if items.is_empty() {
                            return Err(BodyError {
                                id: None,
                                error: RpcError::invalid_request("Invalid Request: an empty batch"),
                            });
                        }
                        items
                            .into_iter()
                            .map(Self::parse_one)
                            .collect::<Result<_, _>>()
                            .map(Body::Batch)
                    }
                    Ok(_) => Err(BodyError {
                        id: None,
                        error: RpcError::invalid_request(format!(
                            "Invalid Request: the body is JSON but not a JSON-RPC 2.0 message ({e})"
                        )),
                    }),
                }
            }
        }
    }

    /// Parses exactly one message (stdio lines, batch items).
    pub fn parse_one(raw: &'a RawValue) -> Result<Incoming<'a>, BodyError> {
        let env: Envelope<'a> = serde_json::from_str(raw.get()).map_err(|e| BodyError {
            id: None,
            error: RpcError::invalid_request(format!(
                "Invalid Request: not a JSON-RPC 2.0 message ({e})"
            )),
        })?;
        Self::from_envelope(env)
    }

    fn from_envelope(env: Envelope<'a>) -> Result<Incoming<'a>, BodyError> {
        let bad = |id: Option<&RawValue>, msg: &str| BodyError {
            id: id.map(|i| i.to_owned()),
            error: RpcError::invalid_request(format!("Invalid Request: {msg}")),
        };
        // A valid id is a string or an integer; null and others are rejected.
        let id = match env.id {
            None => None,
            Some(raw) => {
                let s = raw.get();
                let ok = s.starts_with('"') || s.bytes().all(|b| b.is_ascii_digit() || b == b'-');
                if !ok {
                    return Err(bad(None, "`id` must be a string or an integer"));
                }
                Some(raw)
            }
        };
        if env.jsonrpc.as_deref() != Some("2.0") {
            return Err(bad(id, "`jsonrpc` must be \"2.0\""));
        }
        if let Some(params) = env.params {
            let p = params.get().trim_start();
            if !(p.starts_with('{') || p.starts_with('[')) {
                return Err(bad(id, "`params` must be an object"));
            }
        }
        let kind = match (&env.method, id, env.result.is_some() || env.error.is_some()) {
            (Some(_), Some(_), _) => IncomingKind::Request,
            (Some(_), None, _) => IncomingKind::Notification,
            (None, Some(_), true) => IncomingKind::Response,
            _ => {
                return Err(bad(
                    id,
                    "a message needs `method` (request or notification) or `result`/`error` with `id` (response)",
                ));
            }
        };
        Ok(Incoming {
            kind,
            id,
            method: env.method.unwrap_or(Cow::Borrowed("")),
            params: env.params,
            result: env.result,
            error: env.error,
        })
    }

    /// Deserializes the params into `T`; absent params read as `{}`.
    pub fn params_as<T: Deserialize<'a>>(&self) -> Result<T, RpcError> {
        let text = self.params.map(RawValue::get).unwrap_or("{}");
        serde_json::from_str(text).map_err(|e| {
            RpcError::invalid_params(format!("Invalid params for {}: {e}", self.method))
        })
    }
}

/// An owned request id (a string or an integer, kept verbatim).
#[derive(Debug, Clone)]
pub struct OwnedId(Box<RawValue>);

impl OwnedId {
    /// Copies a borrowed id.
    pub fn from_raw(raw: &RawValue) -> Self {
        Self(raw.to_owned())
    }

    /// The id as raw JSON.
    pub fn as_raw(&self) -> &RawValue {
        &self.0
    }

    /// The id as a JSON value (for cancellation and subscription ids).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(self.0.get()).unwrap_or(serde_json::Value::Null)
    }

    /// An id from a JSON value; only strings and integers are ids.
    pub fn from_value(v: &serde_json::Value) -> Option<Self> {
        match v {
            serde_json::Value::String(_) => RawValue::from_string(v.to_string()).ok().map(Self),
            serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => {
                RawValue::from_string(v.to_string()).ok().map(Self)
            }
            _ => None,
        }
    }
}

impl PartialEq for OwnedId {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Eq for OwnedId {}

impl std::hash::Hash for OwnedId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.get().hash(state)
    }
}

impl Serialize for OwnedId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

#[derive(Serialize)]
struct ResultEnvelope<'a, T: Serialize + ?Sized> {
    jsonrpc: &'static str,
    id: &'a RawValue,
    result: &'a T,
}

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    jsonrpc: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a RawValue>,
    error: &'a RpcError,
}

#[derive(Serialize)]
struct NotificationEnvelope<'a, P: Serialize + ?Sized> {
    jsonrpc: &'static str,
    method: &'a str,
    params: &'a P,
}

#[derive(Serialize)]
struct RequestEnvelope<'a, P: Serialize + ?Sized> {
    jsonrpc: &'static str,
    id: &'a str,
    method: &'a str,
    params: &'a P,
}

/// Serializes `{"jsonrpc":"2.0","id":..,"result":..}`.
pub fn result_bytes<T: Serialize + ?Sized>(id: &RawValue, result: &T) -> Vec<u8> {
    result_bytes_sized(id, result, 256)
}

/// Like [`result_bytes`], with a capacity hint that saves regrowing large replies.
pub fn result_bytes_sized<T: Serialize + ?Sized>(
    id: &RawValue,
    result: &T,
    capacity: usize,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity);
    match serde_json::to_writer(
        &mut out,
        &ResultEnvelope {
            jsonrpc: "2.0",
            id,
            result,
        },
    ) {
        Ok(()) => out,
        Err(e) => error_bytes(
            Some(id),
            &RpcError::internal(format!("the result could not be serialized: {e}")),
        ),
    }
}

/// A response message rebuilt from its parts (to forward a client's answer
/// to another replica).
pub fn response_text(id: &RawValue, result: Option<&RawValue>, error: Option<&RawValue>) -> String {
    match (result, error) {
        (Some(r), _) => format!(
            r#"{{"jsonrpc":"2.0","id":{},"result":{}}}"#,
            id.get(),
            r.get()
        ),
        (None, Some(e)) => format!(
            r#"{{"jsonrpc":"2.0","id":{},"error":{}}}"#,
            id.get(),
            e.get()
        ),
        (None, None) => format!(r#"{{"jsonrpc":"2.0","id":{},"result":null}}"#, id.get()),
    }
}

/// Serializes `{"jsonrpc":"2.0","id":..,"error":..}` (id omitted when unknown).
pub fn error_bytes(id: Option<&RawValue>, error: &RpcError) -> Vec<u8> {
    serde_json::to_vec(&ErrorEnvelope {
        jsonrpc: "2.0",
        id,
        error,
    })
    .unwrap_or_else(|_| {
        br#"{"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error"}}"#.to_vec()
    })
}

/// Serializes a notification.
pub fn notification_bytes<P: Serialize + ?Sized>(method: &str, params: &P) -> Vec<u8> {
    serde_json::to_vec(&NotificationEnvelope {
        jsonrpc: "2.0",
        method,
        params,
    })
    .unwrap_or_default()
}

/// Serializes a server-to-client request whose id is a JSON string.
pub fn request_bytes<P: Serialize + ?Sized>(id: &str, method: &str, params: &P) -> Vec<u8> {
    serde_json::to_vec(&RequestEnvelope {
        jsonrpc: "2.0",
        id,
        method,
        params,
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::error::code;

    fn single(body: &str) -> Result<Incoming<'_>, BodyError> {
        match Incoming::parse_body(body.as_bytes())? {
            Body::Single(m) => Ok(m),
            Body::Batch(_) => panic!("batch"),
        }
    }

    #[test]
    fn classifies_requests_notifications_and_responses() {
        let r = single(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).unwrap();
        assert_eq!(r.kind, IncomingKind::Request);
        let n = single(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).unwrap();
        assert_eq!(n.kind, IncomingKind::Notification);
        let s = single(r#"{"jsonrpc":"2.0","id":"s-1","result":{}}"#).unwrap();
        assert_eq!(s.kind, IncomingKind::Response);
    }

    #[test]
    fn rejects_bad_shapes_with_the_right_codes() {
        assert_eq!(
            single("{not json").unwrap_err().error.code,
            code::PARSE_ERROR
        );
        assert_eq!(single("42").unwrap_err().error.code, code::INVALID_REQUEST);
        assert_eq!(
            single(r#"{"jsonrpc":"1.0","id":1,"method":"x"}"#)
                .unwrap_err()
                .error
                .code,
            code::INVALID_REQUEST
        );
        assert_eq!(
            single(r#"{"jsonrpc":"2.0","id":null,"method":"x"}"#)
                .unwrap_err()
                .error
                .code,
            code::INVALID_REQUEST
        );
        assert_eq!(
            single(r#"{"jsonrpc":"2.0","id":1,"method":7}"#)
                .unwrap_err()
                .error
                .code,
            code::INVALID_REQUEST
        );
        assert_eq!(
            single(r#"{"jsonrpc":"2.0","id":1,"method":"x","params":3}"#)
                .unwrap_err()
                .error
                .code,
            code::INVALID_REQUEST
        );
        assert_eq!(
            single(r#"{"jsonrpc":"2.0","id":1}"#)
                .unwrap_err()
                .error
                .code,
            code::INVALID_REQUEST
        );
    }

    #[test]
    fn parses_batches() {
        let body = r#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"n"}]"#;
        match Incoming::parse_body(body.as_bytes()).unwrap() {
            Body::Batch(v) => assert_eq!(v.len(), 2),
            Body::Single(_) => panic!("expected a batch"),
        }
        assert_eq!(
            Incoming::parse_body(b"[]").unwrap_err().error.code,
            code::INVALID_REQUEST
        );
    }

    #[test]
    fn frames_results_and_errors() {
        let id = RawValue::from_string("7".into()).unwrap();
        let bytes = result_bytes(&id, &serde_json::json!({}));
        assert_eq!(bytes, br#"{"jsonrpc":"2.0","id":7,"result":{}}"#);
        let e = error_bytes(None, &RpcError::new(-1, "m"));
        assert_eq!(e, br#"{"jsonrpc":"2.0","error":{"code":-1,"message":"m"}}"#);
        assert_eq!(OwnedId::from_raw(&id).to_value(), serde_json::json!(7));
    }
}
