//! `skyport backlog import|export` end to end: the real binary, a real SQLite
//! store under `--data-dir`, the gray-matter fixtures of skyport-backlog-files
//! written back byte for byte; broken input fails with a message naming it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{TempDir, run_cli};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../skyport-backlog-files/tests/fixtures/backlog")
}

fn md_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
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

fn backlog(data: &TempDir, args: &[&str]) -> Output {
    let mut all = vec!["backlog", "--data-dir", data.as_str()];
    all.extend_from_slice(args);
    run_cli(&all, &[])
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn import_then_export_writes_the_same_files() {
    let data = TempDir::new("backlog-data");
    let dir = fixtures();
    let want = md_files(&dir.join("tasks"));

    let out = backlog(&data, &["import", dir.to_str().unwrap()]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!(
            "imported {}, replaced 0, skipped 0, failed 0 into backlog shared",
            want.len()
        )),
        "{stdout}"
    );

    let exported = TempDir::new("backlog-out");
    let out = backlog(&data, &["export", exported.as_str()]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("exported {} tasks of backlog shared", want.len())),
        "{stdout}"
    );
    let got = md_files(&exported.join("tasks"));
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &want {
        assert_eq!(
            String::from_utf8_lossy(&got[name]),
            String::from_utf8_lossy(bytes),
            "{name}"
        );
    }

    // Again: every id exists, so every file is skipped; --replace overwrites.
    let out = backlog(&data, &["import", dir.to_str().unwrap()]);
    assert!(
        text(&out).0.contains(&format!(
            "skipped {} (their ids exist: --replace overwrites them)",
            want.len()
        )),
        "{:?}",
        text(&out)
    );
    let out = backlog(&data, &["import", "--replace", dir.to_str().unwrap()]);
    assert!(text(&out).0.contains(&format!("replaced {}", want.len())));
    // Another backlog is empty.
    let other = TempDir::new("backlog-other");
    let out = backlog(&data, &["--backlog", "team", "export", other.as_str()]);
    assert!(
        text(&out).0.contains("exported 0 tasks of backlog team"),
        "{:?}",
        text(&out)
    );
}

#[tokio::test]
async fn user_flag_picks_that_users_backlog() {
    let data = TempDir::new("backlog-user");
    {
        let store = skyport::store::open(&skyport::store::StoreConfig {
            data_dir: data.path.clone(),
            ..skyport::store::StoreConfig::default()
        })
        .await
        .unwrap();
        store
            .records
            .create_user(skyport::store::records::NewUser {
                email: "ada@example.com".into(),
                name: "Ada".into(),
                password_hash: "$argon2id$not-used".into(),
                profile: serde_json::json!({}),
            })
            .await
            .unwrap();
    }
    let dir = fixtures();
    let out = backlog(
        &data,
        &["--user", "ADA@example.com", "import", dir.to_str().unwrap()],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("into backlog user:usr_"), "{stdout}");

    let out = backlog(
        &data,
        &[
            "--user",
            "nobody@example.com",
            "import",
            dir.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(
        text(&out)
            .1
            .contains("no user with the email \"nobody@example.com\""),
        "{:?}",
        text(&out)
    );
}

#[test]
fn bad_directories_fail_with_a_clear_message() {
    let data = TempDir::new("backlog-bad");
    let missing = data.join("no-such-dir");
    let out = backlog(&data, &["import", missing.to_str().unwrap()]);
    assert!(!out.status.success());
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("cannot read") && stderr.contains("no-such-dir"),
        "{stderr}"
    );

    let broken = TempDir::new("backlog-broken");
    for (name, bytes) in md_files(&fixtures().join("tasks")) {
        std::fs::write(broken.join(name), bytes).unwrap();
    }
    std::fs::write(
        broken.join("TASK-0999.md"),
        "---\nid: TASK-0999\ntitle: Unclosed\nstatus: open\n",
    )
    .unwrap();
    let out = backlog(&data, &["import", broken.as_str()]);
    assert!(!out.status.success());
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("TASK-0999.md: the front matter opened on line 1 is never closed"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    let out = backlog(&data, &["export", data.join("out").to_str().unwrap()]);
    assert!(
        text(&out).0.contains("exported 0 tasks"),
        "nothing was written: {:?}",
        text(&out)
    );

    // With --keep-going the good files go in, and the exit is still non-zero.
    let out = backlog(&data, &["import", "--keep-going", broken.as_str()]);
    assert!(!out.status.success());
    let (stdout, stderr) = text(&out);
    assert!(stdout.contains("failed 1"), "{stdout}");
    assert!(stderr.contains("TASK-0999.md"), "{stderr}");
}
