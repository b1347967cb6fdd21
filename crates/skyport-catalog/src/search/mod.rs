//! Search requests and answers, and their validation.
//!
//! The catalog's search runs in three steps: [`terms`] turns user text into a safe FTS5
//! expression (quoting every term, correcting typos against the index vocabulary),
//! [`index`] asks SQLite for the matching rows and their `bm25()` scores, and
//! `Catalog::search` filters, sorts and pages them in memory.

pub(crate) mod index;
pub(crate) mod terms;

use serde::{Deserialize, Serialize};

use crate::error::CatalogError;
use crate::product::Product;

/// The largest page a search may ask for.
pub const MAX_PAGE_SIZE: u32 = 50;

/// The order of search results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    /// Best text match first (`bm25`, title weighted highest); most-reviewed first when
    /// the query has no text.
    #[default]
    Relevance,
    /// Cheapest first.
    PriceLowToHigh,
    /// Most expensive first.
    PriceHighToLow,
    /// Best rated first (ties: more reviews first).
    Rating,
    /// Most reviewed first.
    Reviews,
}

/// A product search. `Default` is a browse of everything: page 1 of 10, by relevance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SearchQuery {
    /// Free text from the user. Any text is accepted; empty means "browse" (filters and
    /// sort only).
    pub text: String,
    /// Only this category (a slug such as `fitness-trackers`).
    pub category: Option<String>,
    /// Only products costing at least this many cents.
    pub min_price_cents: Option<i64>,
    /// Only products costing at most this many cents.
    pub max_price_cents: Option<i64>,
    /// Only products rated at least this (0 to 5).
    pub min_rating: Option<f32>,
    /// The order of the results.
    pub sort: SortBy,
    /// The page to return, from 1.
    pub page: u32,
    /// Products per page, 1 to [`MAX_PAGE_SIZE`].
    pub page_size: u32,
}

impl Default for SearchQuery {
    fn default() -> Self {
        Self {
            text: String::new(),
            category: None,
            min_price_cents: None,
            max_price_cents: None,
            min_rating: None,
            sort: SortBy::Relevance,
            page: 1,
            page_size: 10,
        }
    }
}

impl SearchQuery {
    /// A search for `text` with the defaults for everything else.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// Checks the fields that text cannot make invalid: page, page size, price range and
    /// rating. (The category is checked against the catalog by the search.)
    pub fn validate(&self) -> Result<(), CatalogError> {
        let invalid = |m: String| Err(CatalogError::Invalid(m));
        if self.page == 0 {
            return invalid("page must be 1 or more (pages are numbered from 1)".into());
        }
        if !(1..=MAX_PAGE_SIZE).contains(&self.page_size) {
            return invalid(format!(
                "page_size must be between 1 and {MAX_PAGE_SIZE}, got {}",
                self.page_size
            ));
        }
        for (name, value) in [
            ("min_price_cents", self.min_price_cents),
            ("max_price_cents", self.max_price_cents),
        ] {
            if let Some(v) = value
                && v < 0
            {
                return invalid(format!(
                    "{name} must be 0 or more (prices are in cents), got {v}"
                ));
            }
        }
        if let (Some(min), Some(max)) = (self.min_price_cents, self.max_price_cents)
            && min > max
        {
            return invalid(format!(
                "min_price_cents ({min}) is greater than max_price_cents ({max}): swap them or leave one out"
            ));
        }
        if let Some(r) = self.min_rating
            && !(0.0..=5.0).contains(&r)
        {
            return invalid(format!("min_rating must be between 0 and 5, got {r}"));
        }
        Ok(())
    }
}

/// One page of search results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchPage {
    /// The products on this page, in order (owned copies: cheap at ≤ 50 per page).
    pub products: Vec<Product>,
    /// How many products match in all, over every page.
    pub total: usize,
    /// This page's number, from 1.
    pub page: u32,
    /// The page size that was asked for.
    pub page_size: u32,
    /// The text actually searched, when some words were corrected for typos
    /// (e.g. `fitness tracker` for `fitnes trakcer`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrected_query: Option<String>,
}

impl SearchPage {
    /// How many pages of `page_size` the matches fill (0 when nothing matches).
    pub fn page_count(&self) -> usize {
        self.total.div_ceil(self.page_size.max(1) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejects(q: SearchQuery, needle: &str) {
        match q.validate() {
            Err(CatalogError::Invalid(m)) => assert!(m.contains(needle), "{m}"),
            other => panic!("expected Invalid mentioning {needle}, got {other:?}"),
        }
    }

    #[test]
    fn validation_names_the_field() {
        assert!(SearchQuery::default().validate().is_ok());
        rejects(
            SearchQuery {
                page: 0,
                ..Default::default()
            },
            "page must be",
        );
        rejects(
            SearchQuery {
                page_size: 0,
                ..Default::default()
            },
            "page_size",
        );
        rejects(
            SearchQuery {
                page_size: 51,
                ..Default::default()
            },
            "page_size",
        );
        rejects(
            SearchQuery {
                min_price_cents: Some(-1),
                ..Default::default()
            },
            "min_price_cents",
        );
        rejects(
            SearchQuery {
                min_price_cents: Some(500),
                max_price_cents: Some(100),
                ..Default::default()
            },
            "swap",
        );
        rejects(
            SearchQuery {
                min_rating: Some(5.5),
                ..Default::default()
            },
            "min_rating",
        );
        rejects(
            SearchQuery {
                min_rating: Some(f32::NAN),
                ..Default::default()
            },
            "min_rating",
        );
        assert!(
            SearchQuery {
                min_rating: Some(5.0),
                page_size: 50,
                ..Default::default()
            }
            .validate()
            .is_ok()
        );
    }

    #[test]
    fn sort_names_are_snake_case() {
        assert_eq!(
            serde_json::to_string(&SortBy::PriceLowToHigh).unwrap(),
            "\"price_low_to_high\""
        );
        let q: SearchQuery =
            serde_json::from_str(r#"{"text":"mug","sort":"reviews","pageSize":5}"#).unwrap();
        assert_eq!((q.sort, q.page, q.page_size), (SortBy::Reviews, 1, 5));
    }

    #[test]
    fn page_count_rounds_up() {
        let page = SearchPage {
            products: vec![],
            total: 21,
            page: 1,
            page_size: 10,
            corrected_query: None,
        };
        assert_eq!(page.page_count(), 3);
    }
}
