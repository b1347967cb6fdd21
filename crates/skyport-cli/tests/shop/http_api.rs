//! The shop's plain HTTP API (docs/shop.md) on the real binary: the sign-in
//! route of `shop-auth` with every refusal as `{ success: false, error: {
//! code, message } }`, its CORS preflight, the demo reset (off unless
//! `SKYPORT_SHOP_DEMO=1`), and the generated product images of `shop-search`.

use std::time::{Duration, Instant};

use crate::common::shop::*;
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const AUTH: &str = "/shop-auth/api/session/authenticate";

fn ada() -> User {
    User::new("Ada Lovelace", "ada@example.com", "analytical engine 1843")
}

/// A server and a fresh (signed-out) shopping session on it.
async fn server_and_session(env: &[(&str, &str)]) -> (Server, ShopClient, String) {
    let server = start_shop(&[], env);
    let mut c = ShopClient::new(&server, Transport::Streamable);
    let (sid, _) = c.new_session().await;
    (server, c, sid)
}

#[tokio::test]
async fn sign_up_and_sign_in_answer_the_user_and_never_the_password() {
    let (server, mut c, sid) = server_and_session(&[]).await;
    let user = ada();
    let a = authenticate(&server.url("/shop-auth"), &user.body(&sid, "sign_up")).await;
    assert_eq!(a.status, StatusCode::OK, "{:#}", a.body);
    assert_eq!(
        a.body,
        json!({ "success": true, "user": { "name": user.name, "email": user.email } })
    );
    let (sid2, _) = c.new_session().await;
    let a = authenticate(&server.url("/shop-auth"), &user.body(&sid2, "sign_in")).await;
    assert_eq!(a.status, StatusCode::OK, "{:#}", a.body);
    assert_eq!(a.body["user"]["email"], user.email.as_str());
    // `mode` defaults to sign_in.
    let (sid3, _) = c.new_session().await;
    let body = json!({ "sessionId": sid3, "email": user.email, "password": user.password });
    let a = authenticate(&server.url("/shop-auth"), &body).await;
    assert_eq!(a.status, StatusCode::OK, "{:#}", a.body);
    let st = c
        .ok(
            "shop-auth",
            "get_shop_auth_status",
            json!({ "session_id": sid3 }),
        )
        .await;
    assert_eq!(st["signedIn"], true, "{st:#}");
}

#[tokio::test]
async fn malformed_mistyped_and_oversize_bodies_are_json_errors() {
    let (server, _c, sid) = server_and_session(&[]).await;
    let url = server.url(AUTH);

    let a = post_raw(&url, "application/json", b"{\"sessionId\":".to_vec()).await;
    a.assert_error(StatusCode::BAD_REQUEST);
    let a = post_raw(&url, "application/json", b"[1, 2, 3]".to_vec()).await;
    a.assert_error(StatusCode::BAD_REQUEST);

    let body = serde_json::to_vec(&ada().body(&sid, "sign_in")).unwrap();
    let a = post_raw(&url, "text/plain", body.clone()).await;
    a.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let a = post_raw(&url, "application/x-www-form-urlencoded", b"a=b".to_vec()).await;
    a.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let big = json!({
        "sessionId": sid, "email": "a@example.com", "password": "x".repeat(17 * 1024)
    });
    let a = post_raw(&url, "application/json", serde_json::to_vec(&big).unwrap()).await;
    a.assert_error(StatusCode::PAYLOAD_TOO_LARGE);

    // Missing or mistyped fields: 400, naming the field, never echoing a value.
    let a = authenticate(
        &server.url("/shop-auth"),
        &json!({ "sessionId": sid, "email": "a@example.com" }),
    )
    .await;
    a.assert_error(StatusCode::BAD_REQUEST);
    assert!(a.message().contains("password"), "{:#}", a.body);
    let a = authenticate(
        &server.url("/shop-auth"),
        &json!({ "sessionId": sid, "email": "a@example.com", "password": 31415926 }),
    )
    .await;
    a.assert_error(StatusCode::BAD_REQUEST);
    assert!(!a.body.to_string().contains("31415926"), "{:#}", a.body);
    let a = authenticate(
        &server.url("/shop-auth"),
        &json!({ "sessionId": sid, "email": "a@example.com", "password": "long enough", "mode": "sign_sideways" }),
    )
    .await;
    a.assert_error(StatusCode::BAD_REQUEST);
    // Sign-up needs a name.
    let a = authenticate(
        &server.url("/shop-auth"),
        &json!({ "sessionId": sid, "email": "a@example.com", "password": "long enough", "mode": "sign_up" }),
    )
    .await;
    a.assert_error(StatusCode::BAD_REQUEST);
    assert!(a.message().contains("name"), "{:#}", a.body);
}

#[tokio::test]
async fn unknown_and_malformed_session_ids_are_400() {
    let (server, _c, _sid) = server_and_session(&[]).await;
    let api = server.url("/shop-auth");
    let unknown = format!("shop_{}", "0".repeat(32));
    for sid in [unknown.as_str(), "shop_xyz", "not-a-session", ""] {
        let a = authenticate(&api, &ada().body(sid, "sign_up")).await;
        a.assert_error(StatusCode::BAD_REQUEST);
        assert!(
            a.message().to_lowercase().contains("session"),
            "{:#}",
            a.body
        );
    }
}

