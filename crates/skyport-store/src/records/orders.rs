//! Orders, placed idempotently from a cart.

use async_trait::async_trait;

use super::CartLine;
use crate::Result;

/// A placed order.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Order {
    /// Opaque id (`ord_` + random).
    pub id: String,
    /// The user who placed it.
    pub user_id: String,
    /// The cart it came from.
    pub cart_id: String,
    /// What was bought (copied from the cart).
    pub lines: Vec<CartLine>,
    /// Sum of lines.
    pub subtotal_cents: i64,
    /// Tax.
    pub tax_cents: i64,
    /// Shipping.
    pub shipping_cents: i64,
    /// subtotal + tax + shipping.
    pub total_cents: i64,
    /// Shipping address, payment summary and other details.
    pub details: serde_json::Value,
    /// The key the caller placed it with.
    pub idempotency_key: String,
    /// Placed, Unix ms.
    pub created_at: i64,
}

/// An order to place.
#[derive(Debug, Clone)]
pub struct NewOrder {
    /// The buyer.
    pub user_id: String,
    /// The cart to check out (must belong to `cart_owner`, not be checked out, and not be empty).
    pub cart_id: String,
    /// The cart's owner.
    pub cart_owner: String,
    /// Tax in cents (computed by the app from the cart).
    pub tax_cents: i64,
    /// Shipping in cents.
    pub shipping_cents: i64,
    /// Details to keep with the order.
    pub details: serde_json::Value,
    /// A retry with the same key returns the first order and writes nothing.
    pub idempotency_key: String,
    /// When set, the cart must still be at this version (the one the buyer saw).
    pub expected_cart_version: Option<u64>,
}

/// Orders.
#[async_trait]
pub trait OrderStore: Send + Sync {
    /// In one transaction: checks the cart, copies its lines into a new order
    /// and marks the cart checked out. Same idempotency key → the same order.
    /// `Invalid` for an empty cart; `Conflict` for a cart already checked out
    /// (by another key) or at another version.
    async fn place_order(&self, order: NewOrder) -> Result<Order>;
    /// The order, if it belongs to `user_id`.
    async fn order(&self, user_id: &str, id: &str) -> Result<Option<Order>>;
    /// The user's orders, newest first.
    async fn orders_for_user(&self, user_id: &str, limit: u32) -> Result<Vec<Order>>;
}
