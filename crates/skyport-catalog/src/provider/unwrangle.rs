//! The Unwrangle product API client (`platform=target_search`).
//!
//! Request: `GET {base}/api/getter/?platform=target_search&search={text}&page={n}&api_key={key}`.
//! The answer's shape is read tolerantly (see `mapping.rs`), since only a documented
//! best guess of it was available when this was written:
//! `{ "success": true, "results": [ { "id", "name", "brand", "price", "rating",
//! "total_ratings", "thumbnail", "url", … } ], "total_results": 123 }`.
//!
//! The API key travels in the query string because that is how the API takes it; it is
//! therefore kept out of everything this module logs or returns: errors are built with
//! `reqwest::Error::without_url`, and every message is also scrubbed of the key.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::Url;

use super::cache::TtlCache;
use super::mapping::{self, MappedPage};
use super::{EXTERNAL_ID_PREFIX, ProductProvider, ProviderError, ProviderPage};
use crate::product::Product;
use crate::search::SearchQuery;
use crate::search::terms::words;

/// Answers larger than this are refused: a search page is a few hundred KB at most.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// How to reach Unwrangle.
#[derive(Clone)]
pub struct UnwrangleConfig {
    /// The API's base URL. Default `https://data.unwrangle.com` (`UNWRANGLE_BASE_URL`).
    pub base_url: String,
    /// The API key (`UNWRANGLE_API_KEY`). Never logged, never in an error.
    pub api_key: String,
    /// Total time allowed for one request, connect to last byte. Default 5 s: the shop
    /// would rather show catalog results than keep a user waiting longer.
    pub timeout: Duration,
    /// How long a search page is reused for the same text and page. Default 5 minutes:
    /// prices and stock move slowly, and every request costs API credits.
    pub cache_ttl: Duration,
    /// How long a product seen in results can be looked up by id (for carts). Default 1 hour.
    pub product_ttl: Duration,
    /// The most search pages kept. Default 1,000.
    pub cache_capacity: usize,
}

impl std::fmt::Debug for UnwrangleConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnwrangleConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .field("timeout", &self.timeout)
            .field("cache_ttl", &self.cache_ttl)
            .field("product_ttl", &self.product_ttl)
            .field("cache_capacity", &self.cache_capacity)
            .finish()
    }
}

impl UnwrangleConfig {
    /// The default base URL.
    pub const DEFAULT_BASE_URL: &'static str = "https://data.unwrangle.com";

    /// The defaults, with this API key.
    pub fn new(api_key: impl Into<String>) -> Self {
        Self {
            base_url: Self::DEFAULT_BASE_URL.to_owned(),
            api_key: api_key.into(),
            timeout: Duration::from_secs(5),
            cache_ttl: Duration::from_secs(300),
            product_ttl: Duration::from_secs(3_600),
            cache_capacity: 1_000,
        }
    }

    /// From `UNWRANGLE_API_KEY` (required, non-blank) and `UNWRANGLE_BASE_URL` (optional).
    pub fn from_env() -> Option<Self> {
        let key = std::env::var("UNWRANGLE_API_KEY")
            .ok()
            .filter(|k| !k.trim().is_empty())?;
        let mut config = Self::new(key.trim());
        if let Ok(base) = std::env::var("UNWRANGLE_BASE_URL")
            && !base.trim().is_empty()
        {
            config.base_url = base.trim().to_owned();
        }
        Some(config)
    }
}

/// The Unwrangle client: a [`ProductProvider`] with a response cache.
pub struct UnwrangleProvider {
    http: reqwest::Client,
    endpoint: Url,
    api_key: String,
    pages: TtlCache<(String, u32), Arc<ProviderPage>>,
    products: TtlCache<String, Product>,
}

impl std::fmt::Debug for UnwrangleProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnwrangleProvider")
            .field("endpoint", &self.endpoint.as_str())
            .finish_non_exhaustive()
    }
}

