//! External search pages are cached for the configured TTL, keyed by text and page.

mod common;

use std::time::Duration;

use common::Fake;
use skyport_catalog::{SearchQuery, Source};

const T: Duration = Duration::from_secs(5);

#[tokio::test]
async fn an_identical_search_makes_no_second_request() {
    let fake = Fake::start().await;
    let products = fake.products(T, Duration::from_secs(300));
    let first = products
        .search(&SearchQuery::text("desk lamp"))
        .await
        .unwrap();
    let second = products
        .search(&SearchQuery::text("  Desk   LAMP! "))
        .await
        .unwrap();
    assert_eq!(
        fake.requests(),
        1,
        "same words, same page: answered from the cache"
    );
    assert_eq!(first, second);
    assert_eq!(second.source, Source::External);

    products
        .search(&SearchQuery {
            page: 2,
            ..SearchQuery::text("desk lamp")
        })
        .await
        .unwrap();
    products
        .search(&SearchQuery::text("floor lamp"))
        .await
        .unwrap();
    assert_eq!(
        fake.requests(),
        3,
        "another page or another text is another request"
    );
}

#[tokio::test]
async fn entries_expire_after_the_ttl() {
    let fake = Fake::start().await;
    let products = fake.products(T, Duration::from_millis(250));
    products.search(&SearchQuery::text("kettle")).await.unwrap();
    products.search(&SearchQuery::text("kettle")).await.unwrap();
    assert_eq!(fake.requests(), 1);
    tokio::time::sleep(Duration::from_millis(400)).await;
    products.search(&SearchQuery::text("kettle")).await.unwrap();
    assert_eq!(fake.requests(), 2, "an expired entry is fetched again");
}

#[tokio::test]
async fn failures_are_not_cached() {
    let fake = Fake::start().await;
    let products = fake.products(T, Duration::from_secs(300));
    fake.set_mode(common::Mode::Status(503));
    let failed = products.search(&SearchQuery::text("tent")).await.unwrap();
    assert_eq!(failed.source, Source::Catalog);
    fake.set_mode(common::Mode::Ok);
    let ok = products.search(&SearchQuery::text("tent")).await.unwrap();
    assert_eq!(ok.source, Source::External);
    assert_eq!(fake.requests(), 2);
}
