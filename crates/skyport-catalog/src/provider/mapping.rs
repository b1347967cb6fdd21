//! From an external search answer (JSON) to [`Product`]s.
//!
//! Read tolerantly: field names vary between the provider's platforms and versions, so
//! each field is looked up under its known aliases, numbers may arrive as strings
//! (`"$1,299.99"`), and a result missing an id, a name or a price is left out rather
//! than failing the page. The answer as a whole must still be an object with a
//! `results` array, or it is [`ProviderError::Malformed`].

use serde_json::{Map, Value};

use super::{EXTERNAL_ID_PREFIX, ProviderError};
use crate::product::Product;

/// Category slug and name given to external products (the provider's own categories
/// do not match the catalog's).
pub(crate) const EXTERNAL_CATEGORY: (&str, &str) = ("external", "External Marketplace");
/// Stock reported for external products: the API does not say how many, only whether
/// they can be bought.
const AVAILABLE_STOCK: u32 = 99;
const MAX_TITLE_CHARS: usize = 300;
const MAX_TEXT_CHARS: usize = 1_000;
const MAX_ID_CHARS: usize = 64;

/// A mapped search answer.
#[derive(Debug)]
pub(crate) struct MappedPage {
    pub(crate) products: Vec<Product>,
    pub(crate) total: Option<usize>,
    /// Results left out for lacking an id, a name or a price.
    pub(crate) skipped: usize,
}

/// Maps a search answer's JSON body.
pub(crate) fn map_search(body: &[u8]) -> Result<MappedPage, ProviderError> {
    let root: Value = serde_json::from_slice(body)
        .map_err(|e| ProviderError::Malformed(format!("not JSON ({e})")))?;
    let root = root
        .as_object()
        .ok_or_else(|| ProviderError::Malformed("the answer is not a JSON object".into()))?;
    if root.get("success").and_then(Value::as_bool) == Some(false) {
        let reason =
            text(root, &["message", "error", "detail"]).unwrap_or_else(|| "no reason given".into());
        return Err(ProviderError::Rejected(truncate(&reason, 200)));
    }
    let results = root
        .get("results")
        .and_then(Value::as_array)
        .ok_or_else(|| ProviderError::Malformed("no `results` array in the answer".into()))?;
    let mut products = Vec::with_capacity(results.len());
    let mut skipped = 0;
    for item in results {
        match item.as_object().and_then(map_product) {
            Some(p) => products.push(p),
            None => skipped += 1,
        }
    }
    if products.is_empty() && skipped > 0 {
        return Err(ProviderError::Malformed(format!(
            "none of the {skipped} results had an id, a name and a price"
        )));
    }
    let total = ["total_results", "result_count", "total", "no_of_results"]
        .iter()
        .find_map(|k| root.get(*k).and_then(number))
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map(|n| n as usize);
    Ok(MappedPage {
        products,
        total,
        skipped,
    })
}

/// One result, or `None` when it lacks an id, a name or a usable price.
pub(crate) fn map_product(item: &Map<String, Value>) -> Option<Product> {
    let raw_id = ["id", "tcin", "product_id", "asin", "sku"]
        .iter()
        .find_map(|k| match item.get(*k)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })?;
    let id: String = raw_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(MAX_ID_CHARS)
        .collect();
    if id.is_empty() {
        return None;
    }
    let title = truncate(&text(item, &["name", "title"])?, MAX_TITLE_CHARS);
    if title.is_empty() {
        return None;
    }
    let dollars = [
        "price",
        "price_current",
        "current_price",
        "sale_price",
        "price_reduced",
    ]
    .iter()
    .find_map(|k| item.get(*k).and_then(price))?;
    let price_cents = (dollars * 100.0).round();
    if !(0.0..1e11).contains(&price_cents) {
        return None;
    }
    let brand = match item.get("brand") {
        Some(Value::Object(b)) => text(b, &["name"]),
        _ => text(item, &["brand", "seller", "manufacturer"]),
    }
    .map(|b| truncate(&b, 100))
    .unwrap_or_default();
    let rating = ["rating", "average_rating", "stars"]
        .iter()
        .find_map(|k| item.get(*k).and_then(number))
        .filter(|r| r.is_finite())
        .map_or(0.0, |r| ((r.clamp(0.0, 5.0) * 10.0).round() / 10.0) as f32);
    let review_count = [
        "total_ratings",
        "reviews_count",
        "review_count",
        "total_reviews",
        "ratings_total",
    ]
    .iter()
    .find_map(|k| item.get(*k).and_then(number))
    .filter(|n| n.is_finite() && *n >= 0.0)
    .map_or(0, |n| n.min(f64::from(u32::MAX)) as u32);
    let available = !matches!(
        item.get("in_stock").or_else(|| item.get("is_available")),
        Some(Value::Bool(false))
    ) && !text(item, &["availability", "stock_status"])
        .is_some_and(|a| a.to_lowercase().contains("out of stock"));
    let description = text(item, &["description", "snippet", "summary"])
        .map(|d| truncate(&d, MAX_TEXT_CHARS))
        .unwrap_or_else(|| {
            if brand.is_empty() {
                format!("{title}. Listed by an external marketplace.")
            } else {
                format!("{title} from {brand}. Listed by an external marketplace.")
            }
        });
    Some(Product {
        id: format!("{EXTERNAL_ID_PREFIX}{id}"),
        title,
        brand,
        category: EXTERNAL_CATEGORY.0.to_owned(),
        category_name: EXTERNAL_CATEGORY.1.to_owned(),
        price_cents: price_cents as i64,
        rating,
        review_count,
        description,
        stock: if available { AVAILABLE_STOCK } else { 0 },
    })
}

