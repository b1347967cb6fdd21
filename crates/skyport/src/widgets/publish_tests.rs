//! Unit tests of [`super`]: start-up errors, both dialects of tool and
//! resource `_meta`, re-publishing with server settings.

use serde_json::{Value, json};

use super::*;
use crate::engine::{App, Security, ToolBuilder, ToolOutput, Visibility};

fn card() -> Widget {
    Widget::new("card").description("A card").body("<p></p>")
}

fn finish(b: ToolBuilder) -> ToolDef {
    b.handler(|_ctx, _args| async { Ok(ToolOutput::text("ok")) })
}

fn show() -> ToolBuilder {
    ToolDef::builder("show").description("Shows a card")
}

fn build(tools: Vec<ToolDef>, widgets: Vec<Widget>) -> Result<App, AppError> {
    let mut b = App::builder("shop");
    for t in tools {
        b = b.tool(t);
    }
    for w in widgets {
        b = b.widget(w);
    }
    b.build()
}

fn error(tools: Vec<ToolDef>, widgets: Vec<Widget>) -> String {
    match build(tools, widgets) {
        Ok(_) => panic!("the declaration is accepted"),
        Err(e) => e.to_string(),
    }
}

/// The `_meta` of tool `name` as listed.
fn meta(app: &App, name: &str) -> Value {
    let t = app
        .tool_descriptors()
        .into_iter()
        .find(|t| t.name == name)
        .expect("the tool");
    serde_json::to_value(&t).unwrap()["_meta"].clone()
}

#[test]
fn start_up_errors_name_the_fix() {
    let e = error(vec![finish(show().widget("board"))], vec![card()]);
    assert!(
        e.contains("tool \"show\" renders widget \"board\"")
            && e.contains("declared widgets: card"),
        "{e}"
    );
    let e = error(vec![finish(show().widget("card"))], vec![]);
    assert!(e.contains("declare one with AppBuilder::widget"), "{e}");

    let e = error(vec![], vec![card(), card()]);
    assert!(
        e.contains("widget \"card\"") && e.contains("two widgets have this name"),
        "{e}"
    );

    let e = error(vec![finish(show()), finish(show())], vec![]);
    assert!(e.contains("two tools are named \"show\""), "{e}");

    let e = error(vec![], vec![Widget::new("card").body("<p></p>")]);
    assert!(
        e.contains("no description") && e.contains(".description("),
        "{e}"
    );

    for origin in ["*", "https://*.com", "https://*"] {
        let e = error(vec![], vec![card().csp(Csp::new().resource(origin))]);
        assert!(
            e.contains("CSP wildcard not allowed") && e.contains("list the exact origins"),
            "{origin}: {e}"
        );
    }

    let long = "x".repeat(MAX_INVOCATION_TEXT + 1);
    let e = error(vec![finish(show().invoking(long.clone()))], vec![]);
    assert!(
        e.contains("tool \"show\"") && e.contains("invoking text is over 64"),
        "{e}"
    );
    let e = error(vec![finish(show().invoked(long))], vec![]);
    assert!(e.contains("invoked text is over 64"), "{e}");
    // 64 characters is fine, however many bytes they take.
    let ok = "é".repeat(MAX_INVOCATION_TEXT);
    assert!(
        build(
            vec![finish(show().invoking(ok.clone()).invoked(ok))],
            vec![]
        )
        .is_ok()
    );
}

#[test]
fn every_csp_list_maps_to_its_dialects() {
    let csp = Csp::new()
        .connect("https://api.example.com")
        .resource("https://cdn.example.com")
        .frame("https://embed.example.com")
        .redirect("https://pay.example.com")
        .base_uri("https://base.example.com");
    let w = card()
        .csp(csp.clone())
        .prefers_border(false)
        .domain("https://shop.example.com");
    let m = Value::Object(resource_meta(&w, &csp).0);
    assert_eq!(
        m["ui"],
        json!({"csp": {
            "connectDomains": ["https://api.example.com"],
            "resourceDomains": ["https://cdn.example.com"],
            "frameDomains": ["https://embed.example.com"],
            "baseUriDomains": ["https://base.example.com"],
        }, "prefersBorder": false}),
        "redirect is ChatGPT-only; ui.domain is host-specific"
    );
    assert_eq!(
        m["openai/widgetCSP"],
        json!({
            "connect_domains": ["https://api.example.com"],
            "resource_domains": ["https://cdn.example.com"],
            "frame_domains": ["https://embed.example.com"],
            "redirect_domains": ["https://pay.example.com"],
        }),
        "baseUriDomains is MCP-only"
    );
    assert_eq!(m["openai/widgetPrefersBorder"], false);
    assert_eq!(m["openai/widgetDomain"], "https://shop.example.com");
    assert_eq!(m["openai/widgetDescription"], "A card");
}

