//! Store settings: the embedded default needs nothing; a bad or unreachable
//! store stops the start with a message naming the setting (and no password).

use crate::common::*;
use serde_json::json;

fn refused(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut all = vec!["serve", "--listen", "127.0.0.1:0", "--apps", "probe"];
    all.extend_from_slice(args);
    let out = run_cli(&all, env);
    assert!(!out.status.success(), "{args:?} {env:?} was accepted");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn bad_store_settings_fail_at_start_up_naming_the_setting() {
    let e = refused(&["--store", "mysql://u:hunter2@db/x"], &[]);
    assert!(e.contains("store.url") && !e.contains("hunter2"), "{e}");
    let e = refused(
        &[],
        &[("SKYPORT_STORE_URL", "postgres://u:hunter2@127.0.0.1:1/x")],
    );
    assert!(
        e.contains("store.url") && e.contains("cannot reach") && !e.contains("hunter2"),
        "{e}"
    );
    let e = refused(&["--redis", "redis://127.0.0.1:1"], &[]);
    assert!(
        e.contains("store.redis_url") && e.contains("cannot reach"),
        "{e}"
    );
    let e = refused(&[], &[("SKYPORT_REDIS_URL", "http://cache")]);
    assert!(e.contains("store.redis_url"), "{e}");
}

#[test]
fn an_unusable_data_dir_fails_naming_it() {
    let dir = TempDir::new("store-file");
    let file = dir.join("data");
    std::fs::write(&file, "not a directory").unwrap();
    let e = refused(&["--data-dir", file.to_str().unwrap()], &[]);
    assert!(e.contains("data_dir"), "{e}");
}

#[tokio::test]
async fn the_embedded_store_keeps_data_across_restarts() {
    let data = TempDir::new("store-restart");
    let args = ["--data-dir", data.as_str()];
    let call = |base: String, name: &'static str, arguments: serde_json::Value| async move {
        let r = client()
            .post(format!("{base}/probe/mcp/tools/call"))
            .json(&json!({"name": name, "arguments": arguments}))
            .send()
            .await
            .unwrap();
        r.json::<serde_json::Value>().await.unwrap()
    };
    let first = Server::start("probe", &args);
    call(
        first.base.clone(),
        "kv_put",
        json!({"key": "k", "value": "kept"}),
    )
    .await;
    // A session survives the restart too: its id is signed with a key kept in the store.
    let s = Session::open(&first.mcp("probe"), LATEST_LEGACY).await;
    drop(first);
    assert!(data.join("skyport.db").exists());
    let second = Server::start("probe", &args);
    let got = call(second.base.clone(), "kv_get", json!({"key": "k"})).await;
    assert_eq!(got["structuredContent"]["value"], "kept");
    let again = Session::from_parts(&second.mcp("probe"), &s.id, &s.version);
    let tools = again.call("tools/list", json!({})).await;
    assert!(tools["tools"].as_array().is_some_and(|t| !t.is_empty()));
}
