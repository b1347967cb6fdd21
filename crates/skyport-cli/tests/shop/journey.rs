//! The shop (docs/shop.md) end to end on the real binary, the way a host
//! drives it: a shopping session, sign-in through the widget's HTTP API,
//! search, cart, checkout, an idempotent order and a membership, over
//! Streamable HTTP, the legacy HTTP+SSE transport and the stateless 2026
//! protocol; then the order read back after a restart on the same SQLite file.

use std::time::Duration;

use crate::common::shop::*;
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// What the journey leaves behind, to be checked after a restart.
struct Placed {
    /// The public URL of the server that placed it (image URLs start with it).
    base: String,
    order: Value,
    order_id: String,
}

/// Everything from `create_shopping_session` to a plus membership, for a new
/// user signing up; returns the order it placed.
async fn journey(server: &Server, transport: Transport, user: &User) -> Placed {
    let mut c = ShopClient::new(server, transport);
    let base = server.base.clone();

    // Each endpoint lists exactly the documented tools.
    assert_eq!(
        tool_names(&mut c, "shop-auth").await,
        [
            "create_shopping_session",
            "get_shop_auth_status",
            "sign_in_to_shop"
        ]
    );
    assert_eq!(
        tool_names(&mut c, "shop-search").await,
        ["add_to_cart", "get_recommendations", "search_products"]
    );
    assert_eq!(
        tool_names(&mut c, "shop-checkout").await,
        [
            "add_to_cart",
            "checkout",
            "get_order",
            "place_order",
            "remove_from_cart",
            "update_cart_item",
            "view_cart"
        ]
    );
    assert_eq!(
        tool_names(&mut c, "shop-membership").await,
        [
            "check_membership",
            "join_membership",
            "show_membership_signup"
        ]
    );

    // 1. A shopping session: the handles the rest of the journey carries.
    let s = c
        .ok("shop-auth", "create_shopping_session", json!({}))
        .await;
    let sid = s["sessionId"].as_str().expect("sessionId").to_owned();
    assert_session_id(&sid);
    let cart_id = s["cartId"].as_str().expect("cartId").to_owned();
    assert!(cart_id.starts_with("cart_"), "{s:#}");
    assert_eq!(s["idleMinutes"], 10, "{s:#}");
    assert_eq!(s["signedIn"], false, "{s:#}");
    assert!(s.get("user").is_none_or(Value::is_null), "{s:#}");
    assert_timestamp(&s["expiresAt"]);
    assert!(s["message"].as_str().is_some_and(|m| !m.is_empty()));

    // 2. The sign-in widget, with the API base it posts to.
    let content = assert_widget(&mut c, "shop-auth", "sign_in_to_shop", "shop-sign-in").await;
    let connect = &content["_meta"]["ui"]["csp"]["connectDomains"];
    assert!(
        connect
            .as_array()
            .is_some_and(|l| l.iter().any(|o| o == base.as_str())),
        "the sign-in widget may fetch {base}: {content:#}"
    );
    let r = c
        .call("shop-auth", "sign_in_to_shop", json!({ "session_id": sid }))
        .await;
    assert_eq!(r["isError"], false, "{r:#}");
    let api = r["_meta"]["skyport/api"]
        .as_str()
        .unwrap_or_else(|| panic!("no API base in _meta: {r:#}"))
        .to_owned();
    assert_eq!(api, format!("{base}/shop-auth"));
    assert_eq!(r["structuredContent"]["sessionId"], sid.as_str());
    assert_eq!(r["structuredContent"]["status"], "pending", "{r:#}");

    // 3. The widget's form, posted to the real HTTP API.
    let a = authenticate(&api, &user.body(&sid, "sign_up")).await;
    assert_eq!(a.status, StatusCode::OK, "{:#}", a.body);
    assert_eq!(a.body["success"], true, "{:#}", a.body);
    assert_eq!(a.body["user"]["name"], user.name.as_str());
    assert_eq!(a.body["user"]["email"], user.email.as_str());
    assert!(
        !a.body.to_string().contains(&user.password),
        "the password never comes back"
    );

    // 4. Signed in, as every endpoint sees it.
    let st = c
        .ok(
            "shop-auth",
            "get_shop_auth_status",
            json!({ "session_id": sid }),
        )
        .await;
    assert_eq!(st["sessionId"], sid.as_str());
    assert_eq!(st["signedIn"], true, "{st:#}");
    assert_eq!(st["user"]["name"], user.name.as_str(), "{st:#}");
    assert_eq!(st["user"]["email"], user.email.as_str(), "{st:#}");
    assert_timestamp(&st["expiresAt"]);
    let again = c
        .ok("shop-auth", "sign_in_to_shop", json!({ "session_id": sid }))
        .await;
    assert_eq!(again["status"], "signed_in", "{again:#}");
    assert_eq!(again["user"]["email"], user.email.as_str());

    // 5. Search: product cards with working images.
    assert_widget(&mut c, "shop-search", "search_products", "product-carousel").await;
    let found = c
        .search(json!({ "query": "fitness tracker", "session_id": sid }))
        .await;
    assert_eq!(found["query"], "fitness tracker");
    assert_eq!(found["page"], 1, "{found:#}");
    assert_eq!(found["pageSize"], 10, "the default page size: {found:#}");
    assert_eq!(found["source"], "catalog", "{found:#}");
    assert!(found["total"].as_i64().is_some_and(|t| t > 0), "{found:#}");
    assert!(found["pageCount"].as_i64().is_some_and(|t| t >= 1));
    let products = found["products"].as_array().expect("products").clone();
    assert!(!products.is_empty() && products.len() <= 10, "{found:#}");
    for p in &products {
        assert_card(p, &base);
    }
    let relevant = products.iter().take(3).any(|p| {
        let text = format!("{} {} {}", p["title"], p["category"], p["summary"]).to_lowercase();
        text.contains("fitness") || text.contains("tracker")
    });
    assert!(relevant, "the first results match the query: {found:#}");
    assert_svg(products[0]["imageUrl"].as_str().unwrap()).await;

    let in_stock: Vec<&Value> = products.iter().filter(|p| p["inStock"] == true).collect();
    assert!(in_stock.len() >= 2, "two products to buy: {found:#}");
    let (p1, p2) = (in_stock[0].clone(), in_stock[1].clone());
    let id1 = p1["id"].as_str().unwrap().to_owned();
    let id2 = p2["id"].as_str().unwrap().to_owned();
    let price1 = p1["priceCents"].as_i64().unwrap();
    let price2 = p2["priceCents"].as_i64().unwrap();
    assert_ne!(id1, id2);

    // 6. Recommendations for this session.
    let r = c
        .call(
            "shop-search",
            "get_recommendations",
            json!({ "session_id": sid, "query": "fitness tracker" }),
        )
        .await;
    assert_eq!(r["isError"], false, "{r:#}");
    let rec = &r["structuredContent"];
    assert!(rec["personalized"].is_boolean(), "{rec:#}");
    for key in ["orders", "categories", "brands"] {
        assert!(!rec["basedOn"][key].is_null(), "basedOn.{key}: {rec:#}");
    }
    let picks = rec["products"].as_array().expect("products");
    assert!(!picks.is_empty(), "{rec:#}");
    for p in picks {
        assert_card(p, &base);
        assert!(
            p["reason"].as_str().is_some_and(|s| !s.is_empty()),
            "each pick says why: {p:#}"
        );
    }
    assert!(first_text(&r).len() > 20, "a text that explains the picks");

    // 7. Two products into the cart.
    assert_widget(&mut c, "shop-checkout", "add_to_cart", "cart-confirmation").await;
    let added = c.add(&sid, &id1, 2).await;
    assert_eq!(added["sessionId"], sid.as_str());
    assert_eq!(
        added["cartId"],
        cart_id.as_str(),
        "the session's cart: {added:#}"
    );
    assert_eq!(added["added"]["productId"], id1.as_str());
    assert_eq!(added["added"]["quantity"], 2);
    assert_eq!(
        added["added"]["unitPriceCents"], price1,
        "the catalog price"
    );
    assert_eq!(added["added"]["title"], p1["title"]);
    assert!(added["added"]["imageUrl"].is_string(), "{added:#}");
    assert_eq!(added["cart"]["itemCount"], 2, "{added:#}");
    assert_totals(&added["cart"], &[(&id1, 2, price1)], false);
    assert!(added["message"].as_str().is_some_and(|m| !m.is_empty()));
    let added = c
        .ok(
            "shop-checkout",
            "add_to_cart",
            json!({ "session_id": sid, "product_id": id2, "quantity": 1, "cart_id": cart_id }),
        )
        .await;
    assert_eq!(added["added"]["productId"], id2.as_str());
    assert_eq!(added["cart"]["itemCount"], 3, "{added:#}");

    // 8. The cart: the server's totals follow the rules.
    let view = c
        .ok("shop-checkout", "view_cart", json!({ "session_id": sid }))
        .await;
    assert_eq!(view["sessionId"], sid.as_str());
    let cart = &view["cart"];
    assert_eq!(cart["cartId"], cart_id.as_str());
    assert_eq!(cart["checkedOut"], false);
    assert_eq!(cart["itemCount"], 3);
    assert_eq!(cart["currency"], "USD");
    assert!(cart["freeShippingThresholdCents"].is_i64(), "{cart:#}");
    assert!(cart["version"].as_i64().is_some(), "{cart:#}");
    let expected = [(id1.as_str(), 2, price1), (id2.as_str(), 1, price2)];
    assert_totals(cart, &expected, false);
    for line in cart["lines"].as_array().unwrap() {
        assert_svg(line["imageUrl"].as_str().expect("a line's imageUrl")).await;
    }

    // 9. Checkout: what the widget shows before "Place order".
    assert_widget(&mut c, "shop-checkout", "checkout", "checkout").await;
    let co = c
        .ok("shop-checkout", "checkout", json!({ "session_id": sid }))
        .await;
    assert_eq!(co["sessionId"], sid.as_str());
    assert_eq!(co["cartId"], cart_id.as_str());
    assert_eq!(co["cartVersion"], cart["version"], "{co:#}");
    assert_totals(&co["cart"], &expected, false);
    for key in ["shipping", "payment", "member"] {
        assert!(
            co.get(key).is_some(),
            "checkout has {key} (maybe null): {co:#}"
        );
    }
    assert!(co["member"].is_null(), "not a member yet: {co:#}");
    let version = co["cartVersion"].as_i64().expect("cartVersion");

    // 10. Place the order, then retry it with the same key: one order.
    let ship = address(&user.name);
    let key = format!("order-{}", &sid[5..21]);
    let order_args = json!({
        "session_id": sid, "cart_id": cart_id, "cart_version": version,
        "idempotency_key": key, "shipping": ship
    });
    let placed = c
        .ok("shop-checkout", "place_order", order_args.clone())
        .await;
    assert_eq!(placed["sessionId"], sid.as_str());
    let order = placed["order"].clone();
    let order_id = order["orderId"].as_str().expect("orderId").to_owned();
    assert!(order_id.starts_with("ord_"), "{order:#}");
    assert_eq!(order["cartId"], cart_id.as_str());
    assert_eq!(order["status"], "placed");
    assert_timestamp(&order["placedAt"]);
    assert_totals(&order, &expected, false);
    assert_eq!(
        order["totalCents"], cart["totalCents"],
        "the order costs what the cart said"
    );
    assert_eq!(order["shipping"]["postalCode"], "95014", "{order:#}");
    assert_eq!(order["shipping"]["name"], user.name.as_str());
    assert!(
        order["payment"]["label"]
            .as_str()
            .is_some_and(|l| !l.is_empty()),
        "{order:#}"
    );
    assert!(placed["message"].as_str().is_some_and(|m| !m.is_empty()));

    let retried = c.ok("shop-checkout", "place_order", order_args).await;
    assert_eq!(
        retried["order"]["orderId"],
        order_id.as_str(),
        "{retried:#}"
    );
    assert_eq!(retried["order"]["totalCents"], order["totalCents"]);
    // A different key for the same cart version cannot order it a second time.
    c.err(
        "shop-checkout",
        "place_order",
        json!({
            "session_id": sid, "cart_id": cart_id, "cart_version": version,
            "idempotency_key": format!("{key}-second"), "shipping": ship
        }),
    )
    .await;

    // 11. The order, read back.
    let got = c
        .ok(
            "shop-checkout",
            "get_order",
            json!({ "session_id": sid, "order_id": order_id }),
        )
        .await;
    assert_eq!(got["sessionId"], sid.as_str());
    assert_eq!(got["order"], order, "get_order returns the placed order");

    // 12. Membership: none, the sign-up widget, plus.
    let m = c
        .ok(
            "shop-membership",
            "check_membership",
            json!({ "session_id": sid }),
        )
        .await;
    assert_eq!(m["sessionId"], sid.as_str());
    assert_eq!(m["member"], false, "{m:#}");
    assert!(m.get("membership").is_none_or(Value::is_null), "{m:#}");
    let tiers = m["tiers"].as_array().expect("tiers");
    let ids: Vec<&str> = tiers.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["basic", "plus"], "{m:#}");
    for t in tiers {
        assert!(t["name"].as_str().is_some_and(|n| !n.is_empty()), "{t:#}");
        assert!(t["priceCents"].as_i64().is_some_and(|p| p >= 0), "{t:#}");
        assert!(
            t["benefits"].as_array().is_some_and(|b| !b.is_empty()),
            "{t:#}"
        );
    }
    assert_widget(
        &mut c,
        "shop-membership",
        "show_membership_signup",
        "membership-signup",
    )
    .await;
    let offer = c
        .ok(
            "shop-membership",
            "show_membership_signup",
            json!({ "session_id": sid, "tier": "plus" }),
        )
        .await;
    assert_eq!(
        offer["tiers"].as_array().map(Vec::len),
        Some(2),
        "{offer:#}"
    );
    assert!(offer.get("current").is_none_or(Value::is_null), "{offer:#}");
    if let Some(t) = offer.get("suggestedTier").filter(|t| !t.is_null()) {
        assert_eq!(t, "plus", "{offer:#}");
    }
    let joined = c
        .ok(
            "shop-membership",
            "join_membership",
            json!({ "session_id": sid, "tier": "plus" }),
        )
        .await;
    assert_eq!(joined["membership"]["tier"], "plus", "{joined:#}");
    assert!(joined["membership"]["status"].is_string(), "{joined:#}");
    assert_timestamp(&joined["membership"]["since"]);
    let m = c
        .ok(
            "shop-membership",
            "check_membership",
            json!({ "session_id": sid }),
        )
        .await;
    assert_eq!(m["member"], true, "{m:#}");
    assert_eq!(m["membership"]["tier"], "plus", "{m:#}");
    let offer = c
        .ok(
            "shop-membership",
            "show_membership_signup",
            json!({ "session_id": sid }),
        )
        .await;
    assert_eq!(offer["current"]["tier"], "plus", "{offer:#}");

    Placed {
        base,
        order,
        order_id,
    }
}

