//! A 10,000-task backlog (written as the ADR's markdown files and brought
//! in with `skyport backlog import`) paged through completely over MCP:
//! every task exactly once, in order, under filters, with pages that stay
//! small.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::client::*;
use crate::common::*;

const TASKS: usize = 10_000;
const STATUSES: [&str; 4] = ["open", "in_progress", "blocked", "done"];

/// Writes the backlog as task files and imports them into `data`'s store:
/// task i (0-based) is `T-{i+1}`, has status i % 4, sprint S{(i / 4) % 10},
/// is created i seconds after the first, and every seventh has "needle" in
/// its description.
fn seed(data: &TempDir) {
    let files = TempDir::new("backlog-10k-files");
    std::fs::create_dir_all(files.join("tasks")).unwrap();
    for i in 0..TASKS {
        let at = format!(
            "2026-01-{:02}T{:02}:{:02}:{:02}.000Z",
            1 + i / 86_400,
            i / 3600 % 24,
            i / 60 % 60,
            i % 60
        );
        let body = if i % 7 == 0 {
            "find the needle here"
        } else {
            ""
        };
        let text = format!(
            "---\nid: T-{n}\ntitle: Task {i:05}\nstatus: {status}\nsprint: S{sprint}\ncreated_at: '{at}'\nupdated_at: '{at}'\n---\n{body}\n",
            n = i + 1,
            status = STATUSES[i % 4],
            sprint = (i / 4) % 10,
        );
        std::fs::write(files.join(format!("tasks/T-{}.md", i + 1)), text).unwrap();
    }
    let out = run_cli(
        &[
            "backlog",
            "--data-dir",
            data.as_str(),
            "import",
            files.as_str(),
        ],
        &[],
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("imported 10000"), "{said}");
}

fn ids(tasks: &[Value]) -> Vec<String> {
    tasks
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn ten_thousand_tasks_page_completely_and_in_order() {
    let data = TempDir::new("backlog-10k");
    seed(&data);
    let server = Server::start(APP, &["--data-dir", data.as_str()]);
    let mut b = Backlog::new(&server, Transport::Modern);

    // Oldest first: T-1 … T-10000 exactly once each.
    let all = b.all(json!({"sort": "created"})).await;
    let got = ids(&all);
    let want: Vec<String> = (1..=TASKS).map(|n| format!("T-{n}")).collect();
    assert_eq!(got, want);

    // Most recently changed first: the same set, no repeats across pages.
    let recent = ids(&b.all(json!({})).await);
    assert_eq!(recent.len(), TASKS);
    assert_eq!(recent.iter().collect::<BTreeSet<_>>().len(), TASKS);

    // Filtered pages hold only matches and add up to the filter's total.
    let done = b.all(json!({"status": ["done"]})).await;
    assert_eq!(done.len(), TASKS / 4);
    assert!(done.iter().all(|t| t["status"] == "done"));
    let two = b
        .all(json!({"status": ["blocked", "done"], "sprint": "S3"}))
        .await;
    assert_eq!(two.len(), 500, "S3 has 1,000 tasks, half blocked or done");
    let needles = b.all(json!({"text": "NEEDLE", "sort": "title"})).await;
    assert_eq!(needles.len(), TASKS.div_ceil(7));
    let titles: Vec<&str> = needles
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert!(titles.windows(2).all(|w| w[0] < w[1]), "sorted by title");

    // The last page, and past it.
    let last = b
        .ok("backlog_list", json!({"sort": "created", "offset": 9_990}))
        .await;
    assert_eq!(last["tasks"].as_array().unwrap().len(), 10);
    assert_eq!(last["nextOffset"], Value::Null);
    assert_eq!(last["tasks"][9]["id"], "T-10000");
    let past = b.call("backlog_list", json!({"offset": 20_000})).await;
    assert_eq!(past["structuredContent"]["tasks"], json!([]));
    assert_eq!(past["structuredContent"]["total"], TASKS);
    assert!(first_text(&past).contains("offset 0"), "{past:#}");

    // A default page is 20 tasks and well under the ~4k-token budget.
    let page = b.call("backlog_list", json!({})).await;
    let sc = &page["structuredContent"];
    assert_eq!(sc["tasks"].as_array().unwrap().len(), 20);
    assert_eq!(sc["nextOffset"], 20);
    let bytes = sc.to_string().len();
    assert!(bytes < 6_000, "structuredContent is {bytes} bytes");

    // Progress over the whole backlog: ten sprints of 1,000, a quarter done.
    let p = b.ok("backlog_progress", json!({})).await;
    assert_eq!(p["total"], TASKS);
    let groups = p["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 10);
    for g in groups {
        assert_eq!(
            (g["total"].clone(), g["done"].clone()),
            (json!(1000), json!(250))
        );
        assert_eq!(g["percentDone"], 25);
    }
}
