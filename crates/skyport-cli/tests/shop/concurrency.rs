//! The shop under concurrent use, on the real binary: retried and racing
//! `place_order` calls place one order, scarce stock is never oversold, and
//! two replicas on one PostgreSQL (+ Redis) store share sessions, carts and
//! the one-order-per-cart rule.

use crate::common::*;
use serde_json::{Value, json};

const APPS: &str = "shop-auth,shop-search,shop-checkout,shop-membership";
const PASSWORD: &str = "correct horse battery";

/// Calls `tool` of `app` on a stateless server; the `result`.
async fn call(server: &Server, app: &str, tool: &str, args: Value) -> Value {
    let reply = rpc(
        &server.mcp(app),
        &request(1, "tools/call", json!({ "name": tool, "arguments": args })),
        &[],
    )
    .await;
    reply.result().clone()
}

/// The structured result of a call that must succeed.
async fn ok(server: &Server, app: &str, tool: &str, args: Value) -> Value {
    let r = call(server, app, tool, args).await;
    assert_ne!(r["isError"], true, "{tool}: {}", first_text(&r));
    r["structuredContent"].clone()
}

/// A new session signed in as a new account; its id.
async fn shopper(server: &Server, email: &str) -> String {
    let s = ok(server, "shop-auth", "create_shopping_session", json!({})).await;
    let id = s["sessionId"].as_str().unwrap().to_owned();
    let resp = client()
        .post(server.url("/shop-auth/api/session/authenticate"))
        .json(&json!({
            "sessionId": id, "email": email, "password": PASSWORD,
            "mode": "sign_up", "name": "Racer"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    id
}

fn address() -> Value {
    json!({ "name": "Racer", "line1": "1 Main St", "city": "Springfield",
            "region": "IL", "postalCode": "62701", "country": "US" })
}

/// Adds `qty` of `product`, checks out; the place_order arguments minus the key.
async fn ready_to_buy(server: &Server, session: &str, product: &str, qty: i64) -> Value {
    ok(
        server,
        "shop-checkout",
        "add_to_cart",
        json!({ "session_id": session, "product_id": product, "quantity": qty }),
    )
    .await;
    let c = ok(
        server,
        "shop-checkout",
        "checkout",
        json!({ "session_id": session }),
    )
    .await;
    json!({
        "session_id": session, "cart_id": c["cartId"], "cart_version": c["cartVersion"],
        "shipping": address()
    })
}

fn with_key(args: &Value, key: &str) -> Value {
    let mut a = args.clone();
    a["idempotency_key"] = json!(key);
    a
}

#[tokio::test]
async fn racing_place_orders_place_one_order() {
    let server = Server::start(APPS, &["--stateless"]);
    let session = shopper(&server, "race@example.com").await;
    let args = ready_to_buy(&server, &session, "p00010", 1).await;

    // Six retries of one purchase at once: one order, the same id for all.
    let same = futures::future::join_all((0..6).map(|_| {
        call(
            &server,
            "shop-checkout",
            "place_order",
            with_key(&args, "same-key-0001"),
        )
    }))
    .await;
    let ids: Vec<&str> = same
        .iter()
        .filter(|r| r["isError"] != true)
        .map(|r| r["structuredContent"]["order"]["orderId"].as_str().unwrap())
        .collect();
    assert!(!ids.is_empty(), "{same:#?}");
    assert!(ids.iter().all(|i| *i == ids[0]), "{ids:?}");
    for r in same.iter().filter(|r| r["isError"] == true) {
        // A call that lost the race says so, and a retry returns the order.
        assert!(first_text(r).contains("being checked out"), "{r:#}");
    }
    let again = ok(
        &server,
        "shop-checkout",
        "place_order",
        with_key(&args, "same-key-0001"),
    )
    .await;
    assert_eq!(again["order"]["orderId"], ids[0]);

    // Another session's cart, bought with six different keys at once: one order.
    let session = shopper(&server, "race2@example.com").await;
    let args = ready_to_buy(&server, &session, "p00011", 2).await;
    let keys: Vec<String> = (0..6).map(|i| format!("other-key-{i:04}")).collect();
    let all = futures::future::join_all(
        keys.iter()
            .map(|k| call(&server, "shop-checkout", "place_order", with_key(&args, k))),
    )
    .await;
    let placed: Vec<&Value> = all.iter().filter(|r| r["isError"] != true).collect();
    assert_eq!(placed.len(), 1, "{all:#?}");
    let order = placed[0]["structuredContent"]["order"].clone();
    let got = ok(
        &server,
        "shop-checkout",
        "get_order",
        json!({ "session_id": session, "order_id": order["orderId"] }),
    )
    .await;
    assert_eq!(got["order"]["totalCents"], order["totalCents"]);
    assert_eq!(got["order"]["lines"][0]["quantity"], 2);
}

/// The id and stock of a catalog product with only a few units.
fn scarce_product() -> (String, u32) {
    let catalog = skyport_catalog::Catalog::shared();
    let p = catalog
        .products()
        .iter()
        .find(|p| (3..=6).contains(&p.stock))
        .expect("some product has 3 to 6 units");
    (p.id.clone(), p.stock)
}

#[tokio::test]
async fn scarce_stock_is_never_oversold() {
    let server = Server::start(APPS, &["--stateless"]);
    let (product, stock) = scarce_product();
    let stock = i64::from(stock);

    // More than there is cannot even go into a cart.
    let greedy = shopper(&server, "greedy@example.com").await;
    let r = call(
        &server,
        "shop-checkout",
        "add_to_cart",
        json!({ "session_id": greedy, "product_id": product, "quantity": stock + 1 }),
    )
    .await;
    assert_eq!(r["isError"], true, "{r:#}");
    assert!(
        first_text(&r).contains(&format!("Only {stock}")),
        "{}",
        first_text(&r)
    );

    // Two shoppers each hold all but one unit and buy at once: one wins.
    let a = shopper(&server, "a@example.com").await;
    let b = shopper(&server, "b@example.com").await;
    let args_a = ready_to_buy(&server, &a, &product, stock - 1).await;
    let args_b = ready_to_buy(&server, &b, &product, stock - 1).await;
    let (ra, rb) = tokio::join!(
        call(
            &server,
            "shop-checkout",
            "place_order",
            with_key(&args_a, "buyer-a-0001")
        ),
        call(
            &server,
            "shop-checkout",
            "place_order",
            with_key(&args_b, "buyer-b-0001")
        ),
    );
    let results = [&ra, &rb];
    let won: Vec<_> = results.iter().filter(|r| r["isError"] != true).collect();
    let lost: Vec<_> = results.iter().filter(|r| r["isError"] == true).collect();
    assert_eq!((won.len(), lost.len()), (1, 1), "{ra:#}\n{rb:#}");
    assert!(
        first_text(lost[0]).contains("Only 1"),
        "{}",
        first_text(lost[0])
    );

    // The loser's cart is untouched and can buy the last unit.
    let (loser, loser_args) = if ra["isError"] == true {
        (&a, &args_a)
    } else {
        (&b, &args_b)
    };
    let cart = ok(
        &server,
        "shop-checkout",
        "view_cart",
        json!({ "session_id": loser }),
    )
    .await;
    assert_eq!(cart["cart"]["checkedOut"], false);
    assert_eq!(cart["cart"]["lines"][0]["quantity"], stock - 1);
    ok(
        &server,
        "shop-checkout",
        "update_cart_item",
        json!({ "session_id": loser, "product_id": product, "quantity": 1 }),
    )
    .await;
    let c = ok(
        &server,
        "shop-checkout",
        "checkout",
        json!({ "session_id": loser }),
    )
    .await;
    let mut last = with_key(loser_args, "buyer-last-01");
    last["cart_version"] = c["cartVersion"].clone();
    ok(&server, "shop-checkout", "place_order", last).await;

    // Sold out now: search says so, and nobody can add it.
    let found = ok(
        &server,
        "shop-search",
        "search_products",
        json!({ "query": "", "page_size": 24 }),
    )
    .await;
    assert!(found["products"].is_array());
    let late = shopper(&server, "late@example.com").await;
    let r = call(
        &server,
        "shop-checkout",
        "add_to_cart",
        json!({ "session_id": late, "product_id": product }),
    )
    .await;
    assert!(
        first_text(&r).contains("out of stock"),
        "{}",
        first_text(&r)
    );
}

async fn replicas_share_the_shop(redis: bool, test: &str) {
    let Some((a, b, _schema)) = replicas_of(APPS, redis, test, &[("SKYPORT_STATELESS", "true")])
    else {
        return;
    };
    // A session made through one replica is used through the other.
    let session = shopper(&a, &format!("{test}@example.com")).await;
    ok(
        &b,
        "shop-checkout",
        "add_to_cart",
        json!({ "session_id": session, "product_id": "p00020", "quantity": 2 }),
    )
    .await;
    let cart = ok(
        &a,
        "shop-checkout",
        "view_cart",
        json!({ "session_id": session }),
    )
    .await;
    assert_eq!(cart["cart"]["itemCount"], 2, "{cart:#}");

    // Both replicas race to buy the cart with different keys: one order.
    let c = ok(
        &a,
        "shop-checkout",
        "checkout",
        json!({ "session_id": session }),
    )
    .await;
    let args = json!({
        "session_id": session, "cart_id": c["cartId"], "cart_version": c["cartVersion"],
        "shipping": address()
    });
    let (ra, rb) = tokio::join!(
        call(
            &a,
            "shop-checkout",
            "place_order",
            with_key(&args, "replica-a-01")
        ),
        call(
            &b,
            "shop-checkout",
            "place_order",
            with_key(&args, "replica-b-01")
        ),
    );
    let placed = [&ra, &rb].iter().filter(|r| r["isError"] != true).count();
    assert_eq!(placed, 1, "{ra:#}\n{rb:#}");
}

#[tokio::test]
async fn replicas_on_postgres_share_the_shop() {
    replicas_share_the_shop(false, "shop_replicas_pg").await;
}

#[tokio::test]
async fn replicas_on_postgres_and_redis_share_the_shop() {
    replicas_share_the_shop(true, "shop_replicas_pg_redis").await;
}

#[tokio::test]
async fn recommendations_follow_the_shoppers_orders() {
    let server = Server::start(APPS, &["--stateless"]);
    let session = shopper(&server, "taste@example.com").await;
    let bought = skyport_catalog::Catalog::shared()
        .product("p00010")
        .expect("p00010 exists")
        .clone();
    let before = ok(
        &server,
        "shop-search",
        "get_recommendations",
        json!({ "session_id": session }),
    )
    .await;
    assert_eq!(before["personalized"], false, "{before:#}");

    let args = ready_to_buy(&server, &session, &bought.id, 1).await;
    ok(
        &server,
        "shop-checkout",
        "place_order",
        with_key(&args, "taste-order-1"),
    )
    .await;

    let after = ok(
        &server,
        "shop-search",
        "get_recommendations",
        json!({ "session_id": session, "limit": 10 }),
    )
    .await;
    assert_eq!(after["personalized"], true, "{after:#}");
    assert_eq!(after["basedOn"]["orders"], 1);
    assert_eq!(
        after["basedOn"]["categories"][0],
        bought.category_name.as_str()
    );
    let picks = after["products"].as_array().unwrap();
    assert_eq!(picks.len(), 10, "{after:#}");
    // Picks come from what they buy, never the product they already have.
    assert!(
        picks.iter().all(|p| p["id"] != bought.id.as_str()),
        "{after:#}"
    );
    assert!(
        picks
            .iter()
            .all(|p| p["category"] == bought.category_name.as_str()),
        "{after:#}"
    );
    assert!(picks.iter().all(|p| p["inStock"] == true));
}