/// The first non-blank string under one of `keys`, trimmed.
fn text(map: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| {
            map.get(*k)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        })
        .map(str::to_owned)
}

/// A number, or a string holding one (`"4.5"`, `"1,234"`).
fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().replace(',', "").parse().ok(),
        _ => None,
    }
}

/// A price in dollars: a number, `"$1,299.99"`, or an object with `value`/`amount`.
fn price(value: &Value) -> Option<f64> {
    let dollars = match value {
        Value::Object(o) => ["value", "amount", "current", "price"]
            .iter()
            .find_map(|k| o.get(*k).and_then(price)),
        Value::String(s) => s
            .trim()
            .trim_start_matches("US")
            .trim_start_matches('$')
            .replace(',', "")
            .trim()
            .parse()
            .ok(),
        other => number(other),
    }?;
    (dollars.is_finite() && dollars >= 0.0).then_some(dollars)
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .take(max_chars)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Result<MappedPage, ProviderError> {
        map_search(v.to_string().as_bytes())
    }

    #[test]
    fn maps_the_documented_shape() {
        let page = map(json!({
            "success": true,
            "total_results": 321,
            "results": [
                { "id": "81234567", "name": "Trail Runner Watch", "brand": "Acme", "price": 129.99,
                  "rating": 4.46, "total_ratings": 812, "thumbnail": "https://example.invalid/t.jpg",
                  "url": "https://example.invalid/p" },
                { "tcin": 555, "title": "Mug", "price": "$1,299.5", "rating": "9", "reviews_count": "12" },
                { "name": "no id", "price": 1 },
                { "id": "1", "name": "no price" },
            ]
        }))
        .unwrap();
        assert_eq!((page.total, page.skipped), (Some(321), 2));
        let a = &page.products[0];
        assert_eq!(
            (
                a.id.as_str(),
                a.title.as_str(),
                a.brand.as_str(),
                a.price_cents,
                a.rating,
                a.review_count,
                a.stock
            ),
            (
                "x-81234567",
                "Trail Runner Watch",
                "Acme",
                12_999,
                4.5,
                812,
                99
            )
        );
        assert_eq!(a.category, "external");
        let b = &page.products[1];
        assert_eq!(
            (b.id.as_str(), b.price_cents, b.rating, b.review_count),
            ("x-555", 129_950, 5.0, 12)
        );
    }

    #[test]
    fn garbage_is_malformed_or_rejected() {
        assert!(matches!(
            map_search(b"<html>oops</html>"),
            Err(ProviderError::Malformed(_))
        ));
        assert!(matches!(
            map(json!([1, 2])),
            Err(ProviderError::Malformed(_))
        ));
        assert!(matches!(
            map(json!({ "results": "no" })),
            Err(ProviderError::Malformed(_))
        ));
        assert!(matches!(
            map(json!({ "results": [ { "x": 1 } ] })),
            Err(ProviderError::Malformed(_))
        ));
        assert!(matches!(
            map(json!({ "success": false, "message": "Invalid API key" })),
            Err(ProviderError::Rejected(m)) if m == "Invalid API key"
        ));
        assert_eq!(map(json!({ "results": [] })).unwrap().products.len(), 0);
    }

    #[test]
    fn hostile_values_are_contained() {
        let page = map(json!({ "results": [
            { "id": "../../etc\"<x>", "name": "A\u{0}B", "price": -5 },
            { "id": "ok", "name": "Huge", "price": 1e300 },
            { "id": "<>", "name": "No usable id", "price": 2 },
            { "id": "<ok-3>", "name": "Fine\n", "price": 2, "in_stock": false, "rating": -3 },
        ]}))
        .unwrap();
        assert_eq!((page.products.len(), page.skipped), (1, 3));
        let p = &page.products[0];
        assert_eq!(
            (p.id.as_str(), p.title.as_str(), p.stock, p.rating),
            ("x-ok-3", "Fine", 0, 0.0)
        );
    }
}
