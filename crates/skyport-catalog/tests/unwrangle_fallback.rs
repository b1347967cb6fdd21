//! When the external provider fails, the catalog answers and a notice says why; the API
//! key never appears in an error, a notice or a debug print.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use common::{Fake, KEY, Mode};
use skyport_catalog::provider::{
    ProductProvider, ProviderError, ProviderPage, UnwrangleConfig, UnwrangleProvider,
};
use skyport_catalog::{
    NOTICE_TIMEOUT, NOTICE_UNAVAILABLE, NOTICE_UNREADABLE, Product, Products, SearchQuery, Source,
};

const TTL: Duration = Duration::from_secs(300);

fn query() -> SearchQuery {
    SearchQuery::text("fitnes trakcer")
}

#[tokio::test]
async fn a_slow_provider_times_out_into_the_catalog() {
    let fake = Fake::start().await;
    fake.set_mode(Mode::Slow(Duration::from_secs(3)));
    let products = fake.products(Duration::from_millis(300), TTL);
    let started = Instant::now();
    let out = products.search(&query()).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "gave up after {:?}",
        started.elapsed()
    );
    assert_eq!(out.source, Source::Catalog);
    assert_eq!(out.notice.as_deref(), Some(NOTICE_TIMEOUT));
    assert_eq!(out.page.corrected_query.as_deref(), Some("fitness tracker"));
    assert!(
        out.page
            .products
            .iter()
            .all(|p| p.category == "fitness-trackers")
    );
}

#[tokio::test]
async fn server_errors_fall_back() {
    let fake = Fake::start().await;
    fake.set_mode(Mode::Status(500));
    let out = fake
        .products(Duration::from_secs(5), TTL)
        .search(&query())
        .await
        .unwrap();
    assert_eq!(
        (out.source, out.notice.as_deref()),
        (Source::Catalog, Some(NOTICE_UNAVAILABLE))
    );
    assert!(out.page.total > 0);
}

#[tokio::test]
async fn malformed_json_falls_back() {
    let fake = Fake::start().await;
    fake.set_mode(Mode::Garbage);
    let out = fake
        .products(Duration::from_secs(5), TTL)
        .search(&query())
        .await
        .unwrap();
    assert_eq!(
        (out.source, out.notice.as_deref()),
        (Source::Catalog, Some(NOTICE_UNREADABLE))
    );
}

#[tokio::test]
async fn an_unreachable_provider_falls_back() {
    // Bind then drop a listener: the port is (almost certainly) closed afterwards.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = UnwrangleConfig {
        base_url: format!("http://127.0.0.1:{port}"),
        ..UnwrangleConfig::new(KEY)
    };
    let provider = Arc::new(UnwrangleProvider::new(config).unwrap());
    let err = provider.search(&query()).await.unwrap_err();
    assert!(matches!(err, ProviderError::Transport(_)), "{err:?}");
    assert_no_key(&format!("{err} {err:?}"));
    let out = Products::new(Some(provider))
        .search(&query())
        .await
        .unwrap();
    assert_eq!(out.notice.as_deref(), Some(NOTICE_UNAVAILABLE));
}

#[tokio::test]
async fn the_key_is_sent_but_never_leaked() {
    let fake = Fake::start().await;
    let provider = fake.provider(Duration::from_millis(300), TTL);
    assert_no_key(&format!(
        "{provider:?} {:?}",
        fake.config(Duration::ZERO, TTL)
    ));
    for mode in [
        Mode::Status(500),
        Mode::Status(401),
        Mode::Garbage,
        Mode::Slow(Duration::from_secs(2)),
    ] {
        fake.set_mode(mode.clone());
        let err = provider
            .search(&SearchQuery::text(format!("case {mode:?}")))
            .await
            .unwrap_err();
        assert_no_key(&format!("{err} {err:?}"));
        assert_eq!(
            fake.last_query().get("api_key").map(String::as_str),
            Some(KEY),
            "the key is sent"
        );
    }
    fake.set_mode(Mode::Status(500));
    let out = Products::new(Some(provider))
        .search(&query())
        .await
        .unwrap();
    assert_no_key(&serde_json::to_string(&out).unwrap());
}

/// A provider that never answers: the facade's own time limit must still apply.
struct Stuck;

#[async_trait]
impl ProductProvider for Stuck {
    async fn search(&self, _: &SearchQuery) -> Result<ProviderPage, ProviderError> {
        std::future::pending().await
    }
    async fn product(&self, _: &str) -> Result<Option<Product>, ProviderError> {
        std::future::pending().await
    }
    fn name(&self) -> &'static str {
        "stuck"
    }
}

#[tokio::test]
async fn the_facade_bounds_any_provider() {
    let products = Products::new(Some(Arc::new(Stuck))).with_timeout(Duration::from_millis(100));
    let out = products.search(&query()).await.unwrap();
    assert_eq!(out.notice.as_deref(), Some(NOTICE_TIMEOUT));
    assert_eq!(products.product("x-1").await, None);
    assert_eq!(products.external_name(), Some("stuck"));
}

#[test]
fn bad_configuration_is_explained() {
    for base in [
        "not a url",
        "ftp://example.invalid",
        "mailto:x@example.invalid",
    ] {
        let config = UnwrangleConfig {
            base_url: base.into(),
            ..UnwrangleConfig::new(KEY)
        };
        let err = UnwrangleProvider::new(config).unwrap_err();
        assert!(
            matches!(&err, ProviderError::Config(m) if m.contains("UNWRANGLE_BASE_URL")),
            "{err}"
        );
        assert_no_key(&err.to_string());
    }
    assert!(matches!(
        UnwrangleProvider::new(UnwrangleConfig::new("  ")),
        Err(ProviderError::Config(_))
    ));
}

fn assert_no_key(text: &str) {
    assert!(!text.contains(KEY), "the API key leaked: {text}");
}
