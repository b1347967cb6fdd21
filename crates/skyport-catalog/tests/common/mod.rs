//! A fake Unwrangle API on 127.0.0.1:0 that counts requests and can misbehave on cue.

#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use skyport_catalog::Products;
use skyport_catalog::provider::{UnwrangleConfig, UnwrangleProvider};

/// The API key the fake accepts. Long and distinctive so a leak is easy to spot.
pub const KEY: &str = "sk-test-UNWRANGLE-4f9c2b7e1d";

/// How the fake answers.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Three products matching the search text.
    Ok,
    /// Sleeps, then answers like `Ok`.
    Slow(Duration),
    /// This HTTP status with a short body that echoes the key (as some APIs do).
    Status(u16),
    /// A body that is not JSON.
    Garbage,
}

/// The fake's shared state.
pub struct Fake {
    pub base_url: String,
    requests: AtomicUsize,
    mode: Mutex<Mode>,
    last_query: Mutex<Option<HashMap<String, String>>>,
}

impl Fake {
    /// Starts the fake; it runs until the test's runtime ends.
    pub async fn start() -> Arc<Fake> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let fake = Arc::new(Fake {
            base_url: format!("http://{addr}"),
            requests: AtomicUsize::new(0),
            mode: Mutex::new(Mode::Ok),
            last_query: Mutex::new(None),
        });
        let app = Router::new()
            .route("/api/getter/", get(answer))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        fake
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    pub fn last_query(&self) -> HashMap<String, String> {
        self.last_query.lock().unwrap().clone().unwrap_or_default()
    }

    /// A config for this fake: short timeout, configurable cache TTL.
    pub fn config(&self, timeout: Duration, cache_ttl: Duration) -> UnwrangleConfig {
        UnwrangleConfig {
            base_url: self.base_url.clone(),
            timeout,
            cache_ttl,
            ..UnwrangleConfig::new(KEY)
        }
    }

    pub fn provider(&self, timeout: Duration, cache_ttl: Duration) -> Arc<UnwrangleProvider> {
        Arc::new(UnwrangleProvider::new(self.config(timeout, cache_ttl)).expect("valid config"))
    }

    pub fn products(&self, timeout: Duration, cache_ttl: Duration) -> Products {
        Products::new(Some(self.provider(timeout, cache_ttl)))
    }
}

async fn answer(
    State(fake): State<Arc<Fake>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    fake.requests.fetch_add(1, Ordering::SeqCst);
    *fake.last_query.lock().unwrap() = Some(query.clone());
    if query.get("api_key").map(String::as_str) != Some(KEY) {
        return (StatusCode::UNAUTHORIZED, "bad key").into_response();
    }
    let mode = fake.mode.lock().unwrap().clone();
    match mode {
        Mode::Ok => {}
        Mode::Slow(delay) => tokio::time::sleep(delay).await,
        Mode::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (status, format!("internal error for api_key={KEY}")).into_response();
        }
        Mode::Garbage => return (StatusCode::OK, format!("<html>not json {KEY}")).into_response(),
    }
    let text = query.get("search").cloned().unwrap_or_default();
    let page: u32 = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let results: Vec<_> = (0..3)
        .map(|i| {
            json!({
                "id": format!("{page}{i}0042"),
                "name": format!("Marketplace {text} #{i}"),
                "brand": "Faraway Goods",
                "price": 10.0 + f64::from(i) * 5.5,
                "rating": 4.0 + f64::from(i) * 0.25,
                "total_ratings": 100 * (i + 1),
                "thumbnail": "https://example.invalid/t.jpg",
                "url": format!("https://example.invalid/p/{i}"),
            })
        })
        .collect();
    axum::Json(json!({ "success": true, "page": page, "total_results": 57, "results": results }))
        .into_response()
}
