//! Stock: the catalog says how many units of each product the shop started
//! with; the store counts units sold (`stock/{id}` in the `shop` key-value
//! namespace, changed atomically with `kv_incr`, so replicas agree).
//! Placing an order reserves its units first and gives them back if the
//! order is not placed.

use skyport::store::records::CartLine;
use skyport::store::{Records, StoreError};

use super::session::NS;

fn key(id: &str) -> String {
    format!("stock/{id}")
}

/// Units of a product still for sale, given how many the catalog started with.
pub(crate) async fn available(
    records: &dyn Records,
    id: &str,
    initial: u32,
) -> Result<i64, StoreError> {
    let sold = records
        .kv_get(NS, &key(id))
        .await?
        .and_then(|e| e.value.as_i64())
        .unwrap_or(0);
    Ok((i64::from(initial) - sold).max(0))
}

/// Units still for sale of each `(id, initial stock)`, in one store read.
pub(crate) async fn available_many(
    records: &dyn Records,
    products: &[(&str, u32)],
) -> Result<Vec<i64>, StoreError> {
    let keys: Vec<String> = products.iter().map(|(id, _)| key(id)).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let sold = records.kv_get_many(NS, &keys).await?;
    Ok(products
        .iter()
        .zip(sold)
        .map(|((_, initial), e)| {
            let sold = e.and_then(|e| e.value.as_i64()).unwrap_or(0);
            (i64::from(*initial) - sold).max(0)
        })
        .collect())
}

/// A product that does not have the units asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shortfall {
    /// The product id.
    pub(crate) id: String,
    /// Its title.
    pub(crate) title: String,
    /// Units still for sale.
    pub(crate) available: i64,
}

/// Takes `lines`' units out of stock, all or none, and returns the lines
/// it took (to [`release`] if the order fails). `initial` gives each
/// product's starting stock (`None`: not tracked, e.g. external products).
pub(crate) async fn reserve(
    records: &dyn Records,
    lines: &[CartLine],
    initial: impl Fn(&str) -> Option<u32>,
) -> Result<Result<Vec<CartLine>, Shortfall>, StoreError> {
    let mut taken: Vec<&CartLine> = Vec::with_capacity(lines.len());
    for line in lines {
        let Some(start) = initial(&line.sku) else {
            continue;
        };
        let sold = records.kv_incr(NS, &key(&line.sku), line.quantity).await?;
        if sold > i64::from(start) {
            records.kv_incr(NS, &key(&line.sku), -line.quantity).await?;
            release(records, &taken).await?;
            return Ok(Err(Shortfall {
                id: line.sku.clone(),
                title: line.title.clone(),
                available: (i64::from(start) - (sold - line.quantity)).max(0),
            }));
        }
        taken.push(line);
    }
    Ok(Ok(taken.into_iter().cloned().collect()))
}

/// Gives reserved units back.
pub(crate) async fn release<L: std::borrow::Borrow<CartLine>>(
    records: &dyn Records,
    lines: &[L],
) -> Result<(), StoreError> {
    for line in lines {
        let line = line.borrow();
        records.kv_incr(NS, &key(&line.sku), -line.quantity).await?;
    }
    Ok(())
}
