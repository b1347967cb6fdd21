//! The fixture resources: static text and binary, a template, a watched resource.

use rmcp::model::ResourceContents;
use serde_json::json;
use skyport::engine::{AppError, ResourceDef, TemplateDef};

use super::fixtures::{PNG_1X1_BASE64, PNG_MIME};

/// The URI of the static text resource.
pub const STATIC_TEXT_URI: &str = "test://static-text";
/// The URI of the static binary resource.
pub const STATIC_BINARY_URI: &str = "test://static-binary";
/// The URI of the resource the subscribe scenarios watch.
pub const WATCHED_URI: &str = "test://watched-resource";
/// The template the suite reads as `test://template/123/data`.
pub const TEMPLATE: &str = "test://template/{id}/data";

/// The concrete resources.
pub fn resources() -> Vec<ResourceDef> {
    vec![
        ResourceDef::text(
            STATIC_TEXT_URI,
            "Static Text Resource",
            "text/plain",
            "This is the content of the static text resource.",
        )
        .with_description("A static text resource for testing"),
        ResourceDef::blob(
            STATIC_BINARY_URI,
            "Static Binary Resource",
            PNG_MIME,
            PNG_1X1_BASE64,
        )
        .with_description("A static binary resource (a 1x1 PNG) for testing"),
        ResourceDef::text(
            WATCHED_URI,
            "Watched Resource",
            "text/plain",
            "Watched resource content",
        )
        .with_description("A resource for the subscribe and unsubscribe scenarios"),
    ]
}

/// The JSON the template returns for `id`.
pub fn template_data(id: &str) -> String {
    json!({ "id": id, "templateTest": true, "data": format!("Data for ID: {id}") }).to_string()
}

/// The resource templates.
pub fn templates() -> Result<Vec<TemplateDef>, AppError> {
    let t = TemplateDef::new(
        TEMPLATE,
        "Resource Template",
        |_ctx, uri, vars| async move {
            let id = vars.get("id").cloned().unwrap_or_default();
            Ok(vec![
                ResourceContents::text(template_data(&id), uri).with_mime_type("application/json"),
            ])
        },
    )?
    .with_description("A resource template with an {id} parameter")
    .with_mime_type("application/json");
    Ok(vec![t])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_data_names_the_id() {
        let v: serde_json::Value = serde_json::from_str(&template_data("123")).unwrap();
        assert_eq!(v["id"], "123");
        assert_eq!(v["templateTest"], true);
        assert_eq!(v["data"], "Data for ID: 123");
    }

    #[test]
    fn resources_have_distinct_uris() {
        let r = resources();
        assert_eq!(r.len(), 3);
        assert!(r.iter().any(|r| r.uri() == WATCHED_URI));
        assert_eq!(templates().unwrap().len(), 1);
    }
}
