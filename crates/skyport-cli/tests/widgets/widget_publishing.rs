//! One widget declaration published to both host families (protocols.md
//! §6-§8): greet_user's tool `_meta` in the MCP Apps and ChatGPT dialects, the
//! two template resources (`text/html;profile=mcp-app` and
//! `text/html+skybridge`), their documents and resource `_meta`, and the MCP
//! Apps extension in the capabilities; in a 2025-11-25 session and in the
//! 2026-07-28 stateless era.

use crate::common::widgets::*;
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use skyport::widgets::document::BRIDGE_JS;

const DESCRIPTION: &str =
    "Shows the greeting for the named person and when it was made, with a button to greet again.";

/// Checks greet_user's `_meta` and returns (MCP Apps URI, ChatGPT URI).
fn assert_tool_meta(tools: &Value) -> (String, String) {
    let meta = &tool(tools, "greet_user")["_meta"];
    let uri = meta["ui"]["resourceUri"]
        .as_str()
        .unwrap_or_else(|| panic!("ui.resourceUri: {meta:#}"))
        .to_owned();
    let hash = greeting_hash(&uri);
    assert_eq!(uri, format!("ui://greeter/greeting.{hash}.html"));
    assert_eq!(
        meta["ui"]["visibility"],
        json!(["model", "app"]),
        "{meta:#}"
    );
    assert_eq!(meta["ui/resourceUri"], uri.as_str(), "flat alias: {meta:#}");
    let skybridge = format!("ui://greeter/greeting.{hash}.skybridge.html");
    assert_eq!(
        meta["openai/outputTemplate"],
        skybridge.as_str(),
        "{meta:#}"
    );
    assert_eq!(meta["openai/widgetAccessible"], true, "{meta:#}");
    assert_eq!(meta["openai/visibility"], "public", "{meta:#}");
    assert_eq!(meta["openai/toolInvocation/invoking"], "Greeting…");
    assert_eq!(meta["openai/toolInvocation/invoked"], "Greeted");
    assert!(
        meta.get("securitySchemes").is_none(),
        "greet_user declares no security: {meta:#}"
    );
    (uri, skybridge)
}

/// The resource `_meta` both dialects read (list entries and read contents).
fn assert_resource_meta(meta: &Value) {
    assert_eq!(
        meta["ui"]["csp"],
        json!({"connectDomains": [], "resourceDomains": []}),
        "{meta:#}"
    );
    assert_eq!(meta["ui"]["prefersBorder"], true, "{meta:#}");
    assert!(
        meta["ui"].get("domain").is_none(),
        "ui.domain is host-specific and never sent: {meta:#}"
    );
    assert_eq!(
        meta["openai/widgetCSP"],
        json!({"connect_domains": [], "resource_domains": []}),
        "{meta:#}"
    );
    assert_eq!(meta["openai/widgetPrefersBorder"], true, "{meta:#}");
    assert_eq!(meta["openai/widgetDescription"], DESCRIPTION, "{meta:#}");
}

/// Checks both list entries, returning their mime types by URI.
fn assert_listed(resources: &Value, uri: &str, skybridge: &str) {
    let all = resources["resources"].as_array().expect("resources");
    let find = |u: &str| {
        all.iter()
            .find(|r| r["uri"] == u)
            .unwrap_or_else(|| panic!("{u} is not listed: {resources:#}"))
    };
    for (u, mime) in [(uri, MIME_MCP_APP), (skybridge, MIME_SKYBRIDGE)] {
        let r = find(u);
        assert_eq!(r["mimeType"], mime, "{r:#}");
        assert_eq!(r["title"], "Greeting", "{r:#}");
        assert_eq!(r["description"], DESCRIPTION, "{r:#}");
        assert_resource_meta(&r["_meta"]);
    }
    let templates = all
        .iter()
        .filter(|r| r["uri"].as_str().is_some_and(|u| u.starts_with("ui://")))
        .count();
    assert_eq!(
        templates, 2,
        "only the current version is listed: {resources:#}"
    );
}

