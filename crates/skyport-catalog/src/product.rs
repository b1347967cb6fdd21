//! The product record shared by the catalog, the search and the external provider.

use serde::{Deserialize, Serialize};

/// One product. Serialized in camelCase (`priceCents`, `reviewCount`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// `p00001` … `p10000` for the embedded catalog; `x-…` for external products.
    pub id: String,
    /// The listing title, e.g. `Ridgeline Pro Fitness Tracker, Heart Rate Monitor - Slate`.
    pub title: String,
    /// The brand (for books: the publisher). Invented names only.
    pub brand: String,
    /// The category slug, e.g. `fitness-trackers`.
    pub category: String,
    /// The category's display name, e.g. `Fitness Trackers & Wearables`.
    pub category_name: String,
    /// The price in US cents.
    pub price_cents: i64,
    /// The average rating, 1.0 to 5.0 with one decimal (0.0: an external product with no
    /// rating).
    pub rating: f32,
    /// How many reviews the rating averages.
    pub review_count: u32,
    /// Two to four sentences.
    pub description: String,
    /// Units in stock; 0 means sold out.
    pub stock: u32,
}

impl Product {
    /// Whether at least one unit is in stock.
    pub fn in_stock(&self) -> bool {
        self.stock > 0
    }

    /// The first sentence of the description (the shop's `summary` field).
    pub fn summary(&self) -> &str {
        match self.description.find(". ") {
            Some(end) => &self.description[..=end],
            None => &self.description,
        }
    }
}

/// The catalog index (0-based) named by an embedded id such as `p00042`, if it is one.
///
/// Only the exact form is accepted: `p` and five digits, 1 to `len`.
pub(crate) fn catalog_index(id: &str, len: usize) -> Option<usize> {
    let digits = id.strip_prefix('p')?;
    if digits.len() != 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: usize = digits.parse().ok()?;
    (1..=len).contains(&n).then(|| n - 1)
}

/// The embedded id of the product at 0-based `index`.
pub(crate) fn catalog_id(index: usize) -> String {
    format!("p{:05}", index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_lookalikes() {
        assert_eq!(catalog_id(0), "p00001");
        assert_eq!(catalog_id(9_999), "p10000");
        assert_eq!(catalog_index("p00001", 10_000), Some(0));
        assert_eq!(catalog_index("p10000", 10_000), Some(9_999));
        for bad in [
            "p00000", "p10001", "p0001", "p000001", "P00001", "p+0001", "x-1", "", "p", "p0000١",
        ] {
            assert_eq!(catalog_index(bad, 10_000), None, "{bad}");
        }
    }

    #[test]
    fn summary_is_the_first_sentence() {
        let mut p = Product {
            id: "p00001".into(),
            title: "t".into(),
            brand: "b".into(),
            category: "c".into(),
            category_name: "C".into(),
            price_cents: 100,
            rating: 4.0,
            review_count: 1,
            description: "One. Two.".into(),
            stock: 1,
        };
        assert_eq!(p.summary(), "One.");
        p.description = "Only one.".into();
        assert_eq!(p.summary(), "Only one.");
        let json = serde_json::to_value(&p).unwrap();
        assert!(json.get("priceCents").is_some() && json.get("categoryName").is_some());
    }
}
