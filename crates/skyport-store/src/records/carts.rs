//! Shopping carts: lines with quantities, changed atomically.

use async_trait::async_trait;

use crate::Result;

/// A cart and its lines.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Cart {
    /// Opaque id (`cart_` + random).
    pub id: String,
    /// Who owns it (a user id or a shopping-session id).
    pub owner: String,
    /// Lines in the order they were first added.
    pub lines: Vec<CartLine>,
    /// Grows by one per change.
    pub version: u64,
    /// Set once the cart was checked out; a checked-out cart is read-only.
    pub checked_out: bool,
    /// Last change, Unix ms.
    pub updated_at: i64,
}

/// One product in a cart.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CartLine {
    /// Product id.
    pub sku: String,
    /// Title at the time it was added.
    pub title: String,
    /// Unit price in cents at the time it was added.
    pub unit_price_cents: i64,
    /// Quantity (≥ 1).
    pub quantity: i64,
}

/// Carts.
#[async_trait]
pub trait CartStore: Send + Sync {
    /// Creates an empty cart for `owner`.
    async fn create_cart(&self, owner: &str) -> Result<Cart>;
    /// The cart, if it exists and belongs to `owner`.
    async fn cart(&self, owner: &str, id: &str) -> Result<Option<Cart>>;
    /// Adds `line.quantity` (may be negative) to the line for `line.sku`,
    /// creating it; a line reaching 0 or less is removed. One atomic update:
    /// concurrent adds all count. `NotFound` for another owner's cart;
    /// `Conflict` for a checked-out cart.
    async fn cart_add(&self, owner: &str, cart_id: &str, line: CartLine) -> Result<Cart>;
    /// Sets a line's quantity (0 removes it).
    async fn cart_set_quantity(
        &self,
        owner: &str,
        cart_id: &str,
        sku: &str,
        quantity: i64,
    ) -> Result<Cart>;
}