/// After a restart on the same store: the user signs in again in a new
/// shopping session and finds the order and the membership.
async fn check_persisted(server: &Server, user: &User, placed: &Placed) {
    let mut c = ShopClient::new(server, Transport::Streamable);
    let (sid, _) = c.signed_in_session(user, "sign_in").await;
    let got = c
        .ok(
            "shop-checkout",
            "get_order",
            json!({ "session_id": sid, "order_id": placed.order_id }),
        )
        .await;
    let order = &got["order"];
    // The same order; only the image URLs follow the new server's address.
    let expected: Value =
        serde_json::from_str(&placed.order.to_string().replace(&placed.base, &server.base))
            .unwrap();
    assert_eq!(order, &expected, "the same order after a restart");
    for key in ["subtotalCents", "taxCents", "shippingCents", "totalCents"] {
        assert_eq!(order[key], placed.order[key], "{key}");
    }
    let m = c
        .ok(
            "shop-membership",
            "check_membership",
            json!({ "session_id": sid }),
        )
        .await;
    assert_eq!(
        m["membership"]["tier"], "plus",
        "membership persisted: {m:#}"
    );
    // A plus member ships free even under the threshold.
    let cheap = c.cheap_product(1500).await;
    let id = cheap["id"].as_str().unwrap();
    let price = cheap["priceCents"].as_i64().unwrap();
    let added = c.add(&sid, id, 1).await;
    assert_totals(&added["cart"], &[(id, 1, price)], true);
    assert_eq!(added["cart"]["shippingCents"], 0, "{added:#}");
}

