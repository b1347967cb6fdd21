//! [`Products`]: the one door the shop uses for product search and look-up.
//!
//! The embedded catalog always answers browsing, category pages and product look-ups
//! of catalog ids. An external provider, when configured, answers text searches; when
//! it fails, times out or sends something unreadable, the catalog answers instead and
//! the outcome carries a notice saying so.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::error::CatalogError;
use crate::product::Product;
use crate::provider::{
    EXTERNAL_ID_PREFIX, ProductProvider, ProviderError, UnwrangleConfig, UnwrangleProvider,
};
use crate::search::{SearchPage, SearchQuery, SortBy};

/// Default limit on one external search, end to end. The Unwrangle client has the same
/// limit on its own request; this one also bounds any other provider.
pub const DEFAULT_EXTERNAL_TIMEOUT: Duration = Duration::from_secs(5);

/// Notice when the provider did not answer within the time limit.
pub const NOTICE_TIMEOUT: &str = "The external product service did not answer in time; showing results from the built-in catalog.";
/// Notice when the provider answered with an error or could not be reached.
pub const NOTICE_UNAVAILABLE: &str = "The external product service is unavailable right now; showing results from the built-in catalog.";
/// Notice when the provider's answer could not be read.
pub const NOTICE_UNREADABLE: &str = "The external product service sent an answer that could not be read; showing results from the built-in catalog.";

/// Where a page of results came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The embedded catalog.
    Catalog,
    /// The external provider.
    External,
}

/// The answer to [`Products::search`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchOutcome {
    /// The results.
    pub page: SearchPage,
    /// Which source answered.
    pub source: Source,
    /// A message for the user when the answer is not what they would expect, e.g. the
    /// external service failed and the catalog answered instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}

/// The shop's product facade. Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct Products {
    external: Option<Arc<dyn ProductProvider>>,
    timeout: Duration,
}

impl std::fmt::Debug for Products {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Products")
            .field("external", &self.external.as_ref().map(|p| p.name()))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Products {
    /// The catalog, plus Unwrangle when `UNWRANGLE_API_KEY` is set (base URL from
    /// `UNWRANGLE_BASE_URL`, default `https://data.unwrangle.com`). A configuration that
    /// cannot work (e.g. a malformed base URL) is logged and the catalog is used alone.
    pub fn from_env() -> Products {
        let external = UnwrangleConfig::from_env().and_then(|config| match UnwrangleProvider::new(config) {
            Ok(provider) => {
                tracing::info!(provider = "unwrangle", "external product provider enabled");
                Some(Arc::new(provider) as Arc<dyn ProductProvider>)
            }
            Err(e) => {
                tracing::warn!(error = %e, "external product provider disabled; using the built-in catalog only");
                None
            }
        });
        Products::new(external)
    }

    /// The catalog, plus `external` for text searches when given.
    pub fn new(external: Option<Arc<dyn ProductProvider>>) -> Products {
        Products {
            external,
            timeout: DEFAULT_EXTERNAL_TIMEOUT,
        }
    }

    /// Sets the limit on one external search (default [`DEFAULT_EXTERNAL_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Products {
        self.timeout = timeout;
        self
    }

    /// The external provider's name, when one is configured.
    pub fn external_name(&self) -> Option<&'static str> {
        self.external.as_ref().map(|p| p.name())
    }

    /// Builds the shared catalog on a blocking thread, if it is not built yet. Call it at
    /// start-up so the first search does not pay for the build.
    pub async fn warm_up(&self) {
        if !Catalog::is_shared_built() {
            let _ = tokio::task::spawn_blocking(Catalog::shared).await;
        }
    }

    /// Searches. Text searches without a category go to the external provider when one
    /// is configured (filters and sort are then applied to the provider's page); the
    /// rest, and every provider failure, go to the catalog.
    ///
    /// Errors: only [`CatalogError::Invalid`] for a bad query (and, never expected,
    /// [`CatalogError::Index`]); provider failures become a catalog answer with a notice.
    pub async fn search(&self, q: &SearchQuery) -> Result<SearchOutcome, CatalogError> {
        q.validate()?;
        let has_words = !crate::search::terms::words(&q.text).is_empty();
        let external = self
            .external
            .as_ref()
            .filter(|_| has_words && q.category.is_none());
        let Some(provider) = external else {
            return Ok(SearchOutcome {
                page: catalog_search(q).await?,
                source: Source::Catalog,
                notice: None,
            });
        };
        let failure = match tokio::time::timeout(self.timeout, provider.search(q)).await {
            Ok(Ok(found)) => {
                return Ok(SearchOutcome {
                    page: shape_external(q, found),
                    source: Source::External,
                    notice: None,
                });
            }
            Ok(Err(e)) => e,
            Err(_) => ProviderError::Timeout,
        };
        tracing::warn!(provider = provider.name(), error = %failure, "external search failed; answering from the catalog");
        let notice = match failure {
            ProviderError::Timeout => NOTICE_TIMEOUT,
            ProviderError::Malformed(_) | ProviderError::Rejected(_) => NOTICE_UNREADABLE,
            _ => NOTICE_UNAVAILABLE,
        };
        Ok(SearchOutcome {
            page: catalog_search(q).await?,
            source: Source::Catalog,
            notice: Some(notice.to_owned()),
        })
    }

    /// The product with this id: catalog ids (`p…`) from the catalog; external ids
    /// (`x-…`) from the provider (products it returned recently). `None` when unknown
    /// or when the provider fails.
    pub async fn product(&self, id: &str) -> Option<Product> {
        if !id.starts_with(EXTERNAL_ID_PREFIX) {
            if Catalog::is_shared_built() {
                return Catalog::shared().product(id).cloned();
            }
            let id = id.to_owned();
            return tokio::task::spawn_blocking(move || Catalog::shared().product(&id).cloned())
                .await
                .ok()
                .flatten();
        }
        let provider = self.external.as_ref()?;
        match tokio::time::timeout(self.timeout, provider.product(id)).await {
            Ok(Ok(found)) => found,
            Ok(Err(e)) => {
                tracing::warn!(provider = provider.name(), error = %e, "external product look-up failed");
                None
            }
            Err(_) => {
                tracing::warn!(
                    provider = provider.name(),
                    "external product look-up timed out"
                );
                None
            }
        }
    }
}

