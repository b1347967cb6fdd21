//! Search latency benchmark over the embedded 10,000-product catalog.
//!
//! Run: `cargo run --release -p skyport-catalog --example search_bench`
//!
//! Builds a private catalog (reporting the build time), then runs 20,000 searches from a
//! fixed mix of realistic queries (single words, two words, typos, prefixes, filters,
//! sorts, deep pages, browsing) on one thread and prints the latency percentiles, then
//! the same mix on one thread per CPU for throughput.

use std::time::{Duration, Instant};

use skyport_catalog::{Catalog, SearchQuery, SortBy};

const SEARCHES: usize = 20_000;

fn mix() -> Vec<(&'static str, SearchQuery)> {
    let text = |t: &str| SearchQuery::text(t);
    let mut mix = Vec::new();
    for t in [
        "headphones",
        "lamp",
        "tent",
        "laptop",
        "yoga",
        "blender",
        "wireless",
        "black",
        "organic",
        "dog",
    ] {
        mix.push(("one word", text(t)));
    }
    for t in [
        "fitness tracker",
        "coffee maker",
        "noise cancelling",
        "standing desk",
        "cast iron",
        "rain jacket",
        "usb c",
        "dog bed",
    ] {
        mix.push(("two words", text(t)));
    }
    for t in [
        "fitnes trakcer",
        "hedphones",
        "blendr",
        "campng tent",
        "expresso machine",
        "kettel",
        "sofa bedd",
    ] {
        mix.push(("typo", text(t)));
    }
    for t in ["fitn", "head", "espr", "wat", "smart pl"] {
        mix.push(("prefix", text(t)));
    }
    let filtered = |t: &str,
                    category: Option<&str>,
                    min: Option<i64>,
                    max: Option<i64>,
                    rating: Option<f32>| SearchQuery {
        category: category.map(str::to_owned),
        min_price_cents: min,
        max_price_cents: max,
        min_rating: rating,
        ..text(t)
    };
    mix.push((
        "filtered",
        filtered(
            "wireless",
            Some("headphones"),
            Some(5_000),
            Some(20_000),
            Some(4.0),
        ),
    ));
    mix.push((
        "filtered",
        filtered(
            "",
            Some("kitchen-appliances"),
            None,
            Some(10_000),
            Some(4.5),
        ),
    ));
    mix.push((
        "filtered",
        filtered("black", None, Some(10_000), None, None),
    ));
    mix.push((
        "filtered",
        filtered("gift", None, None, Some(3_000), Some(4.0)),
    ));
    for sort in [
        SortBy::PriceLowToHigh,
        SortBy::PriceHighToLow,
        SortBy::Rating,
        SortBy::Reviews,
    ] {
        mix.push((
            "sorted",
            SearchQuery {
                sort,
                ..text("speaker")
            },
        ));
        mix.push((
            "sorted",
            SearchQuery {
                sort,
                page_size: 24,
                ..text("steel")
            },
        ));
    }
    mix.push((
        "deep page",
        SearchQuery {
            page: 40,
            page_size: 24,
            ..text("set")
        },
    ));
    mix.push(("browse", SearchQuery::default()));
    mix.push((
        "browse",
        SearchQuery {
            sort: SortBy::PriceLowToHigh,
            page: 3,
            ..SearchQuery::default()
        },
    ));
    mix.push((
        "browse",
        SearchQuery {
            category: Some("books".into()),
            sort: SortBy::Rating,
            ..SearchQuery::default()
        },
    ));
    mix
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn micros(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

fn main() {
    let started = Instant::now();
    let catalog = Catalog::build().expect("the catalog builds");
    println!(
        "build: {} products, {:.0} ms",
        catalog.len(),
        started.elapsed().as_secs_f64() * 1e3
    );

    let mix = mix();
    // Warm-up: prepared statements and caches.
    for (_, q) in &mix {
        catalog.search(q).expect("search works");
    }

    let mut all = Vec::with_capacity(SEARCHES);
    let mut by_kind: Vec<(&str, Vec<Duration>)> = Vec::new();
    let run = Instant::now();
    for i in 0..SEARCHES {
        let (kind, q) = &mix[i % mix.len()];
        let t = Instant::now();
        let page = catalog.search(q).expect("search works");
        let elapsed = t.elapsed();
        std::hint::black_box(page);
        all.push(elapsed);
        match by_kind.iter_mut().find(|(k, _)| k == kind) {
            Some((_, v)) => v.push(elapsed),
            None => by_kind.push((kind, vec![elapsed])),
        }
    }
    let wall = run.elapsed();
    all.sort();
    println!(
        "1 thread:  {} searches, p50 {}, p90 {}, p99 {}, max {}, {:.0} searches/s",
        SEARCHES,
        micros(percentile(&all, 0.50)),
        micros(percentile(&all, 0.90)),
        micros(percentile(&all, 0.99)),
        micros(*all.last().unwrap_or(&Duration::ZERO)),
        SEARCHES as f64 / wall.as_secs_f64()
    );
    for (kind, mut v) in by_kind {
        v.sort();
        println!(
            "  {kind:<10} p50 {:>7}  p99 {:>7}",
            micros(percentile(&v, 0.5)),
            micros(percentile(&v, 0.99))
        );
    }

    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let run = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let (catalog, mix) = (&catalog, &mix);
            s.spawn(move || {
                for i in (t..SEARCHES).step_by(threads) {
                    std::hint::black_box(
                        catalog.search(&mix[i % mix.len()].1).expect("search works"),
                    );
                }
            });
        }
    });
    println!(
        "{threads} threads: {:.0} searches/s",
        SEARCHES as f64 / run.elapsed().as_secs_f64()
    );
}
