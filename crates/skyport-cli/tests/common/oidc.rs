//! A stand-in OpenID Connect provider on a local socket (discovery document
//! and JWKS) and ES256 tokens signed with its key, for the tests of apps
//! that accept an external issuer's access tokens.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::routing::get;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// The provider's signing key (its JWKS publishes it as `k1`).
pub const KEY: &[u8] = include_bytes!("../fixtures/oidc-test-key.pem");
/// A key the provider does not publish.
pub const OTHER_KEY: &[u8] = include_bytes!("../fixtures/oidc-other-key.pem");

/// Serves `/.well-known/openid-configuration` and `/jwks.json`; returns the issuer URL.
pub async fn provider() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let key = EncodingKey::from_ec_pem(KEY).unwrap();
    let mut jwk = Jwk::from_encoding_key(&key, Algorithm::ES256).unwrap();
    jwk.common.key_id = Some("k1".into());
    let jwks = serde_json::to_value(JwkSet { keys: vec![jwk] }).unwrap();
    let discovery = json!({"issuer": issuer, "jwks_uri": format!("{issuer}/jwks.json")});
    let app = axum::Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(move || async move { Json(discovery) }),
        )
        .route("/jwks.json", get(move || async move { Json(jwks) }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    issuer
}

/// `claims` signed with `key`, naming key id `kid`.
pub fn sign(key: &[u8], kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_ec_pem(key).unwrap()).unwrap()
}

/// Unix seconds.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A token from [`provider`] `issuer` for `audience`, as `sub`, with `scope`.
pub fn token(issuer: &str, audience: &str, sub: &str, scope: &str) -> String {
    sign(
        KEY,
        "k1",
        &json!({"iss": issuer, "aud": audience, "sub": sub, "exp": now() + 300,
                "scope": scope, "azp": "chatgpt"}),
    )
}
