//! Helpers of the shop tests (docs/shop.md): the four shop apps started on one
//! server, a [`ShopClient`] that calls their tools over any of the three
//! transports a host may use, the sign-in API of `shop-auth`, and the money
//! rules the server must follow, computed here independently, and the
//! assertions on the documented shapes (session ids, product cards, widgets).

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use super::{Server, client};

/// The `--apps` value that serves the whole shop.
pub const SHOP_APPS: &str = "shop-auth,shop-search,shop-checkout,shop-membership";

/// Tax rate in basis points (8.25 %).
pub const TAX_BP: i64 = 825;
/// Subtotal from which shipping is free for everyone.
pub const FREE_SHIPPING_CENTS: i64 = 5000;
/// Subtotal from which shipping is free for `basic` members.
pub const BASIC_FREE_SHIPPING_CENTS: i64 = 3500;
/// Shipping below the threshold, for non-members.
pub const SHIPPING_CENTS: i64 = 599;

/// `skyport serve` with the four shop apps, `extra` flags and `env`.
pub fn start_shop(extra: &[&str], env: &[(&str, &str)]) -> Server {
    Server::start_with_env(SHOP_APPS, extra, env)
}

#[allow(unused_imports)] // the shop tests name the transports through this module
pub use super::client::{AppClient as ShopClient, Transport};

impl ShopClient {
    /// The shop-auth API base (`{public_url}/shop-auth`).
    pub fn api(&self) -> String {
        format!("{}/shop-auth", self.base)
    }

    /// `create_shopping_session`: (sessionId, cartId).
    pub async fn new_session(&mut self) -> (String, String) {
        let s = self
            .ok("shop-auth", "create_shopping_session", json!({}))
            .await;
        (
            s["sessionId"].as_str().expect("sessionId").to_owned(),
            s["cartId"].as_str().expect("cartId").to_owned(),
        )
    }

    /// A new shopping session signed in through the HTTP API (`mode` is
    /// `sign_up` or `sign_in`): (sessionId, cartId).
    pub async fn signed_in_session(&mut self, user: &User, mode: &str) -> (String, String) {
        let (sid, cart) = self.new_session().await;
        let a = authenticate(&self.api(), &user.body(&sid, mode)).await;
        assert_eq!(a.status, StatusCode::OK, "{mode}: {:#}", a.body);
        let st = self
            .ok(
                "shop-auth",
                "get_shop_auth_status",
                json!({ "session_id": sid }),
            )
            .await;
        assert_eq!(st["signedIn"], true, "{st:#}");
        (sid, cart)
    }

    /// `view_cart`: the `CartView`.
    pub async fn cart(&mut self, sid: &str) -> Value {
        let v = self
            .ok("shop-checkout", "view_cart", json!({ "session_id": sid }))
            .await;
        v["cart"].clone()
    }

    /// `add_to_cart`: the whole structuredContent.
    pub async fn add(&mut self, sid: &str, product: &str, quantity: i64) -> Value {
        self.ok(
            "shop-checkout",
            "add_to_cart",
            json!({ "session_id": sid, "product_id": product, "quantity": quantity }),
        )
        .await
    }

    /// `search_products` with `args` (`query` required).
    pub async fn search(&mut self, args: Value) -> Value {
        self.ok("shop-search", "search_products", args).await
    }

    /// An in-stock product priced at most `max_cents`, the cheapest a few
    /// everyday searches find.
    pub async fn cheap_product(&mut self, max_cents: i64) -> Value {
        for query in [
            "fitness tracker",
            "cable",
            "socks",
            "mug",
            "pen",
            "book",
            "snack",
        ] {
            let r = self
                .search(json!({
                    "query": query, "max_price_cents": max_cents,
                    "sort": "price_low_to_high", "page_size": 24
                }))
                .await;
            let found = r["products"]
                .as_array()
                .expect("products")
                .iter()
                .find(|p| {
                    p["inStock"] == true && p["priceCents"].as_i64().is_some_and(|c| c <= max_cents)
                });
            if let Some(p) = found {
                return p.clone();
            }
        }
        panic!("no in-stock product under {max_cents} cents in a few searches");
    }
}

