//! `shop-checkout`: the cart, checkout and orders (seed 001's MCP3), done
//! as a real shop: several lines with quantities, totals on the server in
//! integer cents, stock checked, orders persisted, and an idempotent
//! `place_order` (a retry never places a second order).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use skyport::engine::{AppError, RequestContext, ToolDef, ToolOutput, Visibility};
use skyport::store::records::{Cart, CartLine, NewOrder, Order, User, UserPatch};
use skyport::store::{Records, StoreError};
use skyport::{App, ToolError};

use super::auth::{read_only, security, writes};
use super::context::{
    Shop, open_session, perks_of, products, records, signed_in_user, tier_of, user_of,
};
use super::pricing::{Perks, dollars, totals};
use super::session::{self, NS, ShoppingSession};
use super::views::{
    Address, CartView, OrderView, PAY_ON_DELIVERY, Payment, image_url, saved_address, saved_payment,
};
use super::{CHECKOUT_APP, http, stock, widgets};

/// The most units of one product in a cart.
const MAX_QUANTITY: i64 = 99;
/// The most lines in a cart.
const MAX_LINES: usize = 50;

/// `add_to_cart`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct AddArgs {
    /// The sessionId from create_shopping_session.
    #[schemars(length(max = 64))]
    session_id: String,
    /// The product's id from search_products or get_recommendations (e.g. `p00042`).
    #[schemars(length(min = 1, max = 64))]
    product_id: String,
    /// How many to add, 1-99 (default 1).
    #[serde(default)]
    #[schemars(range(min = 1, max = 99))]
    quantity: Option<i64>,
    /// The session's cartId; optional (the session knows its cart).
    #[serde(default)]
    #[schemars(length(max = 64))]
    cart_id: Option<String>,
}

/// `update_cart_item`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct UpdateArgs {
    /// The sessionId from create_shopping_session.
    #[schemars(length(max = 64))]
    session_id: String,
    /// The product's id, as in the cart.
    #[schemars(length(min = 1, max = 64))]
    product_id: String,
    /// The new quantity, 0-99 (0 removes the product).
    #[schemars(range(min = 0, max = 99))]
    quantity: i64,
}

/// `remove_from_cart`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RemoveArgs {
    /// The sessionId from create_shopping_session.
    #[schemars(length(max = 64))]
    session_id: String,
    /// The product's id, as in the cart.
    #[schemars(length(min = 1, max = 64))]
    product_id: String,
}

/// Arguments naming a session and, optionally, its cart.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CartArgs {
    /// The sessionId from create_shopping_session.
    #[schemars(length(max = 64))]
    session_id: String,
    /// The session's cartId; optional (the session knows its cart).
    #[serde(default)]
    #[schemars(length(max = 64))]
    cart_id: Option<String>,
}

/// `place_order`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PlaceArgs {
    /// The sessionId from create_shopping_session.
    #[schemars(length(max = 64))]
    session_id: String,
    /// The cartId the checkout showed.
    #[schemars(length(min = 1, max = 64))]
    cart_id: String,
    /// The cartVersion the checkout showed: the order is placed only if the cart has not changed since.
    #[schemars(range(min = 0))]
    cart_version: u64,
    /// A key the caller makes once per purchase; retrying with the same key returns the same order.
    #[schemars(length(min = 8, max = 64), regex(pattern = r"^[A-Za-z0-9_-]+$"))]
    idempotency_key: String,
    /// Where to ship; defaults to the address on the account.
    #[serde(default)]
    shipping: Option<Address>,
}

/// `get_order`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct OrderArgs {
    /// The sessionId from create_shopping_session (signed in as the buyer).
    #[schemars(length(max = 64))]
    session_id: String,
    /// The order's id (`ord_…`).
    #[schemars(length(min = 1, max = 64))]
    order_id: String,
}

/// What was just added.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Added {
    /// The product.
    product_id: String,
    /// Its title.
    title: String,
    /// Units added by this call.
    quantity: i64,
    /// Price per unit, cents.
    unit_price_cents: i64,
    /// The product image.
    #[serde(skip_serializing_if = "Option::is_none")]
    image_url: Option<String>,
}

