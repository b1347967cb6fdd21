//! The standalone viewer: the page is the widget's document marked as the
//! viewer, and the JSON API reads the same store as the tools, read-only,
//! with 4xx JSON answers for bad requests.

use serde_json::{Value, json};

use crate::client::*;
use crate::common::*;

#[tokio::test]
async fn the_page_is_the_widget_in_viewer_mode() {
    let server = Server::start(APP, &[]);
    let r = client().get(server.url("/backlog")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("connect-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"<meta name="backlog:viewer" content="/backlog">"#));
    assert!(
        html.contains(r#"data-testid="backlog""#),
        "the widget's markup"
    );
    // The same page at /backlog/ (a redirect) and /backlog/viewer.
    let r = client().get(server.url("/backlog/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.url().path(), "/backlog");
    // A shared link keeps its filters through the redirect.
    let r = client()
        .get(server.url("/backlog/?status=open&sort=title"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.url().as_str(),
        server.url("/backlog?status=open&sort=title")
    );
    let r = client()
        .get(server.url("/backlog/viewer"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), html);
}

#[tokio::test]
async fn the_json_api_reads_what_the_tools_wrote() {
    let server = Server::start(APP, &[]);
    let mut b = Backlog::new(&server, Transport::Modern);
    for i in 0..25 {
        let status = if i % 5 == 0 { "done" } else { "open" };
        b.add(
            &format!("Task {i:02}"),
            json!({"status": status, "epic": if i < 10 { "Alpha" } else { "Beta" }}),
        )
        .await;
    }
    b.ok(
        "backlog_update",
        json!({"id": "T-3", "description": "details & more"}),
    )
    .await;

    // The list, as backlog_list returns it, page by page.
    let (status, first) = api_get(&server, "/tasks?sort=created&limit=10", None).await;
    assert_eq!(status, 200, "{first}");
    let tool = b
        .ok("backlog_list", json!({"sort": "created", "limit": 10}))
        .await;
    assert_eq!(first, tool, "the API and the tool give the same page");
    assert_eq!(
        (first["total"].clone(), first["nextOffset"].clone()),
        (json!(25), json!(10))
    );
    let (_, last) = api_get(&server, "/tasks?sort=created&limit=10&offset=20", None).await;
    assert_eq!(last["tasks"].as_array().unwrap().len(), 5);
    assert_eq!(last["nextOffset"], Value::Null);
    let (_, done) = api_get(&server, "/tasks?status=done,blocked&epic=Beta", None).await;
    assert_eq!(done["total"], 3);
    let (_, found) = api_get(&server, "/tasks?text=task%2007", None).await;
    assert_eq!(found["tasks"][0]["title"], "Task 07");

    // One task, with its description.
    let (status, one) = api_get(&server, "/tasks/T-3", None).await;
    assert_eq!(status, 200);
    assert_eq!(one["task"]["description"], "details & more");
    assert_eq!(one, b.ok("backlog_get", json!({"id": "T-3"})).await);

    // Progress by epic: Alpha has 2 of 10 done.
    let (_, p) = api_get(&server, "/progress?by=epic", None).await;
    assert_eq!(p["groups"][0]["name"], "Alpha");
    assert_eq!(p["groups"][0]["percentDone"], 20);
}

#[tokio::test]
async fn bad_requests_get_json_errors_and_nothing_writes() {
    let server = Server::start(APP, &[]);
    for (path, status, needle) in [
        ("/tasks?status=finished", 400, "finished"),
        ("/tasks?stauts=open", 400, "unknown parameter"),
        ("/tasks?limit=0", 400, "limit"),
        ("/tasks?limit=1000", 400, "limit"),
        ("/tasks?offset=-3", 400, "offset"),
        ("/tasks?sort=random", 400, "sort"),
        ("/tasks/T-404", 404, "no task T-404"),
        ("/tasks/..%2F..%2Fetc", 400, "task id"),
        ("/progress?by=owner", 400, "owner"),
    ] {
        let (got, body) = api_get(&server, path, None).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["error"]["code"], status, "{path}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{path}: {message:?}");
    }
    // Read-only: no method but GET.
    let r = client()
        .post(server.url("/backlog/tasks"))
        .json(&json!({"title": "sneaky"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    let r = client()
        .delete(server.url("/backlog/tasks/T-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    let (_, list) = api_get(&server, "/tasks", None).await;
    assert_eq!(list["total"], 0);
    // Answers are never cached.
    let r = client()
        .get(server.url("/backlog/tasks"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
}
