//! The shop (seeds 001 and 002): four apps, each its own MCP endpoint,
//! sharing one store and one product catalog. docs/shop.md is the contract
//! (tools, arguments, result shapes, HTTP API).
//!
//! - `shop-auth` ([`auth`]): shopping sessions and sign-in.
//! - `shop-search` ([`search`]): product search (carousel) and recommendations.
//! - `shop-checkout` ([`checkout`]): cart, checkout and orders.
//! - `shop-membership` ([`membership`]): membership tiers.
//!
//! The journey is carried by explicit handles (`sessionId`, `cartId`) in
//! results and arguments, never by the MCP session, so it works across the
//! four endpoints and under the stateless 2026 protocol.

mod auth;
mod checkout;
mod context;
mod http;
mod membership;
mod pricing;
mod search;
mod session;
mod settings;
mod stock;
mod views;
mod widgets;

use skyport::App;
use skyport::engine::AppError;

/// The sign-in app's name and path segment.
pub const AUTH_APP: &str = "shop-auth";
/// The search app's name and path segment.
pub const SEARCH_APP: &str = "shop-search";
/// The checkout app's name and path segment.
pub const CHECKOUT_APP: &str = "shop-checkout";
/// The membership app's name and path segment.
pub const MEMBERSHIP_APP: &str = "shop-membership";

/// Builds `shop-auth`.
pub fn auth_app() -> Result<App, AppError> {
    auth::app()
}

/// Builds `shop-search`.
pub fn search_app() -> Result<App, AppError> {
    search::app()
}

/// Builds `shop-checkout`.
pub fn checkout_app() -> Result<App, AppError> {
    checkout::app()
}

/// Builds `shop-membership`.
pub fn membership_app() -> Result<App, AppError> {
    membership::app()
}
