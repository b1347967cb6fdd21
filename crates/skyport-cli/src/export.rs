//! `skyport export-widgets DIR`: the split deployment of seed 003. Widgets
//! become static files for a CDN; a server started with
//! `widgets.base_url` pointing there serves templates that load these
//! assets (and allow their origin in the CSP).
//!
//! Layout (every name but the `latest` pages carries a content hash, so the
//! CDN may cache them forever):
//! - `assets/skyport-bridge.<hash>.js`, `assets/skyport-base.<hash>.css`
//! - `{app}/{widget}.<hash>.css`, `{app}/{widget}.<hash>.js`
//! - `{app}/{widget}.<hash>.html` and `{app}/{widget}.html`: the self-contained
//!   page (open it with `?api=https://server/{app}` to run it standalone)
//! - `manifest.json`: what was written, per app and widget.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::json;
use skyport::App;
use skyport::widgets::document::content_hash;

/// Writes every widget of `apps` under `dir`; returns the files written.
pub(crate) fn export(apps: &[App], dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let mut manifest = BTreeMap::new();
    for app in apps {
        let mut widgets = BTreeMap::new();
        for w in app.widgets() {
            for file in w.assets.files() {
                written.push(write(dir, &file.path, &file.contents)?);
            }
            let page = format!(
                "{}/{}.{}.html",
                app.name(),
                w.name(),
                content_hash(w.page_html.as_bytes())
            );
            written.push(write(dir, &page, &w.page_html)?);
            let latest = format!("{}/{}.html", app.name(), w.name());
            written.push(write(dir, &latest, &w.page_html)?);
            widgets.insert(
                w.name().to_owned(),
                json!({
                    "page": page,
                    "latest": latest,
                    "bridge": w.assets.bridge.path,
                    "baseCss": w.assets.base_css.path,
                    "css": w.assets.css.path,
                    "js": w.assets.js.path,
                }),
            );
        }
        if !widgets.is_empty() {
            manifest.insert(app.name().to_owned(), widgets);
        }
    }
    let manifest = serde_json::to_string_pretty(&json!({ "apps": manifest }))
        .map_err(std::io::Error::other)?;
    written.push(write(dir, "manifest.json", &manifest)?);
    written.sort();
    written.dedup();
    Ok(written)
}

fn write(dir: &Path, relative: &str, contents: &str) -> std::io::Result<PathBuf> {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&path, contents)?;
    Ok(path)
}