/// `add_to_cart`'s result.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct AddResult {
    /// The session.
    session_id: String,
    /// The cart.
    cart_id: String,
    /// What was added.
    added: Added,
    /// The cart now.
    cart: CartView,
    /// A sentence for the model.
    message: String,
}

/// The result of `view_cart`, `update_cart_item` and `remove_from_cart`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct CartResult {
    /// The session.
    session_id: String,
    /// The cart.
    cart: CartView,
    /// A sentence for the model.
    message: String,
}

/// A membership as checkout shows it.
#[derive(Debug, Serialize, JsonSchema)]
struct MemberBadge {
    /// `basic` or `plus`.
    tier: String,
}

/// `checkout`'s result: the order summary the widget shows.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct CheckoutSummary {
    /// The session.
    session_id: String,
    /// The cart to buy.
    cart_id: String,
    /// Pass it to place_order.
    cart_version: u64,
    /// The cart and its totals.
    cart: CartView,
    /// The account's shipping address, if saved.
    shipping: Option<Address>,
    /// The account's payment method (a label), if saved.
    payment: Option<Payment>,
    /// The buyer's membership, if any.
    member: Option<MemberBadge>,
    /// A sentence for the model.
    message: String,
}

/// The result of `place_order` and `get_order`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct OrderResult {
    /// The session.
    session_id: String,
    /// The order.
    order: OrderView,
    /// A sentence for the model.
    message: String,
}

fn fail(message: impl Into<String>) -> Result<ToolOutput, ToolError> {
    Ok(ToolOutput::error(message))
}

/// The session's cart to add to: its current one, or a new one when that
/// was checked out.
async fn active_cart(records: &dyn Records, s: &mut ShoppingSession) -> Result<Cart, ToolError> {
    if let Some(c) = records.cart(&s.id, &s.cart_id).await?
        && !c.checked_out
    {
        return Ok(c);
    }
    let fresh = records.create_cart(&s.id).await?;
    let id = session::roll_cart(records, &s.id, &s.cart_id, &fresh.id).await?;
    s.cart_id = id.clone();
    records
        .cart(&s.id, &id)
        .await?
        .ok_or_else(|| ToolError::Failed("the session's cart vanished; try again".into()))
}

/// A cart the session owns (carts are owned by their session id), or an
/// error result that does not say whether the id exists elsewhere.
async fn owned_cart(
    records: &dyn Records,
    s: &mut ShoppingSession,
    cart_id: Option<&str>,
) -> Result<Result<Cart, ToolOutput>, ToolError> {
    let Some(id) = cart_id.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(Ok(active_cart(records, s).await?));
    };
    match records.cart(&s.id, id).await? {
        Some(c) => Ok(Ok(c)),
        None => Ok(Err(ToolOutput::error(format!(
            "Cart {id} is not a cart of shopping session {}. Its cart is {}: leave cart_id out to use it.",
            s.id, s.cart_id
        )))),
    }
}

fn cart_text(view: &CartView) -> String {
    if view.lines.is_empty() {
        return "The cart is empty.".to_owned();
    }
    let mut out = format!(
        "The cart has {} item{}:\n",
        view.item_count,
        if view.item_count == 1 { "" } else { "s" }
    );
    for l in &view.lines {
        out.push_str(&format!(
            "- {} × {} [id {}] — {}\n",
            l.quantity,
            l.title,
            l.product_id,
            dollars(l.line_total_cents)
        ));
    }
    let shipping = if view.shipping_cents == 0 {
        "free".to_owned()
    } else {
        dollars(view.shipping_cents)
    };
    out.push_str(&format!(
        "Subtotal {}, tax {}, shipping {shipping}, total {}.",
        dollars(view.subtotal_cents),
        dollars(view.tax_cents),
        dollars(view.total_cents)
    ));
    out
}

/// Checks that `quantity` units of `product_id` can be in the cart.
async fn check_stock(
    records: &dyn Records,
    product_id: &str,
    title: &str,
    quantity: i64,
) -> Result<Option<String>, ToolError> {
    let Some(p) = products().product(product_id).await else {
        return Ok(None);
    };
    let left = stock::available(records, &p.id, p.stock).await?;
    Ok(if left == 0 {
        Some(format!(
            "{title} is out of stock. Suggest another product (search_products)."
        ))
    } else if quantity > left {
        Some(format!(
            "Only {left} of {title} left in stock; the cart would need {quantity}. Add at most {left}."
        ))
    } else {
        None
    })
}

