//! Whose backlog (docs/backlog.md): an API key (phase 1) works on the one
//! shared backlog; OAuth users (phase 3, here tokens of a stand-in OpenID
//! provider) each have their own, and each tool needs its scope. The
//! viewer's JSON API follows the same rules.

use serde_json::{Value, json};

use crate::client::*;
use crate::common::oidc::{provider, token};
use crate::common::*;

fn api_key(data: &TempDir) -> String {
    let out = run_cli(
        &[
            "api-key",
            "create",
            "--name",
            "laptop",
            "--apps",
            "backlog",
            "--data-dir",
            data.as_str(),
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test]
async fn an_api_key_guards_the_shared_backlog_on_mcp_and_the_viewer_api() {
    let data = TempDir::new("backlog-key");
    let key = api_key(&data);
    let server = Server::start_with_env(
        APP,
        &["--data-dir", data.as_str()],
        &[("SKYPORT_AUTH_REQUIRE_API_KEY", "backlog")],
    );

    // Without the key: refused at the door, on MCP and on the API.
    let r = post_json(
        &server.mcp(APP),
        &request(
            1,
            "tools/call",
            json!({"name": "backlog_list", "arguments": {}}),
        ),
        &[("mcp-protocol-version", "2025-06-18")],
    )
    .await;
    assert_eq!(r.status(), 401);
    let (status, body) = api_get(&server, "/tasks", None).await;
    assert_eq!(status, 401, "{body}");
    let (status, _) = api_get(&server, "/tasks", Some("sk_000000000000_wrong")).await;
    assert_eq!(status, 401);
    // The page itself holds no data and stays public (it asks for the key).
    let page = client().get(server.url("/backlog")).send().await.unwrap();
    assert_eq!(page.status(), 200);

    // With it: the shared backlog, the same over MCP and the API.
    let mut b = Backlog::as_bearer(&server, &key);
    let id = b.add("Shared work", json!({})).await;
    let list = b.ok("backlog_list", json!({})).await;
    assert_eq!(list["backlog"], "shared");
    let (status, body) = api_get(&server, "/tasks", Some(&key)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tasks"][0]["id"], id);
    assert_eq!(body["backlog"], "shared");
    // A key carries every scope: delete works.
    b.ok("backlog_delete", json!({"id": id, "confirmed": true}))
        .await;
}

/// A server that accepts the stand-in provider's tokens; its issuer.
async fn oauth_server() -> (Server, String) {
    let issuer = provider().await;
    let server = Server::start_with_env(
        APP,
        &[],
        &[
            ("SKYPORT_AUTH_OAUTH_EXTERNAL_ISSUER", issuer.as_str()),
            ("SKYPORT_AUTH_OAUTH_ALLOW_PRIVATE_FETCH", "true"),
        ],
    );
    (server, issuer)
}

const ALL: &str = "tasks.read tasks.write tasks.delete";

#[tokio::test]
async fn each_oauth_user_has_their_own_backlog() {
    let (server, issuer) = oauth_server().await;
    let aud = server.url("/backlog/mcp");
    let alice_token = token(&issuer, &aud, "alice", ALL);
    let bob_token = token(&issuer, &aud, "bob", ALL);
    let mut alice = Backlog::as_bearer(&server, &alice_token);
    let mut bob = Backlog::as_bearer(&server, &bob_token);
    let mut anonymous = Backlog::new(&server, Transport::Modern);

    let a1 = alice.add("Alice's plan", json!({"sprint": "A"})).await;
    let b1 = bob.add("Bob's plan", json!({})).await;
    let shared = anonymous.add("On the shared board", json!({})).await;
    // Each backlog numbers its own tasks.
    assert_eq!(
        (a1.as_str(), b1.as_str(), shared.as_str()),
        ("T-1", "T-1", "T-1")
    );

    let mine = alice.ok("backlog_list", json!({})).await;
    assert_eq!(mine["backlog"], "personal");
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["tasks"][0]["title"], "Alice's plan");
    let theirs = bob.ok("backlog_list", json!({})).await;
    assert_eq!(theirs["tasks"][0]["title"], "Bob's plan");
    let open = anonymous.ok("backlog_list", json!({})).await;
    assert_eq!(
        (open["backlog"].clone(), open["tasks"][0]["title"].clone()),
        (json!("shared"), json!("On the shared board"))
    );

    // Bob cannot touch Alice's task: in his backlog T-1 is his own.
    bob.ok("backlog_update", json!({"id": "T-1", "status": "done"}))
        .await;
    assert_eq!(alice.get("T-1").await["status"], "open");
    assert_eq!(bob.get("T-1").await["status"], "done");
    let p = bob.ok("backlog_progress", json!({})).await;
    assert_eq!(p["total"], 1, "progress counts only Bob's tasks");

    // The viewer API shows each caller their own backlog too.
    let (_, body) = api_get(&server, "/tasks", Some(&alice_token)).await;
    assert_eq!(body["tasks"][0]["title"], "Alice's plan");
    let (_, body) = api_get(&server, "/tasks/T-1", Some(&bob_token)).await;
    assert_eq!(body["task"]["title"], "Bob's plan");
    let (_, body) = api_get(&server, "/tasks", None).await;
    assert_eq!(body["tasks"][0]["title"], "On the shared board");
    let (status, _) = api_get(&server, "/tasks", Some("not-a-jwt")).await;
    assert_eq!(
        status, 401,
        "an invalid token is refused, not treated as anonymous"
    );
}

/// The `isError` result of a call whose token lacks the tool's scope, and
/// the scope its challenge names.
async fn scope_refusal(b: &mut Backlog, tool: &str, args: Value) -> String {
    let r = b.call(tool, args).await;
    assert_eq!(r["isError"], true, "{tool}: {r:#}");
    let challenge = r["_meta"]["mcp/www_authenticate"][0]
        .as_str()
        .unwrap_or_else(|| panic!("{tool}: no challenge: {r:#}"))
        .to_owned();
    assert!(challenge.contains("insufficient_scope"), "{challenge}");
    challenge
}

#[tokio::test]
async fn each_tool_needs_its_scope() {
    let (server, issuer) = oauth_server().await;
    let aud = server.url("/backlog/mcp");
    let mut full = Backlog::as_bearer(&server, &token(&issuer, &aud, "carol", ALL));
    let id = full.add("Carol's task", json!({})).await;

    let reader_token = token(&issuer, &aud, "carol", "tasks.read");
    let mut reader = Backlog::as_bearer(&server, &reader_token);
    assert_eq!(reader.get(&id).await["title"], "Carol's task");
    reader.ok("backlog_list", json!({})).await;
    reader.ok("backlog_progress", json!({})).await;
    let c = scope_refusal(&mut reader, "backlog_create", json!({"title": "x"})).await;
    assert!(c.contains("tasks.write"), "{c}");
    let c = scope_refusal(
        &mut reader,
        "backlog_update",
        json!({"id": id, "status": "done"}),
    )
    .await;
    assert!(c.contains("tasks.write"), "{c}");

    let mut writer = Backlog::as_bearer(
        &server,
        &token(&issuer, &aud, "carol", "tasks.read tasks.write"),
    );
    writer
        .ok("backlog_update", json!({"id": id, "status": "done"}))
        .await;
    let c = scope_refusal(
        &mut writer,
        "backlog_delete",
        json!({"id": id, "confirmed": true}),
    )
    .await;
    assert!(c.contains("tasks.delete"), "{c}");
    assert_eq!(full.get(&id).await["status"], "done", "still there");

    // A token without tasks.read cannot read, here or on the viewer API.
    let none = token(&issuer, &aud, "carol", "profile");
    let mut blind = Backlog::as_bearer(&server, &none);
    let c = scope_refusal(&mut blind, "backlog_list", json!({})).await;
    assert!(c.contains("tasks.read"), "{c}");
    let (status, body) = api_get(&server, "/tasks", Some(&none)).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("tasks.read")
    );
}
