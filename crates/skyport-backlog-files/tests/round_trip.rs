//! Task files through a real SQLite store: import, export byte for byte,
//! changes, re-import, failures and `replace`.
//!
//! The fixtures (`tests/fixtures/backlog/tasks/*.md`) were written by
//! gray-matter 4's `matter.stringify` (js-yaml 3.15) from the objects the
//! backlog tool stores.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::json;
use skyport_backlog_files::{FilesError, ImportOptions, export_dir, extra_fields, import_dir};
use skyport_store::records::{NewTask, TaskPatch, TaskQuery};
use skyport_store::{Records, StoreConfig};

const BACKLOG: &str = "shared";

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/backlog")
}

/// Name → bytes of every `.md` file in `dir`.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

fn fixtures() -> BTreeMap<String, Vec<u8>> {
    files(&fixtures_dir().join("tasks"))
}

struct Db {
    records: Arc<dyn Records>,
    _dir: tempfile::TempDir,
}

async fn db() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let store = skyport_store::open(&StoreConfig {
        data_dir: dir.path().to_path_buf(),
        ..StoreConfig::default()
    })
    .await
    .expect("open a SQLite store");
    Db {
        records: store.records,
        _dir: dir,
    }
}

async fn count(db: &Db, backlog: &str) -> u64 {
    db.records
        .list_tasks(&TaskQuery {
            backlog: backlog.into(),
            limit: 1,
            ..TaskQuery::default()
        })
        .await
        .unwrap()
        .total
}

fn assert_same(got: &BTreeMap<String, Vec<u8>>, want: &BTreeMap<String, Vec<u8>>) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in want {
        assert_eq!(
            String::from_utf8_lossy(&got[name]),
            String::from_utf8_lossy(bytes),
            "{name} differs"
        );
    }
}

#[tokio::test]
async fn import_then_export_gives_back_every_file_byte_for_byte() {
    let db = db().await;
    let report = import_dir(
        &*db.records,
        BACKLOG,
        &fixtures_dir(),
        ImportOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(report.imported.len(), fixtures().len());
    assert!(report.skipped.is_empty() && report.failed.is_empty());

    let t = db
        .records
        .task(BACKLOG, "TASK-0002")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.status, "in_progress");
    assert_eq!(t.priority, "medium", "no priority in the file: the default");
    assert_eq!(t.epic.as_deref(), Some("EPIC-0001"));
    assert_eq!(t.created_at, 1_769_335_200_000);
    assert_eq!(t.updated_at, 1_769_416_215_250);
    assert_eq!(t.body, "See the references.\n\nTwo paragraphs.");
    assert_eq!(
        serde_json::Value::Object(extra_fields(&t.extra)),
        json!({"references": [
            {"url": "https://github.com/o/r/issues/123", "title": "Login fails"},
            {"url": "https://example.com/docs?a=1&b=2"}]})
    );
    let epic = db
        .records
        .task(BACKLOG, "TASK-0011")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (epic.epic.as_deref(), epic.priority.as_str()),
        (Some("EPIC-0001"), "low")
    );

    let out = tempfile::tempdir().unwrap();
    let report = export_dir(&*db.records, BACKLOG, out.path()).await.unwrap();
    assert_eq!((report.written, report.unchanged), (fixtures().len(), 0));
    assert_same(&files(&out.path().join("tasks")), &fixtures());
}

#[tokio::test]
async fn a_status_change_rewrites_only_that_file() {
    let db = db().await;
    import_dir(
        &*db.records,
        BACKLOG,
        &fixtures_dir(),
        ImportOptions::default(),
    )
    .await
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    export_dir(&*db.records, BACKLOG, out.path()).await.unwrap();

    let changed = db
        .records
        .update_task(
            BACKLOG,
            "TASK-0003",
            TaskPatch {
                status: Some("done".into()),
                ..TaskPatch::default()
            },
            None,
        )
        .await
        .unwrap();
    let report = export_dir(&*db.records, BACKLOG, out.path()).await.unwrap();
    assert_eq!(
        (report.written, report.unchanged),
        (1, fixtures().len() - 1)
    );

    let mut want = fixtures();
    let original = String::from_utf8(want["TASK-0003.md"].clone()).unwrap();
    let stamp = iso(changed.updated_at);
    let expected = original.replace("status: blocked", "status: done").replace(
        "updated_at: '2026-01-26T08:30:15.250Z'",
        &format!("updated_at: '{stamp}'"),
    );
    assert_ne!(expected, original);
    want.insert("TASK-0003.md".into(), expected.into_bytes());
    assert_same(&files(&out.path().join("tasks")), &want);
}

/// Unix ms → `YYYY-MM-DDTHH:MM:SS.sssZ`, read back from a file the crate wrote
/// for a task made in Skyport (so this test does not restate the formatter).
fn iso(ms: i64) -> String {
    let file = skyport_backlog_files::write(&skyport_backlog_files::TaskFile {
        id: "x".into(),
        title: "x".into(),
        status: "open".into(),
        priority: None,
        epic: None,
        sprint: None,
        assignee: None,
        tags: vec![],
        created_at: Some(ms),
        updated_at: None,
        description: String::new(),
        front_matter: None,
    });
    let line = file
        .lines()
        .find(|l| l.starts_with("created_at: "))
        .unwrap();
    line.trim_start_matches("created_at: '")
        .trim_end_matches('\'')
        .to_owned()
}

