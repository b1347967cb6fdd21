//! Many simultaneous tool calls updating one cart and one counter end in
//! the state a serial run gives: no lost update. On the embedded store, and
//! across two replicas sharing PostgreSQL when `TEST_POSTGRES_URL` is set.

use std::collections::BTreeMap;

use crate::common::*;
use serde_json::{Value, json};

const CALLS: usize = 200;

async fn call(base: &str, name: &str, arguments: Value) -> Value {
    let r = client()
        .post(format!("{base}/probe/mcp/tools/call"))
        .json(&json!({ "name": name, "arguments": arguments }))
        .send()
        .await
        .expect("tools/call");
    assert!(r.status().is_success(), "{name}: {}", r.status());
    let v: Value = r.json().await.unwrap();
    assert_ne!(v["isError"], json!(true), "{name}: {v:#}");
    v
}

/// Runs the burst against `bases` (round-robin) and checks the result.
async fn burst(bases: &[String]) {
    let cart = call(&bases[0], "cart_create", json!({"owner": "u1"})).await;
    let cart_id = cart["structuredContent"]["id"].as_str().unwrap().to_owned();
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    let mut tasks = Vec::new();
    for i in 0..CALLS {
        let sku = format!("sku-{}", i % 3);
        let quantity = (i % 5 + 1) as i64;
        *expected.entry(sku.clone()).or_default() += quantity;
        let base = bases[i % bases.len()].clone();
        let cart_id = cart_id.clone();
        tasks.push(tokio::spawn(async move {
            call(
                &base,
                "cart_add",
                json!({"owner": "u1", "cart_id": cart_id, "sku": sku, "quantity": quantity}),
            )
            .await;
            call(&base, "counter_add", json!({"key": "hits", "by": 1})).await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let cart = call(
        &bases[0],
        "cart_get",
        json!({"owner": "u1", "cart_id": cart_id}),
    )
    .await;
    let lines = cart["structuredContent"]["lines"].as_array().unwrap();
    let got: BTreeMap<String, i64> = lines
        .iter()
        .map(|l| {
            (
                l["sku"].as_str().unwrap().to_owned(),
                l["quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got, expected,
        "cart quantities after {CALLS} concurrent adds"
    );
    assert_eq!(
        cart["structuredContent"]["version"],
        json!(CALLS as u64 + 1),
        "one version per change"
    );
    let hits = call(&bases[0], "kv_get", json!({"key": "hits"})).await;
    assert_eq!(hits["structuredContent"]["value"], json!(CALLS));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_cart_updates_on_sqlite_equal_the_serial_result() {
    let server = Server::start("probe", &[]);
    burst(std::slice::from_ref(&server.base)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_cart_updates_across_two_postgres_replicas_equal_the_serial_result() {
    let Ok(pg) = std::env::var("TEST_POSTGRES_URL") else {
        println!(
            "SKIPPED concurrent_cart_updates_across_two_postgres_replicas: TEST_POSTGRES_URL is not set"
        );
        return;
    };
    let schema = PgSchema::create(&pg);
    let url = schema.url();
    let a = Server::start("probe", &["--store", &url]);
    let b = Server::start("probe", &["--store", &url]);
    burst(&[a.base.clone(), b.base.clone()]).await;
}