/// Checks one `resources/read` result; returns the document.
fn assert_read(result: &Value, uri: &str, mime: &str) -> String {
    let contents = result["contents"].as_array().expect("contents");
    assert_eq!(contents.len(), 1, "{result:#}");
    let c = &contents[0];
    assert_eq!(c["uri"], uri);
    assert_eq!(c["mimeType"], mime);
    let html = c["text"].as_str().expect("the template is text").to_owned();
    assert!(html.starts_with("<!doctype html>"), "{}", &html[..80]);
    assert!(html.trim_end().ends_with("</html>"));
    assert!(
        html.contains(BRIDGE_JS),
        "the template inlines the shared bridge"
    );
    assert!(html.contains(r#"<meta name="skyport:tool" content="greet_user">"#));
    assert!(html.contains(r#"<meta name="skyport:widget" content="greeting">"#));
    assert!(html.contains("<title>Greeting</title>"));
    assert!(
        !html.contains("src=\"http"),
        "no CDN without widgets.base_url"
    );
    assert_resource_meta(&c["_meta"]);
    html
}

#[tokio::test]
async fn session_era_publishes_both_dialects() {
    let server = Server::start("greeter", &[]);
    let s = Session::open(&server.mcp("greeter"), LATEST_LEGACY).await;

    assert_eq!(
        s.init["capabilities"]["extensions"]["io.modelcontextprotocol/ui"],
        json!({"mimeTypes": [MIME_MCP_APP]}),
        "{:#}",
        s.init
    );

    let tools = s.call("tools/list", json!({})).await;
    let (uri, skybridge) = assert_tool_meta(&tools);

    let resources = s.call("resources/list", json!({})).await;
    assert_listed(&resources, &uri, &skybridge);

    let mcp_app = assert_read(
        &s.call("resources/read", json!({ "uri": uri })).await,
        &uri,
        MIME_MCP_APP,
    );
    let chatgpt = assert_read(
        &s.call("resources/read", json!({ "uri": skybridge })).await,
        &skybridge,
        MIME_SKYBRIDGE,
    );
    assert_eq!(mcp_app, chatgpt, "one document, two mime types");

    // Another version of the same widget is not there.
    let missing = "ui://greeter/greeting.000000000000.html";
    let r = s.request("resources/read", json!({ "uri": missing })).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.error_code(), Some(-32002), "{r:#?}");
    assert_eq!(r.body["error"]["data"]["uri"], missing);

    // The result the widget renders: text content for every host, structured
    // content for the widget.
    let call = s
        .call(
            "tools/call",
            json!({"name": "greet_user", "arguments": {"name": "Ada"}}),
        )
        .await;
    assert_eq!(call["isError"], false, "{call:#}");
    assert!(first_text(&call).starts_with("Hello, Ada! (at "));
    assert_eq!(call["structuredContent"]["greeting"], "Hello, Ada!");
}

#[tokio::test]
async fn stateless_2026_era_publishes_the_same() {
    let server = Server::start("greeter", &[]);
    let url = server.mcp("greeter");

    let d = modern(&url, 1, "server/discover", json!({}), &[]).await;
    assert_eq!(
        d.result()["capabilities"]["extensions"]["io.modelcontextprotocol/ui"],
        json!({"mimeTypes": [MIME_MCP_APP]}),
        "{d:#?}"
    );

    let tools = modern(&url, 2, "tools/list", json!({}), &[]).await;
    let (uri, skybridge) = assert_tool_meta(tools.result());

    // The same URIs as a session sees: the version tag depends on the
    // template only, not on the protocol era.
    assert_eq!(greeting_uri(&server).await, uri);

    let resources = modern(&url, 3, "resources/list", json!({}), &[]).await;
    assert_listed(resources.result(), &uri, &skybridge);

    for (id, u, mime) in [(4, &uri, MIME_MCP_APP), (5, &skybridge, MIME_SKYBRIDGE)] {
        let r = modern(&url, id, "resources/read", json!({ "uri": u }), &[]).await;
        let result = r.result();
        assert_read(result, u, mime);
        assert!(result["ttlMs"].as_u64().is_some(), "{result:#}");
        assert_eq!(result["resultType"], "complete");
    }

    let missing = "ui://greeter/greeting.000000000000.skybridge.html";
    let r = modern(&url, 6, "resources/read", json!({ "uri": missing }), &[]).await;
    assert_eq!(
        r.error_code(),
        Some(-32602),
        "2026 reports not-found as invalid params: {r:#?}"
    );
}
