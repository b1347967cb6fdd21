//! Bad input to the shop tools (docs/shop.md) on the real binary: every
//! refusal is an `isError` result whose text names the problem and what to
//! do next, and nothing in the store changes (the cart, the orders and the
//! membership are read before and after).

use std::time::Duration;

use crate::common::shop::*;
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A signed-in shopper with one product (quantity 2) in the cart.
struct Shopper {
    sid: String,
    cart_id: String,
    product: String,
    /// The `CartView` after the setup; refusals must leave it as it is.
    cart: Value,
}

/// An in-stock product of the first "fitness tracker" page.
async fn a_product(c: &mut ShopClient) -> (String, i64) {
    let found = c.search(json!({ "query": "fitness tracker" })).await;
    let p = found["products"]
        .as_array()
        .expect("products")
        .iter()
        .find(|p| p["inStock"] == true)
        .unwrap_or_else(|| panic!("an in-stock tracker: {found:#}"));
    (
        p["id"].as_str().unwrap().to_owned(),
        p["priceCents"].as_i64().unwrap(),
    )
}

/// Signs `user` up in a new shopping session and puts a product in its cart.
async fn shopper(c: &mut ShopClient, user: &User) -> Shopper {
    let (sid, cart_id) = c.signed_in_session(user, "sign_up").await;
    let (product, _) = a_product(c).await;
    let cart = c.add(&sid, &product, 2).await["cart"].clone();
    Shopper {
        sid,
        cart_id,
        product,
        cart,
    }
}

impl Shopper {
    /// Asserts the cart is exactly as it was after the setup.
    async fn assert_unchanged(&self, c: &mut ShopClient) {
        assert_eq!(c.cart(&self.sid).await, self.cart, "the cart changed");
    }
}

fn ada() -> User {
    User::new("Ada Lovelace", "ada@example.com", "analytical engine 1843")
}

fn bob() -> User {
    User::new("Bob Builder", "bob@example.com", "can we fix it yes")
}

#[tokio::test]
async fn an_unknown_product_id_is_named_and_search_is_suggested() {
    let server = start_shop(&[], &[]);
    let mut c = ShopClient::new(&server, Transport::Streamable);
    let s = shopper(&mut c, &ada()).await;
    for id in ["p99999", "p00000", "nope"] {
        let t = c
            .err(
                "shop-checkout",
                "add_to_cart",
                json!({ "session_id": s.sid, "product_id": id }),
            )
            .await;
        assert_says(&t, &[id, "search_products"], &[]);
    }
    // Through the carousel's copy of the tool as well.
    let t = c
        .err(
            "shop-search",
            "add_to_cart",
            json!({ "session_id": s.sid, "product_id": "p99999" }),
        )
        .await;
    assert_says(&t, &["p99999"], &[]);
    s.assert_unchanged(&mut c).await;
}

#[tokio::test]
async fn quantities_outside_1_to_99_and_non_integers_are_refused_naming_quantity() {
    let server = start_shop(&[], &[]);
    let mut c = ShopClient::new(&server, Transport::Streamable);
    let s = shopper(&mut c, &ada()).await;
    let range: &[&str] = &["99", "maximum", "minimum", "at least", "between"];
    for (q, rule) in [
        (json!(0), range),
        (json!(-1), range),
        (json!(100), range),
        (json!(1_000_000_000_000i64), range),
        (json!("2"), &["integer", "number"][..]),
        (json!(1.5), &["integer", "whole"][..]),
    ] {
        let t = c
            .err(
                "shop-checkout",
                "add_to_cart",
                json!({ "session_id": s.sid, "product_id": s.product, "quantity": q }),
            )
            .await;
        assert_says(&t, &["quantity"], &[rule]);
        s.assert_unchanged(&mut c).await;
    }
    // update_cart_item allows 0 (remove) but nothing outside 0-99.
    for q in [json!(-1), json!(100), json!(2.5)] {
        let t = c
            .err(
                "shop-checkout",
                "update_cart_item",
                json!({ "session_id": s.sid, "product_id": s.product, "quantity": q }),
            )
            .await;
        assert_says(&t, &["quantity"], &[]);
    }
    // Adding 98 more to a line of 2 would make 100: refused as well.
    let t = c
        .err(
            "shop-checkout",
            "add_to_cart",
            json!({ "session_id": s.sid, "product_id": s.product, "quantity": 98 }),
        )
        .await;
    assert_says(&t, &["99"], &[]);
    s.assert_unchanged(&mut c).await;
}