async fn add(ctx: RequestContext, a: AddArgs, shop: Shop) -> Result<ToolOutput, ToolError> {
    let records = records(&ctx)?;
    let mut s = open_session(&ctx, &a.session_id).await?;
    let quantity = a.quantity.unwrap_or(1);
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        return fail(format!(
            "quantity must be 1 to {MAX_QUANTITY}; to remove units use update_cart_item."
        ));
    }
    let id = a.product_id.trim();
    let Some(product) = products().product(id).await else {
        return fail(format!(
            "No product has id {id:?}. Use an id from search_products or get_recommendations results (like p00042)."
        ));
    };
    let mut cart = match owned_cart(records, &mut s, a.cart_id.as_deref()).await? {
        Ok(c) => c,
        Err(out) => return Ok(out),
    };
    if cart.checked_out {
        return fail(format!(
            "Cart {} was already checked out. Leave cart_id out to add to the session's current cart.",
            cart.id
        ));
    }
    let have = cart
        .lines
        .iter()
        .find(|l| l.sku == product.id)
        .map_or(0, |l| l.quantity);
    if have + quantity > MAX_QUANTITY {
        return fail(format!(
            "The cart already has {have} of {}; at most {MAX_QUANTITY} of one product fit in a cart.",
            product.title
        ));
    }
    if have == 0 && cart.lines.len() >= MAX_LINES {
        return fail(format!(
            "The cart already holds {MAX_LINES} different products, the most it can. Check out or remove something first."
        ));
    }
    if let Some(why) = check_stock(records, &product.id, &product.title, have + quantity).await? {
        return fail(why);
    }
    let line = CartLine {
        sku: product.id.clone(),
        title: product.title.clone(),
        unit_price_cents: product.price_cents,
        quantity,
    };
    cart = match records.cart_add(&s.id, &cart.id, line).await {
        Ok(c) => c,
        Err(StoreError::Conflict { .. }) => {
            return fail(
                "The cart was checked out while adding. Call add_to_cart again to start a new cart.",
            );
        }
        Err(e) => return Err(e.into()),
    };
    // A concurrent add can pass the limit check with this one: undo ours.
    if cart
        .lines
        .iter()
        .any(|l| l.sku == product.id && l.quantity > MAX_QUANTITY)
    {
        let undo = CartLine {
            sku: product.id.clone(),
            title: product.title.clone(),
            unit_price_cents: product.price_cents,
            quantity: -quantity,
        };
        records.cart_add(&s.id, &cart.id, undo).await?;
        return fail(format!(
            "At most {MAX_QUANTITY} of one product fit in a cart."
        ));
    }
    let user = user_of(records, &s).await?;
    let perks = perks_of(records, user.as_ref()).await?;
    let images = shop.images();
    let view = CartView::of(&cart, perks, images.as_deref());
    let message = format!(
        "Added {quantity} × {} ({} each) to the cart. {}",
        product.title,
        dollars(product.price_cents),
        cart_text(&view)
    );
    let out = AddResult {
        session_id: s.id.clone(),
        cart_id: cart.id.clone(),
        added: Added {
            product_id: product.id.clone(),
            title: product.title.clone(),
            quantity,
            unit_price_cents: product.price_cents,
            image_url: image_url(images.as_deref(), &product.id),
        },
        cart: view,
        message: message.clone(),
    };
    ToolOutput::structured(&out, message)
}

async fn cart_result(
    records: &dyn Records,
    s: &ShoppingSession,
    cart: &Cart,
    shop: &Shop,
    prefix: &str,
) -> Result<ToolOutput, ToolError> {
    let user = user_of(records, s).await?;
    let perks = perks_of(records, user.as_ref()).await?;
    let view = CartView::of(cart, perks, shop.images().as_deref());
    let message = format!("{prefix}{}", cart_text(&view));
    let out = CartResult {
        session_id: s.id.clone(),
        cart: view,
        message: message.clone(),
    };
    ToolOutput::structured(&out, message)
}