/// A shop account for the tests.
#[derive(Debug, Clone)]
pub struct User {
    pub name: String,
    pub email: String,
    pub password: String,
}

impl User {
    pub fn new(name: &str, email: &str, password: &str) -> Self {
        Self {
            name: name.into(),
            email: email.into(),
            password: password.into(),
        }
    }

    /// The `authenticate` body for `session` in `mode` (`sign_up` adds the name).
    pub fn body(&self, session: &str, mode: &str) -> Value {
        let mut b = json!({
            "sessionId": session, "email": self.email, "password": self.password, "mode": mode
        });
        if mode == "sign_up" {
            b["name"] = json!(self.name);
        }
        b
    }
}

/// An HTTP answer with a JSON body.
#[derive(Debug)]
pub struct ApiAnswer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl ApiAnswer {
    pub async fn from(r: reqwest::Response) -> Self {
        let status = r.status();
        let headers = r.headers().clone();
        let bytes = r.bytes().await.expect("read the body");
        let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            panic!(
                "not a JSON body ({status}): {}",
                String::from_utf8_lossy(&bytes)
            )
        });
        Self {
            status,
            headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `error.code`.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    /// `error.message`.
    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or_default()
    }

    /// Asserts `status` and the `{ success: false, error: { code, message } }` shape.
    pub fn assert_error(&self, status: StatusCode) {
        assert_eq!(self.status, status, "{:#}", self.body);
        assert_eq!(self.body["success"], false, "{:#}", self.body);
        assert!(!self.code().is_empty(), "an error code: {:#}", self.body);
        assert!(
            self.message().len() > 10,
            "a helpful message: {:#}",
            self.body
        );
    }
}

/// `POST {url}` with a raw body and content type.
pub async fn post_raw(url: &str, content_type: &str, body: Vec<u8>) -> ApiAnswer {
    let r = client()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("POST");
    ApiAnswer::from(r).await
}

/// `POST {api}/api/session/authenticate` with a JSON body.
pub async fn authenticate(api: &str, body: &Value) -> ApiAnswer {
    post_raw(
        &format!("{api}/api/session/authenticate"),
        "application/json",
        serde_json::to_vec(body).unwrap(),
    )
    .await
}

/// 8.25 % of `subtotal`, rounded half up to the cent.
pub fn tax_of(subtotal: i64) -> i64 {
    (subtotal * TAX_BP + 5_000) / 10_000
}

/// The shipping rule for non-members and plus members: free for plus
/// members or from $50.00, else $5.99 (basic members: see the journey test).
pub fn shipping_of(subtotal: i64, plus_member: bool) -> i64 {
    if plus_member || subtotal >= FREE_SHIPPING_CENTS {
        0
    } else {
        SHIPPING_CENTS
    }
}

