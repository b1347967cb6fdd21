//! DNS-rebinding protection: a bad `Host` or `Origin` is 403 with a message
//! naming the setting that would allow it; loopback passes; the allowlists
//! are configurable.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn init_body() -> Value {
    request(0, "initialize", init_params(LATEST_LEGACY, json!({})))
}

async fn forbidden_message(resp: reqwest::Response) -> String {
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let v: Value = resp.json().await.unwrap();
    v["error"]["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn bad_host_is_403_naming_allowed_hosts() {
    let server = Server::start("greeter", &[]);
    let url = server.mcp("greeter");
    let resp = post_json(&url, &init_body(), &[("host", "evil.example.com")]).await;
    let m = forbidden_message(resp).await;
    assert!(m.contains("evil.example.com"), "{m}");
    assert!(
        m.contains("http.allowed_hosts") && m.contains("SKYPORT_HTTP_ALLOWED_HOSTS"),
        "{m}"
    );

    // With a port too.
    let resp = post_json(&url, &init_body(), &[("host", "evil.example.com:80")]).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_origin_is_403_naming_allowed_origins() {
    let server = Server::start("greeter", &[]);
    let url = server.mcp("greeter");
    for origin in [
        "http://evil.example.com",
        "null",
        "http://localhost.evil.com",
    ] {
        let resp = post_json(&url, &init_body(), &[("origin", origin)]).await;
        let m = forbidden_message(resp).await;
        assert!(
            m.contains("http.allowed_origins") && m.contains("SKYPORT_HTTP_ALLOWED_ORIGINS"),
            "{origin}: {m}"
        );
    }
}

#[tokio::test]
async fn loopback_hosts_and_origins_pass() {
    let server = Server::start("greeter", &[]);
    let url = server.mcp("greeter");
    let port = server.authority.rsplit_once(':').unwrap().1.to_owned();
    for (host, origin) in [
        (
            server.authority.clone(),
            format!("http://{}", server.authority),
        ),
        (
            format!("localhost:{port}"),
            "http://localhost:3000".to_owned(),
        ),
        (format!("[::1]:{port}"), "https://[::1]".to_owned()),
        ("127.0.0.1".to_owned(), "http://127.0.0.1:5173".to_owned()),
    ] {
        let r = rpc(&url, &init_body(), &[("host", &host), ("origin", &origin)]).await;
        assert_eq!(r.status, StatusCode::OK, "{host} {origin}: {r:#?}");
        assert!(r.header("mcp-session-id").is_some());
    }
}

#[tokio::test]
async fn every_endpoint_checks_origin() {
    let server = Server::start("greeter", &[]);
    let evil = "http://evil.example.com";
    let c = client();
    let s = Session::open(&server.mcp("greeter"), LATEST_LEGACY).await;
    let get = c
        .get(&s.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &s.id)
        .header("origin", evil)
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), StatusCode::FORBIDDEN);
    let del = c
        .delete(&s.url)
        .header("mcp-session-id", &s.id)
        .header("origin", evil)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), StatusCode::FORBIDDEN);
    // The session survived the forbidden DELETE.
    s.call("ping", json!({})).await;

    let sse = c
        .get(server.url("/greeter/sse"))
        .header("accept", "text/event-stream")
        .header("origin", evil)
        .send()
        .await
        .unwrap();
    assert_eq!(sse.status(), StatusCode::FORBIDDEN);
    let msg = c
        .post(server.url("/greeter/messages?sessionId=x"))
        .header("content-type", "application/json")
        .header("host", "evil.example.com")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(msg.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn allowlists_come_from_configuration() {
    let server = Server::start_with_env(
        "greeter",
        &[],
        &[
            ("SKYPORT_HTTP_ALLOWED_HOSTS", "mcp.example.com"),
            ("SKYPORT_HTTP_ALLOWED_ORIGINS", "https://chat.example.com"),
        ],
    );
    let url = server.mcp("greeter");
    let ok = rpc(
        &url,
        &init_body(),
        &[
            ("host", "mcp.example.com"),
            ("origin", "https://chat.example.com"),
        ],
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{ok:#?}");
    // Loopback is no longer on the list once the list is set.
    let loopback = post_json(&url, &init_body(), &[]).await;
    assert_eq!(loopback.status(), StatusCode::FORBIDDEN);
    let other_origin = post_json(
        &url,
        &init_body(),
        &[
            ("host", "mcp.example.com"),
            ("origin", "https://evil.example.com"),
        ],
    )
    .await;
    assert_eq!(other_origin.status(), StatusCode::FORBIDDEN);
}