#[test]
fn visibility_maps_to_both_dialects() {
    let app = build(
        vec![
            finish(show().widget("card")),
            finish(
                ToolDef::builder("refresh")
                    .description("Refreshes the card (widget only)")
                    .visibility(Visibility::App),
            ),
            finish(
                ToolDef::builder("summarize")
                    .description("Summarizes (model only)")
                    .visibility(Visibility::Model),
            ),
        ],
        vec![card()],
    )
    .unwrap();
    let m = meta(&app, "show");
    assert_eq!(m["ui"]["visibility"], json!(["model", "app"]));
    assert_eq!(m["openai/visibility"], "public");
    assert_eq!(m["openai/widgetAccessible"], true);

    let m = meta(&app, "refresh");
    assert_eq!(
        m["ui"],
        json!({"visibility": ["app"]}),
        "no widget: no resourceUri"
    );
    assert_eq!(m["openai/visibility"], "private");
    assert_eq!(m["openai/widgetAccessible"], true);
    assert!(m.get("openai/outputTemplate").is_none() && m.get("ui/resourceUri").is_none());

    let m = meta(&app, "summarize");
    assert_eq!(m["ui"]["visibility"], json!(["model"]));
    assert_eq!(m["openai/visibility"], "public");
    assert_eq!(m["openai/widgetAccessible"], false);
    assert!(m.get("securitySchemes").is_none(), "server default: {m:#}");
}

#[test]
fn security_is_published_as_security_schemes() {
    let scoped = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let app = build(
        vec![
            finish(show().security(Security::OAuth {
                scopes: scoped(&["docs.write"]),
            })),
            finish(
                ToolDef::builder("open")
                    .description("Anyone")
                    .security(Security::Anonymous),
            ),
            finish(ToolDef::builder("mixed").description("Both").security(
                Security::AnonymousOrOAuth {
                    scopes: scoped(&["a", "b"]),
                },
            )),
        ],
        vec![],
    )
    .unwrap();
    assert_eq!(
        meta(&app, "show")["securitySchemes"],
        json!([{"type": "oauth2", "scopes": ["docs.write"]}])
    );
    assert_eq!(
        meta(&app, "open")["securitySchemes"],
        json!([{"type": "noauth"}])
    );
    assert_eq!(
        meta(&app, "mixed")["securitySchemes"],
        json!([{"type": "noauth"}, {"type": "oauth2", "scopes": ["a", "b"]}])
    );
}

#[test]
fn an_explicit_meta_key_wins_over_the_derived_one() {
    let custom = "ui://shop/custom.html";
    let app = build(
        vec![finish(
            show()
                .widget("card")
                .meta("openai/outputTemplate", json!(custom)),
        )],
        vec![card()],
    )
    .unwrap();
    let m = meta(&app, "show");
    assert_eq!(m["openai/outputTemplate"], custom);
    let uri = m["ui"]["resourceUri"].as_str().unwrap();
    assert!(
        uri.starts_with("ui://shop/card.") && uri.ends_with(".html"),
        "{m:#}"
    );
    assert_eq!(m["ui/resourceUri"], uri, "the other keys are still derived");

    // Re-publishing (the server's settings) starts from the declaration again.
    app.publish_widgets(WidgetSettings {
        base_url: Some("https://cdn.example.com/w".into()),
        archive: None,
        server_origin: None,
    })
    .unwrap();
    let m2 = meta(&app, "show");
    assert_eq!(m2["openai/outputTemplate"], custom);
    assert_ne!(m2["ui"]["resourceUri"], uri, "a new template, a new URI");
}

#[test]
fn publishing_links_the_first_tool_and_adds_the_cdn_origin_once() {
    let app = build(
        vec![
            finish(show().widget("card")),
            finish(
                ToolDef::builder("again")
                    .description("Again")
                    .widget("card"),
            ),
        ],
        vec![card().csp(Csp::new().resource("https://cdn.example.com"))],
    )
    .unwrap();
    let p = app.widget("card").unwrap();
    assert_eq!(p.tool.as_deref(), Some("show"));
    assert_eq!(p.uri, format!("ui://shop/card.{}.html", p.hash));
    assert_eq!(
        p.skybridge_uri,
        format!("ui://shop/card.{}.skybridge.html", p.hash)
    );
    assert_eq!(&*p.template_html, &*p.page_html, "inline by default");
    assert_eq!(meta(&app, "again")["ui"]["resourceUri"], p.uri.as_str());

    app.publish_widgets(WidgetSettings {
        base_url: Some("https://cdn.example.com/w".into()),
        archive: None,
        server_origin: None,
    })
    .unwrap();
    let p = app.widget("card").unwrap();
    assert_eq!(p.csp.resource, ["https://cdn.example.com"]);
    assert!(
        p.template_html
            .contains("https://cdn.example.com/w/assets/skyport-bridge.")
    );
    assert!(p.page_csp_header().contains("connect-src 'self'"));
}

#[test]
fn server_origins_are_added_where_the_widget_asked() {
    let app = build(
        vec![finish(show().widget("card"))],
        vec![card().csp(Csp::new().resource_server())],
    )
    .unwrap();
    app.publish_widgets(WidgetSettings {
        base_url: None,
        archive: None,
        server_origin: Some("http://127.0.0.1:9000".into()),
    })
    .unwrap();
    let p = app.widget("card").unwrap();
    assert_eq!(p.csp.resource, ["http://127.0.0.1:9000"]);
    assert!(p.csp.connect.is_empty(), "resources only: {:?}", p.csp);
    assert!(
        p.page_csp_header()
            .contains("img-src 'self' data: http://127.0.0.1:9000"),
        "{}",
        p.page_csp_header()
    );
}
