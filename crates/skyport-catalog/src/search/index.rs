//! The SQLite FTS5 index and its pool of read connections.
//!
//! The index is built once, in memory, on one connection; then each further pooled
//! connection gets its own in-memory copy through SQLite's backup API. Separate
//! databases share nothing, so searches on different connections run in parallel (a
//! `cache=shared` database would serialize them on the shared cache's mutex). A copy is
//! about 4 MB, so the pool is sized to the CPU count, capped at 8.
//!
//! The table is contentless (`content = ''`): the products live in Rust, so SQLite keeps
//! only the index (3.8 MB instead of 6.9 MB). There is no prefix index either: with a
//! vocabulary of a few thousand terms, a `term*` query scans a short range of the term
//! b-tree, and measured no faster with `prefix = '2 3'`, which tripled the size.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::Duration;

use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags, params};

use super::terms::Vocabulary;
use crate::error::CatalogError;
use crate::product::Product;

/// `bm25()` weights of the indexed columns, in table order: a word in the title counts
/// most, then the brand, then the category, then the description.
const SEARCH_SQL: &str = "SELECT rowid, bm25(products_fts, 10.0, 5.0, 2.0, 1.0) FROM products_fts WHERE products_fts MATCH ?1";
/// The same without scores: `bm25()` is about 80 % of a query's cost, and sorts other
/// than relevance do not need it.
const MATCH_SQL: &str = "SELECT rowid, 0.0 FROM products_fts WHERE products_fts MATCH ?1";

/// The most read connections a catalog keeps, however many CPUs there are.
const MAX_POOL: usize = 8;

/// A match: the product's 0-based index and its `bm25` score (lower is better).
pub(crate) type Hit = (u32, f64);

/// The full-text index over the products.
pub(crate) struct SearchIndex {
    pool: Vec<Mutex<Connection>>,
    next: AtomicUsize,
    /// The size of one copy of the index database.
    bytes: u64,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("connections", &self.pool.len())
            .field("bytes", &self.bytes)
            .finish()
    }
}

