//! Orders: placed from a cart in one transaction, idempotently.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::carts::load;
use super::{SqlRecords, check_id, check_limit, is_unique_violation, json_col, new_id, now_ms};
use crate::records::{NewOrder, Order, OrderStore};
use crate::{Result, StoreError};

const COLUMNS: &str = "id, user_id, cart_id, lines, subtotal_cents, tax_cents, shipping_cents, \
                       total_cents, details, idempotency_key, created_at";

fn order(row: &AnyRow) -> Result<Order> {
    let lines: Vec<StoredLine> = serde_json::from_value(json_col(row, "lines")?)?;
    Ok(Order {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        cart_id: row.try_get("cart_id")?,
        lines: lines.into_iter().map(Into::into).collect(),
        subtotal_cents: row.try_get("subtotal_cents")?,
        tax_cents: row.try_get("tax_cents")?,
        shipping_cents: row.try_get("shipping_cents")?,
        total_cents: row.try_get("total_cents")?,
        details: json_col(row, "details")?,
        idempotency_key: row.try_get("idempotency_key")?,
        created_at: row.try_get("created_at")?,
    })
}

/// How an order's lines are kept (a copy of the cart's at checkout).
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredLine {
    sku: String,
    title: String,
    unit_price_cents: i64,
    quantity: i64,
}

impl From<StoredLine> for crate::records::CartLine {
    fn from(l: StoredLine) -> Self {
        Self {
            sku: l.sku,
            title: l.title,
            unit_price_cents: l.unit_price_cents,
            quantity: l.quantity,
        }
    }
}

impl SqlRecords {
    async fn order_by_key(&self, user_id: &str, key: &str) -> Result<Option<Order>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM orders WHERE user_id = $1 AND idempotency_key = $2"
        ))
        .bind(user_id)
        .bind(key)
        .fetch_optional(&self.pool.write)
        .await?;
        row.as_ref().map(order).transpose()
    }
}

#[async_trait]
impl OrderStore for SqlRecords {
    async fn place_order(&self, new: NewOrder) -> Result<Order> {
        check_id("user_id", &new.user_id)?;
        check_id("cart_id", &new.cart_id)?;
        check_id("idempotency_key", &new.idempotency_key)?;
        if new.tax_cents < 0 || new.shipping_cents < 0 {
            return Err(StoreError::invalid(
                "tax_cents",
                "tax and shipping must not be negative",
            ));
        }
        if let Some(o) = self
            .order_by_key(&new.user_id, &new.idempotency_key)
            .await?
        {
            return Ok(o);
        }
        let mut tx = self.pool.write.begin().await?;
        let Some(cart) = load(&mut tx, &new.cart_owner, &new.cart_id).await? else {
            return Err(StoreError::not_found("cart", &new.cart_id));
        };
        if cart.checked_out {
            return Err(StoreError::conflict(
                "cart",
                &new.cart_id,
                "the cart was already checked out",
            ));
        }
        if let Some(v) = new.expected_cart_version
            && v != cart.version
        {
            return Err(StoreError::conflict(
                "cart",
                &new.cart_id,
                format!(
                    "the cart changed (now version {}, expected {v}); review it and check out again",
                    cart.version
                ),
            ));
        }
        if cart.lines.is_empty() {
            return Err(StoreError::invalid(
                "cart_id",
                "the cart is empty: add products before checking out",
            ));
        }
        // Marking the cart checked out only if still at the version read makes
        // a concurrent change (or a concurrent checkout) lose cleanly.
        let marked = sqlx::query(
            "UPDATE carts SET checked_out = 1, version = version + 1, updated_at = $3 \
             WHERE id = $1 AND version = $2 AND checked_out = 0",
        )
        .bind(&cart.id)
        .bind(i64::try_from(cart.version).unwrap_or(i64::MAX))
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() != 1 {
            return Err(StoreError::conflict(
                "cart",
                &cart.id,
                "the cart changed during checkout; try again",
            ));
        }
        let subtotal = cart.lines.iter().try_fold(0i64, |acc, l| {
            l.unit_price_cents
                .checked_mul(l.quantity)
                .and_then(|v| acc.checked_add(v))
        });
        let total = subtotal
            .and_then(|s| s.checked_add(new.tax_cents))
            .and_then(|s| s.checked_add(new.shipping_cents));
        let (Some(subtotal), Some(total)) = (subtotal, total) else {
            return Err(StoreError::invalid(
                "cart_id",
                "the order total is too large",
            ));
        };
        let lines: Vec<StoredLine> = cart
            .lines
            .iter()
            .map(|l| StoredLine {
                sku: l.sku.clone(),
                title: l.title.clone(),
                unit_price_cents: l.unit_price_cents,
                quantity: l.quantity,
            })
            .collect();
        let inserted = sqlx::query(&format!(
            "INSERT INTO orders ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {COLUMNS}"
        ))
        .bind(new_id("ord"))
        .bind(&new.user_id)
        .bind(&cart.id)
        .bind(serde_json::to_string(&lines)?)
        .bind(subtotal)
        .bind(new.tax_cents)
        .bind(new.shipping_cents)
        .bind(total)
        .bind(new.details.to_string())
        .bind(&new.idempotency_key)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await;
        match inserted {
            Ok(row) => {
                let o = order(&row)?;
                tx.commit().await?;
                Ok(o)
            }
            // A concurrent retry with the same key won: answer with its order.
            Err(e) if is_unique_violation(&e) => {
                drop(tx);
                self.order_by_key(&new.user_id, &new.idempotency_key)
                    .await?
                    .ok_or_else(|| {
                        StoreError::conflict("order", &new.idempotency_key, "retry the checkout")
                    })
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn order(&self, user_id: &str, id: &str) -> Result<Option<Order>> {
        check_id("user_id", user_id)?;
        check_id("id", id)?;
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM orders WHERE id = $1 AND user_id = $2"
        ))
        .bind(id)
        .bind(user_id)
        .fetch_optional(&self.pool.read)
        .await?;
        row.as_ref().map(order).transpose()
    }

    async fn orders_for_user(&self, user_id: &str, limit: u32) -> Result<Vec<Order>> {
        check_id("user_id", user_id)?;
        let limit = check_limit(limit)?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM orders WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2"
        ))
        .bind(user_id)
        .bind(limit)
        .fetch_all(&self.pool.read)
        .await?;
        rows.iter().map(order).collect()
    }
}