#[tokio::test]
async fn export_import_export_is_stable() {
    let db = db().await;
    import_dir(
        &*db.records,
        BACKLOG,
        &fixtures_dir(),
        ImportOptions::default(),
    )
    .await
    .unwrap();
    db.records
        .create_task(NewTask {
            backlog: BACKLOG.into(),
            title: "Made in Skyport: with a colon".into(),
            status: "open".into(),
            priority: "high".into(),
            body: "Line one.\n\nLine two.".into(),
            tags: vec!["ui".into(), "2026".into()],
            sprint: Some("2026-W49".into()),
            ..NewTask::default()
        })
        .await
        .unwrap();
    let first = tempfile::tempdir().unwrap();
    export_dir(&*db.records, BACKLOG, first.path())
        .await
        .unwrap();

    let again = db_with_import(first.path(), "user:again").await;
    let second = tempfile::tempdir().unwrap();
    export_dir(&*again.records, "user:again", second.path())
        .await
        .unwrap();
    assert_same(
        &files(&second.path().join("tasks")),
        &files(&first.path().join("tasks")),
    );
    let made = String::from_utf8(files(&first.path().join("tasks"))["T-1.md"].clone()).unwrap();
    assert!(
        made.starts_with("---\nid: T-1\ntitle: 'Made in Skyport: with a colon'\nstatus: open\npriority: high\nsprint: 2026-W49\ntags:\n  - ui\n  - '2026'\ncreated_at: '"),
        "{made}"
    );
    assert!(made.ends_with("---\nLine one.\n\nLine two.\n"), "{made}");
}

async fn db_with_import(dir: &Path, backlog: &str) -> Db {
    let db = db().await;
    let report = import_dir(&*db.records, backlog, dir, ImportOptions::default())
        .await
        .unwrap();
    assert!(report.failed.is_empty());
    db
}

/// A copy of the fixtures in `DIR/*.md` form (no `tasks/` folder).
fn flat_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in fixtures() {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

#[tokio::test]
async fn one_broken_file_fails_the_import_naming_it_and_writes_nothing() {
    let dir = flat_copy();
    std::fs::write(
        dir.path().join("TASK-0999.md"),
        "---\nid: TASK-0999\ntitle: Broken\nstatus: someday\n---\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.md"), "just notes, no front matter\n").unwrap();
    let db = db().await;
    let err = import_dir(&*db.records, BACKLOG, dir.path(), ImportOptions::default())
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(matches!(&err, FilesError::Invalid { failures } if failures.len() == 2));
    assert!(
        message.contains("TASK-0999.md: `status` is \"someday\": use one of open"),
        "{message}"
    );
    assert!(
        message.contains("notes.md: it does not start with a `---` line"),
        "{message}"
    );
    assert!(message.contains("nothing was imported"), "{message}");
    assert_eq!(count(&db, BACKLOG).await, 0);

    let report = import_dir(
        &*db.records,
        BACKLOG,
        dir.path(),
        ImportOptions {
            keep_going: true,
            ..ImportOptions::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(report.imported.len(), fixtures().len());
    assert_eq!(report.failed.len(), 2);
    assert!(report.failed[0].path.ends_with("TASK-0999.md"));
}

#[tokio::test]
async fn existing_ids_are_skipped_or_with_replace_replaced() {
    let dir = flat_copy();
    let db = db().await;
    import_dir(&*db.records, BACKLOG, dir.path(), ImportOptions::default())
        .await
        .unwrap();
    let path = dir.path().join("TASK-0001.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("Fix the login bug", "Fixed title")).unwrap();

    let report = import_dir(&*db.records, BACKLOG, dir.path(), ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(report.skipped.len(), fixtures().len());
    assert!(report.imported.is_empty() && report.replaced.is_empty());
    let title = |db: &Db| {
        let records = db.records.clone();
        async move {
            records
                .task(BACKLOG, "TASK-0001")
                .await
                .unwrap()
                .unwrap()
                .title
        }
    };
    assert_eq!(title(&db).await, "Fix the login bug");

    let report = import_dir(
        &*db.records,
        BACKLOG,
        dir.path(),
        ImportOptions {
            replace: true,
            ..ImportOptions::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(report.replaced.len(), fixtures().len());
    assert_eq!(title(&db).await, "Fixed title");
    assert_eq!(count(&db, BACKLOG).await, fixtures().len() as u64);
    // Another backlog is another namespace: nothing there exists yet.
    let report = import_dir(
        &*db.records,
        "user:u1",
        dir.path(),
        ImportOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(report.imported.len(), fixtures().len());
}

#[tokio::test]
async fn a_directory_without_task_files_or_a_missing_one_is_an_error() {
    let db = db().await;
    let empty = tempfile::tempdir().unwrap();
    let err = import_dir(
        &*db.records,
        BACKLOG,
        empty.path(),
        ImportOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("no task files in"), "{err}");
    let missing = empty.path().join("nope");
    let err = import_dir(&*db.records, BACKLOG, &missing, ImportOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, FilesError::ReadDir { .. }), "{err}");
}

#[tokio::test]
async fn export_refuses_an_id_that_is_not_a_safe_file_name() {
    let db = db().await;
    let mut refused = 0;
    for (n, id) in ["../escape", "..", "a/b"].into_iter().enumerate() {
        let backlog = format!("unsafe-{n}");
        let created = db
            .records
            .create_task(NewTask {
                backlog: backlog.clone(),
                id: Some(id.into()),
                title: "x".into(),
                status: "open".into(),
                priority: "medium".into(),
                ..NewTask::default()
            })
            .await;
        if created.is_err() {
            continue; // the store refused it first: just as good
        }
        let out = tempfile::tempdir().unwrap();
        let err = export_dir(&*db.records, &backlog, out.path())
            .await
            .unwrap_err();
        assert!(matches!(err, FilesError::UnsafeId { .. }), "{id}: {err}");
        assert!(err.to_string().contains("nothing was written"), "{err}");
        assert!(!out.path().join("tasks").exists());
        refused += 1;
    }
    assert!(
        refused > 0,
        "the store took none of the unsafe ids: nothing was checked"
    );
}
