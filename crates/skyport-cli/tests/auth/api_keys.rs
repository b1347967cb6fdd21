//! API keys end to end: made with `skyport api-key`, required by
//! `auth.require_api_key` on an app's MCP, legacy SSE and REST endpoints,
//! refused with 401 + `WWW-Authenticate` when missing, wrong, for another
//! app, or revoked.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

fn key_cli(data: &TempDir, args: &[&str]) -> String {
    let mut all = vec!["api-key", "--data-dir", data.as_str()];
    all.extend_from_slice(args);
    let out = run_cli(&all, &[]);
    assert!(
        out.status.success(),
        "skyport {all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn call(server: &Server, app: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = client()
        .post(server.url(&format!("/{app}/mcp/tools/call")))
        .json(&json!({"name": if app == "probe" { "counter_add" } else { "greet_user" },
                      "arguments": if app == "probe" { json!({"key": "k", "by": 1}) } else { json!({"name": "Ada"}) }}));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn required_keys_guard_every_endpoint_of_their_app() {
    let data = TempDir::new("keys");
    let token = key_cli(&data, &["create", "--name", "ci", "--apps", "probe"])
        .trim()
        .to_owned();
    assert!(token.starts_with("sk_"), "{token}");
    let greeter_only = key_cli(&data, &["create", "--name", "other", "--apps", "greeter"])
        .trim()
        .to_owned();
    let server = Server::start_with_env(
        "probe,greeter",
        &["--data-dir", data.as_str()],
        &[("SKYPORT_AUTH_REQUIRE_API_KEY", "probe")],
    );

    let r = call(&server, "probe", None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let challenge = r.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("skyport api-key create"),
        "{body}"
    );
    assert_eq!(
        call(&server, "probe", Some("sk_000000000000_wrong"))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(&server, "probe", Some(&greeter_only)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(&server, "probe", Some(&token)).await.status(),
        StatusCode::OK
    );
    // An app that does not require a key stays open.
    assert_eq!(
        call(&server, "greeter", None).await.status(),
        StatusCode::OK
    );

    // MCP and legacy SSE endpoints are guarded too.
    let init = request(0, "initialize", init_params(LATEST_LEGACY, json!({})));
    let mcp = server.mcp("probe");
    assert_eq!(
        post_json(&mcp, &init, &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let auth = format!("Bearer {token}");
    assert_eq!(
        post_json(&mcp, &init, &[("authorization", &auth)])
            .await
            .status(),
        StatusCode::OK
    );
    let sse = client()
        .get(server.url("/probe/sse"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(sse.status(), StatusCode::UNAUTHORIZED);

    // Listing shows ids and names, never secrets; revoking takes effect at once.
    let listed = key_cli(&data, &["list"]);
    let id = token.trim_start_matches("sk_").split('_').next().unwrap();
    assert!(
        listed.contains(id) && listed.contains("ci") && !listed.contains(&token[20..]),
        "{listed}"
    );
    key_cli(&data, &["revoke", id]);
    assert_eq!(
        call(&server, "probe", Some(&token)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(key_cli(&data, &["list"]).contains("revoked"));
}

#[test]
fn unknown_apps_in_the_setting_fail_at_start_up() {
    let out = run_cli(
        &["serve", "--listen", "127.0.0.1:0", "--apps", "greeter"],
        &[("SKYPORT_AUTH_REQUIRE_API_KEY", "nosuchapp")],
    );
    assert!(!out.status.success());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("auth.require_api_key"), "{e}");
}