/// Every tool that takes a session id, with the other arguments it needs.
fn session_tools(product: &str) -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("shop-auth", "sign_in_to_shop", json!({})),
        ("shop-auth", "get_shop_auth_status", json!({})),
        ("shop-search", "get_recommendations", json!({})),
        (
            "shop-search",
            "search_products",
            json!({ "query": "tracker" }),
        ),
        (
            "shop-checkout",
            "add_to_cart",
            json!({ "product_id": product }),
        ),
        ("shop-checkout", "view_cart", json!({})),
        (
            "shop-checkout",
            "update_cart_item",
            json!({ "product_id": product, "quantity": 1 }),
        ),
        (
            "shop-checkout",
            "remove_from_cart",
            json!({ "product_id": product }),
        ),
        ("shop-checkout", "checkout", json!({})),
        (
            "shop-checkout",
            "place_order",
            json!({ "cart_id": "cart_0000", "cart_version": 1, "idempotency_key": "abcdefgh-1" }),
        ),
        (
            "shop-checkout",
            "get_order",
            json!({ "order_id": "ord_0000" }),
        ),
        ("shop-membership", "check_membership", json!({})),
        ("shop-membership", "show_membership_signup", json!({})),
        (
            "shop-membership",
            "join_membership",
            json!({ "tier": "plus" }),
        ),
    ]
}

fn with_session(args: &Value, sid: &str) -> Value {
    let mut a = args.clone();
    a["session_id"] = json!(sid);
    a
}

#[tokio::test]
async fn unknown_malformed_and_missing_session_ids_point_to_create_shopping_session() {
    let server = start_shop(&[], &[]);
    let mut c = ShopClient::new(&server, Transport::Streamable);
    let s = shopper(&mut c, &ada()).await;
    let unknown = format!("shop_{}", "0".repeat(32));
    for (app, tool, args) in session_tools(&s.product) {
        for sid in [unknown.as_str(), "shop_xyz", "not-a-session"] {
            let t = c.err(app, tool, with_session(&args, sid)).await;
            assert_says(&t, &["session", "create_shopping_session"], &[]);
            assert!(
                !t.contains(&s.sid),
                "{tool}: never names another session: {t}"
            );
        }
        // `search_products` and `get_recommendations` work without a session.
        if tool != "search_products" && tool != "get_recommendations" {
            let t = c.err(app, tool, args.clone()).await;
            assert_says(&t, &["session_id"], &[]);
        }
    }
    s.assert_unchanged(&mut c).await;
    let m = c
        .ok(
            "shop-membership",
            "check_membership",
            json!({ "session_id": s.sid }),
        )
        .await;
    assert_eq!(m["member"], false, "{m:#}");
}

