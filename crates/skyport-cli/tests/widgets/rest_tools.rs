//! The REST tool API (`POST /{app}/mcp/tools/list|call`) that standalone
//! widget pages and scripts use: the same engine path as MCP `tools/call`
//! (schema validation as `isError` results), HTTP statuses for what is not a
//! tool result (unknown tool or session 404, bad body 400, 413, 415, bad
//! Origin 403), MCP sessions by id, and CORS for allowed origins.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// An answer of the REST API.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    content_type: String,
    body: Value,
}

impl Answer {
    fn message(&self) -> &str {
        self.body["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no error.message: {self:#?}"))
    }

    /// Asserts a JSON error answer with `status` whose message contains every `needle`.
    fn assert_error(&self, status: StatusCode, needles: &[&str]) {
        assert_eq!(self.status, status, "{self:#?}");
        assert!(
            self.content_type.starts_with("application/json"),
            "{self:#?}"
        );
        assert!(self.body["error"]["code"].is_i64(), "{self:#?}");
        for n in needles {
            assert!(self.message().contains(n), "{n:?} not in {self:#?}");
        }
    }
}

/// POSTs `body` to `url` with `headers` (content type JSON unless overridden).
async fn post(url: &str, body: &str, headers: &[(&str, &str)]) -> Answer {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("content-type", "application/json".parse().unwrap());
    for (k, v) in headers {
        let name = reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap();
        h.insert(name, v.parse().unwrap());
    }
    let req = client().post(url).headers(h).body(body.to_owned());
    let resp = tokio::time::timeout(STEP, req.send())
        .await
        .expect("POST timed out")
        .expect("POST failed");
    let status = resp.status();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = resp.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        content_type,
        body,
    }
}

async fn call(server: &Server, path: &str, body: Value) -> Answer {
    post(&server.url(path), &body.to_string(), &[]).await
}

#[tokio::test]
async fn lists_tools_with_their_meta_on_the_app_and_default_paths() {
    let server = Server::start("greeter", &[]);
    for path in ["/greeter/mcp/tools/list", "/mcp/tools/list"] {
        let a = post(&server.url(path), "{}", &[]).await;
        assert_eq!(a.status, StatusCode::OK, "{path}: {a:#?}");
        assert!(a.content_type.starts_with("application/json"));
        let tools = a.body["tools"].as_array().expect("tools");
        assert_eq!(tools.len(), 1, "{a:#?}");
        assert_eq!(tools[0]["name"], "greet_user");
        assert_eq!(tools[0]["inputSchema"]["required"], json!(["name"]));
        let uri = tools[0]["_meta"]["ui"]["resourceUri"].as_str().unwrap();
        crate::common::widgets::greeting_hash(uri);
        assert_eq!(
            tools[0]["_meta"]["openai/outputTemplate"],
            uri.replace(".html", ".skybridge.html")
        );
    }
}

