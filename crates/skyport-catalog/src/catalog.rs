//! The embedded catalog: the products, their categories and the search over them.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use crate::error::CatalogError;
use crate::generate::generate;
use crate::product::{Product, catalog_index};
use crate::search::index::{Hit, SearchIndex};
use crate::search::terms::{self, Vocabulary};
use crate::search::{SearchPage, SearchQuery, SortBy};

/// The process-wide catalog behind [`Catalog::shared`].
static SHARED: OnceLock<Catalog> = OnceLock::new();

/// The shop's 10,000 generated products and their full-text index.
///
/// Cheap to clone (an `Arc` inside), `Send + Sync`. Searches are synchronous, take well
/// under a millisecond, and run in parallel on a pool of SQLite read connections (one
/// per CPU, at most 8): they never wait on a single lock unless every connection is busy.
#[derive(Clone)]
pub struct Catalog {
    inner: Arc<Inner>,
}

struct Inner {
    products: Vec<Product>,
    /// Each product's position in `categories`.
    product_category: Vec<u16>,
    /// `(slug, name, count)` in display order.
    categories: Vec<(String, String, usize)>,
    category_by_slug: HashMap<String, u16>,
    index: SearchIndex,
    vocabulary: Vocabulary,
    /// Product indices pre-sorted for each order, so a browse (no text) never sorts.
    browse_orders: [Vec<u32>; 4],
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("products", &self.inner.products.len())
            .field("categories", &self.inner.categories.len())
            .field("index", &self.inner.index)
            .finish()
    }
}