async fn view(ctx: RequestContext, a: CartArgs, shop: Shop) -> Result<ToolOutput, ToolError> {
    let records = records(&ctx)?;
    let mut s = open_session(&ctx, &a.session_id).await?;
    let cart = match owned_cart(records, &mut s, a.cart_id.as_deref()).await? {
        Ok(c) => c,
        Err(out) => return Ok(out),
    };
    cart_result(records, &s, &cart, &shop, "").await
}

async fn set_quantity(
    ctx: &RequestContext,
    session_id: &str,
    product_id: &str,
    quantity: i64,
    shop: &Shop,
) -> Result<ToolOutput, ToolError> {
    let records = records(ctx)?;
    let mut s = open_session(ctx, session_id).await?;
    if !(0..=MAX_QUANTITY).contains(&quantity) {
        return fail(format!(
            "quantity must be 0 to {MAX_QUANTITY} (0 removes the product)."
        ));
    }
    let cart = active_cart(records, &mut s).await?;
    let id = product_id.trim();
    let Some(line) = cart.lines.iter().find(|l| l.sku == id) else {
        return fail(format!(
            "Product {id:?} is not in the cart. Call view_cart to see what is, or add_to_cart to add it."
        ));
    };
    if quantity > line.quantity
        && let Some(why) = check_stock(records, id, &line.title, quantity).await?
    {
        return fail(why);
    }
    let title = line.title.clone();
    let cart = match records
        .cart_set_quantity(&s.id, &cart.id, id, quantity)
        .await
    {
        Ok(c) => c,
        Err(StoreError::Conflict { .. }) => {
            return fail("The cart was checked out meanwhile. Call view_cart to see the new cart.");
        }
        Err(e) => return Err(e.into()),
    };
    let prefix = if quantity == 0 {
        format!("Removed {title}. ")
    } else {
        format!("{title}: quantity set to {quantity}. ")
    };
    cart_result(records, &s, &cart, shop, &prefix).await
}

async fn checkout(ctx: RequestContext, a: CartArgs, shop: Shop) -> Result<ToolOutput, ToolError> {
    let records = records(&ctx)?;
    let mut s = open_session(&ctx, &a.session_id).await?;
    let user = signed_in_user(records, &s, "check out").await?;
    let cart = match owned_cart(records, &mut s, a.cart_id.as_deref()).await? {
        Ok(c) => c,
        Err(out) => return Ok(out),
    };
    if cart.checked_out {
        return fail(format!(
            "Cart {} was already checked out. Call view_cart to see the session's new cart.",
            cart.id
        ));
    }
    if cart.lines.is_empty() {
        return fail("The cart is empty: add products with add_to_cart before checking out.");
    }
    for l in &cart.lines {
        if let Some(why) = check_stock(records, &l.sku, &l.title, l.quantity).await? {
            return fail(format!(
                "{why} Update the cart with update_cart_item, then check out again."
            ));
        }
    }
    let tier = tier_of(records, Some(&user)).await?;
    let perks = Perks::of_tier(tier.as_deref());
    let view = CartView::of(&cart, perks, shop.images().as_deref());
    let shipping = saved_address(&user);
    let payment = saved_payment(&user);
    let message = format!(
        "The checkout form is shown to the user: {} Shipping to {}; paying with {}. The user reviews it and presses \"Place order\" themselves; wait for them to say the order is placed.",
        cart_text(&view),
        shipping.as_ref().map_or(
            "an address the user enters in the form".to_owned(),
            Address::one_line
        ),
        payment
            .as_ref()
            .map_or(PAY_ON_DELIVERY, |p| p.label.as_str()),
    );
    let out = CheckoutSummary {
        session_id: s.id.clone(),
        cart_id: cart.id.clone(),
        cart_version: cart.version,
        cart: view,
        shipping,
        payment,
        member: tier.map(|tier| MemberBadge { tier }),
        message: message.clone(),
    };
    ToolOutput::structured(&out, message)
}