#[tokio::test]
async fn an_expired_session_says_it_expired_after_idle_time_and_to_start_a_new_one() {
    let server = start_shop(&[], &[("SKYPORT_SHOP_SESSION_IDLE_SECS", "2")]);
    let mut c = ShopClient::new(&server, Transport::Streamable);
    let (sid, _) = c.new_session().await;
    let (product, _) = a_product(&mut c).await;
    c.add(&sid, &product, 1).await;

    // Each call that names the session keeps it alive.
    for _ in 0..2 {
        tokio::time::sleep(Duration::from_millis(1200)).await;
        c.ok("shop-checkout", "view_cart", json!({ "session_id": sid }))
            .await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let t = c
        .err("shop-checkout", "view_cart", json!({ "session_id": sid }))
        .await;
    assert_says(
        &t,
        &["expired", "create_shopping_session"],
        &[&["idle", "inactiv"]],
    );
    // Every tool refuses it (a later call may call it unknown once it is gone).
    for (app, tool, args) in session_tools(&product) {
        let t = c.err(app, tool, with_session(&args, &sid)).await;
        assert_says(
            &t,
            &["create_shopping_session"],
            &[&["expired", "unknown", "not found", "no such"]],
        );
    }
    // The sign-in form cannot revive it either.
    let a = authenticate(&c.api(), &ada().body(&sid, "sign_up")).await;
    a.assert_error(StatusCode::BAD_REQUEST);
    // A new session works at once.
    let (fresh, _) = c.new_session().await;
    c.ok("shop-checkout", "view_cart", json!({ "session_id": fresh }))
        .await;
}

#[tokio::test]
async fn an_empty_cart_cannot_be_checked_out_or_ordered() {
    let server = start_shop(&[], &[]);
    let mut c = ShopClient::new(&server, Transport::Streamable);
    let (sid, cart_id) = c.signed_in_session(&ada(), "sign_up").await;
    let before = c.cart(&sid).await;
    assert_eq!(before["lines"], json!([]), "{before:#}");
    let t = c
        .err("shop-checkout", "checkout", json!({ "session_id": sid }))
        .await;
    assert_says(&t, &["empty"], &[&["add_to_cart", "search_products"]]);
    let t = c
        .err(
            "shop-checkout",
            "place_order",
            json!({
                "session_id": sid, "cart_id": cart_id, "cart_version": before["version"],
                "idempotency_key": "empty-cart-order", "shipping": address("Ada Lovelace")
            }),
        )
        .await;
    assert_says(&t, &["empty"], &[]);
    assert_eq!(c.cart(&sid).await, before, "the cart changed");
}

#[tokio::test]
async fn another_sessions_cart_id_is_refused_everywhere() {
    let server = start_shop(&[], &[]);
    let mut c = ShopClient::new(&server, Transport::Streamable);
    let a = shopper(&mut c, &ada()).await;
    let b = shopper(&mut c, &bob()).await;
    let co = c
        .ok("shop-checkout", "checkout", json!({ "session_id": b.sid }))
        .await;
    let b_version = co["cartVersion"].clone();

    let t = c
        .err(
            "shop-checkout",
            "add_to_cart",
            json!({ "session_id": a.sid, "product_id": a.product, "cart_id": b.cart_id }),
        )
        .await;
    assert_says(&t, &["cart"], &[&["session", "cart_id"]]);
    let t = c
        .err(
            "shop-checkout",
            "checkout",
            json!({ "session_id": a.sid, "cart_id": b.cart_id }),
        )
        .await;
    assert_says(&t, &["cart"], &[&["session", "cart_id"]]);
    let t = c
        .err(
            "shop-checkout",
            "place_order",
            json!({
                "session_id": a.sid, "cart_id": b.cart_id, "cart_version": b_version,
                "idempotency_key": "someone-elses-cart", "shipping": address("Ada Lovelace")
            }),
        )
        .await;
    assert_says(&t, &["cart"], &[&["session", "cart_id"]]);
    assert!(!t.contains("ord_"), "no order was made: {t}");
    a.assert_unchanged(&mut c).await;
    b.assert_unchanged(&mut c).await;
    // B's own order still goes through with that version: nothing was taken.
    let placed = c
        .ok(
            "shop-checkout",
            "place_order",
            json!({
                "session_id": b.sid, "cart_id": b.cart_id, "cart_version": b_version,
                "idempotency_key": "bobs-own-order", "shipping": address("Bob Builder")
            }),
        )
        .await;
    assert_eq!(placed["order"]["lines"][0]["quantity"], 2, "{placed:#}");
}

#[tokio::test]
async fn checkout_and_place_order_need_a_signed_in_session() {
    let server = start_shop(&[], &[]);
    let mut c = ShopClient::new(&server, Transport::Streamable);
    let (sid, cart_id) = c.new_session().await;
    let (product, _) = a_product(&mut c).await;
    let cart = c.add(&sid, &product, 1).await["cart"].clone();
    let t = c
        .err("shop-checkout", "checkout", json!({ "session_id": sid }))
        .await;
    assert_says(
        &t,
        &["sign_in_to_shop"],
        &[&["sign in", "signed in", "sign-in"]],
    );
    let t = c
        .err(
            "shop-checkout",
            "place_order",
            json!({
                "session_id": sid, "cart_id": cart_id, "cart_version": cart["version"],
                "idempotency_key": "signed-out-order", "shipping": address("Nobody")
            }),
        )
        .await;
    assert_says(&t, &["sign_in_to_shop"], &[]);
    let t = c
        .err(
            "shop-membership",
            "join_membership",
            json!({ "session_id": sid, "tier": "plus" }),
        )
        .await;
    assert_says(&t, &["sign_in_to_shop"], &[]);
    assert_eq!(c.cart(&sid).await, cart, "the cart changed");
}

#[tokio::test]
async fn a_stale_cart_version_or_a_bad_idempotency_key_is_refused() {
    let server = start_shop(&[], &[]);
    let mut c = ShopClient::new(&server, Transport::Streamable);
    let s = shopper(&mut c, &ada()).await;
    let co = c
        .ok("shop-checkout", "checkout", json!({ "session_id": s.sid }))
        .await;
    let old = co["cartVersion"].as_i64().expect("cartVersion");

    // Bad keys: too short, too long, characters outside [A-Za-z0-9_-].
    for key in ["short", &"k".repeat(65), "has spaces in it", "semi;colon"] {
        let t = c
            .err(
                "shop-checkout",
                "place_order",
                json!({
                    "session_id": s.sid, "cart_id": s.cart_id, "cart_version": old,
                    "idempotency_key": key, "shipping": address("Ada Lovelace")
                }),
            )
            .await;
        assert_says(&t, &["idempotency_key"], &[]);
    }
    s.assert_unchanged(&mut c).await;

    // The cart changes after checkout: the old version is refused.
    let found = c.search(json!({ "query": "fitness tracker" })).await;
    let other = found["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["inStock"] == true && p["id"] != s.product.as_str())
        .unwrap_or_else(|| panic!("a second in-stock tracker: {found:#}"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let changed = c.add(&s.sid, &other, 1).await["cart"].clone();
    assert_ne!(changed["version"], json!(old), "a change bumps the version");
    let t = c
        .err(
            "shop-checkout",
            "place_order",
            json!({
                "session_id": s.sid, "cart_id": s.cart_id, "cart_version": old,
                "idempotency_key": "stale-version-1", "shipping": address("Ada Lovelace")
            }),
        )
        .await;
    assert_says(
        &t,
        &["checkout"],
        &[&["changed", "version", "stale", "out of date"]],
    );
    assert!(!t.contains("ord_"), "no order was made: {t}");
    assert_eq!(c.cart(&s.sid).await, changed, "the cart changed");

    // Checking out again gives the current version, and that one orders.
    let co = c
        .ok("shop-checkout", "checkout", json!({ "session_id": s.sid }))
        .await;
    assert_eq!(co["cartVersion"], changed["version"]);
    let placed = c
        .ok(
            "shop-checkout",
            "place_order",
            json!({
                "session_id": s.sid, "cart_id": s.cart_id, "cart_version": co["cartVersion"],
                "idempotency_key": "fresh-version-1", "shipping": address("Ada Lovelace")
            }),
        )
        .await;
    assert_eq!(
        placed["order"]["lines"].as_array().map(Vec::len),
        Some(2),
        "the order has the cart as it is now: {placed:#}"
    );
}

#[tokio::test]
async fn an_out_of_stock_product_cannot_be_added() {
    let server = start_shop(&[], &[]);
    let mut c = ShopClient::new(&server, Transport::Streamable);
    let s = shopper(&mut c, &ada()).await;
    let mut out = None;
    let queries = [
        "fitness tracker",
        "headphones",
        "shoes",
        "kitchen",
        "camera",
        "book",
        "toy",
        "lamp",
        "watch",
        "bag",
    ];
    'search: for q in queries {
        for page in 1..=3 {
            let r = c
                .search(json!({ "query": q, "page": page, "page_size": 24 }))
                .await;
            let products = r["products"].as_array().expect("products");
            if let Some(p) = products.iter().find(|p| p["inStock"] == false) {
                out = Some(p["id"].as_str().unwrap().to_owned());
                break 'search;
            }
            if r["pageCount"].as_i64().unwrap_or(0) <= page {
                break;
            }
        }
    }
    let id = out.expect("no out-of-stock product in 30 result pages");
    let t = c
        .err(
            "shop-checkout",
            "add_to_cart",
            json!({ "session_id": s.sid, "product_id": id }),
        )
        .await;
    assert_says(
        &t,
        &["stock"],
        &[&[
            "search_products",
            "get_recommendations",
            "similar",
            "another",
            "alternative",
            "later",
        ]],
    );
    s.assert_unchanged(&mut c).await;
}

#[tokio::test]
async fn search_bounds_are_checked_naming_the_argument() {
    let server = start_shop(&[], &[]);
    let mut c = ShopClient::new(&server, Transport::Streamable);
    let search = |args: Value| {
        let mut a = json!({ "query": "fitness tracker" });
        for (k, v) in args.as_object().unwrap() {
            a[k] = v.clone();
        }
        a
    };
    let t = c
        .err(
            "shop-search",
            "search_products",
            search(json!({ "min_price_cents": 5000, "max_price_cents": 1000 })),
        )
        .await;
    assert_says(&t, &["min_price_cents", "max_price_cents"], &[]);
    let t = c
        .err(
            "shop-search",
            "search_products",
            search(json!({ "page": 0 })),
        )
        .await;
    assert_says(&t, &["page"], &[&["minimum", "at least", "1"]]);
    for size in [0, 25, 1000] {
        let t = c
            .err(
                "shop-search",
                "search_products",
                search(json!({ "page_size": size })),
            )
            .await;
        assert_says(
            &t,
            &["page_size"],
            &[&["24", "maximum", "minimum", "at most"]],
        );
    }
    let t = c
        .err(
            "shop-search",
            "search_products",
            search(json!({ "sort": "cheapest" })),
        )
        .await;
    // Names the values that would work.
    assert_says(&t, &["sort", "relevance", "price_low_to_high"], &[]);
    // The valid edges still answer.
    let r = c
        .search(search(json!({ "page_size": 24, "page": 1 })))
        .await;
    assert_eq!(r["pageSize"], 24);
}

#[tokio::test]
async fn an_unknown_membership_tier_lists_the_real_ones() {
    let server = start_shop(&[], &[]);
    let mut c = ShopClient::new(&server, Transport::Streamable);
    let s = shopper(&mut c, &ada()).await;
    let check = json!({ "session_id": s.sid });
    let before = c
        .ok("shop-membership", "check_membership", check.clone())
        .await;
    assert_eq!(before["member"], false);
    let t = c
        .err(
            "shop-membership",
            "join_membership",
            json!({ "session_id": s.sid, "tier": "gold" }),
        )
        .await;
    assert_says(&t, &["tier", "basic", "plus"], &[]);
    let after = c.ok("shop-membership", "check_membership", check).await;
    assert_eq!(after["member"], false, "{after:#}");
    assert!(
        after.get("membership").is_none_or(Value::is_null),
        "{after:#}"
    );
    s.assert_unchanged(&mut c).await;
}

#[tokio::test]
async fn another_users_order_cannot_be_read() {
    let server = start_shop(&[], &[]);
    let mut c = ShopClient::new(&server, Transport::Streamable);
    let a = shopper(&mut c, &ada()).await;
    let co = c
        .ok("shop-checkout", "checkout", json!({ "session_id": a.sid }))
        .await;
    let placed = c
        .ok(
            "shop-checkout",
            "place_order",
            json!({
                "session_id": a.sid, "cart_id": a.cart_id, "cart_version": co["cartVersion"],
                "idempotency_key": "adas-private-order",
                "shipping": { "name": "Ada Lovelace", "line1": "12 St James's Square",
                              "city": "London", "region": "LND", "postalCode": "SW1Y 4JH",
                              "country": "GB" }
            }),
        )
        .await;
    let order = placed["order"].clone();
    let order_id = order["orderId"].as_str().unwrap().to_owned();

    let b = shopper(&mut c, &bob()).await;
    let (signed_out, _) = c.new_session().await;
    for sid in [&b.sid, &signed_out] {
        let r = c
            .call(
                "shop-checkout",
                "get_order",
                json!({ "session_id": sid, "order_id": order_id }),
            )
            .await;
        assert_eq!(r["isError"], true, "{r:#}");
        let all = r.to_string();
        for secret in ["St James", "SW1Y", "Lovelace"] {
            assert!(!all.contains(secret), "leaks {secret:?}: {r:#}");
        }
        assert_says(first_text(&r), &["order"], &[]);
    }
    // An order id that does not exist reads the same way.
    let t = c
        .err(
            "shop-checkout",
            "get_order",
            json!({ "session_id": b.sid, "order_id": "ord_doesnotexist" }),
        )
        .await;
    assert_says(&t, &["order"], &[]);
    // Ada still sees her order, unchanged.
    let got = c
        .ok(
            "shop-checkout",
            "get_order",
            json!({ "session_id": a.sid, "order_id": order_id }),
        )
        .await;
    assert_eq!(got["order"], order);
    b.assert_unchanged(&mut c).await;
}
