//! `kill -9` during a burst of concurrent writes loses no acknowledged
//! write: after a restart on the same store, every write the server
//! answered is there. On the embedded SQLite store, and on PostgreSQL when
//! `TEST_POSTGRES_URL` is set.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::*;
use serde_json::{Value, json};

const WRITERS: usize = 16;

/// Calls a probe tool through the REST API; `None` when the call failed
/// (the server died under it): only `Some` counts as acknowledged.
async fn call(base: &str, name: &str, arguments: Value) -> Option<Value> {
    let r = client()
        .post(format!("{base}/probe/mcp/tools/call"))
        .json(&json!({ "name": name, "arguments": arguments }))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .ok()?;
    if !r.status().is_success() {
        return None;
    }
    let v: Value = r.json().await.ok()?;
    (v["isError"] != json!(true)).then_some(v)
}

async fn crash_and_check(extra: &[&str], env: &[(&str, &str)]) {
    let data = TempDir::new("crash");
    let mut args = vec!["--data-dir", data.as_str()];
    args.extend_from_slice(extra);
    let server = Server::start_with_env("probe", &args, env);
    let base = server.base.clone();
    let acked: Arc<Mutex<BTreeMap<String, u64>>> = Arc::default();
    let counter_acks = Arc::new(Mutex::new(0u64));
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (base, acked, counter_acks) = (base.clone(), acked.clone(), counter_acks.clone());
        writers.push(tokio::spawn(async move {
            for n in 0u64.. {
                let key = format!("w{w}-{n}");
                match call(&base, "kv_put", json!({"key": key, "value": n})).await {
                    Some(_) => {
                        acked.lock().unwrap().insert(key, n);
                    }
                    None => break,
                }
                match call(&base, "counter_add", json!({"key": "burst", "by": 1})).await {
                    Some(_) => *counter_acks.lock().unwrap() += 1,
                    None => break,
                }
            }
        }));
    }
    // Let the burst run, then kill the server mid-write.
    while acked.lock().unwrap().len() < 400 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = std::process::Command::new("kill")
        .args(["-9", &server.pid().to_string()])
        .status()
        .expect("kill -9");
    assert!(status.success());
    for w in writers {
        w.await.unwrap();
    }
    drop(server);
    let acked = acked.lock().unwrap().clone();
    let counter_acks = *counter_acks.lock().unwrap();
    assert!(acked.len() >= 400);

    let restarted = Server::start_with_env("probe", &args, env);
    let mut missing = Vec::new();
    for (key, value) in &acked {
        match call(&restarted.base, "kv_get", json!({"key": key})).await {
            Some(v) if v["structuredContent"]["value"] == json!(value) => {}
            other => missing.push((key.clone(), other)),
        }
    }
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged writes were lost: {:?}",
        missing.len(),
        acked.len(),
        &missing[..missing.len().min(5)]
    );
    // Every acknowledged increment is in the counter (an unacknowledged one may be too).
    let counter = call(&restarted.base, "kv_get", json!({"key": "burst"}))
        .await
        .expect("the counter survives");
    let value = counter["structuredContent"]["value"].as_u64().unwrap();
    assert!(
        value >= counter_acks && value <= counter_acks + WRITERS as u64,
        "counter {value}, acknowledged increments {counter_acks}"
    );
    println!(
        "crash test: {} acknowledged writes and {counter_acks} increments, all present after kill -9",
        acked.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_keeps_every_acknowledged_write_through_kill_9() {
    crash_and_check(&[], &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_keeps_every_acknowledged_write_through_kill_9() {
    let Ok(pg) = std::env::var("TEST_POSTGRES_URL") else {
        println!(
            "SKIPPED postgres_keeps_every_acknowledged_write_through_kill_9: TEST_POSTGRES_URL is not set"
        );
        return;
    };
    let schema = PgSchema::create(&pg);
    let url = schema.url();
    crash_and_check(&["--store", &url], &[]).await;
}