/// The user's order placed with `key`, or from `cart_id`.
async fn find_order(
    records: &dyn Records,
    user: &User,
    key: Option<&str>,
    cart_id: Option<&str>,
) -> Result<Option<Order>, ToolError> {
    Ok(records
        .orders_for_user(&user.id, 200)
        .await?
        .into_iter()
        .find(|o| {
            key.is_some_and(|k| o.idempotency_key == k) || cart_id.is_some_and(|c| o.cart_id == c)
        }))
}

fn order_result(
    s: &ShoppingSession,
    order: &Order,
    shop: &Shop,
    message: String,
) -> Result<ToolOutput, ToolError> {
    let out = OrderResult {
        session_id: s.id.clone(),
        order: OrderView::of(order, shop.images().as_deref()),
        message: message.clone(),
    };
    ToolOutput::structured(&out, message)
}

fn placed_message(o: &Order, again: bool) -> String {
    format!(
        "{} {} — {} item{}, total {}.",
        if again {
            "This order was already placed (a retry with the same key changes nothing):"
        } else {
            "Order placed:"
        },
        o.id,
        o.lines.iter().map(|l| l.quantity).sum::<i64>(),
        if o.lines.iter().map(|l| l.quantity).sum::<i64>() == 1 {
            ""
        } else {
            "s"
        },
        dollars(o.total_cents)
    )
}

fn lock_key(cart_id: &str) -> String {
    format!("checkout/{cart_id}")
}

async fn place(ctx: RequestContext, a: PlaceArgs, shop: Shop) -> Result<ToolOutput, ToolError> {
    let records = records(&ctx)?;
    let mut s = open_session(&ctx, &a.session_id).await?;
    let user = signed_in_user(records, &s, "place an order").await?;
    let key = a.idempotency_key.trim();
    if let Some(o) = find_order(records, &user, Some(key), None).await? {
        return order_result(&s, &o, &shop, placed_message(&o, true));
    }
    let cart = match owned_cart(records, &mut s, Some(&a.cart_id)).await? {
        Ok(c) => c,
        Err(out) => return Ok(out),
    };
    if cart.checked_out {
        let which = find_order(records, &user, None, Some(&cart.id))
            .await?
            .map_or(String::new(), |o| format!(" as order {}", o.id));
        return fail(format!(
            "Cart {} was already checked out{which}. Nothing was charged again.",
            cart.id
        ));
    }
    if cart.lines.is_empty() {
        return fail("The cart is empty: add products with add_to_cart, then call checkout.");
    }
    if cart.version != a.cart_version {
        return fail(format!(
            "The cart changed since the checkout was shown (version {} now, {} then). Call checkout again so the user can review it.",
            cart.version, a.cart_version
        ));
    }
    let address = match a.shipping.clone().or_else(|| saved_address(&user)) {
        Some(addr) => addr,
        None => {
            return fail(
                "No shipping address: the user must fill it in the checkout form (or pass shipping).",
            );
        }
    };
    if let Some(field) = address.missing_field() {
        return fail(format!("The shipping address needs {field}."));
    }
    let payment = saved_payment(&user).unwrap_or(Payment {
        label: PAY_ON_DELIVERY.to_owned(),
    });
    // One checkout of a cart at a time: the lock is the cart's first
    // placement attempt, and stays once the order exists.
    let lock = lock_key(&cart.id);
    match records
        .kv_put_if(NS, &lock, &json!({ "key": key }), None)
        .await
    {
        Ok(_) => {}
        Err(StoreError::Conflict { .. }) => {
            if let Some(o) = find_order(records, &user, Some(key), None).await? {
                return order_result(&s, &o, &shop, placed_message(&o, true));
            }
            return fail(
                "This cart is being checked out right now. Wait a moment, then call get_order or view_cart.",
            );
        }
        Err(e) => return Err(e.into()),
    }
    let reserved = match stock::reserve(records, &cart.lines, |id| {
        // Only catalog products have tracked stock.
        skyport_catalog::Catalog::shared()
            .product(id)
            .map(|p| p.stock)
    })
    .await
    {
        Ok(Ok(r)) => r,
        Ok(Err(short)) => {
            records.kv_delete(NS, &lock).await?;
            return fail(format!(
                "Only {} of {} left in stock. Update the cart with update_cart_item, then call checkout again.",
                short.available, short.title
            ));
        }
        Err(e) => {
            records.kv_delete(NS, &lock).await?;
            return Err(e.into());
        }
    };
    let perks = perks_of(records, Some(&user)).await?;
    let t = totals(&cart.lines, perks);
    let new = NewOrder {
        user_id: user.id.clone(),
        cart_id: cart.id.clone(),
        cart_owner: s.id.clone(),
        tax_cents: t.tax,
        shipping_cents: t.shipping,
        details: json!({ "shipping": address, "payment": payment }),
        idempotency_key: key.to_owned(),
        expected_cart_version: Some(a.cart_version),
    };
    let order = match records.place_order(new).await {
        Ok(o) => o,
        Err(e) => {
            stock::release(records, &reserved).await?;
            records.kv_delete(NS, &lock).await?;
            return match e {
                StoreError::Conflict { reason, .. } => fail(format!(
                    "The order was not placed: {reason}. Call checkout again."
                )),
                StoreError::Invalid { reason, .. } => {
                    fail(format!("The order was not placed: {reason}."))
                }
                other => Err(other.into()),
            };
        }
    };
    if a.shipping.is_some() && saved_address(&user).as_ref() != Some(&address) {
        remember_address(records, &user, &address).await;
    }
    tracing::info!(app = CHECKOUT_APP, order = %order.id, total = order.total_cents, "order placed");
    order_result(&s, &order, &shop, placed_message(&order, false))
}

