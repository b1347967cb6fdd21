//! Carts: every change bumps the cart's version in the same transaction as
//! the line upsert. The version bump comes first: in PostgreSQL it takes the
//! cart's row lock, so concurrent changes to one cart queue; SQLite has one
//! writer. Quantities change by `quantity = quantity + n`, never read-modify-write.

use async_trait::async_trait;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::{SqlRecords, check_id, new_id, now_ms, u64_col};
use crate::records::{Cart, CartLine, CartStore};
use crate::{Result, StoreError};

/// Largest quantity of one line.
const MAX_QUANTITY: i64 = 1_000_000;

fn line(row: &AnyRow) -> Result<CartLine> {
    Ok(CartLine {
        sku: row.try_get("sku")?,
        title: row.try_get("title")?,
        unit_price_cents: row.try_get("unit_price_cents")?,
        quantity: row.try_get("quantity")?,
    })
}

/// Reads a cart (head and lines) on `conn`.
pub(super) async fn load(conn: &mut AnyConnection, owner: &str, id: &str) -> Result<Option<Cart>> {
    let Some(head) = sqlx::query(
        "SELECT id, owner, version, checked_out, updated_at FROM carts WHERE id = $1 AND owner = $2",
    )
    .bind(id)
    .bind(owner)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let lines = sqlx::query(
        "SELECT sku, title, unit_price_cents, quantity FROM cart_lines WHERE cart_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(Cart {
        id: head.try_get("id")?,
        owner: head.try_get("owner")?,
        lines: lines.iter().map(line).collect::<Result<_>>()?,
        version: u64_col(&head, "version")?,
        checked_out: head.try_get::<i64, _>("checked_out")? != 0,
        updated_at: head.try_get("updated_at")?,
    }))
}

/// Bumps the version of an open cart of `owner`; the error says why not.
async fn bump(tx: &mut Transaction<'_, Any>, owner: &str, id: &str) -> Result<()> {
    let done = sqlx::query(
        "UPDATE carts SET version = version + 1, updated_at = $3 \
         WHERE id = $1 AND owner = $2 AND checked_out = 0",
    )
    .bind(id)
    .bind(owner)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let checked_out = sqlx::query("SELECT checked_out FROM carts WHERE id = $1 AND owner = $2")
        .bind(id)
        .bind(owner)
        .fetch_optional(&mut **tx)
        .await?;
    Err(match checked_out {
        Some(_) => StoreError::conflict("cart", id, "the cart was checked out; start a new cart"),
        None => StoreError::not_found("cart", id),
    })
}

async fn reload(tx: Transaction<'_, Any>, owner: &str, id: &str) -> Result<Cart> {
    let mut tx = tx;
    let cart = load(&mut tx, owner, id).await;
    tx.commit().await?;
    cart?.ok_or_else(|| StoreError::not_found("cart", id))
}

#[async_trait]
impl CartStore for SqlRecords {
    async fn create_cart(&self, owner: &str) -> Result<Cart> {
        check_id("owner", owner)?;
        let id = new_id("cart");
        let now = now_ms();
        sqlx::query("INSERT INTO carts (id, owner, version, checked_out, updated_at) VALUES ($1, $2, 1, 0, $3)")
            .bind(&id)
            .bind(owner)
            .bind(now)
            .execute(&self.pool.write)
            .await?;
        Ok(Cart {
            id,
            owner: owner.to_owned(),
            lines: Vec::new(),
            version: 1,
            checked_out: false,
            updated_at: now,
        })
    }

    async fn cart(&self, owner: &str, id: &str) -> Result<Option<Cart>> {
        check_id("owner", owner)?;
        check_id("cart_id", id)?;
        let mut conn = self.pool.read.acquire().await?;
        load(&mut conn, owner, id).await
    }

    async fn cart_add(&self, owner: &str, cart_id: &str, line: CartLine) -> Result<Cart> {
        check_id("owner", owner)?;
        check_id("cart_id", cart_id)?;
        check_id("sku", &line.sku)?;
        if line.quantity == 0 || line.quantity.abs() > MAX_QUANTITY {
            return Err(StoreError::invalid(
                "quantity",
                format!("must be non-zero and at most {MAX_QUANTITY} in size"),
            ));
        }
        if line.unit_price_cents < 0 {
            return Err(StoreError::invalid(
                "unit_price_cents",
                "must not be negative",
            ));
        }
        let mut tx = self.pool.write.begin().await?;
        bump(&mut tx, owner, cart_id).await?;
        let row = sqlx::query(
            "INSERT INTO cart_lines (cart_id, sku, title, unit_price_cents, quantity, position) \
             VALUES ($1, $2, $3, $4, $5, (SELECT COALESCE(MAX(position), 0) + 1 FROM cart_lines WHERE cart_id = $1)) \
             ON CONFLICT (cart_id, sku) DO UPDATE SET quantity = cart_lines.quantity + excluded.quantity \
             RETURNING quantity",
        )
        .bind(cart_id)
        .bind(&line.sku)
        .bind(&line.title)
        .bind(line.unit_price_cents)
        .bind(line.quantity)
        .fetch_one(&mut *tx)
        .await?;
        let quantity: i64 = row.try_get("quantity")?;
        if quantity > MAX_QUANTITY {
            return Err(StoreError::invalid(
                "quantity",
                format!("a line holds at most {MAX_QUANTITY}"),
            ));
        }
        if quantity <= 0 {
            sqlx::query("DELETE FROM cart_lines WHERE cart_id = $1 AND sku = $2")
                .bind(cart_id)
                .bind(&line.sku)
                .execute(&mut *tx)
                .await?;
        }
        reload(tx, owner, cart_id).await
    }

    async fn cart_set_quantity(
        &self,
        owner: &str,
        cart_id: &str,
        sku: &str,
        quantity: i64,
    ) -> Result<Cart> {
        check_id("owner", owner)?;
        check_id("cart_id", cart_id)?;
        check_id("sku", sku)?;
        if !(0..=MAX_QUANTITY).contains(&quantity) {
            return Err(StoreError::invalid(
                "quantity",
                format!("must be between 0 and {MAX_QUANTITY}"),
            ));
        }
        let mut tx = self.pool.write.begin().await?;
        bump(&mut tx, owner, cart_id).await?;
        let done = if quantity == 0 {
            sqlx::query("DELETE FROM cart_lines WHERE cart_id = $1 AND sku = $2")
                .bind(cart_id)
                .bind(sku)
                .execute(&mut *tx)
                .await?
        } else {
            sqlx::query("UPDATE cart_lines SET quantity = $3 WHERE cart_id = $1 AND sku = $2")
                .bind(cart_id)
                .bind(sku)
                .bind(quantity)
                .execute(&mut *tx)
                .await?
        };
        if done.rows_affected() == 0 && quantity > 0 {
            return Err(StoreError::not_found("cart line", sku));
        }
        reload(tx, owner, cart_id).await
    }
}
