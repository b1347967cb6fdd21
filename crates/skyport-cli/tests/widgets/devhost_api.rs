//! The dev host of `skyport dev`: the page at `/dev`, its JSON API
//! (`/dev/api/apps`, `/dev/api/inspect` with the result guard's findings),
//! and its absence under `skyport serve`.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The page the binary embeds (built from the same checkout as this test).
const INDEX_HTML: &str = include_str!("../../../skyport/src/devhost/assets/index.html");

fn dev(apps: &str) -> Server {
    Server::launch("dev", apps, &[], &[])
}

async fn inspect(server: &Server, body: &str) -> (StatusCode, Value) {
    let r = client()
        .post(server.url("/dev/api/inspect"))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.expect("a JSON answer"))
}

#[tokio::test]
async fn the_dev_page_is_served_under_dev_only() {
    let server = dev("greeter");
    for path in ["/dev", "/dev/"] {
        let r = client().get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert_eq!(ct, "text/html; charset=utf-8");
        assert_eq!(r.headers()["cache-control"], "no-store");
        let html = r.text().await.unwrap();
        assert_eq!(html, INDEX_HTML, "{path} serves the embedded page");
    }
    let r = client()
        .get(server.url("/dev/assets/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The apps are served as usual next to it.
    let r = client()
        .get(server.url("/greeter/widgets/greeting"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = client()
        .get(server.url("/dev"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let serve = Server::start("greeter", &[]);
    for path in ["/dev", "/dev/api/apps"] {
        let r = client().get(serve.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "serve has no {path}");
    }
    let r = client()
        .post(serve.url("/dev/api/inspect"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn apps_lists_each_app_with_its_widgets() {
    let server = dev("greeter,conformance");
    let r = client()
        .get(server.url("/dev/api/apps"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let apps = body["apps"].as_array().expect("apps");
    let names: Vec<&str> = apps.iter().filter_map(|a| a["name"].as_str()).collect();
    assert_eq!(names, ["conformance", "greeter"], "{body:#}");
    assert_eq!(body["defaultApp"], Value::Null, "two apps: no default");

    let greeter = &apps[1];
    assert_eq!(greeter["mcp"], "/greeter/mcp");
    assert_eq!(greeter["summary"], "greets a user by name (seed 003)");
    let widgets = greeter["widgets"].as_array().expect("widgets");
    assert_eq!(widgets.len(), 1, "{greeter:#}");
    let w = &widgets[0];
    assert_eq!(w["name"], "greeting");
    assert_eq!(w["tool"], "greet_user");
    assert_eq!(w["page"], "/greeter/widgets/greeting");
    assert_eq!(w["archived"], json!([]));
    let hash = w["hash"].as_str().expect("hash");
    assert_eq!(w["uri"], format!("ui://greeter/greeting.{hash}.html"));
    assert_eq!(
        w["skybridgeUri"],
        format!("ui://greeter/greeting.{hash}.skybridge.html")
    );
    // The same version the MCP endpoint publishes.
    assert_eq!(
        crate::common::widgets::greeting_uri(&server).await,
        w["uri"].as_str().unwrap()
    );
    assert_eq!(apps[0]["widgets"], json!([]), "conformance has no widgets");

    let single = dev("greeter");
    let body: Value = client()
        .get(single.url("/dev/api/apps"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["defaultApp"], "greeter");
}

#[tokio::test]
async fn apps_lists_the_versions_kept_after_a_redeploy() {
    let data = TempDir::new("devhost-data");
    let apps = |server: &Server| {
        let url = server.url("/dev/api/apps");
        async move {
            let body: Value = client()
                .get(url)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            body["apps"][0]["widgets"][0].clone()
        }
    };
    let first = Server::launch("dev", "greeter", &["--data-dir", data.as_str()], &[]);
    let old = apps(&first).await;
    drop(first);
    let second = Server::launch(
        "dev",
        "greeter",
        &["--data-dir", data.as_str()],
        &[("SKYPORT_WIDGETS_BASE_URL", "https://cdn.example.com/w")],
    );
    let new = apps(&second).await;
    assert_ne!(new["hash"], old["hash"]);
    assert_eq!(new["archived"], json!([old["hash"]]), "{new:#}");
}

#[tokio::test]
async fn inspect_reports_secrets_and_oversize_structured_content() {
    let server = dev("greeter");

    let (status, body) = inspect(
        &server,
        &json!({"result": {
            "content": [{"type": "text", "text": "ok"}],
            "structuredContent": {"user": "ada", "apiKey": "x"},
        }})
        .to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let findings = body["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{body:#}");
    assert_eq!(findings[0]["kind"], "secret");
    assert_eq!(findings[0]["severity"], "error");
    assert_eq!(findings[0]["path"], "/structuredContent/apiKey");
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("\"apiKey\""),
        "{body:#}"
    );

    let (status, body) = inspect(
        &server,
        &json!({"result": {"structuredContent": {"items": "x".repeat(20 * 1024)}}}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let findings = body["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{body:#}");
    assert_eq!(findings[0]["kind"], "oversize");
    assert_eq!(findings[0]["severity"], "warning");
    assert_eq!(findings[0]["path"], "/structuredContent");
    assert!(
        findings[0]["message"].as_str().unwrap().contains("_meta"),
        "the message says where widget-only data goes: {body:#}"
    );

    // A real greeter result is clean, and so is a result without structured content.
    let call: Value = client()
        .post(server.url("/greeter/mcp/tools/call"))
        .header("content-type", "application/json")
        .body(r#"{"name": "greet_user", "arguments": {"name": "Ada"}}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (_, body) = inspect(&server, &json!({ "result": call }).to_string()).await;
    assert_eq!(body["findings"], json!([]), "{body:#}");
    let (_, body) = inspect(&server, r#"{"result": {"content": []}}"#).await;
    assert_eq!(body["findings"], json!([]));

    let (status, body) = inspect(&server, "{not json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("the body must be"),
        "{body:#}"
    );
}
