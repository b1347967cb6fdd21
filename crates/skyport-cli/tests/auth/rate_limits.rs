//! Rate limits per client address (`[limits]`): the request past the limit
//! gets 429 with `Retry-After` and the `RateLimit-*` headers; loopback is
//! exempt unless `limits.exempt_loopback` is off; `X-Forwarded-For` counts
//! only with `http.trust_forwarded_for`; replicas on one PostgreSQL (and
//! Redis) count together; the embedded SQLite store counts in the process.
//!
//! The shared tests need `TEST_POSTGRES_URL` (and `TEST_REDIS_URL`); without
//! them they print a SKIPPED line.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::*;
use reqwest::StatusCode;
use serde_json::Value;

/// Replicas counting every address (loopback included), 10 requests a minute.
const LIMITED: [(&str, &str); 2] = [
    ("SKYPORT_LIMITS_EXEMPT_LOOPBACK", "false"),
    ("SKYPORT_LIMITS_PER_IP_PER_MINUTE", "10"),
];

/// Counts are per one-minute window (aligned to the clock): a test that
/// straddles a boundary would see its count restart. Waits out the last
/// 15 seconds of a minute.
async fn fresh_window() {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
        % 60_000;
    if ms > 45_000 {
        tokio::time::sleep(Duration::from_millis(60_000 - ms + 200)).await;
    }
}

/// `GET url` with extra headers.
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

