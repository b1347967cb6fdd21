//! The six tools as a host sees them: declarations (annotations, scopes,
//! widget), then a whole session of work over each transport, a restart,
//! and the idempotent writes a retrying host relies on.

use serde_json::{Value, json};

use crate::client::*;
use crate::common::*;

fn by_name<'a>(tools: &'a [Value], name: &str) -> &'a Value {
    tools
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no tool {name}"))
}

#[tokio::test]
async fn the_tools_declare_their_effects_scopes_and_widget() {
    let server = Server::start("backlog", &[]);
    let mut b = Backlog::new(&server, Transport::Streamable);
    let tools = b.tools().await;
    let mut names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "backlog_create",
            "backlog_delete",
            "backlog_get",
            "backlog_list",
            "backlog_progress",
            "backlog_update"
        ]
    );
    // (read-only, destructive, idempotent, scope, renders the widget)
    for (name, read_only, destructive, idempotent, scope, widget) in [
        ("backlog_list", true, false, true, "tasks.read", true),
        ("backlog_get", true, false, true, "tasks.read", true),
        ("backlog_progress", true, false, true, "tasks.read", true),
        ("backlog_create", false, false, true, "tasks.write", false),
        ("backlog_update", false, false, true, "tasks.write", false),
        ("backlog_delete", false, true, true, "tasks.delete", false),
    ] {
        let t = by_name(&tools, name);
        let a = &t["annotations"];
        assert_eq!(a["readOnlyHint"], read_only, "{name}: {a}");
        assert_eq!(a["destructiveHint"], destructive, "{name}: {a}");
        assert_eq!(a["idempotentHint"], idempotent, "{name}: {a}");
        assert_eq!(a["openWorldHint"], false, "{name}: {a}");
        let schemes = t["securitySchemes"].as_array().expect("securitySchemes");
        assert!(schemes.contains(&json!({"type": "noauth"})), "{name}");
        assert!(
            schemes.contains(&json!({"type": "oauth2", "scopes": [scope]})),
            "{name}: {schemes:?}"
        );
        let meta = &t["_meta"];
        assert_eq!(
            meta["openai/outputTemplate"].is_string(),
            widget,
            "{name}: {meta}"
        );
        assert_eq!(meta["openai/widgetAccessible"], true, "{name}: {meta}");
        assert!(t["description"].as_str().unwrap().len() > 80, "{name}");
        assert_eq!(t["inputSchema"]["additionalProperties"], false, "{name}");
        assert!(t["outputSchema"].is_object(), "{name}");
    }
    // The widget behind the template is one resource in both host dialects.
    let template = by_name(&tools, "backlog_list")["_meta"]["openai/outputTemplate"]
        .as_str()
        .unwrap()
        .to_owned();
    let read =
        b.0.rpc(APP, "resources/read", json!({ "uri": template }))
            .await;
    let html = read["contents"][0]["text"].as_str().unwrap();
    assert_eq!(read["contents"][0]["mimeType"], "text/html+skybridge");
    assert!(html.contains("data-testid=\"backlog\""), "the widget body");
    // `confirmed` is optional in the schema: its absence is refused in code
    // with a message, not by the schema with a generic one.
    let delete = by_name(&tools, "backlog_delete");
    assert_eq!(delete["inputSchema"]["required"], json!(["id"]));
}

