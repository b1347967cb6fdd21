//! Store operation latency per backend: p50 and p99 of each operation,
//! one at a time (latency, not throughput), on SQLite, PostgreSQL and Redis.
//!
//! ```sh
//! TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
//! TEST_REDIS_URL=redis://127.0.0.1:6379 \
//!   cargo run --release -p skyport-store --example store_latency [-- ITERATIONS]
//! ```
//! Backends whose variable is unset are skipped. PostgreSQL runs in a fresh
//! schema, dropped at the end.

use std::time::{Duration, Instant};

use futures::StreamExt;
use skyport_store::coordination::{Delivery, SessionFields};
use skyport_store::records::CartLine;
use skyport_store::{Store, StoreConfig};
use sqlx::Connection;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

async fn time<F, Fut>(n: usize, mut op: F) -> (Duration, Duration)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for i in 0..n / 10 {
        op(i).await; // warm-up
    }
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        op(n + i).await;
        samples.push(t.elapsed());
    }
    samples.sort();
    (percentile(&samples, 0.5), percentile(&samples, 0.99))
}

fn us(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}

async fn measure(label: &str, store: &Store, n: usize) {
    let r = &store.records;
    let c = &store.coordination;
    let mut rows: Vec<(&str, (Duration, Duration))> = Vec::new();
    rows.push((
        "kv_put",
        time(n, |i| async move {
            r.kv_put("bench", &format!("k{}", i % 1000), &serde_json::json!(i))
                .await
                .unwrap();
        })
        .await,
    ));
    rows.push((
        "kv_get",
        time(n, |i| async move {
            r.kv_get("bench", &format!("k{}", i % 1000)).await.unwrap();
        })
        .await,
    ));
    rows.push((
        "kv_incr",
        time(n, |_| async move {
            r.kv_incr("bench", "counter", 1).await.unwrap();
        })
        .await,
    ));
    let cart = r.create_cart("bench-user").await.unwrap();
    let cart_id = cart.id.as_str();
    rows.push((
        "cart_add",
        time(n, |i| async move {
            let line = CartLine {
                sku: format!("s{}", i % 20),
                title: "t".into(),
                unit_price_cents: 100,
                quantity: 1,
            };
            r.cart_add("bench-user", cart_id, line).await.unwrap();
        })
        .await,
    ));
    let ttl = Duration::from_secs(600);
    c.session_create("bench-session", &SessionFields::new(), ttl)
        .await
        .unwrap();
    rows.push((
        "session_get",
        time(n, |_| async move {
            c.session_get("bench-session", ttl).await.unwrap();
        })
        .await,
    ));
    rows.push((
        "session_set",
        time(n, |i| async move {
            c.session_set("bench-session", "f", Some(format!("{i}").as_bytes()), ttl)
                .await
                .unwrap();
        })
        .await,
    ));
    rows.push((
        "rate_hit",
        time(n, |_| async move {
            c.rate_hit("bench-client", u64::MAX / 2, Duration::from_secs(60))
                .await
                .unwrap();
        })
        .await,
    ));
    rows.push((
        "events_append",
        time(n, |i| async move {
            c.events_append(
                "bench-stream",
                i as u64 + 1,
                b"{\"jsonrpc\":\"2.0\"}",
                1024,
                ttl,
            )
            .await
            .unwrap();
        })
        .await,
    ));
    let mut sub = c.subscribe("bench-bus").await.unwrap();
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        c.publish("bench-bus", format!("{i}").as_bytes())
            .await
            .unwrap();
        loop {
            match sub.next().await {
                Some(Delivery::Message(m)) if m == format!("{i}").as_bytes() => break,
                Some(_) => continue,
                None => panic!("subscription ended"),
            }
        }
        samples.push(t.elapsed());
    }
    samples.sort();
    rows.push((
        "publish→receive",
        (percentile(&samples, 0.5), percentile(&samples, 0.99)),
    ));
    for (op, (p50, p99)) in rows {
        println!("| {label} | {op} | {} | {} |", us(p50), us(p99));
    }
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    println!("| backend | operation | p50 µs | p99 µs |");
    println!("|---|---|---|---|");
    let dir = tempfile::tempdir().unwrap();
    let sqlite = skyport_store::open(&StoreConfig {
        data_dir: dir.path().to_path_buf(),
        ..StoreConfig::default()
    })
    .await
    .unwrap();
    measure("sqlite", &sqlite, n).await;
    if let Ok(pg) = std::env::var("TEST_POSTGRES_URL") {
        let schema = format!("bench_{:08x}", rand::random::<u32>());
        let mut admin = sqlx::PgConnection::connect(&pg).await.unwrap();
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let sep = if pg.contains('?') { '&' } else { '?' };
        let url = format!("{pg}{sep}options=-c%20search_path%3D{schema}");
        let store = skyport_store::open(&StoreConfig {
            url: Some(url.clone()),
            namespace: schema.clone(),
            ..StoreConfig::default()
        })
        .await
        .unwrap();
        measure("postgres", &store, n).await;
        if let Ok(redis) = std::env::var("TEST_REDIS_URL") {
            let store = skyport_store::open(&StoreConfig {
                url: Some(url),
                redis_url: Some(redis),
                namespace: schema.clone(),
                ..StoreConfig::default()
            })
            .await
            .unwrap();
            measure("postgres+redis", &store, n).await;
        }
        drop(store);
        sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
            .execute(&mut admin)
            .await
            .unwrap();
    }
}