/// Saves the address the buyer used as the account's default.
async fn remember_address(records: &dyn Records, user: &User, address: &Address) {
    let mut profile = user.profile.clone();
    if !profile.is_object() {
        profile = json!({});
    }
    profile["shippingAddress"] = json!(address);
    let patch = UserPatch {
        profile: Some(profile),
        ..UserPatch::default()
    };
    if let Err(e) = records.update_user(&user.id, patch).await {
        tracing::warn!(error = %e, "saving the shipping address failed");
    }
}

async fn get_order(ctx: RequestContext, a: OrderArgs, shop: Shop) -> Result<ToolOutput, ToolError> {
    let records = records(&ctx)?;
    let s = open_session(&ctx, &a.session_id).await?;
    let user = signed_in_user(records, &s, "see orders").await?;
    let id = a.order_id.trim();
    match records.order(&user.id, id).await? {
        Some(o) => {
            let view = OrderView::of(&o, shop.images().as_deref());
            let message = format!(
                "Order {} placed {}: {} line{}, total {}.",
                o.id,
                view.placed_at,
                o.lines.len(),
                if o.lines.len() == 1 { "" } else { "s" },
                dollars(o.total_cents)
            );
            order_result(&s, &o, &shop, message)
        }
        None => fail(format!(
            "No order {id:?} belongs to the signed-in account. Order ids come from place_order."
        )),
    }
}

/// The `add_to_cart` tool; `shop-search` declares it too (widget-only) so
/// its carousel can add through its own host connection.
pub(crate) fn add_to_cart_tool(shop: Shop, visibility: Visibility) -> ToolDef {
    let builder = ToolDef::builder("add_to_cart")
        .title("Add to cart")
        .description("Use this when the user wants to add a product to their cart (\"add the second one\", \"I'll take two\"). Needs session_id and a product id from search results; quantity 1-99 adds to what the cart has. Shows a confirmation with the cart's totals.")
        .input::<AddArgs>()
        .output::<AddResult>()
        .annotations(writes(false))
        .visibility(visibility)
        // The carousel's "Add to cart" buttons call it.
        .meta("openai/widgetAccessible", json!(true))
        .security(security())
        .invoking("Adding to cart…")
        .invoked("Added to cart");
    let builder = if visibility.model_can_see() {
        builder.widget(widgets::CART_CONFIRMATION)
    } else {
        builder
    };
    builder.typed_handler(move |ctx, a: AddArgs| add(ctx, a, shop.clone()))
}

