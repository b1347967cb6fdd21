//! The protection layer's headers and time limit: security headers on every
//! response (framing refused except on widget and dev pages, HSTS only for
//! an https public URL), CORS on the MCP and REST endpoints for the allowed
//! origins only, `*` with credentials refused at start-up, and
//! `http.request_timeout_secs` cutting slow plain answers but not streams.

use std::time::{Duration, Instant};

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn header<'a>(r: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    r.headers().get(name).map(|v| v.to_str().unwrap())
}

async fn get(url: &str) -> reqwest::Response {
    tokio::time::timeout(STEP, client().get(url).send())
        .await
        .expect("GET timed out")
        .expect("GET failed")
}

fn assert_secure(r: &reqwest::Response, framed: bool) {
    let what = r.url().path().to_owned();
    assert_eq!(
        header(r, "x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(header(r, "referrer-policy"), Some("no-referrer"), "{what}");
    assert_eq!(
        header(r, "strict-transport-security"),
        None,
        "{what}: http only"
    );
    if framed {
        assert_eq!(header(r, "x-frame-options"), None, "{what}: hosts frame it");
        let csp = header(r, "content-security-policy").unwrap_or_default();
        assert!(!csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    } else {
        assert_eq!(header(r, "x-frame-options"), Some("DENY"), "{what}");
        assert_eq!(
            header(r, "content-security-policy"),
            Some("frame-ancestors 'none'"),
            "{what}"
        );
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let s = Server::start("greeter", &[]);
    assert_secure(&get(&s.url("/health")).await, false);
    assert_secure(&get(&s.url("/metrics")).await, false);
    assert_secure(&get(&s.url("/no/such/page")).await, false);
    let init = request(1, "initialize", init_params(LATEST_LEGACY, json!({})));
    let r = post_json(&s.mcp("greeter"), &init, &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_secure(&r, false);
    // Refusals too.
    let r = post_json(
        &s.mcp("greeter"),
        &init,
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_secure(&r, false);
    // Widget pages are framed by hosts.
    let r = get(&s.url("/greeter/widgets/greeting")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_secure(&r, true);
    let r = get(&s.url("/widgets/greeting")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_secure(&r, true);

    // The dev host is framed-page territory too.
    let d = Server::launch("dev", "greeter", &[], &[]);
    let r = get(&d.url("/dev")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_secure(&r, true);
    assert_secure(&get(&d.url("/health")).await, false);
}

#[tokio::test]
async fn hsts_only_for_an_https_public_url() {
    let s = Server::start_with_env(
        "greeter",
        &[],
        &[("SKYPORT_AUTH_PUBLIC_URL", "https://sky.example.com")],
    );
    let r = get(&s.url("/health")).await;
    assert_eq!(
        header(&r, "strict-transport-security"),
        Some("max-age=31536000")
    );
    let r = get(&s.url("/greeter/widgets/greeting")).await;
    assert!(header(&r, "strict-transport-security").is_some());
}

async fn preflight(url: &str, origin: &str) -> reqwest::Response {
    let req = client()
        .request(reqwest::Method::OPTIONS, url)
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type, mcp-session-id, mcp-protocol-version, authorization",
        );
    tokio::time::timeout(STEP, req.send())
        .await
        .unwrap()
        .unwrap()
}

fn list(r: &reqwest::Response, name: &str) -> Vec<String> {
    header(r, name)
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

#[tokio::test]
async fn cors_answers_allowed_origins_only() {
    let s = Server::start("greeter", &[]);
    let origin = "http://localhost:5173";
    for path in ["/greeter/mcp", "/mcp", "/greeter/mcp/tools/call"] {
        let r = preflight(&s.url(path), origin).await;
        assert!(r.status().is_success(), "{path}: {r:?}");
        assert_eq!(
            header(&r, "access-control-allow-origin"),
            Some(origin),
            "{path}"
        );
        let allowed = list(&r, "access-control-allow-headers");
        for h in [
            "content-type",
            "mcp-session-id",
            "mcp-protocol-version",
            "authorization",
            "last-event-id",
            "mcp-method",
            "mcp-name",
        ] {
            assert!(
                allowed.contains(&h.to_owned()),
                "{path}: {h} in {allowed:?}"
            );
        }
        let methods = list(&r, "access-control-allow-methods");
        for m in ["get", "post", "delete"] {
            assert!(methods.contains(&m.to_owned()), "{path}: {methods:?}");
        }
        assert_eq!(header(&r, "access-control-allow-credentials"), None);
    }
    // Another origin: no CORS allowance.
    let r = preflight(&s.mcp("greeter"), "https://evil.example").await;
    assert_eq!(header(&r, "access-control-allow-origin"), None, "{r:?}");
    // The actual request from the allowed origin exposes the MCP headers.
    let init = request(1, "initialize", init_params(LATEST_LEGACY, json!({})));
    let r = post_json(&s.mcp("greeter"), &init, &[("origin", origin)]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "access-control-allow-origin"), Some(origin));
    let exposed = list(&r, "access-control-expose-headers");
    for h in ["mcp-session-id", "www-authenticate"] {
        assert!(exposed.contains(&h.to_owned()), "{h} in {exposed:?}");
    }
    assert!(header(&r, "mcp-session-id").is_some());
}

#[tokio::test]
async fn cors_origins_narrow_the_list_and_star_answers_any_without_credentials() {
    let s = Server::start_with_env(
        "greeter",
        &[],
        &[("SKYPORT_HTTP_CORS_ORIGINS", "http://localhost:3000")],
    );
    let r = preflight(&s.mcp("greeter"), "http://localhost:3000").await;
    assert_eq!(
        header(&r, "access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    // Allowed by http.allowed_origins, but not for CORS.
    let r = preflight(&s.mcp("greeter"), "http://127.0.0.1:3000").await;
    assert_eq!(header(&r, "access-control-allow-origin"), None);

    let s = Server::start_with_env(
        "greeter",
        &[],
        &[
            ("SKYPORT_HTTP_ALLOWED_ORIGINS", "*"),
            ("SKYPORT_HTTP_CORS_ORIGINS", "*"),
        ],
    );
    let r = preflight(&s.mcp("greeter"), "https://anywhere.example").await;
    assert_eq!(header(&r, "access-control-allow-origin"), Some("*"));
    assert_eq!(header(&r, "access-control-allow-credentials"), None);
}

#[test]
fn star_with_credentials_is_refused_at_start_up() {
    for env in [
        vec![
            ("SKYPORT_HTTP_CORS_ORIGINS", "*"),
            ("SKYPORT_HTTP_CORS_ALLOW_CREDENTIALS", "true"),
        ],
        // Unset cors_origins falls back to allowed_origins, `*` there too.
        vec![
            ("SKYPORT_HTTP_ALLOWED_ORIGINS", "*"),
            ("SKYPORT_HTTP_CORS_ALLOW_CREDENTIALS", "true"),
        ],
    ] {
        let out = run_cli(
            &["serve", "--listen", "127.0.0.1:0", "--apps", "greeter"],
            &env,
        );
        assert!(!out.status.success(), "{env:?} started");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("http.cors_allow_credentials"), "{err}");
    }
    // A CORS origin the Origin check would refuse anyway is a mistake too.
    let out = run_cli(
        &["serve", "--listen", "127.0.0.1:0", "--apps", "greeter"],
        &[("SKYPORT_HTTP_CORS_ORIGINS", "https://chat.example.com")],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("http.allowed_origins"), "{err}");
}

fn slow_steps(steps: u32, delay_ms: u64) -> Value {
    json!({"name": "slow_steps", "arguments": {"steps": steps, "delay_ms": delay_ms}})
}

#[tokio::test]
async fn the_time_limit_cuts_slow_answers_but_not_streams() {
    let s = Server::start_with_env("probe", &[], &[("SKYPORT_HTTP_REQUEST_TIMEOUT_SECS", "1")]);
    // A plain answer (the REST API) that would take 2.1 s.
    let started = Instant::now();
    let r = post_json(&s.url("/probe/mcp/tools/call"), &slow_steps(3, 700), &[]).await;
    let took = started.elapsed();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(2000),
        "{took:?}"
    );
    assert_eq!(header(&r, "x-content-type-options"), Some("nosniff"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "timeout", "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("http.request_timeout_secs"),
        "{body}"
    );
    // A quick one passes.
    let r = post_json(&s.url("/probe/mcp/tools/call"), &slow_steps(1, 10), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);

    // POST /mcp answered with a stream: it goes on past the limit to its result.
    let session = Session::open(&s.mcp("probe"), LATEST_LEGACY).await;
    let mut call = request(7, "tools/call", slow_steps(4, 500));
    call["params"]["_meta"] = json!({"progressToken": "p"});
    let started = Instant::now();
    let resp = session.post(&call).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(is_sse(&resp));
    let mut stream = SseStream::new(resp);
    let result = loop {
        let m = stream.next_message(STEP).await.expect("the stream goes on");
        if m.get("id").is_some() {
            break m;
        }
    };
    assert!(started.elapsed() > Duration::from_millis(1500));
    assert_eq!(result["id"], 7, "{result:#}");
    assert_eq!(
        result["result"]["structuredContent"]["steps"], 4,
        "{result:#}"
    );

    // The standalone GET stream and the legacy SSE stream stay open past it.
    let mut standalone = SseStream::new(session.get(&[]).await);
    let mut legacy = LegacySse::open(&s, "probe").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    legacy.post(request(9, "ping", json!({}))).await;
    let pong = legacy
        .stream
        .next_message(STEP)
        .await
        .expect("legacy stream open");
    assert_eq!(pong["id"], 9, "{pong:#}");
    session
        .call("resources/subscribe", json!({"uri": "probe://board"}))
        .await;
    let touched = session
        .call(
            "tools/call",
            json!({"name": "touch_resource", "arguments": {"uri": "probe://board"}}),
        )
        .await;
    assert_ne!(touched["isError"], json!(true), "{touched:#}");
    let note = loop {
        let m = standalone
            .next_message(STEP)
            .await
            .expect("standalone stream open");
        if m["method"] == "notifications/resources/updated" {
            break m;
        }
    };
    assert_eq!(note["params"]["uri"], "probe://board");
}
