//! Versioned widget templates across redeploys: the template URI carries the
//! template's content hash; a host that cached the previous URI can still
//! read it (from `{data_dir}/widgets`, not listed) until the retention window
//! ends, and `widgets.retention_days = 0` keeps none. Also the split (CDN)
//! deployment of `widgets.base_url`.

use crate::common::widgets::*;
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use skyport::widgets::document::BRIDGE_JS;

const CDN: &str = "https://cdn.example.com/w";
const CDN_ORIGIN: &str = "https://cdn.example.com";

fn start(data: &TempDir, env: &[(&str, &str)]) -> Server {
    Server::start_with_env("greeter", &["--data-dir", data.as_str()], env)
}

fn skybridge_of(uri: &str) -> String {
    uri.replace(".html", ".skybridge.html")
}

/// The single content item of a successful `resources/read` answer.
fn content(answer: &Value) -> &Value {
    assert!(answer.get("error").is_none(), "{answer:#}");
    let contents = answer["result"]["contents"].as_array().expect("contents");
    assert_eq!(contents.len(), 1, "{answer:#}");
    &contents[0]
}

/// Every `src="…"` and `href="…"` value in `html`, in order.
fn asset_urls(html: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for attr in [" src=\"", " href=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').expect("a closed attribute");
            urls.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    urls.sort();
    urls
}

/// Asserts `url` is `{CDN}/{dir}/{stem}.<12 hex>.{ext}`.
fn assert_hashed(url: &str, dir: &str, stem: &str, ext: &str) {
    let name = url
        .strip_prefix(&format!("{CDN}/{dir}/{stem}."))
        .and_then(|r| r.strip_suffix(&format!(".{ext}")))
        .unwrap_or_else(|| panic!("{url} is not {CDN}/{dir}/{stem}.<hash>.{ext}"));
    assert!(
        name.len() == 12 && name.bytes().all(|b| b.is_ascii_hexdigit()),
        "{url}"
    );
}

#[tokio::test]
async fn an_old_template_stays_readable_after_a_redeploy_until_retention_ends() {
    let data = TempDir::new("versions");

    // First deploy: self-contained templates.
    let first = start(&data, &[]);
    let old = greeting_uri(&first).await;
    let old_hash = greeting_hash(&old);
    let old_html = content(&read_resource(&first, &old).await)["text"]
        .as_str()
        .unwrap()
        .to_owned();
    drop(first);
    assert!(
        data.join(format!("widgets/greeter/greeting/{old_hash}.html"))
            .is_file(),
        "each published version is kept under {{data_dir}}/widgets"
    );

    // The same deploy again: the same version (the hash is deterministic), nothing archived.
    let again = start(&data, &[]);
    assert_eq!(greeting_uri(&again).await, old);
    assert_eq!(listed_uris(&again).await.len(), 2);
    drop(again);

    // Redeploy with a CDN: the template changes, so does its URI.
    let second = start(&data, &[("SKYPORT_WIDGETS_BASE_URL", CDN)]);
    let new = greeting_uri(&second).await;
    assert_ne!(new, old, "a changed template gets a new URI");
    let listed = listed_uris(&second).await;
    assert_eq!(
        listed,
        [new.clone(), skybridge_of(&new)],
        "only the current version is listed"
    );

    // The old URIs still read, with the old document, in both dialects.
    for (uri, mime) in [
        (old.clone(), MIME_MCP_APP),
        (skybridge_of(&old), MIME_SKYBRIDGE),
    ] {
        let c = read_resource(&second, &uri).await;
        let c = content(&c);
        assert_eq!(c["uri"], uri.as_str());
        assert_eq!(c["mimeType"], mime);
        assert_eq!(
            c["text"],
            old_html.as_str(),
            "the old version, not the new one"
        );
        assert_eq!(
            c["_meta"]["openai/widgetDescription"],
            "Shows the greeting for the named person and when it was made, with a button to greet again."
        );
    }
    // In the 2026-07-28 era too.
    let r = modern(
        &second.mcp("greeter"),
        9,
        "resources/read",
        json!({ "uri": old }),
        &[],
    )
    .await;
    assert_eq!(r.result()["contents"][0]["text"], old_html.as_str());
    drop(second);

    // Retention 0 keeps no earlier version: the old URI is not found.
    let third = start(
        &data,
        &[
            ("SKYPORT_WIDGETS_BASE_URL", CDN),
            ("SKYPORT_WIDGETS_RETENTION_DAYS", "0"),
        ],
    );
    assert_eq!(
        greeting_uri(&third).await,
        new,
        "the current version is unchanged"
    );
    for uri in [old.clone(), skybridge_of(&old)] {
        let r = read_resource(&third, &uri).await;
        assert_eq!(r["error"]["code"], -32002, "{r:#}");
        assert_eq!(r["error"]["data"]["uri"], uri.as_str());
    }
    assert!(content(&read_resource(&third, &new).await)["text"].is_string());
}

#[tokio::test]
async fn with_a_base_url_templates_load_hashed_assets_from_the_cdn() {
    let server = Server::start_with_env("greeter", &[], &[("SKYPORT_WIDGETS_BASE_URL", CDN)]);
    let uri = greeting_uri(&server).await;
    let answer = read_resource(&server, &uri).await;
    let c = content(&answer);
    let html = c["text"].as_str().unwrap();

    assert!(
        !html.contains(BRIDGE_JS),
        "no inline bridge in a split template"
    );
    assert!(!html.contains("<style>"), "no inline styles");
    // Exactly four fetched assets, all on the CDN, each named by its content hash.
    let urls: Vec<String> = asset_urls(html)
        .into_iter()
        .filter(|u| !u.starts_with("data:"))
        .collect();
    assert_eq!(urls.len(), 4, "{urls:#?}");
    let find = |dir: &str, stem: &str, ext: &str| {
        let prefix = format!("{CDN}/{dir}/{stem}.");
        let hits: Vec<&String> = urls
            .iter()
            .filter(|u| u.starts_with(&prefix) && u.ends_with(&format!(".{ext}")))
            .collect();
        assert_eq!(hits.len(), 1, "{dir}/{stem}.*.{ext} in {urls:#?}");
        assert_hashed(hits[0], dir, stem, ext);
        hits[0].clone()
    };
    let bridge = find("assets", "skyport-bridge", "js");
    let base_css = find("assets", "skyport-base", "css");
    let css = find("greeter", "greeting", "css");
    let js = find("greeter", "greeting", "js");
    for script in [bridge, js] {
        assert!(html.contains(&format!(r#"<script src="{script}"></script>"#)));
    }
    for sheet in [base_css, css] {
        assert!(html.contains(&format!(r#"<link rel="stylesheet" href="{sheet}">"#)));
    }
    assert!(html.contains(r#"<meta name="skyport:tool" content="greet_user">"#));

    let meta = &c["_meta"];
    assert_eq!(
        meta["ui"]["csp"]["resourceDomains"],
        json!([CDN_ORIGIN]),
        "{meta:#}"
    );
    assert_eq!(meta["ui"]["csp"]["connectDomains"], json!([]), "{meta:#}");
    assert_eq!(
        meta["openai/widgetCSP"]["resource_domains"],
        json!([CDN_ORIGIN]),
        "{meta:#}"
    );

    // The standalone page stays self-contained (it is served by this server).
    let page = client()
        .get(server.url("/greeter/widgets/greeting"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains(BRIDGE_JS));
}

#[tokio::test]
async fn an_old_cdn_template_keeps_the_csp_it_needs_after_the_cdn_is_dropped() {
    let data = TempDir::new("versions-cdn");
    let first = start(&data, &[("SKYPORT_WIDGETS_BASE_URL", CDN)]);
    let old = greeting_uri(&first).await;
    drop(first);

    // Back to self-contained templates: the current one needs no CDN...
    let second = start(&data, &[]);
    let new = greeting_uri(&second).await;
    assert_ne!(new, old);
    let current = read_resource(&second, &new).await;
    assert_eq!(
        content(&current)["_meta"]["ui"]["csp"]["resourceDomains"],
        json!([])
    );

    // ...but the old one still loads its assets from it, so hosts must still allow it.
    let answer = read_resource(&second, &old).await;
    let c = content(&answer);
    assert!(
        c["text"].as_str().unwrap().contains(CDN),
        "the old split document"
    );
    assert_eq!(
        c["_meta"]["ui"]["csp"]["resourceDomains"],
        json!([CDN_ORIGIN]),
        "the old template's CSP: {c:#}"
    );
    assert_eq!(
        c["_meta"]["openai/widgetCSP"]["resource_domains"],
        json!([CDN_ORIGIN]),
        "{c:#}"
    );
}

#[tokio::test]
async fn an_unwritable_data_dir_only_disables_the_archive() {
    let dir = TempDir::new("versions-file");
    let file = dir.join("data");
    std::fs::write(&file, "not a directory").unwrap();
    // The store lives elsewhere (it has no fallback: see store_settings.rs).
    let store = format!("sqlite://{}", dir.join("store.db").display());
    let server = Server::start(
        "greeter",
        &["--data-dir", file.to_str().unwrap(), "--store", &store],
    );
    let uri = greeting_uri(&server).await;
    assert!(content(&read_resource(&server, &uri).await)["text"].is_string());
    let log = server.stderr();
    assert!(
        log.contains("the widget archive is not writable") && log.contains("data_dir"),
        "the log names the setting: {log}"
    );
}

#[test]
fn bad_widget_settings_fail_at_start_up_naming_the_setting() {
    for (key, value, needle) in [
        (
            "SKYPORT_WIDGETS_BASE_URL",
            "cdn.example.com",
            "widgets.base_url",
        ),
        (
            "SKYPORT_WIDGETS_BASE_URL",
            "https://cdn.example.com/w?v=1",
            "without query",
        ),
        ("SKYPORT_WIDGETS_RETENTION_DAYS", "soon", "RETENTION_DAYS"),
    ] {
        let out = run_cli(
            &["serve", "--listen", "127.0.0.1:0", "--apps", "greeter"],
            &[(key, value)],
        );
        assert!(!out.status.success(), "{key}={value} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("configuration error") && stderr.contains(needle),
            "{key}={value}: {stderr}"
        );
    }
}