/// Asserts a 429 for `setting` with a limit of `limit`.
async fn assert_refused(resp: reqwest::Response, limit: u64, setting: &str) {
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS, "{resp:?}");
    let h = resp.headers().clone();
    let header = |name: &str| {
        h.get(name)
            .unwrap_or_else(|| panic!("no {name} header: {h:?}"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    let retry: u64 = header("retry-after").parse().unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert_eq!(header("ratelimit-limit"), limit.to_string());
    assert_eq!(header("ratelimit-remaining"), "0");
    let reset: u64 = header("ratelimit-reset").parse().unwrap();
    assert!((1..=60).contains(&reset), "RateLimit-Reset {reset}");
    assert!(header("content-type").starts_with("application/json"));
    // The security headers are on refusals too.
    assert_eq!(header("x-content-type-options"), "nosniff");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "rate_limited", "{body}");
    let text = body["error_description"].as_str().unwrap();
    assert!(text.contains(setting), "{text}");
}

#[tokio::test]
async fn the_request_past_the_limit_is_refused_in_process() {
    fresh_window().await;
    let s = Server::start_with_env(
        "probe",
        &[],
        &[
            ("SKYPORT_LIMITS_EXEMPT_LOOPBACK", "false"),
            ("SKYPORT_LIMITS_PER_IP_PER_MINUTE", "5"),
        ],
    );
    for i in 0..5 {
        let r = get(&s.url("/health"), &[]).await;
        assert_eq!(r.status(), StatusCode::OK, "request {i}");
    }
    assert_refused(
        get(&s.url("/health"), &[]).await,
        5,
        "limits.per_ip_per_minute",
    )
    .await;
    // Every route counts: the MCP endpoint is refused too, still with HTTP 429.
    let r = post_json(
        &s.mcp("probe"),
        &request(
            1,
            "initialize",
            init_params(LATEST_LEGACY, serde_json::json!({})),
        ),
        &[],
    )
    .await;
    assert_refused(r, 5, "limits.per_ip_per_minute").await;
}

#[tokio::test]
async fn loopback_is_exempt_by_default_and_zero_disables() {
    let s = Server::start_with_env("probe", &[], &[("SKYPORT_LIMITS_PER_IP_PER_MINUTE", "2")]);
    for i in 0..10 {
        let r = get(&s.url("/health"), &[]).await;
        assert_eq!(r.status(), StatusCode::OK, "request {i}");
    }
    let s = Server::start_with_env(
        "probe",
        &[],
        &[
            ("SKYPORT_LIMITS_EXEMPT_LOOPBACK", "false"),
            ("SKYPORT_LIMITS_PER_IP_PER_MINUTE", "0"),
        ],
    );
    for i in 0..10 {
        let r = get(&s.url("/health"), &[]).await;
        assert_eq!(r.status(), StatusCode::OK, "request {i}");
    }
}

#[tokio::test]
async fn forwarded_for_counts_only_when_trusted() {
    fresh_window().await;
    // Not trusted: a forged header changes nothing (loopback stays exempt).
    let s = Server::start_with_env("probe", &[], &[("SKYPORT_LIMITS_PER_IP_PER_MINUTE", "3")]);
    for i in 0..6 {
        let r = get(&s.url("/health"), &[("x-forwarded-for", "203.0.113.1")]).await;
        assert_eq!(r.status(), StatusCode::OK, "request {i}");
    }
    // Trusted: the last hop is the client, counted on its own.
    let s = Server::start_with_env(
        "probe",
        &[],
        &[
            ("SKYPORT_LIMITS_PER_IP_PER_MINUTE", "3"),
            ("SKYPORT_HTTP_TRUST_FORWARDED_FOR", "true"),
        ],
    );
    let client_a = [("x-forwarded-for", "198.51.100.9, 203.0.113.1")];
    for i in 0..3 {
        let r = get(&s.url("/health"), &client_a).await;
        assert_eq!(r.status(), StatusCode::OK, "request {i}");
    }
    assert_refused(
        get(&s.url("/health"), &client_a).await,
        3,
        "limits.per_ip_per_minute",
    )
    .await;
    // The earlier hop is whatever the client wrote: it does not matter.
    let r = get(&s.url("/health"), &[("x-forwarded-for", "203.0.113.1")]).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let r = get(&s.url("/health"), &[("x-forwarded-for", "203.0.113.2")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    // Without the header: the loopback peer, exempt.
    let r = get(&s.url("/health"), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
}

/// Limit 10: 6 requests to A and 4 to B pass, the 11th (on B) is refused,
/// and so is the next on A.
async fn replicas_share_the_count(a: &Server, b: &Server) {
    for i in 0..6 {
        let r = get(&a.url("/health"), &[]).await;
        assert_eq!(r.status(), StatusCode::OK, "request {i} to A");
    }
    for i in 0..4 {
        let r = get(&b.url("/health"), &[]).await;
        assert_eq!(r.status(), StatusCode::OK, "request {i} to B");
    }
    assert_refused(
        get(&b.url("/health"), &[]).await,
        10,
        "limits.per_ip_per_minute",
    )
    .await;
    assert_refused(
        get(&a.url("/health"), &[]).await,
        10,
        "limits.per_ip_per_minute",
    )
    .await;
}

#[tokio::test]
async fn replicas_on_postgres_and_redis_share_the_count() {
    fresh_window().await;
    let Some((a, b, _schema)) = replicas(
        true,
        "replicas_on_postgres_and_redis_share_the_count",
        &LIMITED,
    ) else {
        return;
    };
    replicas_share_the_count(&a, &b).await;
}

#[tokio::test]
async fn replicas_on_postgres_share_the_count() {
    fresh_window().await;
    let Some((a, b, _schema)) = replicas(false, "replicas_on_postgres_share_the_count", &LIMITED)
    else {
        return;
    };
    replicas_share_the_count(&a, &b).await;
}

/// Two processes on one SQLite file do not share counts (the limiter is in
/// memory there): each refuses after its own limit. This is what proves the
/// SQLite path never writes a counter per request.
#[tokio::test]
async fn sqlite_counts_in_the_process() {
    fresh_window().await;
    let data = TempDir::new("rl-sqlite");
    let env = [
        ("SKYPORT_DATA_DIR", data.as_str()),
        ("SKYPORT_LIMITS_EXEMPT_LOOPBACK", "false"),
        ("SKYPORT_LIMITS_PER_IP_PER_MINUTE", "3"),
    ];
    let a = Server::start_with_env("probe", &[], &env);
    let b = Server::start_with_env("probe", &[], &env);
    for (name, s) in [("A", &a), ("B", &b)] {
        for i in 0..3 {
            let r = get(&s.url("/health"), &[]).await;
            assert_eq!(r.status(), StatusCode::OK, "request {i} to {name}");
        }
        assert_refused(
            get(&s.url("/health"), &[]).await,
            3,
            "limits.per_ip_per_minute",
        )
        .await;
    }
}