#[tokio::test]
async fn whole_journey_over_streamable_http_and_the_order_survives_a_restart() {
    let data = TempDir::new("shop-journey");
    let args = ["--data-dir", data.as_str()];
    let user = User::new("Ada Lovelace", "ada@example.com", "analytical engine 1843");
    let server = start_shop(&args, &[]);
    let placed = journey(&server, Transport::Streamable, &user).await;

    // Stop the server, start a new one on the same data dir.
    server.sigterm();
    let mut server = server;
    assert!(
        server.wait_exit(Duration::from_secs(20)).is_some(),
        "the server stops on SIGTERM"
    );
    drop(server);
    let restarted = start_shop(&args, &[]);
    check_persisted(&restarted, &user, &placed).await;
}

#[tokio::test]
async fn whole_journey_over_the_legacy_sse_transport() {
    let server = start_shop(&[], &[]);
    let user = User::new("Grace Hopper", "grace@example.com", "nanoseconds 11.8in");
    journey(&server, Transport::LegacySse, &user).await;
}

#[tokio::test]
async fn short_journey_under_the_2026_stateless_protocol_is_carried_by_handles() {
    let server = start_shop(&["--stateless"], &[]);
    let mut c = ShopClient::new(&server, Transport::Modern);
    let user = User::new("Alan Turing", "alan@example.com", "enigma machine 1939");

    let (sid, cart_id) = c.new_session().await;
    assert_session_id(&sid);
    let r = c
        .call("shop-auth", "sign_in_to_shop", json!({ "session_id": sid }))
        .await;
    assert_eq!(r["structuredContent"]["status"], "pending", "{r:#}");
    let api = r["_meta"]["skyport/api"]
        .as_str()
        .expect("API base")
        .to_owned();
    let a = authenticate(&api, &user.body(&sid, "sign_up")).await;
    assert_eq!(a.status, StatusCode::OK, "{:#}", a.body);

    // Every request below is independent: only the handles link them.
    let st = c
        .ok(
            "shop-auth",
            "get_shop_auth_status",
            json!({ "session_id": sid }),
        )
        .await;
    assert_eq!(st["signedIn"], true, "{st:#}");
    let found = c
        .search(json!({ "query": "fitness tracker", "session_id": sid, "page_size": 5 }))
        .await;
    assert_eq!(found["pageSize"], 5);
    let p = found["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["inStock"] == true)
        .expect("an in-stock tracker")
        .clone();
    let id = p["id"].as_str().unwrap();
    let price = p["priceCents"].as_i64().unwrap();
    let added = c
        .ok(
            "shop-checkout",
            "add_to_cart",
            json!({ "session_id": sid, "product_id": id, "quantity": 3, "cart_id": cart_id }),
        )
        .await;
    assert_eq!(added["cartId"], cart_id.as_str());
    let co = c
        .ok(
            "shop-checkout",
            "checkout",
            json!({ "session_id": sid, "cart_id": cart_id }),
        )
        .await;
    assert_totals(&co["cart"], &[(id, 3, price)], false);
    let placed = c
        .ok(
            "shop-checkout",
            "place_order",
            json!({
                "session_id": sid, "cart_id": cart_id, "cart_version": co["cartVersion"],
                "idempotency_key": "stateless-order-1", "shipping": address("Alan Turing")
            }),
        )
        .await;
    let order = &placed["order"];
    assert_totals(order, &[(id, 3, price)], false);
    let order_id = order["orderId"].as_str().expect("orderId");
    let got = c
        .ok(
            "shop-checkout",
            "get_order",
            json!({ "session_id": sid, "order_id": order_id }),
        )
        .await;
    assert_eq!(&got["order"], order);
}

#[tokio::test]
async fn a_wrong_password_is_401_and_the_session_stays_signed_out() {
    let server = start_shop(&[], &[]);
    let mut c = ShopClient::new(&server, Transport::Streamable);
    let user = User::new(
        "Edsger Dijkstra",
        "edsger@example.com",
        "goto considered harmful",
    );
    c.signed_in_session(&user, "sign_up").await;

    let (sid, _) = c.new_session().await;
    let wrong = User::new(&user.name, &user.email, "goto is fine really");
    let a = authenticate(&c.api(), &wrong.body(&sid, "sign_in")).await;
    a.assert_error(StatusCode::UNAUTHORIZED);
    assert!(
        !a.body.to_string().contains("goto is fine"),
        "never echo a password: {:#}",
        a.body
    );
    let st = c
        .ok(
            "shop-auth",
            "get_shop_auth_status",
            json!({ "session_id": sid }),
        )
        .await;
    assert_eq!(st["signedIn"], false, "{st:#}");
    assert!(st.get("user").is_none_or(Value::is_null), "{st:#}");
    let r = c
        .ok("shop-auth", "sign_in_to_shop", json!({ "session_id": sid }))
        .await;
    assert_eq!(r["status"], "pending", "{r:#}");
    // The session can still be signed in with the right password.
    let a = authenticate(&c.api(), &user.body(&sid, "sign_in")).await;
    assert_eq!(a.status, StatusCode::OK, "{:#}", a.body);
    let st = c
        .ok(
            "shop-auth",
            "get_shop_auth_status",
            json!({ "session_id": sid }),
        )
        .await;
    assert_eq!(st["signedIn"], true, "{st:#}");
}

#[tokio::test]
async fn shipping_is_free_from_50_dollars_from_35_for_basic_members_and_always_for_plus() {
    let server = start_shop(&[], &[]);
    let mut c = ShopClient::new(&server, Transport::Streamable);
    let user = User::new(
        "Barbara Liskov",
        "barbara@example.com",
        "substitution principle",
    );
    let (sid, _) = c.signed_in_session(&user, "sign_up").await;
    // A $10-$15 product with stock for every quantity below (the catalog is
    // the same on every machine).
    let p = skyport_catalog::Catalog::shared()
        .products()
        .iter()
        .find(|p| (1000..=1500).contains(&p.price_cents) && p.stock >= 20)
        .expect("a $10-$15 product in stock");
    let id = p.id.clone();
    let price = p.price_cents;

    // One unit (under $35.00): $5.99 shipping; the threshold says $50.00.
    let cart = c.add(&sid, &id, 1).await["cart"].clone();
    assert_eq!(
        cart["freeShippingThresholdCents"], FREE_SHIPPING_CENTS,
        "{cart:#}"
    );
    assert_eq!(cart["shippingCents"], SHIPPING_CENTS, "{cart:#}");
    assert_totals(&cart, &[(&id, 1, price)], false);

    let set = |q: i64| json!({ "session_id": sid, "product_id": id, "quantity": q });
    // The fewest units that reach $35.00: still charged for a non-member...
    let q35 = (BASIC_FREE_SHIPPING_CENTS + price - 1) / price;
    let q50 = (FREE_SHIPPING_CENTS + price - 1) / price;
    assert!(q35 * price < FREE_SHIPPING_CENTS && q50 <= 99, "{price}");
    let view = c.ok("shop-checkout", "update_cart_item", set(q35)).await;
    assert_totals(&view["cart"], &[(&id, q35, price)], false);
    assert_eq!(view["cart"]["shippingCents"], SHIPPING_CENTS, "{view:#}");
    // ...and free from $50.00.
    let view = c.ok("shop-checkout", "update_cart_item", set(q50)).await;
    assert_totals(&view["cart"], &[(&id, q50, price)], false);
    assert_eq!(
        view["cart"]["shippingCents"], 0,
        "free from $50.00: {view:#}"
    );

    // A basic member ships free from $35.00, and pays below it.
    c.ok(
        "shop-membership",
        "join_membership",
        json!({ "session_id": sid, "tier": "basic" }),
    )
    .await;
    let view = c.ok("shop-checkout", "update_cart_item", set(q35)).await;
    assert_eq!(
        view["cart"]["freeShippingThresholdCents"], BASIC_FREE_SHIPPING_CENTS,
        "{view:#}"
    );
    assert_eq!(view["cart"]["shippingCents"], 0, "basic, $35.00+: {view:#}");
    let view = c
        .ok("shop-checkout", "update_cart_item", set(q35 - 1))
        .await;
    assert_eq!(view["cart"]["shippingCents"], SHIPPING_CENTS, "{view:#}");

    // A plus member never pays shipping.
    c.ok(
        "shop-membership",
        "join_membership",
        json!({ "session_id": sid, "tier": "plus" }),
    )
    .await;
    let cart = c.cart(&sid).await;
    assert_totals(&cart, &[(&id, q35 - 1, price)], true);
    assert_eq!(cart["freeShippingThresholdCents"], 0, "{cart:#}");
    // Removing the line empties the cart.
    let view = c
        .ok(
            "shop-checkout",
            "remove_from_cart",
            json!({ "session_id": sid, "product_id": id }),
        )
        .await;
    assert_eq!(view["cart"]["lines"], json!([]), "{view:#}");
    assert_eq!(view["cart"]["totalCents"], 0, "{view:#}");
}
