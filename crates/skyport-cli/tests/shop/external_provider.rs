//! The shop with the external product provider switched on
//! (`UNWRANGLE_API_KEY`), through the real binary, against a local fake of
//! the provider's API (never the internet): search results come from it,
//! are cached (a repeated search makes no request), can be added to a cart
//! at the provider's price, and a failing provider falls back to the
//! built-in catalog with a notice. The key never reaches a result.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::common::*;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

const APPS: &str = "shop-auth,shop-search,shop-checkout";
const KEY: &str = "test-key-5f2a9c";

#[derive(Clone, Default)]
struct Fake {
    requests: Arc<AtomicUsize>,
    failing: Arc<AtomicBool>,
}

async fn getter(
    State(fake): State<Fake>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    fake.requests.fetch_add(1, Ordering::SeqCst);
    if fake.failing.load(Ordering::SeqCst) {
        return (StatusCode::INTERNAL_SERVER_ERROR, "upstream exploded").into_response();
    }
    if q.get("api_key").map(String::as_str) != Some(KEY) {
        return (StatusCode::UNAUTHORIZED, "bad key").into_response();
    }
    let search = q.get("search").cloned().unwrap_or_default();
    axum::Json(json!({
        "success": true,
        "total_results": 2,
        "results": [
            { "id": "81234", "name": format!("Peakline Trail Runner ({search})"), "brand": "Peakline",
              "price": 59.99, "rating": 4.4, "total_ratings": 120,
              "thumbnail": "https://img.example/81234.jpg" },
            { "id": "81235", "name": "Peakline Road Racer", "brand": "Peakline",
              "price": "$89.00", "rating": "4.7", "total_ratings": "1,024" }
        ]
    }))
    .into_response()
}

async fn start_fake() -> (String, Fake) {
    let fake = Fake::default();
    let app = Router::new()
        .route("/api/getter/", get(getter))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), fake)
}

async fn call(server: &Server, app: &str, tool: &str, args: Value) -> Value {
    rpc(
        &server.mcp(app),
        &request(1, "tools/call", json!({ "name": tool, "arguments": args })),
        &[],
    )
    .await
    .result()
    .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_results_are_cached_bought_and_fall_back() {
    let (base, fake) = start_fake().await;
    let server = Server::start_with_env(
        APPS,
        &["--stateless"],
        &[
            ("UNWRANGLE_API_KEY", KEY),
            ("UNWRANGLE_BASE_URL", base.as_str()),
        ],
    );

    let r = call(
        &server,
        "shop-search",
        "search_products",
        json!({ "query": "trail shoes" }),
    )
    .await;
    let found = &r["structuredContent"];
    assert_eq!(found["source"], "external", "{r:#}");
    let first = &found["products"][0];
    let id = first["id"].as_str().unwrap().to_owned();
    assert!(
        id.starts_with("x-"),
        "external ids never collide with the catalog's: {id}"
    );
    assert_eq!(first["priceCents"], 5999);
    assert_eq!(
        found["products"][1]["priceCents"], 8900,
        "prices as text are read"
    );
    assert_eq!(fake.requests.load(Ordering::SeqCst), 1);

    // The same search within five minutes is answered from the cache.
    let again = call(
        &server,
        "shop-search",
        "search_products",
        json!({ "query": "trail shoes" }),
    )
    .await;
    assert_eq!(again["structuredContent"]["products"][0]["id"], id.as_str());
    assert_eq!(
        fake.requests.load(Ordering::SeqCst),
        1,
        "served from the cache"
    );

    // An external product goes into a cart at the provider's price.
    let s = call(&server, "shop-auth", "create_shopping_session", json!({})).await;
    let session = s["structuredContent"]["sessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let added = call(
        &server,
        "shop-checkout",
        "add_to_cart",
        json!({ "session_id": session, "product_id": id, "quantity": 2 }),
    )
    .await;
    assert_ne!(added["isError"], true, "{added:#}");
    assert_eq!(added["structuredContent"]["cart"]["subtotalCents"], 11998);

    // The provider fails: the catalog answers, with a notice, not an error.
    fake.failing.store(true, Ordering::SeqCst);
    let fallback = call(
        &server,
        "shop-search",
        "search_products",
        json!({ "query": "tent" }),
    )
    .await;
    assert_ne!(fallback["isError"], true, "{fallback:#}");
    let f = &fallback["structuredContent"];
    assert_eq!(f["source"], "catalog", "{f:#}");
    assert!(f["total"].as_u64().unwrap() > 0);
    let notice = f["notice"].as_str().expect("a notice says what happened");
    assert!(notice.contains("built-in catalog"), "{notice}");
    assert!(first_text(&fallback).contains(notice));

    // The key is nowhere in what the model or the widget saw.
    for v in [&r, &again, &added, &fallback] {
        assert!(!v.to_string().contains(KEY), "the API key leaked: {v:#}");
    }
    assert!(!server.stderr().contains(KEY), "the API key is not logged");
}
