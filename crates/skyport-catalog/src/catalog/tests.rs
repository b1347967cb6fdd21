//! Search behaviour over the real 10,000-product catalog.

use super::*;

fn catalog() -> &'static Catalog {
    Catalog::shared()
}

fn search(q: SearchQuery) -> SearchPage {
    catalog()
        .search(&q)
        .unwrap_or_else(|e| panic!("{q:?}: {e}"))
}

#[test]
fn lookup_is_exact() {
    let c = catalog();
    assert_eq!(c.len(), 10_000);
    assert!(Catalog::is_shared_built());
    assert_eq!(c.product("p00042").map(|p| p.id.as_str()), Some("p00042"));
    assert!(c.product("p10001").is_none() && c.product("x-1").is_none() && c.product("").is_none());
}

#[test]
fn categories_cover_the_catalog() {
    let cats = catalog().categories();
    assert_eq!(cats.len(), 20);
    assert_eq!(cats.iter().map(|c| c.2).sum::<usize>(), 10_000);
    assert!(
        cats.iter()
            .any(|c| c.0 == "fitness-trackers" && c.1 == "Fitness Trackers & Wearables")
    );
}

#[test]
fn typos_find_fitness_trackers() {
    let page = search(SearchQuery::text("fitnes trakcer"));
    assert_eq!(page.corrected_query.as_deref(), Some("fitness tracker"));
    assert!(page.total > 20, "total {}", page.total);
    for p in &page.products {
        assert_eq!(p.category, "fitness-trackers", "{}", p.title);
        assert!(p.title.contains("Fitness Tracker"), "{}", p.title);
    }
}

#[test]
fn the_last_word_is_a_prefix() {
    let page = search(SearchQuery::text("fitn"));
    assert!(page.total > 0 && page.corrected_query.is_none());
    assert!(
        page.products
            .iter()
            .all(|p| p.category == "fitness-trackers")
    );
}

#[test]
fn title_matches_rank_first() {
    let page = search(SearchQuery {
        page_size: 20,
        ..SearchQuery::text("espresso machine")
    });
    assert!(
        page.products
            .iter()
            .all(|p| p.title.contains("Espresso Machine")),
        "{page:#?}"
    );
    let brand = search(SearchQuery::text("ridgeline"));
    assert!(brand.total > 0 && brand.products.iter().all(|p| p.brand == "Ridgeline"));
}

#[test]
fn filters_are_applied() {
    let q = SearchQuery {
        category: Some("headphones".into()),
        min_price_cents: Some(5_000),
        max_price_cents: Some(20_000),
        min_rating: Some(4.5),
        page_size: 50,
        ..SearchQuery::text("wireless")
    };
    let page = search(q.clone());
    assert!(page.total > 0);
    for p in &page.products {
        assert_eq!(p.category, "headphones");
        assert!(
            (5_000..=20_000).contains(&p.price_cents) && p.rating >= 4.5,
            "{p:?}"
        );
    }
    // Browse totals agree with a brute-force count.
    let browse = search(SearchQuery {
        text: String::new(),
        ..q
    });
    let expected = catalog()
        .products()
        .iter()
        .filter(|p| {
            p.category == "headphones"
                && (5_000..=20_000).contains(&p.price_cents)
                && p.rating >= 4.5
        })
        .count();
    assert_eq!(browse.total, expected);
}

#[test]
fn sorts_are_monotonic() {
    for text in ["", "black"] {
        let base = SearchQuery {
            page_size: 50,
            ..SearchQuery::text(text)
        };
        let prices = |s| {
            search(SearchQuery {
                sort: s,
                ..base.clone()
            })
            .products
            .iter()
            .map(|p| p.price_cents)
            .collect::<Vec<_>>()
        };
        assert!(prices(SortBy::PriceLowToHigh).is_sorted());
        assert!(prices(SortBy::PriceHighToLow).iter().rev().is_sorted());
        let ratings: Vec<f32> = search(SearchQuery {
            sort: SortBy::Rating,
            ..base.clone()
        })
        .products
        .iter()
        .map(|p| p.rating)
        .collect();
        assert!(ratings.iter().rev().is_sorted());
        let reviews: Vec<u32> = search(SearchQuery {
            sort: SortBy::Reviews,
            ..base.clone()
        })
        .products
        .iter()
        .map(|p| p.review_count)
        .collect();
        assert!(reviews.iter().rev().is_sorted());
    }
    // Browsing by relevance means most reviewed first.
    let browse = search(SearchQuery::default());
    assert_eq!(browse.total, 10_000);
    assert!(
        browse
            .products
            .windows(2)
            .all(|w| w[0].review_count >= w[1].review_count)
    );
}