/// Builds `shop-checkout`.
pub(crate) fn app() -> Result<App, AppError> {
    let shop = Shop::default();
    let view_tool = {
        let shop = shop.clone();
        ToolDef::builder("view_cart")
            .title("View cart")
            .description("Use this when the user asks what is in their cart or what it costs. Returns the lines, quantities and totals (subtotal, tax, shipping, total).")
            .input::<CartArgs>()
            .output::<CartResult>()
            .annotations(read_only())
            .security(security())
            .typed_handler(move |ctx, a: CartArgs| view(ctx, a, shop.clone()))
    };
    let update_tool = {
        let shop = shop.clone();
        ToolDef::builder("update_cart_item")
            .title("Change a quantity")
            .description("Use this when the user wants a different quantity of a product already in the cart (\"make it three\"); 0 removes it.")
            .input::<UpdateArgs>()
            .output::<CartResult>()
            .annotations(writes(true))
            .security(security())
            .typed_handler(move |ctx, a: UpdateArgs| {
                let shop = shop.clone();
                async move { set_quantity(&ctx, &a.session_id, &a.product_id, a.quantity, &shop).await }
            })
    };
    let remove_tool = {
        let shop = shop.clone();
        ToolDef::builder("remove_from_cart")
            .title("Remove from cart")
            .description("Use this when the user wants a product out of their cart.")
            .input::<RemoveArgs>()
            .output::<CartResult>()
            .annotations(writes(true))
            .security(security())
            .typed_handler(move |ctx, a: RemoveArgs| {
                let shop = shop.clone();
                async move { set_quantity(&ctx, &a.session_id, &a.product_id, 0, &shop).await }
            })
    };
    let checkout_tool = {
        let shop = shop.clone();
        ToolDef::builder("checkout")
            .title("Check out")
            .description("Use this when the user wants to check out, pay or buy what is in their cart. Shows the order summary with the shipping address and payment method from their account; the user places the order in that form. Needs a signed-in session (sign_in_to_shop) and a non-empty cart.")
            .input::<CartArgs>()
            .output::<CheckoutSummary>()
            .annotations(read_only())
            .widget(widgets::CHECKOUT)
            .security(security())
            .invoking("Preparing checkout…")
            .invoked("Checkout ready")
            .typed_handler(move |ctx, a: CartArgs| checkout(ctx, a, shop.clone()))
    };
    let place_tool = {
        let shop = shop.clone();
        ToolDef::builder("place_order")
            .title("Place the order")
            .description("Places the order shown by checkout. The checkout form calls it when the user presses \"Place order\"; call it yourself only when the user explicitly confirmed the purchase in the chat. Needs cart_id and cart_version from checkout and an idempotency_key (retrying with the same key never places a second order).")
            .input::<PlaceArgs>()
            .output::<OrderResult>()
            .annotations(writes(true))
            // The checkout widget's "Place order" calls it.
            .meta("openai/widgetAccessible", json!(true))
            .security(security())
            .invoking("Placing the order…")
            .invoked("Order placed")
            .typed_handler(move |ctx, a: PlaceArgs| place(ctx, a, shop.clone()))
    };
    let order_tool = {
        let shop = shop.clone();
        ToolDef::builder("get_order")
            .title("Look up an order")
            .description("Use this when the user asks about an order they placed: returns its lines, totals, shipping address and payment method.")
            .input::<OrderArgs>()
            .output::<OrderResult>()
            .annotations(read_only())
            .security(security())
            .typed_handler(move |ctx, a: OrderArgs| get_order(ctx, a, shop.clone()))
    };
    App::builder(CHECKOUT_APP)
        .instructions("The shop's cart and checkout. Pass the session_id from shop-auth's create_shopping_session. add_to_cart adds products (ids from shop-search), view_cart/update_cart_item/remove_from_cart manage the cart, checkout shows the order summary where the user places the order.")
        .tool(add_to_cart_tool(shop.clone(), Visibility::ModelAndApp))
        .tool(view_tool)
        .tool(update_tool)
        .tool(remove_tool)
        .tool(checkout_tool)
        .tool(place_tool)
        .tool(order_tool)
        .widget(widgets::cart_confirmation())
        .widget(widgets::checkout())
        .http(move |ctx| {
            shop.mounted(ctx);
            http::image_routes()
        })
        .build()
}
