//! OAuth 2.1 end to end against the real binary with the built-in
//! authorization server: discovery from a challenge, dynamic registration,
//! the sign-in and consent form, PKCE S256, token exchange, refresh with
//! rotation, protected tools — and every refusal: forged and wrong-audience
//! tokens, PKCE mismatch, reused codes and refresh tokens, unregistered
//! redirect URIs, unknown clients, missing scopes, brute-force sign-in,
//! oversize and malformed bodies.

use crate::common::*;
use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const REDIRECT: &str = "http://127.0.0.1:9/callback";
const PASSWORD: &str = "correct horse battery";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn pkce() -> (String, String) {
    let verifier = format!("v{:0>60}", rand_hex());
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn rand_hex() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

/// Calls a tool through Streamable HTTP (stateless 2025-06-18) with an optional token.
async fn call_tool(
    server: &Server,
    app: &str,
    tool: &str,
    token: Option<&str>,
) -> reqwest::Response {
    let auth = token.map(|t| format!("Bearer {t}")).unwrap_or_default();
    post_json(
        &server.mcp(app),
        &request(1, "tools/call", json!({"name": tool, "arguments": {}})),
        &[
            ("mcp-protocol-version", "2025-06-18"),
            ("authorization", &auth),
        ],
    )
    .await
}

async fn register(server: &Server) -> String {
    let r = client()
        .post(server.url("/oauth/register"))
        .json(&json!({"redirect_uris": [REDIRECT], "client_name": "Test <b>client</b>", "token_endpoint_auth_method": "none"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: Value = r.json().await.unwrap();
    assert!(
        body.get("client_secret").is_none(),
        "a public client has no secret"
    );
    body["client_id"].as_str().unwrap().to_owned()
}

fn authorize_query(
    server: &Server,
    client_id: &str,
    challenge: &str,
    redirect: &str,
    scope: &str,
) -> Vec<(String, String)> {
    [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect),
        ("state", "st-123"),
        ("scope", scope),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("resource", &server.url("/probe/mcp")),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

/// Opens the consent page; returns the form's hidden fields and the CSRF cookie.
async fn open_page(server: &Server, query: &[(String, String)]) -> (Vec<(String, String)>, String) {
    let r = no_redirects()
        .get(server.url("/oauth/authorize"))
        .query(query)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Test &lt;b&gt;client&lt;/b&gt;"),
        "the client name is escaped"
    );
    let hidden = html
        .split(r#"<input type="hidden" name=""#)
        .skip(1)
        .map(|rest| {
            let (name, rest) = rest.split_once('"').unwrap();
            let value = rest
                .split_once(r#"value=""#)
                .unwrap()
                .1
                .split_once('"')
                .unwrap()
                .0;
            (
                name.to_owned(),
                value.replace("&amp;", "&").replace("&quot;", "\""),
            )
        })
        .collect();
    (hidden, cookie)
}

/// Submits the form; returns the response (303 on success).
async fn submit(
    server: &Server,
    hidden: &[(String, String)],
    cookie: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let mut form: Vec<(String, String)> = hidden.to_vec();
    form.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    no_redirects()
        .post(server.url("/oauth/authorize"))
        .header("cookie", cookie)
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// The whole authorization step: a code for `email`.
async fn get_code(
    server: &Server,
    client_id: &str,
    challenge: &str,
    email: &str,
    sign_up: bool,
) -> String {
    let q = authorize_query(server, client_id, challenge, REDIRECT, "probe.read");
    let (mut hidden, cookie) = open_page(server, &q).await;
    if sign_up {
        hidden.retain(|(k, _)| k != "form_mode");
        hidden.push(("form_mode".into(), "sign_up".into()));
    }
    let r = submit(
        server,
        &hidden,
        &cookie,
        &[
            ("email", email),
            ("password", PASSWORD),
            ("name", "Ada"),
            ("decision", "allow"),
        ],
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(REDIRECT));
    let params: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(params["state"], "st-123");
    assert_eq!(params["iss"], server.base, "RFC 9207 iss");
    params["code"].clone()
}

async fn token_request(server: &Server, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let r = client()
        .post(server.url("/oauth/token"))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    assert_eq!(r.headers()["cache-control"], "no-store");
    (status, r.json().await.unwrap())
}

#[tokio::test]
async fn the_whole_flow_then_every_refusal() {
    let server = Server::start("probe,account", &["--stateless"]);

    // 1. Anonymous call of a protected tool: an error result with the linking challenge.
    let reply = read_reply(call_tool(&server, "probe", "whoami", None).await).await;
    let result = reply.result();
    assert_eq!(result["isError"], true, "{result}");
    let challenge = result["_meta"]["mcp/www_authenticate"][0]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(challenge.contains("scope=\"probe.read\""), "{challenge}");

    // 2. A forged token: 401 whose challenge leads to the metadata.
    let r = call_tool(&server, "probe", "whoami", Some("sat_forged")).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let www = r.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(www.contains("error=\"invalid_token\""), "{www}");
    let prm_url = www
        .split("resource_metadata=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        prm_url,
        server.url("/.well-known/oauth-protected-resource/probe/mcp")
    );
    assert!(
        challenge.contains(&prm_url),
        "the tool challenge names the same metadata"
    );

    // 3. Discovery: protected resource, then the authorization server.
    let prm: Value = client()
        .get(&prm_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(prm["resource"], server.url("/probe/mcp"));
    let issuer = prm["authorization_servers"][0].as_str().unwrap().to_owned();
    assert_eq!(issuer, server.base);
    assert_eq!(
        prm["scopes_supported"],
        json!(["probe.admin", "probe.read"])
    );
    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
    ] {
        let meta: Value = client()
            .get(server.url(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(meta["issuer"], issuer);
        assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(meta["client_id_metadata_document_supported"], true);
        assert_eq!(meta["token_endpoint"], server.url("/oauth/token"));
    }

    // 4. Registration, then a code through the sign-in form (a new account).
    let client_id = register(&server).await;
    let (verifier, challenge) = pkce();
    let code = get_code(&server, &client_id, &challenge, "ada@example.com", true).await;

    // 5. PKCE mismatch: refused, and the code is gone.
    let (wrong_verifier, _) = pkce();
    let (status, body) = token_request(
        &server,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", &client_id),
            ("code_verifier", &wrong_verifier),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant")),
        "{body}"
    );
    let (status, _) = token_request(
        &server,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", &client_id),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a code works once, even after a failed exchange"
    );

    // 6. A fresh code (signing in this time), exchanged properly.
    let code = get_code(&server, &client_id, &challenge, "ada@example.com", false).await;
    let resource = server.url("/probe/mcp");
    let (status, tokens) = token_request(
        &server,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", &client_id),
            ("code_verifier", &verifier),
            ("resource", &resource),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["scope"], "probe.read");
    assert_eq!(tokens["expires_in"], 900);
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();

    // 7. The protected tool runs as the user; a tool needing another scope does not.
    let reply = read_reply(call_tool(&server, "probe", "whoami", Some(&access)).await).await;
    assert_eq!(reply.result()["isError"], false, "{}", reply.result());
    let who = &reply.result()["structuredContent"];
    assert!(
        who["subject"].as_str().unwrap().starts_with("usr_"),
        "{who}"
    );
    assert_eq!(who["client_id"], client_id.as_str());
    let reply = read_reply(call_tool(&server, "probe", "admin_whoami", Some(&access)).await).await;
    assert_eq!(reply.result()["isError"], true);
    let c = reply.result()["_meta"]["mcp/www_authenticate"][0]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        c.contains("scope=\"probe.admin\"") && c.contains("probe.admin"),
        "{c}"
    );

    // 8. Wrong audience: the token was issued for /probe/mcp, not /account/mcp.
    let r = call_tool(&server, "account", "get_user_profile", Some(&access)).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("another resource"));

    // 9. Refresh rotates; the old refresh token used again revokes everything.
    let (status, next) = token_request(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{next}");
    let access2 = next["access_token"].as_str().unwrap().to_owned();
    let refresh2 = next["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(refresh2, refresh);
    let reply = read_reply(call_tool(&server, "probe", "whoami", Some(&access2)).await).await;
    assert_eq!(reply.result()["isError"], false);
    let (status, body) = token_request(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant")),
        "{body}"
    );
    let (status, _) = token_request(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh2),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "reuse revoked the newer refresh token too"
    );
    let r = call_tool(&server, "probe", "whoami", Some(&access2)).await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "and the access tokens of the grant"
    );

    // 10. A reused authorization code revokes what its first use issued.
    let code = get_code(&server, &client_id, &challenge, "ada@example.com", false).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("client_id", client_id.as_str()),
        ("code_verifier", verifier.as_str()),
    ];
    let (status, tokens) = token_request(&server, &form).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = token_request(&server, &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let r = call_tool(&server, "probe", "whoami", tokens["access_token"].as_str()).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // 11. Unknown clients get 401 invalid_client (hosts then register again).
    let (status, body) = token_request(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "srt_x"),
            ("client_id", "skc_unknown"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );

    // 12. An unregistered redirect URI: an error page, never a redirect.
    let q = authorize_query(
        &server,
        &client_id,
        &challenge,
        "https://evil.example.com/cb",
        "probe.read",
    );
    let r = no_redirects()
        .get(server.url("/oauth/authorize"))
        .query(&q)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().get("location").is_none());
    // A scope the app does not offer goes back as invalid_scope.
    let q = authorize_query(&server, &client_id, &challenge, REDIRECT, "everything");
    let r = no_redirects()
        .get(server.url("/oauth/authorize"))
        .query(&q)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error=invalid_scope")
    );
    // A form without its CSRF cookie is refused.
    let q = authorize_query(&server, &client_id, &challenge, REDIRECT, "probe.read");
    let (hidden, _cookie) = open_page(&server, &q).await;
    let r = submit(
        &server,
        &hidden,
        "skyport_oauth_csrf=other",
        &[
            ("email", "ada@example.com"),
            ("password", PASSWORD),
            ("decision", "allow"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // 13. Brute force: wrong passwords are refused, then the account is throttled.
    let (hidden, cookie) = open_page(&server, &q).await;
    // Two sign-ins above; eight wrong passwords make ten attempts.
    for _ in 0..8 {
        let r = submit(
            &server,
            &hidden,
            &cookie,
            &[
                ("email", "ada@example.com"),
                ("password", "wrong password"),
                ("decision", "allow"),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("email or password is not correct") && !html.contains("wrong password")
        );
    }
    let r = submit(
        &server,
        &hidden,
        &cookie,
        &[
            ("email", "ada@example.com"),
            ("password", PASSWORD),
            ("decision", "allow"),
        ],
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "10 attempts per account per 15 minutes"
    );
    assert!(r.headers().contains_key("retry-after"));

    // 14. Oversize and malformed bodies on every endpoint.
    let big = "x".repeat(32 * 1024);
    for (path, ct) in [
        ("/oauth/token", "application/x-www-form-urlencoded"),
        ("/oauth/register", "application/json"),
        ("/oauth/revoke", "application/x-www-form-urlencoded"),
        ("/oauth/authorize", "application/x-www-form-urlencoded"),
    ] {
        let r = client()
            .post(server.url(path))
            .header("content-type", ct)
            .body(format!("a={big}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
    }
    let r = client()
        .post(server.url("/oauth/register"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "invalid_client_metadata"
    );
    let r = client()
        .post(server.url("/oauth/register"))
        .json(&json!({"redirect_uris": ["http://evil.example.com/cb"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "invalid_redirect_uri"
    );
    let r = client()
        .post(server.url("/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=a&grant_type=b&client_id=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "repeated parameters");
    let r = client()
        .post(server.url("/oauth/token"))
        .json(&json!({"grant_type": "authorization_code"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "JSON is not a token request"
    );

    // Nothing secret in the server's log.
    let log = server.stderr();
    for secret in [
        PASSWORD,
        access.as_str(),
        refresh.as_str(),
        verifier.as_str(),
    ] {
        assert!(!log.contains(secret), "the log leaks a secret");
    }
}