impl UnwrangleProvider {
    /// A client for `config`. Fails when the base URL is not an http(s) URL or the key is blank.
    pub fn new(config: UnwrangleConfig) -> Result<Self, ProviderError> {
        if config.api_key.trim().is_empty() {
            return Err(ProviderError::Config(
                "the API key is empty: set UNWRANGLE_API_KEY".into(),
            ));
        }
        let mut base = Url::parse(&config.base_url).map_err(|e| {
            ProviderError::Config(format!(
                "UNWRANGLE_BASE_URL {:?} is not a URL ({e})",
                config.base_url
            ))
        })?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(ProviderError::Config(format!(
                "UNWRANGLE_BASE_URL {:?} must be an http(s) URL",
                config.base_url
            )));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        base.set_query(None);
        let endpoint = base
            .join("api/getter/")
            .map_err(|e| ProviderError::Config(format!("cannot build the endpoint URL ({e})")))?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .user_agent(concat!("skyport-catalog/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                ProviderError::Config(format!(
                    "cannot create the HTTP client ({})",
                    e.without_url()
                ))
            })?;
        Ok(Self {
            http,
            endpoint,
            api_key: config.api_key,
            pages: TtlCache::new(config.cache_ttl, config.cache_capacity),
            products: TtlCache::new(config.product_ttl, config.cache_capacity.saturating_mul(50)),
        })
    }

    /// Fetches and maps one page (no cache).
    async fn fetch(&self, text: &str, page: u32) -> Result<ProviderPage, ProviderError> {
        let mut url = self.endpoint.clone();
        url.query_pairs_mut()
            .append_pair("platform", "target_search")
            .append_pair("search", text)
            .append_pair("page", &page.to_string())
            .append_pair("api_key", &self.api_key);
        let mut response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| self.transport_error(e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(ProviderError::Status(status.as_u16()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(e))?
        {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(ProviderError::Malformed(format!(
                    "the answer is larger than {MAX_BODY_BYTES} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        let MappedPage {
            products,
            total,
            skipped,
        } = mapping::map_search(&body).map_err(|e| self.scrub(e))?;
        if skipped > 0 {
            tracing::debug!(
                provider = "unwrangle",
                skipped,
                "results without id, name or price were left out"
            );
        }
        Ok(ProviderPage {
            products,
            total,
            page,
        })
    }

    fn transport_error(&self, e: reqwest::Error) -> ProviderError {
        if e.is_timeout() {
            return ProviderError::Timeout;
        }
        let e = e.without_url();
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        if e.is_decode() || e.is_body() {
            self.scrub(ProviderError::Malformed(message))
        } else {
            self.scrub(ProviderError::Transport(message))
        }
    }

    /// Removes the API key from an error's text, should a library ever echo it back.
    fn scrub(&self, error: ProviderError) -> ProviderError {
        let clean = |m: String| m.replace(&self.api_key, "<redacted>");
        match error {
            ProviderError::Transport(m) => ProviderError::Transport(clean(m)),
            ProviderError::Malformed(m) => ProviderError::Malformed(clean(m)),
            ProviderError::Rejected(m) => ProviderError::Rejected(clean(m)),
            ProviderError::Config(m) => ProviderError::Config(clean(m)),
            other => other,
        }
    }
}

#[async_trait]
impl ProductProvider for UnwrangleProvider {
    async fn search(&self, q: &SearchQuery) -> Result<ProviderPage, ProviderError> {
        // The cache key is the normalized words, so "Fitness  Tracker!" and
        // "fitness tracker" share an entry (and a request).
        let text = words(&q.text).join(" ");
        let page = q.page.max(1);
        if text.is_empty() {
            return Ok(ProviderPage {
                products: Vec::new(),
                total: Some(0),
                page,
            });
        }
        let key = (text, page);
        if let Some(hit) = self.pages.get(&key) {
            tracing::debug!(provider = "unwrangle", page, "search answered from cache");
            return Ok((*hit).clone());
        }
        let started = std::time::Instant::now();
        let result = self.fetch(&key.0, page).await;
        match &result {
            Ok(found) => {
                tracing::debug!(
                    provider = "unwrangle",
                    page,
                    results = found.products.len(),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "external search"
                );
                for p in &found.products {
                    self.products.insert(p.id.clone(), p.clone());
                }
                self.pages.insert(key, Arc::new(found.clone()));
            }
            Err(e) => {
                tracing::warn!(provider = "unwrangle", page, error = %e, "external search failed")
            }
        }
        result
    }

    async fn product(&self, id: &str) -> Result<Option<Product>, ProviderError> {
        // Unwrangle's detail endpoint takes a product URL, not an id, so a product can be
        // looked up for `product_ttl` after a search returned it.
        if !id.starts_with(EXTERNAL_ID_PREFIX) {
            return Ok(None);
        }
        Ok(self.products.get(&id.to_owned()))
    }

    fn name(&self) -> &'static str {
        "unwrangle"
    }
}
