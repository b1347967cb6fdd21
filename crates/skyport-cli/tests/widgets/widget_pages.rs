//! `GET /{app}/widgets/{name}`: each widget as a plain page at a stable URL,
//! with its CSP as a header (plus `connect-src 'self'` for the REST API), an
//! `ETag` for conditional requests, and a JSON 404 naming the widgets.

use crate::common::widgets::*;
use crate::common::*;
use reqwest::StatusCode;
use serde_json::Value;

async fn get(url: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = client().get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    tokio::time::timeout(STEP, req.send())
        .await
        .expect("GET timed out")
        .expect("GET failed")
}

fn header<'a>(r: &'a reqwest::Response, name: &str) -> &'a str {
    r.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header: {r:?}"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn a_widget_page_is_html_with_its_csp_and_etag() {
    let server = Server::start("greeter", &[]);
    let r = get(&server.url("/greeter/widgets/greeting"), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&r, "x-content-type-options"), "nosniff");
    assert_eq!(header(&r, "cache-control"), "no-cache");
    let csp: Vec<String> = header(&r, "content-security-policy")
        .split(';')
        .map(|d| d.trim().to_owned())
        .collect();
    for directive in [
        "default-src 'none'",
        "connect-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "frame-src 'none'",
        "object-src 'none'",
        "base-uri 'self'",
    ] {
        assert!(
            csp.iter().any(|d| d == directive),
            "{directive} not in {csp:?}"
        );
    }

    // The ETag is the template's version tag; the page is the template.
    let uri = greeting_uri(&server).await;
    let etag = header(&r, "etag").to_owned();
    assert_eq!(etag, format!("\"{}\"", greeting_hash(&uri)));
    let html = r.text().await.unwrap();
    let read = read_resource(&server, &uri).await;
    assert_eq!(
        read["result"]["contents"][0]["text"].as_str(),
        Some(html.as_str())
    );
    assert!(html.contains(r#"<meta name="skyport:tool" content="greet_user">"#));

    // The default app's path serves the same page.
    let d = get(&server.url("/widgets/greeting"), &[]).await;
    assert_eq!(d.status(), StatusCode::OK);
    assert_eq!(header(&d, "etag"), etag);
    assert_eq!(d.text().await.unwrap(), html);
}

#[tokio::test]
async fn a_matching_if_none_match_is_304() {
    let server = Server::start("greeter", &[]);
    let url = server.url("/greeter/widgets/greeting");
    let etag = header(&get(&url, &[]).await, "etag").to_owned();

    for inm in [
        etag.clone(),
        format!("W/{etag}"), // a proxy that compresses weakens the tag
        format!("\"000000000000\", {etag}"),
        "*".to_owned(),
    ] {
        let r = get(&url, &[("if-none-match", &inm)]).await;
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED, "If-None-Match: {inm}");
        assert_eq!(header(&r, "etag"), etag);
        assert!(r.bytes().await.unwrap().is_empty());
    }
    let r = get(&url, &[("if-none-match", "\"000000000000\"")]).await;
    assert_eq!(r.status(), StatusCode::OK, "a stale tag gets the page");
    assert!(r.text().await.unwrap().starts_with("<!doctype html>"));
}

#[tokio::test]
async fn an_unknown_widget_is_a_json_404_naming_the_widgets() {
    let server = Server::start("greeter", &[]);
    let r = get(&server.url("/greeter/widgets/greet"), &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&r, "content-type"), "application/json");
    let body: Value = r.json().await.unwrap();
    let msg = body["error"]["message"].as_str().expect("error.message");
    assert!(
        msg.contains("\"greet\"") && msg.contains("its widgets are: greeting"),
        "{msg}"
    );

    let r = get(&server.url("/nope/widgets/greeting"), &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "no such app");
}

#[tokio::test]
async fn a_bad_origin_is_403() {
    let server = Server::start("greeter", &[]);
    let url = server.url("/greeter/widgets/greeting");
    let r = get(&url, &[("origin", "https://evil.example")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = get(&url, &[("origin", &server.base)]).await;
    assert_eq!(r.status(), StatusCode::OK);
}
