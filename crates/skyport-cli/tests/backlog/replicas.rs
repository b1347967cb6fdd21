//! Two replicas on one PostgreSQL store serve one backlog: a task made on one
//! is read, changed and counted on the other, and racing updates that name
//! the version they read have one winner.

use serde_json::json;

use crate::client::*;
use crate::common::*;

#[tokio::test]
async fn two_replicas_share_one_backlog() {
    let Some((a, b, _schema)) = replicas_of(APP, false, "backlog replicas", &[]) else {
        return;
    };
    let mut on_a = Backlog::new(&a, Transport::Modern);
    let mut on_b = Backlog::new(&b, Transport::Streamable);
    let id = on_a.add("Made on A", json!({"sprint": "S1"})).await;
    assert_eq!(on_b.get(&id).await["title"], "Made on A");
    on_b.ok("backlog_update", json!({"id": id, "status": "done"}))
        .await;
    assert_eq!(on_a.get(&id).await["status"], "done");
    let (_, p) = api_get(&a, "/progress", None).await;
    assert_eq!(p["groups"][0]["percentDone"], 100);

    // Both replicas update version 2 at once: one wins, one is told to re-read.
    let (ra, rb) = tokio::join!(
        on_a.call(
            "backlog_update",
            json!({"id": id, "title": "From A", "expected_version": 2})
        ),
        on_b.call(
            "backlog_update",
            json!({"id": id, "title": "From B", "expected_version": 2})
        ),
    );
    let wins = [&ra, &rb].iter().filter(|r| r["isError"] == false).count();
    assert_eq!(wins, 1, "{ra:#} {rb:#}");
    let loser = if ra["isError"] == true { &ra } else { &rb };
    assert!(first_text(loser).contains("changed since"), "{loser:#}");
    assert_eq!(on_a.get(&id).await["version"], 3);
}
