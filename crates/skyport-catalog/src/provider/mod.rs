//! External product providers: the [`ProductProvider`] seam, the Unwrangle client and
//! the response cache it uses.
//!
//! A provider answers text searches from somewhere other than the embedded catalog.
//! The shop never calls one directly: [`crate::Products`] does, with a time limit, and
//! falls back to the catalog when the provider fails.

mod cache;
mod mapping;
mod unwrangle;

use async_trait::async_trait;

use crate::product::Product;
use crate::search::SearchQuery;

pub use unwrangle::{UnwrangleConfig, UnwrangleProvider};

/// Prefix of every external product id, so they never collide with catalog ids (`p…`).
pub const EXTERNAL_ID_PREFIX: &str = "x-";

/// One page of results from a provider.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderPage {
    /// The products, in the provider's order, with `x-` ids.
    pub products: Vec<Product>,
    /// How many results the provider says it has in all, when it says.
    pub total: Option<usize>,
    /// The provider's page number (from 1).
    pub page: u32,
}

/// Why a provider could not answer. Messages never contain credentials or request URLs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderError {
    /// No answer within the time limit. The service may be overloaded; try again later.
    #[error("the product provider did not answer in time")]
    Timeout,
    /// The service answered with an HTTP error status. 401/403 usually mean the API key
    /// is wrong or out of credits (check `UNWRANGLE_API_KEY`); 5xx are the service's own.
    #[error("the product provider answered HTTP {0}")]
    Status(u16),
    /// The connection failed (DNS, refused, TLS, reset). Check the base URL and network.
    #[error("could not reach the product provider: {0}")]
    Transport(String),
    /// The answer was not the expected JSON. The API may have changed: update the mapping.
    #[error("the product provider's answer could not be read: {0}")]
    Malformed(String),
    /// The service said the request failed (`"success": false`), with its reason.
    #[error("the product provider refused the request: {0}")]
    Rejected(String),
    /// The configuration is unusable (for example a base URL that is not http(s)).
    #[error("the product provider is misconfigured: {0}")]
    Config(String),
}

/// A source of products other than the embedded catalog.
///
/// Contract: `search` is only called with text (the catalog serves browsing and category
/// pages); results use ids starting with [`EXTERNAL_ID_PREFIX`]; `product` answers for
/// ids this provider returned. Implementations may cache; they need not apply the query's
/// filters or sort (the caller does, on the page it gets).
#[async_trait]
pub trait ProductProvider: Send + Sync {
    /// One page of results for `q.text` (page `q.page`).
    async fn search(&self, q: &SearchQuery) -> Result<ProviderPage, ProviderError>;
    /// The product with this `x-` id, if the provider knows it.
    async fn product(&self, id: &str) -> Result<Option<Product>, ProviderError>;
    /// A short name for logs and metrics, e.g. `unwrangle`.
    fn name(&self) -> &'static str;
}