#[test]
fn pages_partition_the_results() {
    let q = SearchQuery {
        page_size: 7,
        ..SearchQuery::text("lamp")
    };
    let first = search(q.clone());
    assert!(first.total > 14, "total {}", first.total);
    let mut seen = Vec::new();
    for page in 1..=first.page_count() as u32 {
        let p = search(SearchQuery { page, ..q.clone() });
        assert_eq!(p.total, first.total);
        seen.extend(p.products.into_iter().map(|p| p.id));
    }
    assert_eq!(seen.len(), first.total);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), first.total, "no product on two pages");

    let past = search(SearchQuery {
        page: 10_000,
        ..q.clone()
    });
    assert!(past.products.is_empty());
    assert_eq!((past.total, past.page), (first.total, 10_000));
    let far = search(SearchQuery {
        page: u32::MAX,
        page_size: 50,
        ..SearchQuery::default()
    });
    assert!(far.products.is_empty() && far.total == 10_000);
}

#[test]
fn results_are_deterministic() {
    let q = SearchQuery {
        page_size: 50,
        ..SearchQuery::text("blue")
    };
    assert_eq!(search(q.clone()), search(q));
}

#[test]
fn hostile_text_never_fails() {
    let big = "a".repeat(10 * 1024);
    let mixed = "fitness \" OR \" ".repeat(700);
    let texts = [
        "",
        " ",
        big.as_str(),
        mixed.as_str(),
        "!!!???...;;;",
        "\"",
        "\"\"\"",
        "*",
        "fitness*",
        "AND",
        "OR",
        "NOT",
        "watch AND NOT NEAR(",
        "NEAR(watch tracker, 2)",
        "-watch",
        "title:watch",
        "{title brand}: watch",
        "^watch",
        "watch + tracker",
        "'; DROP TABLE products_fts; --",
        "1' OR '1'='1",
        "🙂🔥 headphones 🎧",
        "café crème brûlée",
        "Ярмарка наушники",
        "耳机",
        "\u{0}\u{1}\u{7f}",
        "e\u{301}",
        "²³ ½",
        "ｆｉｔｎｅｓｓ",
        "\u{200b}watch\u{200b}",
        "x\u{10ffff}y",
    ];
    for text in texts {
        for sort in [SortBy::Relevance, SortBy::PriceLowToHigh] {
            let q = SearchQuery {
                text: text.to_owned(),
                sort,
                ..SearchQuery::default()
            };
            if let Err(e) = catalog().search(&q) {
                panic!("{:?}: {e}", text.chars().take(40).collect::<String>());
            }
        }
    }
}

#[test]
fn invalid_queries_say_what_to_fix() {
    let err = catalog()
        .search(&SearchQuery {
            category: Some("spaceships".into()),
            ..SearchQuery::default()
        })
        .unwrap_err();
    assert!(
        matches!(&err, CatalogError::Invalid(m) if m.contains("spaceships") && m.contains("fitness-trackers")),
        "{err}"
    );
    assert!(
        catalog()
            .search(&SearchQuery {
                page: 0,
                ..SearchQuery::default()
            })
            .is_err()
    );
    assert!(
        catalog()
            .search(&SearchQuery {
                page_size: 51,
                ..SearchQuery::default()
            })
            .is_err()
    );
}

#[test]
fn searches_run_in_parallel() {
    let threads: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..100 {
                    let text = ["headphones", "fitnes", "lamp ivory", ""][(t + i) % 4];
                    let page = catalog()
                        .search(&SearchQuery::text(text))
                        .expect("search works");
                    assert!(page.total > 0);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("no search thread panics");
    }
}

/// Random text from a pool of FTS5 operators, punctuation, words and odd unicode: every
/// query must be answered, never rejected by FTS5's parser.
#[test]
fn fuzzed_text_never_reaches_fts_syntax() {
    let pool = [
        "\"",
        "*",
        "(",
        ")",
        "-",
        "+",
        ":",
        "^",
        "{",
        "}",
        ",",
        "AND",
        "OR",
        "NOT",
        "NEAR",
        "near",
        "watch",
        "trakcer",
        "fitnes",
        "s",
        "es",
        "x",
        "1",
        "2",
        "é",
        "\u{301}",
        "ß",
        "İ",
        "ﬁ",
        "🙂",
        "\u{200b}",
        "\u{0}",
        " ",
        " ",
        "  ",
        "lamp",
        "ivory",
        "the",
        "for",
        "a",
        "ｗａｔｃｈ",
        "Ⅻ",
        "٣",
        "漢字",
        "\t",
        "\n",
        "'",
        ";",
        "%",
        "_",
        "\\",
    ];
    let mut rng = crate::rng::SplitMix64::new(42);
    for _ in 0..2_000 {
        let len = 1 + rng.below(12);
        let text: String = (0..len).map(|_| *rng.pick(&pool)).collect();
        let q = SearchQuery {
            text: text.clone(),
            ..SearchQuery::default()
        };
        if let Err(e) = catalog().search(&q) {
            panic!("{text:?}: {e}");
        }
    }
}
