//! `skyport export-widgets DIR`: the static files of the split (CDN)
//! deployment. Every hashed name matches its contents, the manifest names
//! the files, the page equals what the server serves, and a server with
//! `widgets.base_url` references exactly files the export wrote.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::*;
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use skyport::widgets::document::{BASE_CSS, BRIDGE_JS};

/// The first 12 hex digits of the SHA-256 of `bytes`.
fn sha256_12(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every file under `dir`, as `/`-separated paths relative to it.
fn files_under(dir: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap();
                let parts: Vec<_> = rel.iter().map(|c| c.to_str().unwrap()).collect();
                out.insert(parts.join("/"));
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

/// `{dir}/{stem}.<hash>.{ext}` → `<hash>`, asserting the shape.
fn hash_in_name<'a>(path: &'a str, dir: &str, stem: &str, ext: &str) -> &'a str {
    let hash = path
        .strip_prefix(&format!("{dir}/{stem}."))
        .and_then(|r| r.strip_suffix(&format!(".{ext}")))
        .unwrap_or_else(|| panic!("{path} is not {dir}/{stem}.<hash>.{ext}"));
    assert!(
        hash.len() == 12 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{path}"
    );
    hash
}

fn export(dir: &TempDir) -> (String, BTreeSet<String>) {
    let out = run_cli(&["export-widgets", dir.as_str(), "--apps", "greeter"], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "export-widgets failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (stdout, files_under(&dir.path))
}

#[tokio::test]
async fn exported_files_match_their_hashes_the_manifest_and_the_server() {
    let dir = TempDir::new("export");
    let (stdout, files) = export(&dir);

    // The report lists every file written, then the count.
    let lines: Vec<&str> = stdout.lines().collect();
    let (summary, listed) = lines.split_last().expect("output");
    assert!(
        summary.starts_with(&format!("wrote {} files;", files.len())),
        "{stdout}"
    );
    let listed: BTreeSet<String> = listed
        .iter()
        .map(|l| {
            Path::new(l)
                .strip_prefix(&dir.path)
                .unwrap_or_else(|_| panic!("{l} is outside the export dir"))
                .iter()
                .map(|c| c.to_str().unwrap())
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect();
    assert_eq!(listed, files, "the report names exactly the files written");

    // The manifest names the files; together they are all that was written.
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap())
            .expect("manifest.json is JSON");
    let m = &manifest["apps"]["greeter"]["greeting"];
    let field = |k: &str| {
        m[k].as_str()
            .unwrap_or_else(|| panic!("manifest has no {k}: {manifest:#}"))
            .to_owned()
    };
    let (bridge, base_css, css, js, page, latest) = (
        field("bridge"),
        field("baseCss"),
        field("css"),
        field("js"),
        field("page"),
        field("latest"),
    );
    assert_eq!(latest, "greeter/greeting.html");
    let expected: BTreeSet<String> = [
        &bridge,
        &base_css,
        &css,
        &js,
        &page,
        &latest,
        &"manifest.json".to_owned(),
    ]
    .into_iter()
    .cloned()
    .collect();
    assert_eq!(files, expected, "{manifest:#}");

    // Every hashed name is the SHA-256 prefix of its contents.
    let read = |rel: &str| std::fs::read(dir.join(rel)).unwrap();
    for (path, d, stem, ext) in [
        (&bridge, "assets", "skyport-bridge", "js"),
        (&base_css, "assets", "skyport-base", "css"),
        (&css, "greeter", "greeting", "css"),
        (&js, "greeter", "greeting", "js"),
        (&page, "greeter", "greeting", "html"),
    ] {
        assert_eq!(
            hash_in_name(path, d, stem, ext),
            sha256_12(&read(path)),
            "{path}"
        );
    }
    assert_eq!(read(&bridge), BRIDGE_JS.as_bytes());
    assert_eq!(read(&base_css), BASE_CSS.as_bytes());
    assert_eq!(read(&latest), read(&page));

    // The exported page is the page the server serves.
    let server = Server::start("greeter", &[]);
    let r = client()
        .get(server.url("/greeter/widgets/greeting"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), read(&latest).as_slice());
    drop(server);

    // A server pointed at the export loads exactly the exported assets.
    let base = "https://cdn.example.com/w";
    let server = Server::start_with_env("greeter", &[], &[("SKYPORT_WIDGETS_BASE_URL", base)]);
    let uri = crate::common::widgets::greeting_uri(&server).await;
    let answer = crate::common::widgets::read_resource(&server, &uri).await;
    let html = answer["result"]["contents"][0]["text"]
        .as_str()
        .expect("the template");
    let mut referenced = BTreeSet::new();
    let mut rest = html;
    while let Some(i) = rest.find(base) {
        rest = &rest[i + base.len() + 1..];
        let end = rest.find('"').expect("a quoted URL");
        referenced.insert(rest[..end].to_owned());
    }
    let assets: BTreeSet<String> = [bridge, base_css, css, js].into_iter().collect();
    assert_eq!(referenced, assets, "the template loads what was exported");
}

#[test]
fn exporting_again_writes_the_same_files() {
    let dir = TempDir::new("export-twice");
    let (_, first) = export(&dir);
    let before: Vec<Vec<u8>> = first
        .iter()
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .collect();
    let (_, second) = export(&dir);
    assert_eq!(first, second);
    let after: Vec<Vec<u8>> = second
        .iter()
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .collect();
    assert_eq!(before, after);
}

#[test]
fn an_unwritable_target_fails_naming_it() {
    let dir = TempDir::new("export-file");
    let file = dir.join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let out = run_cli(&["export-widgets", file.to_str().unwrap()], &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("writing widgets to") && stderr.contains("not-a-dir"),
        "{stderr}"
    );
}
