//! The benchmark workload of `shared/bench` (its README): `search_products`
//! over 200 fixed products and the carousel widget resource. The search does
//! exactly what every peer does (a case-insensitive title substring match,
//! lower-casing per request), so the benchmark compares framework overhead.

use std::sync::{Arc, LazyLock};

use serde::{Deserialize, Serialize};
use skyport::App;
use skyport::engine::{AppError, ResourceDef, ToolDef, ToolOutput};

static PRODUCTS_JSON: &str = include_str!("products.json");
static WIDGET_HTML: &str = include_str!("carousel.html");
const WIDGET_URI: &str = "ui://widget/carousel.html";
const WIDGET_MIME: &str = "text/html+skybridge";

/// A product of the benchmark fixture.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Product {
    /// Id (`p000` ..).
    pub id: String,
    /// Title searched by substring.
    pub title: String,
    /// Price.
    pub price: f64,
    /// Rating.
    pub rating: f64,
    /// Image URL.
    pub image: String,
}

static PRODUCTS: LazyLock<Arc<Vec<Product>>> = LazyLock::new(|| {
    Arc::new(serde_json::from_str(PRODUCTS_JSON).expect("the bundled products.json parses"))
});

#[derive(Deserialize, schemars::JsonSchema)]
struct SearchArgs {
    query: String,
    #[serde(default)]
    limit: Option<usize>,
}

#[derive(Serialize)]
struct SearchOutput<'a> {
    products: Vec<&'a Product>,
    total: usize,
}

fn search<'a>(products: &'a [Product], query: &str, limit: usize) -> (Vec<&'a Product>, usize) {
    let q = query.to_lowercase();
    let mut shown = Vec::with_capacity(limit.min(products.len()));
    let mut total = 0;
    for p in products {
        if p.title.to_lowercase().contains(&q) {
            if shown.len() < limit {
                shown.push(p);
            }
            total += 1;
        }
    }
    (shown, total)
}

/// Builds the bench app.
pub fn app() -> Result<App, AppError> {
    let products = PRODUCTS.clone();
    let tool = ToolDef::builder("search_products")
        .title("Search products")
        .description("Search the product catalog by title substring.")
        .input_schema(serde_json::json!({
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "Text to find in product titles"},
                "limit": {"type": "integer", "minimum": 1, "maximum": 100, "description": "How many products to return (default 10)"}
            },
            "required": ["query"]
        }))
        .meta("openai/outputTemplate", WIDGET_URI.into())
        .meta("openai/toolInvocation/invoking", "Searching…".into())
        .meta("openai/toolInvocation/invoked", "Done".into())
        .typed_handler(move |_ctx, args: SearchArgs| {
            let products = products.clone();
            async move {
                let (shown, total) = search(&products, &args.query, args.limit.unwrap_or(10));
                let text = format!("Found {total} products matching \"{}\"; showing {}.", args.query, shown.len());
                ToolOutput::structured(&SearchOutput { products: shown, total }, text)
            }
        });
    App::builder("bench")
        .tool(tool)
        .resource(
            ResourceDef::text(WIDGET_URI, "carousel-widget", WIDGET_MIME, WIDGET_HTML)
                .with_description("Product carousel widget"),
        )
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_matches_the_peers() {
        let (shown, total) = search(&PRODUCTS, "a", 10);
        assert_eq!((shown.len(), total), (10, 140));
        assert_eq!(shown[0].id, "p000");
    }
}