/// Add, read, change, finish, count and delete, as one user would over `transport`.
async fn a_session_of_work(transport: Transport) {
    let server = Server::start("backlog", &[]);
    let mut b = Backlog::new(&server, transport);
    let empty = b.ok("backlog_list", json!({})).await;
    assert_eq!(
        (empty["total"].clone(), empty["view"].clone()),
        (json!(0), json!("list"))
    );

    let login = b
        .add(
            "Fix the login bug",
            json!({"description": "Users see **500** on /login.", "priority": "high",
                   "epic": "Auth", "sprint": "S1", "assignee": "ada", "tags": ["bug", "web"]}),
        )
        .await;
    let docs = b.add("Write the docs", json!({"sprint": "S1"})).await;
    let deploy = b
        .add("Deploy", json!({"sprint": "S2", "status": "blocked"}))
        .await;
    assert_eq!(
        (login.as_str(), docs.as_str(), deploy.as_str()),
        ("T-1", "T-2", "T-3")
    );

    let t = b.get(&login).await;
    assert_eq!(t["title"], "Fix the login bug");
    assert_eq!(t["description"], "Users see **500** on /login.");
    assert_eq!(
        (
            t["status"].clone(),
            t["priority"].clone(),
            t["epic"].clone(),
            t["sprint"].clone(),
            t["assignee"].clone()
        ),
        (
            json!("open"),
            json!("high"),
            json!("Auth"),
            json!("S1"),
            json!("ada")
        )
    );
    assert_eq!(t["tags"], json!(["bug", "web"]));
    assert_eq!(t["version"], 1);

    // Start, then finish the login bug; clear its assignee.
    let started = b
        .ok(
            "backlog_update",
            json!({"id": login, "status": "in_progress", "assignee": null}),
        )
        .await;
    assert_eq!(started["changed"], true);
    assert_eq!(started["task"]["status"], "in_progress");
    assert!(started["task"].get("assignee").is_none(), "{started:#}");
    let done = b
        .ok(
            "backlog_update",
            json!({"id": login, "status": "done", "expected_version": 2}),
        )
        .await;
    assert_eq!(done["task"]["version"], 3);

    // Filters, sorts and the model's text.
    let open = b
        .ok("backlog_list", json!({"status": ["open", "blocked"]}))
        .await;
    let ids: Vec<&str> = open["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [deploy.as_str(), docs.as_str()],
        "most recently changed first"
    );
    assert!(
        open["tasks"][0].get("description").is_none(),
        "lists stay small"
    );
    let r = b.call("backlog_list", json!({"text": "LOGIN"})).await;
    assert!(
        first_text(&r).contains("T-1 [done, high] Fix the login bug"),
        "{r:#}"
    );
    let by_title = b.ok("backlog_list", json!({"sort": "title"})).await;
    assert_eq!(by_title["tasks"][0]["title"], "Deploy");
    let by_priority = b.ok("backlog_list", json!({"sort": "priority"})).await;
    assert_eq!(by_priority["tasks"][0]["id"], login);
    let s1 = b
        .ok("backlog_list", json!({"sprint": "S1", "assignee": null}))
        .await;
    assert_eq!(s1["total"], 2);

    // Sprint progress: S1 has 1 of 2 done, S2 0 of 1.
    let p = b.ok("backlog_progress", json!({})).await;
    assert_eq!(p["view"], "progress");
    assert_eq!(p["groups"][0]["name"], "S1");
    assert_eq!(p["groups"][0]["percentDone"], 50);
    assert_eq!(p["groups"][1]["blocked"], 1);
    let by_epic = b.ok("backlog_progress", json!({"by": "epic"})).await;
    assert_eq!(by_epic["groups"][0]["name"], "Auth");
    assert_eq!(
        by_epic["groups"][1]["name"],
        Value::Null,
        "no epic comes last"
    );
    assert_eq!(by_epic["groups"][1]["total"], 2);

    // Delete needs the confirmation, then the task is gone.
    let gone = b
        .ok("backlog_delete", json!({"id": docs, "confirmed": true}))
        .await;
    assert_eq!(gone["deleted"], true);
    assert_eq!(b.ok("backlog_list", json!({})).await["total"], 2);
    let again = b
        .ok("backlog_delete", json!({"id": docs, "confirmed": true}))
        .await;
    assert_eq!(again["deleted"], false, "a retried delete is not an error");
}

#[tokio::test]
async fn a_session_of_work_over_streamable_http() {
    a_session_of_work(Transport::Streamable).await;
}

#[tokio::test]
async fn a_session_of_work_over_legacy_sse() {
    a_session_of_work(Transport::LegacySse).await;
}

#[tokio::test]
async fn a_session_of_work_over_the_stateless_protocol() {
    a_session_of_work(Transport::Modern).await;
}

#[tokio::test]
async fn retried_writes_do_not_repeat_and_tasks_survive_a_restart() {
    let data = TempDir::new("backlog-restart");
    let server = Server::start("backlog", &["--data-dir", data.as_str()]);
    let mut b = Backlog::new(&server, Transport::Modern);
    let args = json!({"title": "Book the venue", "request_id": "9b2f6c1e-retry"});
    let first = b.ok("backlog_create", args.clone()).await;
    assert_eq!(first["created"], true);
    // The host retries: the same task comes back and nothing is added.
    let retry = b.ok("backlog_create", args).await;
    assert_eq!(retry["created"], false);
    assert_eq!(retry["task"]["id"], first["task"]["id"]);
    assert_eq!(b.ok("backlog_list", json!({})).await["total"], 1);
    // Setting what is already there writes nothing (the version stays).
    let id = first["task"]["id"].as_str().unwrap().to_owned();
    b.ok("backlog_update", json!({"id": id, "status": "done"}))
        .await;
    let same = b
        .ok("backlog_update", json!({"id": id, "status": "done"}))
        .await;
    assert_eq!(same["changed"], false);
    assert_eq!(same["task"]["version"], 2);
    drop(server);

    let server = Server::start("backlog", &["--data-dir", data.as_str()]);
    let mut b = Backlog::new(&server, Transport::Modern);
    let t = b.get(&id).await;
    assert_eq!(
        (t["title"].clone(), t["status"].clone()),
        (json!("Book the venue"), json!("done"))
    );
    // Ids continue after a restart.
    assert_eq!(b.add("Send invitations", json!({})).await, "T-2");
}
