//! Two replicas sharing PostgreSQL (records) and Redis or PostgreSQL
//! (coordination) serve one deployment: requests of one client alternate
//! between them and nothing is lost — session-era sessions, legacy SSE, the
//! 2026 era, notifications raised on one replica reaching a stream held by
//! the other, and a broken stream resumed on the other replica.
//!
//! Needs `TEST_POSTGRES_URL` (and `TEST_REDIS_URL` for the Redis variant);
//! without them each test prints a SKIPPED line.

use std::time::Duration;

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn tool(name: &str, arguments: Value) -> Value {
    json!({ "name": name, "arguments": arguments })
}

/// A session-era session opened on `a`, used with the same id on `b`.
fn on(s: &Session, server: &Server) -> Session {
    let mut other = Session::from_parts(&server.mcp("probe"), &s.id, &s.version);
    other.init = s.init.clone();
    other
}

async fn session_era_alternates(a: &Server, b: &Server) {
    let sa = Session::open(&a.mcp("probe"), LATEST_LEGACY).await;
    let sb = on(&sa, b);
    // Writes and reads alternate replicas; each sees the other's.
    for i in 0..6 {
        let (writer, reader) = if i % 2 == 0 { (&sa, &sb) } else { (&sb, &sa) };
        let key = format!("k{i}");
        let put = writer
            .call(
                "tools/call",
                tool("kv_put", json!({"key": key, "value": i})),
            )
            .await;
        assert_ne!(put["isError"], json!(true), "{put:#}");
        let got = reader
            .call("tools/call", tool("kv_get", json!({"key": key})))
            .await;
        assert_eq!(got["structuredContent"]["value"], json!(i), "{got:#}");
    }
    // Session state set through one replica holds on the other.
    sb.call("logging/setLevel", json!({"level": "debug"})).await;
    let tools = sa.call("tools/list", json!({})).await;
    assert!(tools["tools"].as_array().unwrap().len() >= 5);

    // Ending the session on one replica ends it everywhere.
    assert_eq!(sb.delete().await.status(), StatusCode::OK);
    let r = sa.request("tools/list", json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:#?}");

    // A tampered id is refused by both.
    let mut forged = sa.id.clone().into_bytes();
    forged[0] = if forged[0] == b'a' { b'b' } else { b'a' };
    let forged = Session::from_parts(
        &a.mcp("probe"),
        std::str::from_utf8(&forged).unwrap(),
        LATEST_LEGACY,
    );
    assert_eq!(
        forged.request("tools/list", json!({})).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn notification_crosses_replicas(a: &Server, b: &Server) {
    let sa = Session::open(&a.mcp("probe"), LATEST_LEGACY).await;
    let sb = on(&sa, b);
    // The stream is held by A; the subscription is made through B.
    let mut stream = SseStream::new(sa.get(&[]).await);
    let _prime = stream.next_event(STEP).await.expect("priming event");
    sb.call("resources/subscribe", json!({"uri": "probe://board"}))
        .await;
    // Raised on B (by any client, here a 2026 one), delivered on A's stream.
    let r = modern(
        &b.mcp("probe"),
        1,
        "tools/call",
        tool("touch_resource", json!({"uri": "probe://board"})),
        &[],
    )
    .await;
    assert_ne!(r.result()["isError"], json!(true));
    let msg = loop {
        let m = stream
            .next_message(STEP)
            .await
            .expect("the notification reached A's stream");
        if m["method"] == "notifications/resources/updated" {
            break m;
        }
    };
    assert_eq!(msg["params"]["uri"], "probe://board");
    // A URI nobody subscribed to is not delivered.
    modern(
        &b.mcp("probe"),
        2,
        "tools/call",
        tool("touch_resource", json!({"uri": "probe://other"})),
        &[],
    )
    .await;
    modern(
        &b.mcp("probe"),
        3,
        "tools/call",
        tool("touch_resource", json!({"uri": "probe://board"})),
        &[],
    )
    .await;
    let next = stream
        .next_message(STEP)
        .await
        .expect("second notification");
    assert_eq!(next["params"]["uri"], "probe://board", "{next:#}");
}

async fn broken_stream_resumes_on_the_other_replica(a: &Server, b: &Server) {
    let sa = Session::open(&a.mcp("probe"), LATEST_LEGACY).await;
    let sb = on(&sa, b);
    let call = request(
        77,
        "tools/call",
        json!({
            "name": "slow_steps",
            "arguments": {"steps": 6, "delay_ms": 150},
            "_meta": {"progressToken": "p"}
        }),
    );
    let resp = sa.post(&call).await;
    assert!(is_sse(&resp));
    let mut stream = SseStream::new(resp);
    let prime = stream.next_event(STEP).await.expect("priming event");
    assert!(prime.id.is_some());
    let first = stream.next_event(STEP).await.expect("first progress");
    let last_id = first.id.clone().expect("events carry ids");
    let mut seen = vec![first.json()["params"]["progress"].as_f64().unwrap()];
    drop(stream); // the connection breaks

    let resumed = sb.get(&[("last-event-id", &last_id)]).await;
    assert_eq!(resumed.status(), StatusCode::OK);
    let mut stream = SseStream::new(resumed);
    let result = loop {
        let m = stream
            .next_message(STEP)
            .await
            .expect("the resumed stream goes on to the result");
        if m["method"] == "notifications/progress" {
            seen.push(m["params"]["progress"].as_f64().unwrap());
        } else {
            break m;
        }
    };
    assert_eq!(result["id"], 77, "{result:#}");
    assert_eq!(result["result"]["structuredContent"]["steps"], 6);
    assert_eq!(
        seen,
        vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        "every step once, in order"
    );
}

async fn legacy_sse_alternates(a: &Server, b: &Server) {
    let mut sse = LegacySse::open(a, "probe").await;
    // Messages POSTed to B are answered on the stream held by A.
    let post_b = sse.post_url.replace(&a.base, &b.base);
    let post = |url: String, body: Value| async move { LegacySse::post_to(&url, body).await };
    post(
        post_b.clone(),
        request(1, "initialize", init_params("2024-11-05", json!({}))),
    )
    .await;
    let init = sse
        .stream
        .next_message(STEP)
        .await
        .expect("initialize answer on A's stream");
    assert_eq!(init["result"]["protocolVersion"], "2024-11-05");
    post(
        sse.post_url.clone(),
        notification("notifications/initialized", json!({})),
    )
    .await;
    for i in 0..4 {
        let url = if i % 2 == 0 {
            post_b.clone()
        } else {
            sse.post_url.clone()
        };
        post(
            url,
            request(
                10 + i,
                "tools/call",
                tool("counter_add", json!({"key": "legacy", "by": 1})),
            ),
        )
        .await;
        let m = sse.stream.next_message(STEP).await.expect("tool answer");
        assert_eq!(m["id"], 10 + i);
        assert_eq!(m["result"]["structuredContent"]["value"], i + 1, "{m:#}");
    }
}

async fn modern_era_alternates(a: &Server, b: &Server) {
    for i in 0..6 {
        let server = if i % 2 == 0 { a } else { b };
        let r = modern(
            &server.mcp("probe"),
            i,
            "tools/call",
            tool("counter_add", json!({"key": "modern", "by": 1})),
            &[],
        )
        .await;
        assert_eq!(r.result()["structuredContent"]["value"], i + 1);
    }
}

async fn scenario(redis: bool, test: &str) {
    let Some((a, b, _schema)) = replicas(redis, test, &[]) else {
        return;
    };
    session_era_alternates(&a, &b).await;
    notification_crosses_replicas(&a, &b).await;
    broken_stream_resumes_on_the_other_replica(&a, &b).await;
    legacy_sse_alternates(&a, &b).await;
    modern_era_alternates(&a, &b).await;
    tokio::time::sleep(Duration::from_millis(10)).await;
}

#[tokio::test]
async fn two_replicas_on_postgres_and_redis_act_as_one() {
    scenario(true, "two_replicas_on_postgres_and_redis_act_as_one").await;
}

#[tokio::test]
async fn two_replicas_on_postgres_alone_act_as_one() {
    scenario(false, "two_replicas_on_postgres_alone_act_as_one").await;
}