#[tokio::test]
async fn an_expired_session_is_400() {
    let (server, _c, sid) = server_and_session(&[("SKYPORT_SHOP_SESSION_IDLE_SECS", "2")]).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let a = authenticate(&server.url("/shop-auth"), &ada().body(&sid, "sign_up")).await;
    a.assert_error(StatusCode::BAD_REQUEST);
    assert!(
        a.message().to_lowercase().contains("session"),
        "{:#}",
        a.body
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_email_are_the_same_401_and_a_taken_email_is_409() {
    let (server, mut c, sid) = server_and_session(&[]).await;
    let api = server.url("/shop-auth");
    let user = ada();
    let a = authenticate(&api, &user.body(&sid, "sign_up")).await;
    assert_eq!(a.status, StatusCode::OK, "{:#}", a.body);

    let (sid2, _) = c.new_session().await;
    let wrong = authenticate(
        &api,
        &User::new("", &user.email, "not her password").body(&sid2, "sign_in"),
    )
    .await;
    wrong.assert_error(StatusCode::UNAUTHORIZED);
    let unknown = authenticate(
        &api,
        &User::new("", "nobody@example.com", "not her password").body(&sid2, "sign_in"),
    )
    .await;
    unknown.assert_error(StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong.body, unknown.body,
        "an unknown email reads like a wrong password"
    );

    let dup = authenticate(
        &api,
        &User::new("Impostor", "ADA@example.com", "another password").body(&sid2, "sign_up"),
    )
    .await;
    dup.assert_error(StatusCode::CONFLICT);
    let dup = authenticate(
        &api,
        &User::new("Impostor", &user.email, "another password").body(&sid2, "sign_up"),
    )
    .await;
    dup.assert_error(StatusCode::CONFLICT);
    let st = c
        .ok(
            "shop-auth",
            "get_shop_auth_status",
            json!({ "session_id": sid2 }),
        )
        .await;
    assert_eq!(st["signedIn"], false, "{st:#}");
}

#[tokio::test]
async fn the_cors_preflight_is_answered_for_the_widget_frame() {
    let (server, _c, sid) = server_and_session(&[]).await;
    let pre = client()
        .request(reqwest::Method::OPTIONS, server.url(AUTH))
        .header("origin", "null")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(pre.status().is_success(), "{}", pre.status());
    let h = pre.headers();
    let allow_origin = h["access-control-allow-origin"].to_str().unwrap();
    assert!(matches!(allow_origin, "*" | "null"), "{allow_origin}");
    let methods = h["access-control-allow-methods"].to_str().unwrap();
    assert!(methods.contains("POST"), "{methods}");
    let headers = h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        headers.contains("content-type") || headers == "*",
        "{headers}"
    );
    // The answer itself carries the CORS header too.
    let r = client()
        .post(server.url(AUTH))
        .header("origin", "null")
        .json(&ada().body(&sid, "sign_up"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("access-control-allow-origin").is_some());
}

#[tokio::test]
async fn demo_reset_is_404_when_demo_mode_is_off() {
    let (server, mut c, sid) = server_and_session(&[]).await;
    let r = client()
        .post(server.url("/shop-auth/api/demo/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Nothing was reset.
    c.ok(
        "shop-auth",
        "get_shop_auth_status",
        json!({ "session_id": sid }),
    )
    .await;
}

/// JSON log lines after byte `from` of the server's stderr.
fn log_lines_after(server: &Server, from: usize) -> Vec<Value> {
    server.stderr()[from..]
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[tokio::test]
async fn demo_reset_ends_every_shopping_session_and_is_logged() {
    let (server, mut c, sid) = server_and_session(&[("SKYPORT_SHOP_DEMO", "1")]).await;
    let a = authenticate(&c.api(), &ada().body(&sid, "sign_up")).await;
    assert_eq!(a.status, StatusCode::OK, "{:#}", a.body);
    let (other, _) = c.new_session().await;

    let mark = server.stderr().len();
    let r = client()
        .post(server.url("/shop-auth/api/demo/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // The reset is logged (a line whose message names the demo reset).
    let until = Instant::now() + STEP;
    loop {
        let logged = log_lines_after(&server, mark).iter().any(|l| {
            let m = l["message"].as_str().unwrap_or_default().to_lowercase();
            m.contains("demo") && !m.contains("/api/demo/reset")
        });
        if logged {
            break;
        }
        assert!(
            Instant::now() < until,
            "no log line about the demo reset:\n{}",
            &server.stderr()[mark..]
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Every old session is gone: tools say to start again, the API refuses it.
    for s in [&sid, &other] {
        let t = c
            .err(
                "shop-auth",
                "get_shop_auth_status",
                json!({ "session_id": s }),
            )
            .await;
        assert_says(&t, &["create_shopping_session"], &[]);
    }
    let a = authenticate(&c.api(), &ada().body(&other, "sign_in")).await;
    a.assert_error(StatusCode::BAD_REQUEST);
    // A new session works.
    let (fresh, _) = c.new_session().await;
    c.ok(
        "shop-auth",
        "get_shop_auth_status",
        json!({ "session_id": fresh }),
    )
    .await;
}

#[tokio::test]
async fn product_images_are_generated_svg_and_unknown_ids_are_404() {
    let server = start_shop(&[], &[]);
    let r = client()
        .get(server.url("/shop-search/images/p00001.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("image/svg+xml"), "{ct}");
    let svg = r.text().await.unwrap();
    assert!(svg.contains("<svg"), "{svg}");
    assert!(
        !svg.to_lowercase().contains("<script"),
        "no script in an image: {svg}"
    );
    for path in [
        "/shop-search/images/p99999.svg",
        "/shop-search/images/nope.svg",
        "/shop-search/images/p00001.png",
        "/shop-search/images/..%2F..%2Fetc%2Fpasswd",
    ] {
        let r = client().get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
}
