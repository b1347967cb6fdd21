//! `/health` (JSON) and `/metrics` (Prometheus text) on the real server.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn metrics(server: &Server) -> String {
    let resp = client().get(server.url("/metrics")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        ct.starts_with("application/openmetrics-text") || ct.starts_with("text/plain"),
        "{ct}"
    );
    resp.text().await.unwrap()
}

/// The value of one sample line, e.g. `skyport_mcp_requests_total{app="greeter",method="tools/call"}`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| {
        l.strip_prefix(series)
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
    })
}

async fn health(server: &Server) -> Value {
    let resp = client().get(server.url("/health")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"))
    );
    resp.json().await.unwrap()
}

#[tokio::test]
async fn health_lists_apps_and_counts_sessions() {
    let server = Server::start("greeter,bench", &[]);
    let h = health(&server).await;
    assert_eq!(h["status"], "ok", "{h:#}");
    assert_eq!(h["stateless"], false);
    assert!(h["version"].is_string());
    assert!(h["default_app"].is_null(), "two apps, no default: {h:#}");
    let apps = h["apps"].as_array().unwrap();
    let names: Vec<&str> = apps.iter().filter_map(|a| a["name"].as_str()).collect();
    assert_eq!(names, ["bench", "greeter"]);
    let greeter = apps.iter().find(|a| a["name"] == "greeter").unwrap();
    assert_eq!(greeter["path"], "/greeter/mcp");
    assert_eq!(greeter["sessions"], 0);

    let s = Session::open(&server.mcp("greeter"), LATEST_LEGACY).await;
    let h = health(&server).await;
    let greeter = h["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "greeter")
        .unwrap()
        .clone();
    assert_eq!(greeter["sessions"], 1, "{h:#}");
    assert_eq!(s.delete().await.status(), StatusCode::OK);
    let h = health(&server).await;
    assert_eq!(h["apps"][1]["sessions"], 0, "{h:#}");
}

#[tokio::test]
async fn metrics_count_requests_by_app_and_method() {
    let server = Server::start("greeter", &[]);
    let call_series = r#"skyport_mcp_requests_total{app="greeter",method="tools/call"}"#;
    let before = metrics(&server).await;
    assert!(
        before.contains("# TYPE skyport_mcp_requests counter"),
        "{before}"
    );
    assert_eq!(sample(&before, call_series).unwrap_or(0.0), 0.0);

    let s = Session::open(&server.mcp("greeter"), LATEST_LEGACY).await;
    for name in ["A", "B"] {
        s.call(
            "tools/call",
            json!({ "name": "greet_user", "arguments": { "name": name } }),
        )
        .await;
    }
    // One call whose arguments fail the schema: a tool error.
    s.call(
        "tools/call",
        json!({ "name": "greet_user", "arguments": {} }),
    )
    .await;
    s.call("tools/list", json!({})).await;
    // An unknown method: counted as an error.
    s.request("bogus/method", json!({})).await;

    let text = metrics(&server).await;
    assert_eq!(sample(&text, call_series), Some(3.0), "{text}");
    assert_eq!(
        sample(
            &text,
            r#"skyport_mcp_requests_total{app="greeter",method="tools/list"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"skyport_mcp_requests_total{app="greeter",method="initialize"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"skyport_tool_errors_total{app="greeter",tool="greet_user"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert!(
        sample(
            &text,
            r#"skyport_mcp_errors_total{app="greeter",method="other"}"#
        )
        .unwrap_or(0.0)
            >= 1.0,
        "{text}"
    );
    assert_eq!(
        sample(&text, r#"skyport_sessions{app="greeter"}"#),
        Some(1.0),
        "{text}"
    );
    assert!(
        text.contains("skyport_mcp_request_duration_seconds"),
        "{text}"
    );
}

#[tokio::test]
async fn rejections_are_counted_and_requests_get_an_id() {
    let server = Server::start("greeter", &[]);
    let url = server.mcp("greeter");
    let resp = post_json(
        &url,
        &request(1, "ping", json!({})),
        &[("origin", "http://evil.example.com")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp.headers().contains_key("x-request-id"));
    let text = metrics(&server).await;
    assert_eq!(
        sample(
            &text,
            r#"skyport_http_rejections_total{app="greeter",method="origin"}"#
        ),
        Some(1.0),
        "{text}"
    );
    // A caller's own request id is echoed.
    let resp = client()
        .get(server.url("/health"))
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("trace-abc-123")
    );
}
