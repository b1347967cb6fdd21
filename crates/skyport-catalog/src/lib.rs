//! The shop's product catalog: 10,000 generated products, ranked full-text search over
//! them, offline product images, and an optional external product provider.
//!
//! ```
//! use skyport_catalog::{Catalog, SearchQuery};
//!
//! let catalog = Catalog::shared(); // generated and indexed on first use
//! let page = catalog.search(&SearchQuery::text("fitnes trakcer"))?;
//! assert_eq!(page.corrected_query.as_deref(), Some("fitness tracker"));
//! # Ok::<(), skyport_catalog::CatalogError>(())
//! ```
//!
//! # Layout
//!
//! - `data/`: the vocabulary (categories, invented brands, nouns, features, prices).
//! - `rng.rs`, `generate.rs`: a portable seeded generator and the product generator;
//!   the same 10,000 products on every machine and every run.
//! - `product.rs`: [`Product`], the record everything else passes around.
//! - `image.rs`: [`image_svg`], a small SVG per product, so images work offline.
//! - `search/`: [`SearchQuery`] and [`SearchPage`]; `terms.rs` turns user text into a
//!   quoted FTS5 expression with typo correction; `index.rs` is the SQLite FTS5 index
//!   and its pool of read connections.
//! - `catalog.rs`: [`Catalog`], which ties products, index and filters together.
//! - `provider/`: the [`ProductProvider`] seam, the Unwrangle client, its response cache.
//! - `products.rs`: [`Products`], the facade the shop uses: the catalog always, the
//!   external provider when configured, with a fallback to the catalog when it fails.

mod catalog;
mod data;
mod error;
mod generate;
mod image;
mod product;
mod products;
pub mod provider;
mod rng;
mod search;

pub use catalog::Catalog;
pub use error::CatalogError;
pub use image::image_svg;
pub use product::Product;
pub use products::{
    DEFAULT_EXTERNAL_TIMEOUT, NOTICE_TIMEOUT, NOTICE_UNAVAILABLE, NOTICE_UNREADABLE, Products,
    SearchOutcome, Source,
};
pub use provider::{ProductProvider, ProviderError, ProviderPage};
pub use search::{MAX_PAGE_SIZE, SearchPage, SearchQuery, SortBy};