/// A catalog search, on a blocking thread only the first time (while the catalog builds).
async fn catalog_search(q: &SearchQuery) -> Result<SearchPage, CatalogError> {
    if Catalog::is_shared_built() {
        return Catalog::shared().search(q);
    }
    let q = q.clone();
    tokio::task::spawn_blocking(move || Catalog::shared().search(&q))
        .await
        .map_err(|e| CatalogError::Index(format!("the catalog search task failed: {e}")))?
}

/// Applies the query's filters, sort and page size to a provider page.
///
/// The provider pages by itself, so `total` is its total when no filter is set, and the
/// count on this page otherwise (filters are applied to this page only).
fn shape_external(q: &SearchQuery, found: crate::provider::ProviderPage) -> SearchPage {
    let filtered =
        q.min_price_cents.is_some() || q.max_price_cents.is_some() || q.min_rating.is_some();
    let mut products: Vec<Product> = found
        .products
        .into_iter()
        .filter(|p| {
            q.min_price_cents.is_none_or(|min| p.price_cents >= min)
                && q.max_price_cents.is_none_or(|max| p.price_cents <= max)
                && q.min_rating.is_none_or(|min| p.rating + 1e-4 >= min)
        })
        .collect();
    match q.sort {
        SortBy::Relevance => {}
        SortBy::PriceLowToHigh => products.sort_by_key(|p| p.price_cents),
        SortBy::PriceHighToLow => products.sort_by_key(|p| std::cmp::Reverse(p.price_cents)),
        SortBy::Rating => products.sort_by(|a, b| {
            b.rating
                .total_cmp(&a.rating)
                .then(b.review_count.cmp(&a.review_count))
        }),
        SortBy::Reviews => products.sort_by_key(|p| std::cmp::Reverse(p.review_count)),
    }
    let on_page = products.len();
    products.truncate(q.page_size as usize);
    let total = if filtered {
        on_page
    } else {
        found.total.unwrap_or(on_page).max(on_page)
    };
    SearchPage {
        products,
        total,
        page: q.page,
        page_size: q.page_size,
        corrected_query: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ProviderPage;

    fn item(id: &str, price_cents: i64, rating: f32) -> Product {
        Product {
            id: id.into(),
            title: id.into(),
            brand: String::new(),
            category: "external".into(),
            category_name: "External Marketplace".into(),
            price_cents,
            rating,
            review_count: 1,
            description: String::new(),
            stock: 99,
        }
    }

    #[test]
    fn external_pages_are_filtered_sorted_and_cut() {
        let found = ProviderPage {
            products: vec![
                item("x-a", 500, 4.0),
                item("x-b", 100, 3.0),
                item("x-c", 300, 5.0),
            ],
            total: Some(90),
            page: 1,
        };
        let q = SearchQuery {
            sort: SortBy::PriceLowToHigh,
            page_size: 2,
            ..SearchQuery::text("x")
        };
        let page = shape_external(&q, found.clone());
        assert_eq!(
            page.products
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>(),
            ["x-b", "x-c"]
        );
        assert_eq!(page.total, 90);
        let q = SearchQuery {
            min_rating: Some(4.0),
            ..SearchQuery::text("x")
        };
        let page = shape_external(&q, found);
        assert_eq!((page.products.len(), page.total), (2, 2));
    }
}
