//! The checks: pure functions from a [`Snapshot`] to findings, one module
//! per subject.
//!
//! - [`server`]: the handshake, transport, capabilities and list methods.
//! - [`tools`]: tool descriptors (description, schemas, annotations).
//! - [`templates`]: widget template references and the template resources.
//! - [`csp`]: a template's HTML against its declared CSP.
//! - [`calls`]: tool call results (size, secrets, output schema), with
//!   [`secrets`] spotting credential-like keys.

mod calls;
mod csp;
mod secrets;
mod server;
mod templates;
mod tools;

use serde_json::Value;

use super::client::ClientError;
use super::finding::{Code, Finding, SERVER};
use super::meta::TemplateRefs;
use super::probe::Snapshot;

/// Runs every check over what the probe gathered.
pub(crate) fn run(snapshot: &Snapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    server::check(snapshot, &mut out);
    tools::check(snapshot, &mut out);
    templates::check(snapshot, &mut out);
    calls::check(snapshot, &mut out);
    out
}

/// The finding for a connection or `initialize` that failed.
pub(crate) fn init_failed(url: &str, error: &ClientError) -> Finding {
    let fix = match error {
        ClientError::Connect { .. } => "start the server, or correct the URL (scheme, host, port)",
        ClientError::Timeout { .. } => "check that the URL is an MCP endpoint, or raise --timeout",
        ClientError::Status {
            status: 401 | 403, ..
        } => "pass credentials with --header 'Authorization: Bearer …'",
        ClientError::Status { .. } | ClientError::Fallback { .. } => {
            "point doctor at the MCP endpoint itself (often /mcp), which must accept POST"
        }
        ClientError::ContentType { .. } | ClientError::NotJsonRpc { .. } => {
            "answer POSTs with a JSON-RPC response as application/json or text/event-stream"
        }
        ClientError::Rpc { .. } => {
            "accept an initialize request for protocol 2025-11-25 (negotiate down if needed)"
        }
        ClientError::Stream(_) | ClientError::Malformed(_) => {
            "check the server logs: the answer was cut off or malformed"
        }
    };
    Finding::error(
        Code::InitFailed,
        SERVER,
        format!("cannot initialize an MCP session at {url}: {error}"),
        fix,
    )
}

/// The tools that declare a widget, with their names.
fn ui_tools(snapshot: &Snapshot) -> impl Iterator<Item = (&str, TemplateRefs)> {
    snapshot.tools.items.iter().filter_map(|t| {
        let refs = TemplateRefs::of(t);
        let name = t.get("name").and_then(Value::as_str)?;
        refs.is_ui().then_some((name, refs))
    })
}
