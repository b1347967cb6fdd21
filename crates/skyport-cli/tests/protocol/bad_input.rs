//! Every kind of bad input gets its own precise answer (HTTP status and
//! JSON-RPC code), never a 5xx, and the server keeps answering afterwards.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// After a bad request: the same session still works.
async fn still_works(s: &Session) {
    let r = s.request("ping", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "server broke: {r:#?}");
    assert_eq!(r.body["result"], json!({}));
}

async fn greeter() -> (Server, Session) {
    let server = Server::start("greeter,bench", &[]);
    let s = Session::open(&server.mcp("greeter"), LATEST_LEGACY).await;
    (server, s)
}

async fn raw(s: &Session, body: impl Into<reqwest::Body>) -> Reply {
    read_reply(post_bytes(&s.url, body, &s.headers()).await).await
}

#[tokio::test]
async fn malformed_json_is_400_parse_error() {
    let (_server, s) = greeter().await;
    let r = raw(&s, r#"{"jsonrpc":"2.0","id":1,"method":"ping""#).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:#?}");
    assert_eq!(r.error_code(), Some(-32700));
    assert!(r.body["id"].is_null(), "{r:#?}");
    still_works(&s).await;
}

#[tokio::test]
async fn empty_and_non_utf8_bodies_are_parse_errors() {
    let (_server, s) = greeter().await;
    for body in [Vec::new(), vec![0xff, 0xfe, 0x00, 0x7b]] {
        let r = raw(&s, body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:#?}");
        assert_eq!(r.error_code(), Some(-32700));
    }
    still_works(&s).await;
}

#[tokio::test]
async fn json_that_is_not_json_rpc_is_400_invalid_request() {
    let (_server, s) = greeter().await;
    let r = raw(&s, r#"{"hello":"world"}"#).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:#?}");
    assert_eq!(r.error_code(), Some(-32600));
    still_works(&s).await;
}

#[tokio::test]
async fn wrong_jsonrpc_shapes_are_invalid_requests() {
    let (_server, s) = greeter().await;
    let cases = [
        json!({ "jsonrpc": "1.0", "id": 1, "method": "ping" }),
        json!({ "id": 1, "method": "ping" }),
        json!({ "jsonrpc": "2.0", "id": null, "method": "ping" }),
        json!({ "jsonrpc": "2.0", "id": {"a": 1}, "method": "ping" }),
        json!({ "jsonrpc": "2.0", "id": 1, "method": "ping", "params": 5 }),
        json!({ "jsonrpc": "2.0", "id": 1 }),
        json!("just a string"),
        json!(42),
    ];
    for body in cases {
        let r = raw(&s, serde_json::to_vec(&body).unwrap()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {r:#?}");
        assert_eq!(r.error_code(), Some(-32600), "{body}");
    }
    // The id is echoed when it could be read.
    let r = raw(&s, r#"{"jsonrpc":"1.0","id":"abc","method":"ping"}"#).await;
    assert_eq!(r.body["id"], "abc", "{r:#?}");
    still_works(&s).await;
}

#[tokio::test]
async fn unknown_method_is_32601() {
    let (_server, s) = greeter().await;
    let r = s.request("tools/explode", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{r:#?}");
    assert_eq!(r.error_code(), Some(-32601));
    assert!(r.error_message().contains("tools/explode"));
    assert_eq!(r.body["id"], 1);
    still_works(&s).await;
}

#[tokio::test]
async fn unknown_tool_is_32602_naming_the_tools() {
    let (_server, s) = greeter().await;
    let r = s
        .request(
            "tools/call",
            json!({ "name": "greet_everyone", "arguments": {} }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.error_code(), Some(-32602), "{r:#?}");
    let m = r.error_message();
    assert!(
        m.contains("greet_everyone") && m.contains("greet_user"),
        "{m}"
    );
    still_works(&s).await;
}

#[tokio::test]
async fn invalid_params_are_32602() {
    let (_server, s) = greeter().await;
    for params in [
        json!({ "arguments": { "name": "x" } }),
        json!({ "name": 5 }),
        json!({ "name": "greet_user", "arguments": "not an object" }),
    ] {
        let r = s.request("tools/call", params.clone()).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.error_code(), Some(-32602), "{params}: {r:#?}");
    }
    let r = s.request("resources/read", json!({})).await;
    assert_eq!(r.error_code(), Some(-32602), "{r:#?}");
    let r = s
        .request("logging/setLevel", json!({ "level": "loud" }))
        .await;
    assert_eq!(r.error_code(), Some(-32602), "{r:#?}");
    let r = s
        .request("tools/list", json!({ "cursor": "not-a-cursor" }))
        .await;
    assert_eq!(r.error_code(), Some(-32602), "{r:#?}");
    still_works(&s).await;
}

/// The `isError` result of a call whose arguments fail the schema.
async fn schema_failure(s: &Session, tool: &str, args: Value) -> String {
    let r = s
        .request("tools/call", json!({ "name": tool, "arguments": args }))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let result = r.result();
    assert_eq!(result["isError"], true, "{result:#}");
    first_text(result).to_owned()
}

#[tokio::test]
async fn arguments_violating_the_schema_are_is_error_results_naming_field_and_rule() {
    let (server, s) = greeter().await;
    let t = schema_failure(&s, "greet_user", json!({})).await;
    assert!(t.contains("name") && t.contains("required"), "{t}");

    let t = schema_failure(&s, "greet_user", json!({ "name": "" })).await;
    assert!(t.contains("`/name`") && t.contains("shorter"), "{t}");

    let t = schema_failure(&s, "greet_user", json!({ "name": 42 })).await;
    assert!(t.contains("`/name`") && t.contains("string"), "{t}");

    let t = schema_failure(&s, "greet_user", json!({ "name": "x".repeat(101) })).await;
    assert!(t.contains("`/name`") && t.contains("longer"), "{t}");

    let bench = Session::open(&server.mcp("bench"), LATEST_LEGACY).await;
    let t = schema_failure(
        &bench,
        "search_products",
        json!({ "query": "a", "limit": 1000 }),
    )
    .await;
    assert!(t.contains("`/limit`") && t.contains("maximum"), "{t}");
    let t = schema_failure(
        &bench,
        "search_products",
        json!({ "query": "a", "limit": 0 }),
    )
    .await;
    assert!(t.contains("`/limit`") && t.contains("minimum"), "{t}");
    still_works(&s).await;
}

#[tokio::test]
async fn body_over_the_limit_is_413() {
    let (_server, s) = greeter().await;
    // A valid request padded past the 4 MiB default.
    let pad = "x".repeat(4 * 1024 * 1024 + 1);
    let body = serde_json::to_vec(&request(
        9,
        "tools/call",
        json!({ "name": "greet_user", "arguments": { "name": pad } }),
    ))
    .unwrap();
    let resp = client()
        .post(&s.url)
        .headers(post_headers(&s.headers()))
        .body(body)
        .send()
        .await
        .expect("the 413 answer must arrive");
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let v: Value = resp.json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("max_body_bytes"),
        "{v:#}"
    );
    still_works(&s).await;
}

#[tokio::test]
async fn body_limit_is_configurable() {
    let server = Server::start_with_env("greeter", &[], &[("SKYPORT_HTTP_MAX_BODY_BYTES", "512")]);
    let s = Session::open(&server.mcp("greeter"), LATEST_LEGACY).await;
    let r = s
        .request(
            "tools/call",
            json!({ "name": "greet_user", "arguments": { "name": "y".repeat(600) } }),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{r:#?}");
    still_works(&s).await;
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let (_server, s) = greeter().await;
    let mut h = s.headers();
    h.push(("content-type", "text/plain"));
    let resp = post_json(&s.url, &request(1, "ping", json!({})), &h).await;
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let mut h = s.headers();
    h.push(("content-type", ""));
    let resp = post_json(&s.url, &request(1, "ping", json!({})), &h).await;
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    still_works(&s).await;
}

#[tokio::test]
async fn accept_without_event_stream_is_406() {
    let (_server, s) = greeter().await;
    let mut h = s.headers();
    h.push(("accept", "application/json"));
    let resp = post_json(&s.url, &request(1, "ping", json!({})), &h).await;
    assert_eq!(resp.status(), StatusCode::NOT_ACCEPTABLE);
    let v: Value = resp.json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("text/event-stream")
    );
    still_works(&s).await;
}

#[tokio::test]
async fn missing_session_header_is_400() {
    let (_server, s) = greeter().await;
    let r = rpc(
        &s.url,
        &request(1, "tools/list", json!({})),
        &[("mcp-protocol-version", LATEST_LEGACY)],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:#?}");
    assert!(r.error_message().contains("Mcp-Session-Id"), "{r:#?}");
    still_works(&s).await;
}

#[tokio::test]
async fn unknown_session_is_404() {
    let (_server, s) = greeter().await;
    let r = rpc(
        &s.url,
        &request(1, "tools/list", json!({})),
        &[
            ("mcp-session-id", "00000000000000000000000000000000"),
            ("mcp-protocol-version", LATEST_LEGACY),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:#?}");
    assert_eq!(r.error_code(), Some(-32001));
    still_works(&s).await;
}

#[tokio::test]
async fn unsupported_protocol_version_header_is_400() {
    let (_server, s) = greeter().await;
    let r = rpc(
        &s.url,
        &request(1, "tools/list", json!({})),
        &[
            ("mcp-session-id", &s.id),
            ("mcp-protocol-version", "1999-01-01"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:#?}");
    assert!(r.error_message().contains("1999-01-01"), "{r:#?}");
    assert!(r.body["error"]["data"]["supported"].is_array(), "{r:#?}");
    still_works(&s).await;
}

#[tokio::test]
async fn garbage_never_gets_a_5xx() {
    let (server, s) = greeter().await;
    let deep = "[".repeat(5000) + &"]".repeat(5000);
    let bodies: Vec<Vec<u8>> = vec![
        deep.into_bytes(),
        b"[]".to_vec(),
        b"[1,2,3]".to_vec(),
        b"null".to_vec(),
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"greet_user\",\"arguments\":{\"name\":\"\\ud800\"}}}".to_vec(),
        b"{\"jsonrpc\":\"2.0\",\"id\":99999999999999999999999,\"method\":\"ping\"}".to_vec(),
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"greet_user\",\"_meta\":5}}".to_vec(),
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\",\"params\":{\"uri\":\"\"}}".to_vec(),
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\",\"params\":{}}".to_vec(),
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"notifications/initialized\"}".to_vec(),
    ];
    for body in bodies {
        let shown = String::from_utf8_lossy(&body[..body.len().min(80)]).into_owned();
        let r = raw(&s, body).await;
        assert!(
            !r.status.is_server_error(),
            "{shown}: got {} {:#}",
            r.status,
            r.body
        );
        assert!(
            r.status != StatusCode::OK || r.body.get("jsonrpc").is_some(),
            "{shown}: {r:#?}"
        );
    }
    // Other endpoints and methods.
    let c = client();
    for resp in [
        c.put(&s.url).send().await.unwrap(),
        c.patch(server.url("/health")).send().await.unwrap(),
        c.get(server.url("/nope/mcp")).send().await.unwrap(),
        c.post(server.url("/greeter/mcp/extra"))
            .send()
            .await
            .unwrap(),
    ] {
        assert!(resp.status().is_client_error(), "{}", resp.status());
    }
    still_works(&s).await;
    assert_alive(&server).await;
}