impl Catalog {
    /// The process-wide catalog, generated and indexed on first use (a few hundred
    /// milliseconds in a release build; call it once at start-up, off the async
    /// runtime, to keep that out of the first search).
    ///
    /// # Panics
    ///
    /// If SQLite cannot build the in-memory index, which only happens when memory runs
    /// out: the data is generated, not read, so there is nothing else to get wrong.
    pub fn shared() -> &'static Catalog {
        SHARED.get_or_init(|| match Catalog::build() {
            Ok(catalog) => catalog,
            Err(e) => panic!("skyport-catalog: building the in-memory product index failed: {e}"),
        })
    }

    /// Whether [`Catalog::shared`] has already been built (so calling it will not block).
    pub fn is_shared_built() -> bool {
        SHARED.get().is_some()
    }

    /// Builds a new, private catalog (same products as [`Catalog::shared`]). Most code
    /// wants `shared`; this exists for benchmarks and tests.
    pub fn build() -> Result<Catalog, CatalogError> {
        let started = Instant::now();
        let products = generate();
        let connections = std::thread::available_parallelism().map_or(2, usize::from);
        let (index, vocabulary) = SearchIndex::build(&products, connections)?;

        let mut categories: Vec<(String, String, usize)> = Vec::new();
        let mut category_by_slug: HashMap<String, u16> = HashMap::new();
        for spec in crate::data::categories() {
            category_by_slug.insert(spec.slug.to_owned(), categories.len() as u16);
            categories.push((spec.slug.to_owned(), spec.name.to_owned(), 0));
        }
        let mut product_category = Vec::with_capacity(products.len());
        for p in &products {
            let c = category_by_slug.get(&p.category).copied().unwrap_or(0);
            categories[c as usize].2 += 1;
            product_category.push(c);
        }

        let order = |sort: SortBy| {
            let mut ids: Vec<u32> = (0..products.len() as u32).collect();
            ids.sort_unstable_by(|&a, &b| compare(&products, sort, (a, 0.0), (b, 0.0)));
            ids
        };
        let browse_orders = [
            order(SortBy::Reviews),
            order(SortBy::PriceLowToHigh),
            order(SortBy::PriceHighToLow),
            order(SortBy::Rating),
        ];

        tracing::debug!(
            products = products.len(),
            terms = vocabulary.len(),
            connections = index.connections(),
            index_bytes = index.bytes(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "product catalog built"
        );
        let catalog = Catalog {
            inner: Arc::new(Inner {
                products,
                product_category,
                categories,
                category_by_slug,
                index,
                vocabulary,
                browse_orders,
            }),
        };
        Ok(catalog)
    }

    /// How many products there are (10,000).
    pub fn len(&self) -> usize {
        self.inner.products.len()
    }

    /// Whether the catalog is empty (never, for the generated one).
    pub fn is_empty(&self) -> bool {
        self.inner.products.is_empty()
    }

    /// The product with this id (`p00001` … `p10000`), in O(1).
    pub fn product(&self, id: &str) -> Option<&Product> {
        catalog_index(id, self.inner.products.len()).map(|i| &self.inner.products[i])
    }

    /// All products, in id order.
    pub fn products(&self) -> &[Product] {
        &self.inner.products
    }

    /// Every category as `(slug, name, product count)`, in display order.
    pub fn categories(&self) -> Vec<(String, String, usize)> {
        self.inner.categories.clone()
    }

    /// Searches the catalog: ranked full-text search with typo tolerance, filters,
    /// sorting and pagination. A page past the end is empty but still reports `total`.
    ///
    /// Errors: [`CatalogError::Invalid`] for a bad page, page size, price range, rating
    /// or unknown category (never for the text: any text is searchable).
    pub fn search(&self, q: &SearchQuery) -> Result<SearchPage, CatalogError> {
        q.validate()?;
        let inner = &*self.inner;
        let category = match q
            .category
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(slug) => Some(*inner.category_by_slug.get(slug).ok_or_else(|| {
                let known: Vec<&str> = inner.categories.iter().map(|c| c.0.as_str()).collect();
                CatalogError::Invalid(format!(
                    "unknown category {slug:?}: use one of {}",
                    known.join(", ")
                ))
            })?),
        };
        let keep = |i: u32| {
            let p = &inner.products[i as usize];
            category.is_none_or(|c| inner.product_category[i as usize] == c)
                && q.min_price_cents.is_none_or(|min| p.price_cents >= min)
                && q.max_price_cents.is_none_or(|max| p.price_cents <= max)
                && q.min_rating.is_none_or(|min| p.rating + 1e-4 >= min)
        };

        let offset = (u64::from(q.page) - 1) * u64::from(q.page_size);
        let size = q.page_size as usize;
        let plan = terms::plan(&q.text, &inner.vocabulary);
        let (total, window): (usize, Vec<u32>) = match &plan.expression {
            None => {
                let order = match q.sort {
                    SortBy::Relevance | SortBy::Reviews => &inner.browse_orders[0],
                    SortBy::PriceLowToHigh => &inner.browse_orders[1],
                    SortBy::PriceHighToLow => &inner.browse_orders[2],
                    SortBy::Rating => &inner.browse_orders[3],
                };
                let mut total = 0usize;
                let mut window = Vec::with_capacity(size);
                for &i in order.iter().filter(|&&i| keep(i)) {
                    if total as u64 >= offset && window.len() < size {
                        window.push(i);
                    }
                    total += 1;
                }
                (total, window)
            }
            Some(expression) => {
                let mut hits: Vec<Hit> = inner
                    .index
                    .matches(expression, q.sort == SortBy::Relevance)?;
                hits.retain(|h| keep(h.0));
                let total = hits.len();
                let window = if offset >= total as u64 {
                    Vec::new()
                } else {
                    let end = (offset as usize + size).min(total);
                    // Only the first `end` need to be in order: partition, then sort those.
                    let cmp = |a: &Hit, b: &Hit| compare(&inner.products, q.sort, *a, *b);
                    if end < total {
                        hits.select_nth_unstable_by(end - 1, cmp);
                        hits.truncate(end);
                    }
                    hits.sort_unstable_by(cmp);
                    hits[offset as usize..].iter().map(|h| h.0).collect()
                };
                (total, window)
            }
        };

        Ok(SearchPage {
            products: window
                .into_iter()
                .map(|i| inner.products[i as usize].clone())
                .collect(),
            total,
            page: q.page,
            page_size: q.page_size,
            corrected_query: plan.corrected,
        })
    }
}

/// A full order for `sort`, so equal keys still come out the same way every time.
fn compare(products: &[Product], sort: SortBy, (a, score_a): Hit, (b, score_b): Hit) -> Ordering {
    let (pa, pb) = (&products[a as usize], &products[b as usize]);
    let by_reviews = || pb.review_count.cmp(&pa.review_count);
    let primary = match sort {
        SortBy::Relevance => score_a.total_cmp(&score_b).then_with(by_reviews),
        SortBy::PriceLowToHigh => pa
            .price_cents
            .cmp(&pb.price_cents)
            .then(score_a.total_cmp(&score_b)),
        SortBy::PriceHighToLow => pb
            .price_cents
            .cmp(&pa.price_cents)
            .then(score_a.total_cmp(&score_b)),
        SortBy::Rating => pb.rating.total_cmp(&pa.rating).then_with(by_reviews),
        SortBy::Reviews => by_reviews(),
    };
    primary.then(a.cmp(&b))
}

#[cfg(test)]
mod tests;
