//! What the shop's tools return: the `structuredContent` shapes of
//! docs/shop.md, shared by the four apps.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use skyport::store::records::{Cart, CartLine, Order, User};
use skyport_catalog::Product;

use super::pricing::{Perks, Totals, totals};

/// A product as search results and recommendations show it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProductCard {
    /// Product id (`p00042`; `x-…` for the external provider's).
    pub(crate) id: String,
    /// Title.
    pub(crate) title: String,
    /// Brand.
    pub(crate) brand: String,
    /// Category name.
    pub(crate) category: String,
    /// Price in cents (USD).
    pub(crate) price_cents: i64,
    /// Average rating, 1.0 to 5.0.
    pub(crate) rating: f32,
    /// How many reviews.
    pub(crate) review_count: u32,
    /// The product image (an SVG this server makes), when the server has an HTTP address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) image_url: Option<String>,
    /// False when it cannot be bought now.
    pub(crate) in_stock: bool,
    /// The description's first sentence.
    pub(crate) summary: String,
}

impl ProductCard {
    /// The card of `p`; `images` is the base URL of the image route.
    pub(crate) fn of(p: &Product, available: bool, images: Option<&str>) -> Self {
        Self {
            id: p.id.clone(),
            title: p.title.clone(),
            brand: p.brand.clone(),
            category: p.category_name.clone(),
            price_cents: p.price_cents,
            rating: p.rating,
            review_count: p.review_count,
            image_url: image_url(images, &p.id),
            in_stock: available,
            summary: first_sentence(&p.description),
        }
    }
}

/// `{images}/{id}.svg`, when the server has an address.
pub(crate) fn image_url(images: Option<&str>, id: &str) -> Option<String> {
    images.map(|base| format!("{base}/{id}.svg"))
}

fn first_sentence(text: &str) -> String {
    let end = text
        .find(". ")
        .map_or(text.len(), |i| i + 1)
        .min(text.len());
    let s = &text[..end];
    if s.chars().count() > 200 {
        let cut: String = s.chars().take(199).collect();
        format!("{cut}…")
    } else {
        s.to_owned()
    }
}

/// One line of a cart or order.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LineView {
    /// Product id.
    pub(crate) product_id: String,
    /// Title when added.
    pub(crate) title: String,
    /// Units.
    pub(crate) quantity: i64,
    /// Price per unit when added, cents.
    pub(crate) unit_price_cents: i64,
    /// quantity × unit price, cents.
    pub(crate) line_total_cents: i64,
    /// The product image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) image_url: Option<String>,
}

impl LineView {
    fn of(l: &CartLine, images: Option<&str>) -> Self {
        Self {
            product_id: l.sku.clone(),
            title: l.title.clone(),
            quantity: l.quantity,
            unit_price_cents: l.unit_price_cents,
            line_total_cents: l.unit_price_cents.saturating_mul(l.quantity),
            image_url: image_url(images, &l.sku),
        }
    }
}

/// A cart with its totals.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CartView {
    /// The cart id.
    pub(crate) cart_id: String,
    /// Grows by one per change; `place_order` checks it.
    pub(crate) version: u64,
    /// True once the cart was turned into an order.
    pub(crate) checked_out: bool,
    /// Its lines, in the order first added.
    pub(crate) lines: Vec<LineView>,
    /// Σ quantity.
    pub(crate) item_count: i64,
    /// Σ line totals, cents.
    pub(crate) subtotal_cents: i64,
    /// Tax (8.25 %), cents.
    pub(crate) tax_cents: i64,
    /// Shipping, cents.
    pub(crate) shipping_cents: i64,
    /// subtotal + tax + shipping, cents.
    pub(crate) total_cents: i64,
    /// The subtotal from which shipping is free for this buyer.
    pub(crate) free_shipping_threshold_cents: i64,
    /// Always `USD`.
    pub(crate) currency: &'static str,
}

impl CartView {
    /// The view of `cart` for a buyer with `perks`.
    pub(crate) fn of(cart: &Cart, perks: Perks, images: Option<&str>) -> Self {
        let t: Totals = totals(&cart.lines, perks);
        Self {
            cart_id: cart.id.clone(),
            version: cart.version,
            checked_out: cart.checked_out,
            lines: cart.lines.iter().map(|l| LineView::of(l, images)).collect(),
            item_count: t.items,
            subtotal_cents: t.subtotal,
            tax_cents: t.tax,
            shipping_cents: t.shipping,
            total_cents: t.total,
            free_shipping_threshold_cents: perks.free_shipping_threshold(),
            currency: "USD",
        }
    }
}

