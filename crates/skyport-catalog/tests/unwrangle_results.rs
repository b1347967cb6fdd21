//! External search results are mapped to products and served through `Products`.

mod common;

use std::time::Duration;

use common::{Fake, KEY};
use skyport_catalog::{Products, SearchQuery, SortBy, Source};

const T: Duration = Duration::from_secs(5);
const TTL: Duration = Duration::from_secs(300);

#[tokio::test]
async fn results_are_mapped_to_products() {
    let fake = Fake::start().await;
    let products = fake.products(T, TTL);
    let out = products
        .search(&SearchQuery::text("trail watch"))
        .await
        .unwrap();
    assert_eq!(out.source, Source::External);
    assert_eq!(out.notice, None);
    assert_eq!(out.page.total, 57);
    let first = &out.page.products[0];
    assert_eq!(first.id, "x-100042");
    assert_eq!(first.title, "Marketplace trail watch #0");
    assert_eq!(first.brand, "Faraway Goods");
    assert_eq!(
        (
            first.price_cents,
            first.rating,
            first.review_count,
            first.stock
        ),
        (1_000, 4.0, 100, 99)
    );
    assert_eq!(out.page.products[1].price_cents, 1_550);

    let sent = fake.last_query();
    assert_eq!(
        sent.get("platform").map(String::as_str),
        Some("target_search")
    );
    assert_eq!(sent.get("search").map(String::as_str), Some("trail watch"));
    assert_eq!(sent.get("page").map(String::as_str), Some("1"));
    assert_eq!(sent.get("api_key").map(String::as_str), Some(KEY));
}

#[tokio::test]
async fn sort_and_page_size_apply_to_the_external_page() {
    let fake = Fake::start().await;
    let products = fake.products(T, TTL);
    let q = SearchQuery {
        sort: SortBy::PriceHighToLow,
        page_size: 2,
        page: 3,
        ..SearchQuery::text("mug")
    };
    let out = products.search(&q).await.unwrap();
    assert_eq!(fake.last_query().get("page").map(String::as_str), Some("3"));
    let prices: Vec<i64> = out.page.products.iter().map(|p| p.price_cents).collect();
    assert_eq!(prices, [2_100, 1_550]);
    assert_eq!((out.page.page, out.page.page_size), (3, 2));
}

#[tokio::test]
async fn returned_products_can_be_looked_up_and_catalog_ids_still_work() {
    let fake = Fake::start().await;
    let products = fake.products(T, TTL);
    let out = products.search(&SearchQuery::text("lamp")).await.unwrap();
    let id = out.page.products[0].id.clone();
    assert_eq!(
        products.product(&id).await.as_ref(),
        Some(&out.page.products[0])
    );
    assert_eq!(products.product("x-unknown").await, None);
    assert_eq!(
        products.product("p00042").await.map(|p| p.id),
        Some("p00042".to_owned())
    );
    assert_eq!(Products::new(None).product(&id).await, None);
}

#[tokio::test]
async fn browsing_and_categories_stay_on_the_catalog() {
    let fake = Fake::start().await;
    let products = fake.products(T, TTL);
    let browse = products.search(&SearchQuery::default()).await.unwrap();
    assert_eq!(
        (browse.source, browse.page.total),
        (Source::Catalog, 10_000)
    );
    let punctuation = products.search(&SearchQuery::text("?!…")).await.unwrap();
    assert_eq!(punctuation.source, Source::Catalog);
    let category = SearchQuery {
        category: Some("headphones".into()),
        ..SearchQuery::text("wireless")
    };
    assert_eq!(
        products.search(&category).await.unwrap().source,
        Source::Catalog
    );
    assert_eq!(fake.requests(), 0);
}

#[tokio::test]
async fn invalid_queries_are_rejected_before_any_request() {
    let fake = Fake::start().await;
    let products = fake.products(T, TTL);
    let bad = SearchQuery {
        page_size: 500,
        ..SearchQuery::text("mug")
    };
    assert!(products.search(&bad).await.is_err());
    assert_eq!(fake.requests(), 0);
}