#[tokio::test]
async fn call_returns_the_result_and_the_widget_page() {
    let server = Server::start("greeter", &[]);
    let a = call(
        &server,
        "/greeter/mcp/tools/call",
        json!({"name": "greet_user", "arguments": {"name": "Ada"}}),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{a:#?}");
    assert_eq!(a.body["isError"], false);
    assert_eq!(a.body["structuredContent"]["greeting"], "Hello, Ada!");
    assert!(a.body["structuredContent"]["timestamp"].is_string());
    assert!(first_text(&a.body).starts_with("Hello, Ada! (at "));
    assert_eq!(a.body["widgetUrl"], "/greeter/widgets/greeting");

    // The default app's paths: the widget URL is relative to them and resolves.
    let d = call(
        &server,
        "/mcp/tools/call",
        json!({"name": "greet_user", "arguments": {"name": "Bo"}}),
    )
    .await;
    assert_eq!(d.status, StatusCode::OK, "{d:#?}");
    assert_eq!(d.body["structuredContent"]["greeting"], "Hello, Bo!");
    let page = d.body["widgetUrl"].as_str().unwrap();
    assert_eq!(page, "/widgets/greeting");
    let r = client().get(server.url(page)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn invalid_arguments_are_error_results_with_the_same_message_as_mcp() {
    let server = Server::start("greeter", &[]);
    let s = Session::open(&server.mcp("greeter"), LATEST_LEGACY).await;
    for (arguments, needle) in [
        (json!({"name": ""}), "shorter than 1 character"),
        (json!({}), "\"name\" is a required property"),
        (json!({"name": "Ada", "age": 3}), "'age' was unexpected"),
        (json!({"name": 7}), "is not of type \"string\""),
    ] {
        let params = json!({"name": "greet_user", "arguments": arguments});
        let a = call(&server, "/greeter/mcp/tools/call", params.clone()).await;
        assert_eq!(a.status, StatusCode::OK, "{a:#?}");
        assert_eq!(a.body["isError"], true, "{a:#?}");
        assert!(a.body.get("structuredContent").is_none(), "{a:#?}");
        let text = first_text(&a.body);
        assert!(
            text.starts_with("Invalid arguments for tool greet_user:") && text.contains(needle),
            "{needle:?} not in {text:?}"
        );
        let mcp = s.call("tools/call", params).await;
        assert_eq!(mcp["isError"], true);
        assert_eq!(first_text(&mcp), text, "REST and MCP say the same");
    }
    // No `arguments` at all is an empty object, as in MCP.
    let a = call(
        &server,
        "/greeter/mcp/tools/call",
        json!({"name": "greet_user"}),
    )
    .await;
    assert_eq!(a.body["isError"], true, "{a:#?}");
    assert!(first_text(&a.body).contains("\"name\" is a required property"));
    // The handler's own check (a blank name) is an error result too.
    let a = call(
        &server,
        "/greeter/mcp/tools/call",
        json!({"name": "greet_user", "arguments": {"name": "   "}}),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["isError"], true, "{a:#?}");
    assert!(first_text(&a.body).contains("visible character"), "{a:#?}");
}

#[tokio::test]
async fn an_unknown_tool_is_404_naming_the_tools() {
    let server = Server::start("greeter", &[]);
    let a = call(&server, "/greeter/mcp/tools/call", json!({"name": "greet"})).await;
    a.assert_error(StatusCode::NOT_FOUND, &["\"greet\"", "greet_user"]);
}

#[tokio::test]
async fn malformed_bodies_are_400() {
    let server = Server::start("greeter", &[]);
    let url = server.url("/greeter/mcp/tools/call");
    for (body, needle) in [
        (r#"{"name": "greet_user""#, "EOF"),
        (
            r#"{"name": "greet_user", "args": {}}"#,
            "unknown field `args`",
        ),
        (r#"{"arguments": {"name": "Ada"}}"#, "missing field `name`"),
        (
            r#"{"name": "greet_user", "arguments": ["Ada"]}"#,
            "invalid type",
        ),
        (r#"{"name": 3}"#, "invalid type"),
        ("[]", "expected struct"),
        ("null", "invalid type"),
        ("", "EOF"),
    ] {
        let a = post(&url, body, &[]).await;
        a.assert_error(StatusCode::BAD_REQUEST, &["the body must be", needle]);
    }
}

#[tokio::test]
async fn a_non_json_content_type_is_415() {
    let server = Server::start("greeter", &[]);
    for path in ["/greeter/mcp/tools/call", "/greeter/mcp/tools/list"] {
        let body = r#"{"name": "greet_user", "arguments": {"name": "Ada"}}"#;
        let a = post(&server.url(path), body, &[("content-type", "text/plain")]).await;
        a.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, &["application/json"]);
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let server = Server::start_with_env("greeter", &[], &[("SKYPORT_HTTP_MAX_BODY_BYTES", "512")]);
    let body = json!({"name": "greet_user", "arguments": {"name": "x".repeat(600)}});
    let a = call(&server, "/greeter/mcp/tools/call", body).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{a:#?}");
}

#[tokio::test]
async fn origins_are_checked_and_allowed_ones_get_cors() {
    let server = Server::start("greeter", &[]);
    let url = server.url("/greeter/mcp/tools/call");
    let body = r#"{"name": "greet_user", "arguments": {"name": "Ada"}}"#;

    let a = post(&url, body, &[("origin", "https://evil.example")]).await;
    a.assert_error(
        StatusCode::FORBIDDEN,
        &["https://evil.example", "allowed_origins"],
    );

    // A loopback page (e.g. a local CDN) may call it, and is told so.
    let local = "http://localhost:5173";
    let resp = client()
        .post(&url)
        .header("content-type", "application/json")
        .header("origin", local)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap()),
        Some(local)
    );

    // Preflight: allowed for a loopback origin, not for another.
    let preflight = |origin: &'static str| {
        client()
            .request(reqwest::Method::OPTIONS, &url)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let ok = preflight(local).await.unwrap();
    assert!(ok.status().is_success(), "{ok:?}");
    assert_eq!(
        ok.headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap()),
        Some(local)
    );
    let evil = preflight("https://evil.example").await.unwrap();
    assert!(
        evil.headers().get("access-control-allow-origin").is_none(),
        "{evil:?}"
    );
}

#[tokio::test]
async fn calls_run_in_an_existing_mcp_session_only() {
    let server = Server::start("greeter,conformance", &[]);
    let url = server.url("/greeter/mcp/tools/call");

    let a = call(
        &server,
        "/greeter/mcp/tools/call",
        json!({"name": "greet_user", "arguments": {"name": "Ada"}, "sessionId": "no-such-session"}),
    )
    .await;
    a.assert_error(
        StatusCode::NOT_FOUND,
        &["\"no-such-session\"", "omit sessionId"],
    );

    let s = Session::open(&server.mcp("greeter"), LATEST_LEGACY).await;
    let body = json!({"name": "greet_user", "arguments": {"name": "Ada"}, "sessionId": s.id});
    let a = post(&url, &body.to_string(), &[]).await;
    assert_eq!(a.status, StatusCode::OK, "{a:#?}");
    assert_eq!(a.body["structuredContent"]["greeting"], "Hello, Ada!");

    // A session belongs to its app.
    let other = Session::open(&server.mcp("conformance"), LATEST_LEGACY).await;
    let body = json!({"name": "greet_user", "arguments": {"name": "Ada"}, "sessionId": other.id});
    let a = post(&url, &body.to_string(), &[]).await;
    a.assert_error(StatusCode::NOT_FOUND, &[other.id.as_str()]);

    // An ended session is gone.
    assert!(s.delete().await.status().is_success());
    let body = json!({"name": "greet_user", "arguments": {"name": "Ada"}, "sessionId": s.id});
    let a = post(&url, &body.to_string(), &[]).await;
    a.assert_error(StatusCode::NOT_FOUND, &[s.id.as_str()]);
}

/// A tool that fails inside the server is a 500 (the caller did nothing
/// wrong), one that rejects its call with a JSON-RPC error a 400, a
/// model-only tool a 403. No built-in
/// app has such tools, so this app runs in-process, on a real socket.
#[tokio::test]
async fn a_server_fault_is_500_and_a_rejected_call_400() {
    use skyport::protocol::error::RpcError;
    use skyport::server::{Config, Server as Skyport};
    use skyport::{App, ToolDef, ToolError, ToolOutput, Visibility};

    let app = App::builder("faulty")
        .tool(
            ToolDef::builder("model_only")
                .description("Only the model may call it")
                .visibility(Visibility::Model)
                .handler(|_ctx, _args| async { Ok(ToolOutput::text("ran")) }),
        )
        .tool(
            ToolDef::builder("explode")
                .description("Fails inside the server")
                .handler(|_ctx, _args| async { Err(ToolError::Internal("db down".into())) }),
        )
        .tool(
            ToolDef::builder("refuse")
                .description("Rejects every call")
                .handler(|_ctx, _args| async {
                    Err(ToolError::Rpc(RpcError::invalid_params("not today")))
                }),
        )
        .build()
        .unwrap();
    let mut config = Config {
        listen: ([127, 0, 0, 1], 0).into(),
        ..Config::default()
    };
    config.widgets.retention_days = 0;
    let server = Skyport::new(config, vec![app]).unwrap();
    let listener = server.bind().await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let stop = server.shutdown_token();
    tokio::spawn(server.serve(listener));

    let url = format!("{base}/faulty/mcp/tools/call");
    let a = post(&url, r#"{"name": "explode"}"#, &[]).await;
    a.assert_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        &["the server log has the details"],
    );
    assert!(
        !a.message().contains("db down"),
        "internals stay in the log"
    );
    let a = post(&url, r#"{"name": "refuse"}"#, &[]).await;
    a.assert_error(StatusCode::BAD_REQUEST, &["not today"]);
    assert_eq!(a.body["error"]["code"], -32602);
    // The REST API is the widgets' channel: model-only tools are refused, as MCP Apps hosts do.
    let a = post(&url, r#"{"name": "model_only"}"#, &[]).await;
    a.assert_error(StatusCode::FORBIDDEN, &["model-only", "MCP tools/call"]);
    stop.cancel();
}