/// A shipping address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Address {
    /// The recipient.
    #[schemars(length(min = 1, max = 120))]
    pub(crate) name: String,
    /// Street and number.
    #[schemars(length(min = 1, max = 200))]
    pub(crate) line1: String,
    /// Apartment, suite, floor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 200))]
    pub(crate) line2: Option<String>,
    /// City.
    #[schemars(length(min = 1, max = 120))]
    pub(crate) city: String,
    /// State, province or region.
    #[schemars(length(min = 1, max = 120))]
    pub(crate) region: String,
    /// ZIP or postal code.
    #[schemars(length(min = 1, max = 20))]
    pub(crate) postal_code: String,
    /// Country (name or ISO code).
    #[schemars(length(min = 2, max = 60))]
    pub(crate) country: String,
}

impl Address {
    /// The first blank required field, if any.
    pub(crate) fn missing_field(&self) -> Option<&'static str> {
        [
            ("name", &self.name),
            ("line1", &self.line1),
            ("city", &self.city),
            ("region", &self.region),
            ("postalCode", &self.postal_code),
            ("country", &self.country),
        ]
        .into_iter()
        .find(|(_, v)| v.trim().is_empty())
        .map(|(k, _)| k)
    }

    /// One line, for the model.
    pub(crate) fn one_line(&self) -> String {
        let line2 = self
            .line2
            .as_deref()
            .filter(|l| !l.trim().is_empty())
            .map(|l| format!(", {l}"))
            .unwrap_or_default();
        format!(
            "{}, {}{line2}, {}, {} {}, {}",
            self.name, self.line1, self.city, self.region, self.postal_code, self.country
        )
    }
}

/// How an order is paid: only ever a label, never card data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Payment {
    /// E.g. `Visa ending 4242`, or `Pay on delivery`.
    pub(crate) label: String,
}

/// The label used when the account has no payment method on file.
pub(crate) const PAY_ON_DELIVERY: &str = "Pay on delivery";

/// The account's saved shipping address (`profile.shippingAddress`).
pub(crate) fn saved_address(user: &User) -> Option<Address> {
    user.profile
        .get("shippingAddress")
        .cloned()
        .and_then(|v| serde_json::from_value::<Address>(v).ok())
        .filter(|a| a.missing_field().is_none())
}

/// The account's payment method on file (`profile.payment.label`).
pub(crate) fn saved_payment(user: &User) -> Option<Payment> {
    user.profile
        .get("payment")
        .cloned()
        .and_then(|v| serde_json::from_value::<Payment>(v).ok())
}

/// A placed order.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OrderView {
    /// The order id.
    pub(crate) order_id: String,
    /// The cart it came from.
    pub(crate) cart_id: String,
    /// Always `placed` (fulfilment is not simulated).
    pub(crate) status: &'static str,
    /// When (RFC 3339).
    pub(crate) placed_at: String,
    /// What was bought.
    pub(crate) lines: Vec<LineView>,
    /// Σ line totals, cents.
    pub(crate) subtotal_cents: i64,
    /// Tax, cents.
    pub(crate) tax_cents: i64,
    /// Shipping, cents.
    pub(crate) shipping_cents: i64,
    /// What was charged, cents.
    pub(crate) total_cents: i64,
    /// Where it goes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) shipping: Option<Address>,
    /// How it is paid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) payment: Option<Payment>,
}

impl OrderView {
    /// The view of a stored order.
    pub(crate) fn of(o: &Order, images: Option<&str>) -> Self {
        Self {
            order_id: o.id.clone(),
            cart_id: o.cart_id.clone(),
            status: "placed",
            placed_at: crate::common::clock::rfc3339(o.created_at),
            lines: o.lines.iter().map(|l| LineView::of(l, images)).collect(),
            subtotal_cents: o.subtotal_cents,
            tax_cents: o.tax_cents,
            shipping_cents: o.shipping_cents,
            total_cents: o.total_cents,
            shipping: o
                .details
                .get("shipping")
                .cloned()
                .and_then(|v| serde_json::from_value(v).ok()),
            payment: o
                .details
                .get("payment")
                .cloned()
                .and_then(|v| serde_json::from_value(v).ok()),
        }
    }
}

/// A signed-in user, as the shop shows them (never the password hash).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub(crate) struct UserView {
    /// Display name.
    pub(crate) name: String,
    /// Email.
    pub(crate) email: String,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            name: u.name.clone(),
            email: u.email.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_are_the_first_sentence() {
        assert_eq!(first_sentence("One. Two. Three."), "One.");
        assert_eq!(first_sentence("No period"), "No period");
        assert_eq!(first_sentence(""), "");
        let long = "é".repeat(500);
        assert_eq!(first_sentence(&long).chars().count(), 200);
    }

    #[test]
    fn an_address_names_its_first_blank_field() {
        let mut a = Address {
            name: "Ada".into(),
            line1: "1 Main St".into(),
            line2: None,
            city: "Springfield".into(),
            region: "IL".into(),
            postal_code: "62701".into(),
            country: "US".into(),
        };
        assert_eq!(a.missing_field(), None);
        assert_eq!(a.one_line(), "Ada, 1 Main St, Springfield, IL 62701, US");
        a.city = "  ".into();
        assert_eq!(a.missing_field(), Some("city"));
    }
}
