//! Assembling a widget's HTML document from its parts, the shared bridge and
//! base styles: inline (one self-contained document, the default) or split
//! (assets loaded from a CDN at `widgets.base_url`, seed 003's deployment).

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use super::declare::Widget;

/// The widget bridge (`window.skyport`), inlined into every widget.
pub const BRIDGE_JS: &str = include_str!("assets/bridge.js");
/// Base styles and theme variables, inlined into every widget.
pub const BASE_CSS: &str = include_str!("assets/base.css");

/// The first 12 hex digits of the SHA-256 of `bytes`: the version tag in
/// widget URIs and asset names (48 bits: collisions need ~16M versions).
pub fn content_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(12);
    for b in &digest[..6] {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A file of a split (CDN) deployment: a path relative to the base URL and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetFile {
    /// Path under the base URL / export directory, e.g. `greeter/greeting.3f2a9c1b04de.js`.
    pub path: String,
    /// The contents.
    pub contents: String,
}

/// The assets one widget loads from a CDN in a split deployment. File names
/// carry their content hash, so a CDN can cache them forever.
#[derive(Debug, Clone)]
pub struct SplitAssets {
    /// The bridge script.
    pub bridge: AssetFile,
    /// The base stylesheet.
    pub base_css: AssetFile,
    /// The widget's stylesheet.
    pub css: AssetFile,
    /// The widget's script.
    pub js: AssetFile,
}

impl SplitAssets {
    /// The asset files of `widget` in `app`.
    pub fn of(app: &str, widget: &Widget) -> Self {
        let file = |dir: &str, stem: &str, ext: &str, contents: &str| AssetFile {
            path: format!("{dir}/{stem}.{}.{ext}", content_hash(contents.as_bytes())),
            contents: contents.to_owned(),
        };
        Self {
            bridge: file("assets", "skyport-bridge", "js", BRIDGE_JS),
            base_css: file("assets", "skyport-base", "css", BASE_CSS),
            css: file(app, &widget.name, "css", &widget.style),
            js: file(app, &widget.name, "js", &widget.script),
        }
    }

    /// Every file, for `skyport export-widgets`.
    pub fn files(&self) -> [&AssetFile; 4] {
        [&self.bridge, &self.base_css, &self.css, &self.js]
    }
}

fn head_start(out: &mut String, app: &str, widget: &Widget, tool: Option<&str>) {
    let title = widget.title.as_deref().unwrap_or(&widget.name);
    out.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // No favicon request: a standalone page would log a 404 for it.
    out.push_str("<link rel=\"icon\" href=\"data:,\">\n");
    let _ = writeln!(
        out,
        "<meta name=\"skyport:app\" content=\"{}\">",
        escape_html(app)
    );
    let _ = writeln!(
        out,
        "<meta name=\"skyport:widget\" content=\"{}\">",
        escape_html(&widget.name)
    );
    if let Some(tool) = tool {
        let _ = writeln!(
            out,
            "<meta name=\"skyport:tool\" content=\"{}\">",
            escape_html(tool)
        );
    }
    let _ = writeln!(out, "<title>{}</title>", escape_html(title));
}

/// The self-contained document: styles, bridge and script inline, no CDN.
/// `tool` is the tool a standalone page calls when the URL names none.
pub fn inline_document(app: &str, widget: &Widget, tool: Option<&str>) -> String {
    let mut out = String::with_capacity(
        BRIDGE_JS.len()
            + BASE_CSS.len()
            + widget.body.len()
            + widget.style.len()
            + widget.script.len()
            + 512,
    );
    head_start(&mut out, app, widget, tool);
    let _ = write!(out, "<style>\n{BASE_CSS}\n{}\n</style>\n", widget.style);
    let _ = write!(out, "<script>\n{BRIDGE_JS}\n</script>\n</head>\n<body>\n");
    let _ = write!(
        out,
        "{}\n<script>\n{}\n</script>\n</body>\n</html>\n",
        widget.body, widget.script
    );
    out
}

/// The document of a split deployment: the same markup, with styles and
/// scripts loaded from `base_url` (no trailing slash).
pub fn split_document(
    app: &str,
    widget: &Widget,
    tool: Option<&str>,
    base_url: &str,
    assets: &SplitAssets,
) -> String {
    let url = |f: &AssetFile| escape_html(&format!("{base_url}/{}", f.path));
    let mut out = String::with_capacity(widget.body.len() + 1024);
    head_start(&mut out, app, widget, tool);
    let _ = writeln!(
        out,
        "<link rel=\"stylesheet\" href=\"{}\">",
        url(&assets.base_css)
    );
    let _ = writeln!(
        out,
        "<link rel=\"stylesheet\" href=\"{}\">",
        url(&assets.css)
    );
    let _ = write!(
        out,
        "<script src=\"{}\"></script>\n</head>\n<body>\n",
        url(&assets.bridge)
    );
    let _ = write!(
        out,
        "{}\n<script src=\"{}\"></script>\n</body>\n</html>\n",
        widget.body,
        url(&assets.js)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widget() -> Widget {
        Widget::new("card")
            .title("A \"card\" <b>")
            .description("d")
            .body("<main id=\"x\"></main>")
            .style("main{color:red}")
            .script("document.getElementById('x').textContent = 'hi';")
    }

    #[test]
    fn inline_documents_are_self_contained_and_escape_metadata() {
        let html = inline_document("shop", &widget(), Some("show_card"));
        assert!(html.starts_with("<!doctype html>"));
        assert!(html.contains("<title>A &quot;card&quot; &lt;b&gt;</title>"));
        assert!(html.contains("<meta name=\"skyport:tool\" content=\"show_card\">"));
        assert!(html.contains("main{color:red}") && html.contains(BRIDGE_JS));
        assert!(!html.contains("src=\"http"), "no external scripts");
        let bridge_at = html.find(BRIDGE_JS).unwrap();
        let script_at = html.find("textContent = 'hi'").unwrap();
        assert!(
            bridge_at < script_at,
            "the bridge loads before the widget script"
        );
    }

    #[test]
    fn split_documents_load_hashed_assets_from_the_base_url() {
        let w = widget();
        let assets = SplitAssets::of("shop", &w);
        let html = split_document("shop", &w, None, "https://cdn.example.com/w", &assets);
        assert!(html.contains(&format!(
            "src=\"https://cdn.example.com/w/{}\"",
            assets.js.path
        )));
        assert!(assets.js.path.starts_with("shop/card.") && assets.js.path.ends_with(".js"));
        assert!(!html.contains("main{color:red}"), "styles are external");
        assert_eq!(content_hash(b"abc"), "ba7816bf8f01");
    }
}
