//! Bad input to every tool: each refusal is an `isError` result that names
//! the problem and what to do, and the backlog is exactly as it was (read
//! before and after).

use serde_json::{Value, json};

use crate::client::*;
use crate::common::*;

/// Every task of the backlog, in full.
async fn snapshot(b: &mut Backlog) -> Vec<Value> {
    let mut out = Vec::new();
    for t in b.all(json!({"sort": "created"})).await {
        out.push(b.get(t["id"].as_str().unwrap()).await);
    }
    out
}

#[tokio::test]
async fn refusals_say_what_to_do_and_change_nothing() {
    let server = Server::start("backlog", &[]);
    let mut b = Backlog::new(&server, Transport::Streamable);
    let id = b
        .add("Keep me", json!({"sprint": "S1", "tags": ["a"]}))
        .await;
    b.add("Me too", json!({})).await;
    let before = snapshot(&mut b).await;

    let long = "x".repeat(201);
    let cases: Vec<(&str, Value, &[&str])> = vec![
        // Unknown ids, per tool.
        (
            "backlog_get",
            json!({"id": "T-999"}),
            &["No task T-999", "backlog_list"],
        ),
        (
            "backlog_update",
            json!({"id": "T-999", "status": "done"}),
            &["No task T-999"],
        ),
        // Invalid status, priority, sort: the allowed values are listed.
        (
            "backlog_update",
            json!({"id": id, "status": "finished"}),
            &["finished", "open", "in_progress", "blocked", "done"],
        ),
        (
            "backlog_create",
            json!({"title": "x", "status": "later"}),
            &["later", "open"],
        ),
        (
            "backlog_create",
            json!({"title": "x", "priority": "p0"}),
            &["p0", "urgent"],
        ),
        (
            "backlog_list",
            json!({"status": ["open", "nope"]}),
            &["nope", "blocked"],
        ),
        (
            "backlog_list",
            json!({"sort": "random"}),
            &["random", "priority"],
        ),
        (
            "backlog_progress",
            json!({"by": "owner"}),
            &["owner", "sprint", "epic"],
        ),
        // Missing confirmation: nothing is deleted, the model is told to ask.
        (
            "backlog_delete",
            json!({"id": id}),
            &["confirmed: true", "Ask the user", "Keep me"],
        ),
        (
            "backlog_delete",
            json!({"id": id, "confirmed": false}),
            &["confirmed: true"],
        ),
        (
            "backlog_delete",
            json!({"id": id, "confirmed": "yes"}),
            &["confirmed"],
        ),
        // Sizes, in characters.
        ("backlog_create", json!({"title": long}), &["title"]),
        (
            "backlog_update",
            json!({"id": id, "title": "é".repeat(201)}),
            &["title", "200"],
        ),
        (
            "backlog_create",
            json!({"title": "   "}),
            &["title", "empty"],
        ),
        (
            "backlog_create",
            json!({"title": "two\nlines"}),
            &["title", "control"],
        ),
        (
            "backlog_create",
            json!({"title": "x", "description": "d".repeat(20_001)}),
            &["description"],
        ),
        (
            "backlog_create",
            json!({"title": "x", "epic": "e".repeat(101)}),
            &["epic"],
        ),
        (
            "backlog_create",
            json!({"title": "x", "tags": vec!["t"; 21]}),
            &["tags"],
        ),
        (
            "backlog_create",
            json!({"title": "x", "tags": ["t".repeat(41)]}),
            &["tags"],
        ),
        (
            "backlog_create",
            json!({"title": "x", "request_id": ""}),
            &["request_id"],
        ),
        ("backlog_list", json!({"limit": 0}), &["limit"]),
        ("backlog_list", json!({"limit": 101}), &["limit"]),
        ("backlog_list", json!({"text": "q".repeat(201)}), &["text"]),
        // Shapes.
        ("backlog_create", json!({}), &["title"]),
        (
            "backlog_create",
            json!({"title": "x", "owner": "me"}),
            &["owner"],
        ),
        (
            "backlog_get",
            json!({"id": "../../etc/passwd"}),
            &["task id"],
        ),
        ("backlog_get", json!({"id": 7}), &["id"]),
        ("backlog_update", json!({"id": id}), &["Nothing to change"]),
        (
            "backlog_update",
            json!({"id": id, "title": "New", "expected_version": 9}),
            &["changed since", "backlog_get"],
        ),
        (
            "backlog_update",
            json!({"id": id, "tags": "a,b"}),
            &["tags"],
        ),
    ];
    for (tool, args, needles) in cases {
        let text = b.refused(tool, args.clone()).await;
        for n in needles {
            assert!(
                text.contains(n),
                "{tool} {args}: {text:?} should mention {n:?}"
            );
        }
    }
    assert_eq!(
        snapshot(&mut b).await,
        before,
        "a refusal changed the backlog"
    );
}

#[tokio::test]
async fn a_deleted_task_needs_the_confirmation_and_nothing_else_goes() {
    let server = Server::start("backlog", &[]);
    let mut b = Backlog::new(&server, Transport::Modern);
    let keep = b.add("Keep", json!({})).await;
    let drop_me = b.add("Drop", json!({})).await;
    b.refused("backlog_delete", json!({"id": drop_me})).await;
    assert_eq!(b.get(&drop_me).await["title"], "Drop");
    b.ok("backlog_delete", json!({"id": drop_me, "confirmed": true}))
        .await;
    let text = b.refused("backlog_get", json!({"id": drop_me})).await;
    assert!(text.contains("No task"), "{text}");
    assert_eq!(b.get(&keep).await["title"], "Keep");
}

#[tokio::test]
async fn titles_with_markup_are_kept_as_text() {
    let server = Server::start("backlog", &[]);
    let mut b = Backlog::new(&server, Transport::Modern);
    let title = r#"<img src=x onerror="alert(1)"> & <script>alert(2)</script>"#;
    let id = b.add(title, json!({"epic": "<b>epic</b>"})).await;
    // Stored and returned verbatim: escaping is the renderer's job (the
    // widget uses textContent; the browser tests check it).
    assert_eq!(b.get(&id).await["title"], title);
    let page = b.ok("backlog_list", json!({"text": "<script>"})).await;
    assert_eq!(page["total"], 1);
}