impl SearchIndex {
    /// Indexes `products` (row id = index + 1) and returns the index with `connections`
    /// read connections (at least 1, at most [`MAX_POOL`]) and the index's vocabulary.
    pub(crate) fn build(
        products: &[Product],
        connections: usize,
    ) -> Result<(Self, Vocabulary), CatalogError> {
        let mut first = open()?;
        first.execute_batch(
            "CREATE VIRTUAL TABLE products_fts USING fts5(
                 title, brand, category_name, description,
                 tokenize = 'unicode61 remove_diacritics 2',
                 content = ''
             );",
        )?;
        let tx = first.transaction()?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO products_fts (rowid, title, brand, category_name, description)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (i, p) in products.iter().enumerate() {
                insert.execute(params![
                    i as i64 + 1,
                    p.title,
                    p.brand,
                    p.category_name,
                    p.description
                ])?;
            }
        }
        tx.commit()?;
        // Merge the index segments into one b-tree: fewer pages to visit per query.
        first.execute_batch("INSERT INTO products_fts (products_fts) VALUES ('optimize');")?;

        let vocabulary = vocabulary(&first)?;
        let bytes: i64 = first.query_row(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
            [],
            |r| r.get(0),
        )?;

        let wanted = connections.clamp(1, MAX_POOL);
        let mut pool = Vec::with_capacity(wanted);
        for _ in 1..wanted {
            let mut copy = open()?;
            Backup::new(&first, &mut copy)?.run_to_completion(1_000_000, Duration::ZERO, None)?;
            pool.push(copy);
        }
        pool.push(first);
        let pool = pool
            .into_iter()
            .map(|c| {
                c.execute_batch("PRAGMA query_only = 1;")?;
                Ok(Mutex::new(c))
            })
            .collect::<Result<_, CatalogError>>()?;
        Ok((
            Self {
                pool,
                next: AtomicUsize::new(0),
                bytes: bytes.max(0) as u64,
            },
            vocabulary,
        ))
    }

    /// The size in bytes of one copy of the index (there is one per connection).
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// How many read connections the pool holds.
    pub(crate) fn connections(&self) -> usize {
        self.pool.len()
    }

    /// Every product matching the FTS5 `expression` (built by `terms::plan`), unordered,
    /// with its `bm25` score when `scored` (else 0).
    pub(crate) fn matches(&self, expression: &str, scored: bool) -> Result<Vec<Hit>, CatalogError> {
        let conn = self.connection();
        let mut stmt = conn.prepare_cached(if scored { SEARCH_SQL } else { MATCH_SQL })?;
        let rows = stmt.query_map([expression], |row| {
            let rowid: i64 = row.get(0)?;
            let score: f64 = row.get(1)?;
            Ok(((rowid - 1) as u32, score))
        })?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(CatalogError::from)
    }

    /// A free connection if there is one (starting at a rotating position so load
    /// spreads evenly), else a wait for the next one in the rotation.
    fn connection(&self) -> MutexGuard<'_, Connection> {
        let n = self.pool.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        for k in 0..n {
            match self.pool[(start + k) % n].try_lock() {
                Ok(guard) => return guard,
                // A panic while holding a read connection cannot leave it half-written
                // (connections are query-only), so a poisoned one is still good.
                Err(TryLockError::Poisoned(poisoned)) => return poisoned.into_inner(),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        self.pool[start]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

fn open() -> Result<Connection, CatalogError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_in_memory_with_flags(flags)?;
    conn.set_prepared_statement_cache_capacity(4);
    Ok(conn)
}

/// Every indexed term and how many products contain it (FTS5's `fts5vocab` table).
fn vocabulary(conn: &Connection) -> Result<Vocabulary, CatalogError> {
    conn.execute_batch(
        "CREATE VIRTUAL TABLE temp.products_vocab USING fts5vocab(main, products_fts, row);",
    )?;
    let terms = {
        let mut stmt = conn.prepare("SELECT term, doc FROM temp.products_vocab")?;
        let rows = stmt.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, u32>(1)?))
        })?;
        rows.collect::<Result<Vec<_>, _>>()?
    };
    conn.execute_batch("DROP TABLE temp.products_vocab;")?;
    Ok(Vocabulary::new(terms))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(i: usize, title: &str, description: &str) -> Product {
        Product {
            id: crate::product::catalog_id(i),
            title: title.into(),
            brand: "Brandy".into(),
            category_name: "Things".into(),
            category: "things".into(),
            price_cents: 100,
            rating: 4.0,
            review_count: 1,
            description: description.into(),
            stock: 1,
        }
    }

    #[test]
    fn fts5_is_compiled_in_and_title_outranks_description() {
        let products = [
            product(0, "Plain mug", "Holds tea and coffee."),
            product(1, "Coffee mug", "Holds tea."),
        ];
        let (index, vocab) = SearchIndex::build(&products, 2).unwrap();
        assert_eq!(index.connections(), 2);
        assert!(vocab.len() >= 5);
        let mut hits = index.matches("\"coffee\"", true).unwrap();
        hits.sort_by(|a, b| a.1.total_cmp(&b.1));
        assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), [1, 0]);
        assert!(index.matches("\"nothing\"", false).unwrap().is_empty());
    }

    #[test]
    fn every_pooled_connection_holds_the_whole_index() {
        let products: Vec<Product> = (0..50)
            .map(|i| product(i, &format!("Item {i}"), "A thing."))
            .collect();
        let (index, _) = SearchIndex::build(&products, 3).unwrap();
        for _ in 0..6 {
            assert_eq!(index.matches("\"item\"", false).unwrap().len(), 50);
        }
        // Held connections are skipped, not waited for.
        let a = index.connection();
        let b = index.connection();
        assert_eq!(index.matches("\"thing\"", true).unwrap().len(), 50);
        drop((a, b));
    }
}
