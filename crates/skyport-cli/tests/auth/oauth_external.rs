//! An external OpenID Connect provider instead of the built-in server: a
//! stand-in provider (discovery document and JWKS on a local socket) signs
//! ES256 access tokens; Skyport checks signature, issuer, audience, expiry
//! and scopes, fetching the keys through discovery.

use crate::common::oidc::{KEY, OTHER_KEY, now, provider, sign};
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn whoami(server: &Server, tool: &str, token: &str) -> reqwest::Response {
    post_json(
        &server.mcp("probe"),
        &request(1, "tools/call", json!({"name": tool, "arguments": {}})),
        &[
            ("mcp-protocol-version", "2025-06-18"),
            ("authorization", &format!("Bearer {token}")),
        ],
    )
    .await
}

#[tokio::test]
async fn jwts_of_an_external_issuer_are_checked_with_its_jwks() {
    let issuer = provider().await;
    let server = Server::start_with_env(
        "probe",
        &["--stateless"],
        &[
            ("SKYPORT_AUTH_OAUTH_EXTERNAL_ISSUER", issuer.as_str()),
            ("SKYPORT_AUTH_OAUTH_ALLOW_PRIVATE_FETCH", "true"),
        ],
    );
    let aud = server.url("/probe/mcp");
    let claims = |over: Value| {
        let mut c = json!({"iss": issuer, "aud": aud, "sub": "auth0|42", "exp": now() + 300,
                           "scope": "openid probe.read", "azp": "chatgpt"});
        c.as_object_mut()
            .unwrap()
            .extend(over.as_object().unwrap().clone());
        c
    };

    // The metadata points at the external issuer; no built-in server runs.
    let prm: Value = client()
        .get(server.url("/.well-known/oauth-protected-resource/probe/mcp"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(prm["authorization_servers"], json!([issuer]));
    let r = client()
        .post(server.url("/oauth/token"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A good token runs the tool as its subject.
    let reply =
        read_reply(whoami(&server, "whoami", &sign(KEY, "k1", &claims(json!({})))).await).await;
    assert_eq!(reply.result()["isError"], false, "{}", reply.result());
    assert_eq!(reply.result()["structuredContent"]["subject"], "auth0|42");
    assert_eq!(reply.result()["structuredContent"]["client_id"], "chatgpt");
    // Valid, but without the scope the tool needs: the linking challenge.
    let reply = read_reply(
        whoami(
            &server,
            "admin_whoami",
            &sign(KEY, "k1", &claims(json!({}))),
        )
        .await,
    )
    .await;
    assert_eq!(reply.result()["isError"], true);
    assert!(
        reply.result()["_meta"]["mcp/www_authenticate"][0]
            .as_str()
            .unwrap()
            .contains("probe.admin")
    );

    for (what, token, expect) in [
        (
            "another audience",
            sign(
                KEY,
                "k1",
                &claims(json!({"aud": "https://other.example.com/mcp"})),
            ),
            "another resource",
        ),
        (
            "expired",
            sign(KEY, "k1", &claims(json!({"exp": now() - 600}))),
            "expired",
        ),
        (
            "another issuer",
            sign(
                KEY,
                "k1",
                &claims(json!({"iss": "https://evil.example.com"})),
            ),
            "not valid",
        ),
        (
            "forged signature",
            sign(OTHER_KEY, "k1", &claims(json!({}))),
            "not valid",
        ),
        (
            "unknown key",
            sign(OTHER_KEY, "k2", &claims(json!({}))),
            "not valid",
        ),
        ("not a JWT", "eyJhbGciOi.garbage".to_owned(), "not valid"),
    ] {
        let r = whoami(&server, "whoami", &token).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{what}");
        let www = r.headers()["www-authenticate"].to_str().unwrap().to_owned();
        assert!(www.contains("resource_metadata="), "{what}: {www}");
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error_description"].as_str().unwrap().contains(expect),
            "{what}: {body}"
        );
    }
}

#[tokio::test]
async fn a_fully_protected_app_answers_401_without_a_token_and_403_without_its_scopes() {
    let issuer = provider().await;
    let server = Server::start_with_env(
        "probe",
        &["--stateless"],
        &[
            ("SKYPORT_AUTH_OAUTH_EXTERNAL_ISSUER", issuer.as_str()),
            ("SKYPORT_AUTH_OAUTH_ALLOW_PRIVATE_FETCH", "true"),
            ("SKYPORT_AUTH_OAUTH_REQUIRE", "probe"),
        ],
    );
    let claims = |scope: &str| json!({"iss": issuer, "aud": server.url("/probe/mcp"), "sub": "u1", "exp": now() + 300, "scope": scope});
    // No token at all: 401 naming the metadata and the scopes.
    let r = post_json(
        &server.mcp("probe"),
        &request(1, "tools/list", json!({})),
        &[("mcp-protocol-version", "2025-06-18")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let www = r.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(
        www.contains("resource_metadata=") && www.contains(r#"scope="probe.admin probe.read""#),
        "{www}"
    );
    // A valid token with none of the app's scopes: 403 insufficient_scope.
    let r = whoami(&server, "whoami", &sign(KEY, "k1", &claims("openid email"))).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains(r#"error="insufficient_scope""#)
    );
    // One of them is enough to get in.
    let reply =
        read_reply(whoami(&server, "whoami", &sign(KEY, "k1", &claims("probe.read"))).await).await;
    assert_eq!(reply.result()["isError"], false, "{}", reply.result());
}