/// Asserts a `CartView` (or `OrderView`) has the totals the rules give for
/// `expected` lines of (productId, quantity, unitPriceCents).
pub fn assert_totals(view: &Value, expected: &[(&str, i64, i64)], plus_member: bool) {
    let lines = view["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), expected.len(), "{view:#}");
    let mut subtotal = 0;
    for (id, qty, unit) in expected {
        let line = lines
            .iter()
            .find(|l| l["productId"] == *id)
            .unwrap_or_else(|| panic!("no line for {id}: {view:#}"));
        assert_eq!(line["quantity"], *qty, "{line:#}");
        assert_eq!(line["unitPriceCents"], *unit, "{line:#}");
        assert_eq!(line["lineTotalCents"], qty * unit, "{line:#}");
        assert!(
            line["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{line:#}"
        );
        subtotal += qty * unit;
    }
    let tax = tax_of(subtotal);
    let shipping = shipping_of(subtotal, plus_member);
    assert_eq!(view["subtotalCents"], subtotal, "subtotal: {view:#}");
    assert_eq!(view["taxCents"], tax, "tax 8.25 % half up: {view:#}");
    assert_eq!(view["shippingCents"], shipping, "shipping rule: {view:#}");
    assert_eq!(view["totalCents"], subtotal + tax + shipping, "{view:#}");
}

/// A US shipping address.
pub fn address(name: &str) -> Value {
    json!({
        "name": name, "line1": "1 Infinite Loop", "city": "Cupertino",
        "region": "CA", "postalCode": "95014", "country": "US"
    })
}

/// Asserts `text` contains every one of `needles` (case-insensitive), and, for
/// each group in `any_of`, at least one of its words.
pub fn assert_says(text: &str, needles: &[&str], any_of: &[&[&str]]) {
    let lower = text.to_lowercase();
    for n in needles {
        assert!(
            lower.contains(&n.to_lowercase()),
            "the message should mention {n:?}: {text}"
        );
    }
    for group in any_of {
        assert!(
            group.iter().any(|w| lower.contains(&w.to_lowercase())),
            "the message should mention one of {group:?}: {text}"
        );
    }
}

/// Asserts `id` is `shop_` + 32 lowercase hex digits.
pub fn assert_session_id(id: &str) {
    let hex = id
        .strip_prefix("shop_")
        .unwrap_or_else(|| panic!("a session id starts with shop_: {id}"));
    assert!(
        hex.len() == 32
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "shop_ + 32 hex digits: {id}"
    );
}

/// Asserts an RFC 3339 timestamp (`YYYY-MM-DDTHH:MM:SS…`).
pub fn assert_timestamp(v: &Value) {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("a timestamp string: {v}"));
    let b = s.as_bytes();
    assert!(
        b.len() >= 20 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':',
        "RFC 3339: {s}"
    );
}

/// Asserts the `ProductCard` shape; `base` is the server's public URL.
pub fn assert_card(p: &Value, base: &str) {
    let id = p["id"].as_str().unwrap_or_else(|| panic!("id: {p:#}"));
    assert!(
        id.len() == 6 && id.starts_with('p') && id[1..].bytes().all(|b| b.is_ascii_digit()),
        "p + 5 digits: {p:#}"
    );
    for key in ["title", "brand", "category", "summary"] {
        assert!(
            p[key].as_str().is_some_and(|s| !s.is_empty()),
            "{key}: {p:#}"
        );
    }
    assert!(p["priceCents"].as_i64().is_some_and(|c| c > 0), "{p:#}");
    assert!(
        p["rating"]
            .as_f64()
            .is_some_and(|r| (0.0..=5.0).contains(&r)),
        "{p:#}"
    );
    assert!(p["reviewCount"].as_i64().is_some_and(|c| c >= 0), "{p:#}");
    assert!(p["inStock"].is_boolean(), "{p:#}");
    assert_eq!(
        p["imageUrl"],
        format!("{base}/shop-search/images/{id}.svg"),
        "{p:#}"
    );
}

/// The tool names an app lists.
pub async fn tool_names(c: &mut ShopClient, app: &str) -> Vec<String> {
    let list = c.rpc(app, "tools/list", json!({})).await;
    let mut names: Vec<String> = list["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

/// Asserts `tool` on `app` renders `ui://{app}/{widget}.<hash>.html`, and
/// that the template reads as HTML; returns the `resources/read` content.
pub async fn assert_widget(c: &mut ShopClient, app: &str, tool: &str, widget: &str) -> Value {
    let list = c.rpc(app, "tools/list", json!({})).await;
    let t = super::widgets::tool(&list, tool);
    let uri = t["_meta"]["ui"]["resourceUri"]
        .as_str()
        .unwrap_or_else(|| panic!("{app}/{tool} has no widget: {t:#}"))
        .to_owned();
    assert!(
        uri.starts_with(&format!("ui://{app}/{widget}.")) && uri.ends_with(".html"),
        "{app}/{tool}: {uri}"
    );
    assert!(t["_meta"]["openai/outputTemplate"].is_string(), "{t:#}");
    let read = c.rpc(app, "resources/read", json!({ "uri": uri })).await;
    let content = read["contents"][0].clone();
    assert!(
        content["text"].as_str().is_some_and(|h| h.contains('<')),
        "{uri} is HTML: {read:#}"
    );
    content
}

/// GET an image URL: 200 `image/svg+xml` with an `<svg` document.
pub async fn assert_svg(url: &str) {
    let r = client().get(url).send().await.expect("GET image");
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("image/svg+xml"), "{url}: {ct}");
    let body = r.text().await.unwrap();
    assert!(body.contains("<svg"), "{url}: {body}");
}
