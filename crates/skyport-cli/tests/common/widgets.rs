//! Helpers of the widget tests: the greeter's template URIs and the MCP calls
//! that list and read them.

use serde_json::{Value, json};

use super::{LATEST_LEGACY, Server, Session, modern};

/// The MCP Apps template mime type.
pub const MIME_MCP_APP: &str = "text/html;profile=mcp-app";
/// ChatGPT's legacy template mime type.
pub const MIME_SKYBRIDGE: &str = "text/html+skybridge";

/// The version tag of `ui://greeter/greeting.<hash>.html` (or its
/// `.skybridge.html` twin), asserting the URI has that exact shape.
pub fn greeting_hash(uri: &str) -> String {
    let rest = uri
        .strip_prefix("ui://greeter/greeting.")
        .unwrap_or_else(|| panic!("not a greeting template URI: {uri}"));
    let hash = rest
        .strip_suffix(".skybridge.html")
        .or_else(|| rest.strip_suffix(".html"))
        .unwrap_or_else(|| panic!("not a greeting template URI: {uri}"));
    assert!(
        hash.len() == 12
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "the version tag is 12 lowercase hex digits: {uri}"
    );
    hash.to_owned()
}

/// The tool called `name` in a `tools/list` result.
pub fn tool<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no tool {name} in {list:#}"))
}

/// `greet_user`'s `_meta.ui.resourceUri` in a session on `server`.
pub async fn greeting_uri(server: &Server) -> String {
    let s = Session::open(&server.mcp("greeter"), LATEST_LEGACY).await;
    let list = s.call("tools/list", json!({})).await;
    tool(&list, "greet_user")["_meta"]["ui"]["resourceUri"]
        .as_str()
        .expect("greet_user has a template")
        .to_owned()
}

/// The URIs `resources/list` names (2026-07-28 request: no session needed).
pub async fn listed_uris(server: &Server) -> Vec<String> {
    let r = modern(&server.mcp("greeter"), 1, "resources/list", json!({}), &[]).await;
    r.result()["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| r["uri"].as_str().expect("uri").to_owned())
        .collect()
}

/// `resources/read` in a 2025-11-25 session: the JSON-RPC response body.
pub async fn read_resource(server: &Server, uri: &str) -> Value {
    let s = Session::open(&server.mcp("greeter"), LATEST_LEGACY).await;
    s.request("resources/read", json!({ "uri": uri }))
        .await
        .body
}
