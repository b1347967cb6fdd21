//! The account app (seed 000) end to end on the real binary
//! (`skyport serve --apps account`, SQLite in a temp data dir): its four
//! tools as listed, `POST /api/authenticate` (sign-up, sign-in and every
//! refusal), the sign-in session that links the widget's form to the MCP
//! session, sign-out, `GET /api/session/{id}`, the discovery document, and
//! the widgets' HTML and CSP.

use crate::common::widgets::tool;
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const TOOLS: [&str; 4] = [
    "authenticate_user",
    "get_user_profile",
    "show_profile",
    "logout_user",
];

/// A JSON answer: status, headers and body.
struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    async fn from(r: reqwest::Response) -> Self {
        let status = r.status();
        let headers = r.headers().clone();
        let bytes = r.bytes().await.expect("read the body");
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("not JSON ({status}): {}", String::from_utf8_lossy(&bytes)));
        Self {
            status,
            headers,
            body,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or_default()
    }

    /// Asserts an error answer with `status` and `code`, uncached.
    fn assert_error(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "{:#}", self.body);
        assert_eq!(self.body["success"], false, "{:#}", self.body);
        assert_eq!(self.code(), code, "{:#}", self.body);
        assert!(!self.message().is_empty(), "{:#}", self.body);
        assert_eq!(self.header("cache-control"), Some("no-store"));
    }
}

/// `POST {path}` with a raw body and content type.
async fn post_raw(server: &Server, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
    let r = client()
        .post(server.url(path))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("POST");
    Answer::from(r).await
}

/// `POST /api/authenticate` with a JSON body.
async fn authenticate(server: &Server, body: &Value) -> Answer {
    post_raw(
        server,
        "/api/authenticate",
        "application/json",
        serde_json::to_vec(body).unwrap(),
    )
    .await
}

async fn get(server: &Server, path: &str) -> Answer {
    Answer::from(client().get(server.url(path)).send().await.expect("GET")).await
}

/// Calls `name` in the session; the `CallToolResult`.
async fn call(s: &Session, name: &str, args: Value) -> Value {
    s.call("tools/call", json!({ "name": name, "arguments": args }))
        .await
}

/// `authenticate_user` in `s`: (the sign-in id from `_meta`, the API base, the result).
async fn open_sign_in(s: &Session) -> (String, String, Value) {
    let r = call(s, "authenticate_user", json!({})).await;
    assert_eq!(r["isError"], false, "{r:#}");
    let id = r["_meta"]["account/sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no sign-in id in _meta: {r:#}"))
        .to_owned();
    let api = r["_meta"]["skyport/api"]
        .as_str()
        .unwrap_or_else(|| panic!("no API base in _meta: {r:#}"))
        .to_owned();
    (id, api, r)
}

fn sign_up_body(session: &str, email: &str, name: &str, password: &str) -> Value {
    json!({ "email": email, "password": password, "sessionId": session, "mode": "sign_up", "name": name })
}

fn sign_in_body(session: &str, email: &str, password: &str) -> Value {
    json!({ "email": email, "password": password, "sessionId": session })
}

fn start() -> Server {
    Server::start("account", &[])
}

#[tokio::test]
async fn tools_list_declares_the_four_tools_with_security_schemes_and_widgets() {
    let server = start();
    let s = Session::open(&server.mcp("account"), LATEST_LEGACY).await;
    let list = s.call("tools/list", json!({})).await;
    let names: Vec<&str> = list["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, TOOLS);
    for name in TOOLS {
        let t = tool(&list, name);
        let schemes = &t["_meta"]["securitySchemes"];
        assert_eq!(
            schemes,
            &json!([{"type": "noauth"}, {"type": "oauth2", "scopes": ["profile"]}]),
            "{name}: {t:#}"
        );
        assert!(t["outputSchema"].is_object(), "{name} has an output schema");
        assert!(
            t["description"].as_str().unwrap().len() > 40,
            "{name} tells the model when to use it"
        );
        assert!(
            t["_meta"]["openai/toolInvocation/invoking"].is_string(),
            "{name}"
        );
        assert!(
            t["_meta"]["openai/toolInvocation/invoked"].is_string(),
            "{name}"
        );
        assert!(t["annotations"].is_object(), "{name}");
    }
    let widget = |name: &str| tool(&list, name)["_meta"]["ui"]["resourceUri"].clone();
    assert!(
        widget("authenticate_user")
            .as_str()
            .unwrap()
            .starts_with("ui://account/sign-in."),
        "{list:#}"
    );
    assert!(
        widget("show_profile")
            .as_str()
            .unwrap()
            .starts_with("ui://account/profile.")
    );
    assert!(widget("get_user_profile").is_null());
    assert!(widget("logout_user").is_null());
    // Reading tools are marked read-only; signing in and out are not.
    let ann = |name: &str| tool(&list, name)["annotations"].clone();
    assert_eq!(ann("get_user_profile")["readOnlyHint"], true);
    assert_eq!(ann("show_profile")["readOnlyHint"], true);
    assert_eq!(ann("authenticate_user")["readOnlyHint"], false);
    assert_eq!(ann("logout_user")["readOnlyHint"], false);
    assert_eq!(ann("logout_user")["idempotentHint"], true);
    // The widget may call the profile tools.
    assert_eq!(
        tool(&list, "get_user_profile")["_meta"]["openai/widgetAccessible"],
        true
    );
    assert_eq!(
        tool(&list, "logout_user")["_meta"]["openai/widgetAccessible"],
        true
    );
}

#[tokio::test]
async fn the_sign_in_id_reaches_the_widget_only_and_links_the_form_to_the_mcp_session() {
    let server = start();
    let s = Session::open(&server.mcp("account"), LATEST_LEGACY).await;

    // Before signing in: an isError result that tells the model what to do.
    let r = call(&s, "get_user_profile", json!({})).await;
    assert_eq!(r["isError"], true, "{r:#}");
    assert!(first_text(&r).contains("authenticate_user"), "{r:#}");

    let (id, api, r) = open_sign_in(&s).await;
    assert!(id.starts_with("sess_") && id.len() == 37, "{id}");
    assert_eq!(api, server.url("/account"));
    // The capability never reaches the model.
    assert!(!r["structuredContent"].to_string().contains(&id), "{r:#}");
    assert!(!r["content"].to_string().contains(&id), "{r:#}");
    assert_eq!(r["structuredContent"]["status"], "pending");
    assert!(r["structuredContent"]["expiresAt"].is_string());

    // Pending: the session endpoint knows it, nobody is signed in yet.
    let st = get(&server, &format!("/account/api/session/{id}")).await;
    assert_eq!(st.status, StatusCode::OK);
    assert_eq!(st.body["authenticated"], false, "{:#}", st.body);
    assert_eq!(st.header("cache-control"), Some("no-store"));

    // The widget's form, posted to the absolute API base it was given.
    let resp = client()
        .post(format!("{api}/api/authenticate"))
        .json(&sign_up_body(
            &id,
            "Ada@Example.com",
            "Ada Lovelace",
            "analytical engine",
        ))
        .send()
        .await
        .unwrap();
    let a = Answer::from(resp).await;
    assert_eq!(a.status, StatusCode::OK, "{:#}", a.body);
    assert_eq!(a.body["success"], true);
    assert_eq!(a.body["user"]["email"], "ada@example.com");
    assert_eq!(a.body["user"]["name"], "Ada Lovelace");
    let user_id = a.body["user"]["id"].as_str().unwrap().to_owned();
    assert!(user_id.starts_with("usr_"));
    assert_eq!(a.header("cache-control"), Some("no-store"));
    assert_eq!(a.header("access-control-allow-origin"), Some("*"));
    let text = a.body.to_string();
    assert!(
        !text.contains("analytical engine") && !text.contains("argon2"),
        "{text}"
    );

    // Same MCP session: the profile, with the sign-in counted.
    let r = call(&s, "get_user_profile", json!({})).await;
    assert_eq!(r["isError"], false, "{r:#}");
    let p = &r["structuredContent"];
    assert_eq!(p["id"], user_id.as_str());
    assert_eq!(p["email"], "ada@example.com");
    assert_eq!(p["name"], "Ada Lovelace");
    assert_eq!(p["signInCount"], 1);
    assert_eq!(p["signedInWith"], "sign_in");
    assert!(p["memberSince"].as_str().unwrap().ends_with('Z'), "{p:#}");
    assert!(p["lastSignIn"].is_string(), "{p:#}");
    let all = r.to_string();
    assert!(
        !all.contains("argon2") && !all.contains("password"),
        "{all}"
    );
    assert!(first_text(&r).contains("Ada Lovelace"));

    // show_profile: the same data, for the widget.
    let r = call(&s, "show_profile", json!({})).await;
    assert_eq!(r["isError"], false, "{r:#}");
    assert_eq!(r["structuredContent"]["email"], "ada@example.com");

    // Asking to sign in again while signed in: no new form.
    let r = call(&s, "authenticate_user", json!({})).await;
    assert_eq!(r["structuredContent"]["status"], "signed_in", "{r:#}");
    assert_eq!(r["structuredContent"]["user"]["name"], "Ada Lovelace");

    let st = get(&server, &format!("/api/session/{id}")).await;
    assert_eq!(st.body["authenticated"], true, "{:#}", st.body);
    assert_eq!(st.body["user"]["id"], user_id.as_str());

    // Another MCP session is not signed in...
    let other = Session::open(&server.mcp("account"), LATEST_LEGACY).await;
    let r = call(&other, "get_user_profile", json!({})).await;
    assert_eq!(r["isError"], true, "{r:#}");
    // ...unless it holds the sign-in id (a widget in a stateless host).
    let r = call(&other, "get_user_profile", json!({ "session_id": id })).await;
    assert_eq!(r["isError"], false, "{r:#}");
    assert_eq!(r["structuredContent"]["id"], user_id.as_str());

    // Sign out, twice: idempotent. Then the profile is gone everywhere.
    let r = call(&s, "logout_user", json!({})).await;
    assert_eq!(r["isError"], false, "{r:#}");
    assert_eq!(r["structuredContent"]["signedOut"], true, "{r:#}");
    let r = call(&s, "logout_user", json!({})).await;
    assert_eq!(r["isError"], false, "{r:#}");
    assert_eq!(r["structuredContent"]["signedOut"], false, "{r:#}");
    let r = call(&s, "get_user_profile", json!({})).await;
    assert_eq!(r["isError"], true, "{r:#}");
    assert!(first_text(&r).contains("authenticate_user"));
    let r = call(&other, "get_user_profile", json!({ "session_id": id })).await;
    assert_eq!(r["isError"], true, "{r:#}");
    let st = get(&server, &format!("/api/session/{id}")).await;
    assert_eq!(st.status, StatusCode::OK);
    assert_eq!(st.body, json!({ "authenticated": false }));

    // The ended sign-in cannot be completed again.
    let a = authenticate(
        &server,
        &sign_in_body(&id, "ada@example.com", "analytical engine"),
    )
    .await;
    a.assert_error(StatusCode::BAD_REQUEST, "invalid_session");

    // A new sign-in: the count goes up.
    let (id2, _, _) = open_sign_in(&s).await;
    assert_ne!(id2, id);
    let a = authenticate(
        &server,
        &sign_in_body(&id2, "ADA@example.com", "analytical engine"),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{:#}", a.body);
    let r = call(&s, "get_user_profile", json!({})).await;
    assert_eq!(r["structuredContent"]["signInCount"], 2, "{r:#}");
}

#[tokio::test]
async fn authenticate_refuses_bad_input_wrong_credentials_and_taken_emails() {
    let server = start();
    let s = Session::open(&server.mcp("account"), LATEST_LEGACY).await;
    let (id, _, _) = open_sign_in(&s).await;

    // Malformed JSON, a non-JSON type, missing fields, wrong types, an oversize body.
    let a = post_raw(
        &server,
        "/api/authenticate",
        "application/json",
        b"{\"email\":".to_vec(),
    )
    .await;
    a.assert_error(StatusCode::BAD_REQUEST, "malformed_json");
    let a = post_raw(&server, "/api/authenticate", "text/plain", b"{}".to_vec()).await;
    a.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let a = authenticate(
        &server,
        &json!({ "email": "a@example.com", "sessionId": id }),
    )
    .await;
    a.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    assert!(a.message().contains("password"), "{:#}", a.body);
    let a = authenticate(
        &server,
        &json!({ "email": "a@example.com", "password": 12345678, "sessionId": id }),
    )
    .await;
    a.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    assert!(
        !a.message().contains("12345678"),
        "never echo a value: {:#}",
        a.body
    );
    let big =
        json!({ "email": "a@example.com", "password": "x".repeat(20 * 1024), "sessionId": id });
    let a = authenticate(&server, &big).await;
    a.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large");

    // Unknown, malformed and expired-looking sign-in ids: refused before any password check.
    let a = authenticate(
        &server,
        &sign_in_body(
            "sess_00000000000000000000000000000000",
            "a@example.com",
            "whatever1",
        ),
    )
    .await;
    a.assert_error(StatusCode::BAD_REQUEST, "invalid_session");
    let a = authenticate(&server, &sign_in_body("nope", "a@example.com", "whatever1")).await;
    a.assert_error(StatusCode::BAD_REQUEST, "invalid_session");
    let a = get(&server, "/api/session/not-an-id").await;
    a.assert_error(StatusCode::BAD_REQUEST, "invalid_session");
    let a = get(
        &server,
        "/api/session/sess_00000000000000000000000000000000",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body, json!({ "authenticated": false }));

    // Sign-up checks: a name, a long enough password.
    let a = authenticate(&server, &json!({ "email": "grace@example.com", "password": "long enough pw", "sessionId": id, "mode": "sign_up" })).await;
    a.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    let a = authenticate(
        &server,
        &sign_up_body(&id, "grace@example.com", "Grace", "short"),
    )
    .await;
    a.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    let a = authenticate(
        &server,
        &sign_up_body(&id, "grace@example.com", "Grace Hopper", "cobol forever"),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{:#}", a.body);

    // The same email again, in another sign-in: 409.
    let (id2, _, _) =
        open_sign_in(&Session::open(&server.mcp("account"), LATEST_LEGACY).await).await;
    let a = authenticate(
        &server,
        &sign_up_body(&id2, "GRACE@example.com", "Impostor", "another password"),
    )
    .await;
    a.assert_error(StatusCode::CONFLICT, "email_taken");

    // Wrong password and unknown email: the same 401 and the same words.
    let wrong = authenticate(
        &server,
        &sign_in_body(&id2, "grace@example.com", "not her password"),
    )
    .await;
    wrong.assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    let unknown = authenticate(
        &server,
        &sign_in_body(&id2, "nobody@example.com", "not her password"),
    )
    .await;
    unknown.assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_eq!(wrong.body, unknown.body);

    // A sign-in completed by Grace cannot be taken over by another account.
    let a = authenticate(
        &server,
        &sign_up_body(&id, "eve@example.com", "Eve", "eve's password"),
    )
    .await;
    a.assert_error(StatusCode::CONFLICT, "session_used");
    // Submitting Grace's credentials again (a retried submit) is fine.
    let a = authenticate(
        &server,
        &sign_in_body(&id, "grace@example.com", "cobol forever"),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{:#}", a.body);
    let r = call(&s, "get_user_profile", json!({})).await;
    assert_eq!(
        r["structuredContent"]["signInCount"], 1,
        "a retried submit is not a second sign-in: {r:#}"
    );

    // CORS: the widget's frame has an opaque origin; the preflight allows it.
    let pre = client()
        .request(
            reqwest::Method::OPTIONS,
            server.url("/account/api/authenticate"),
        )
        .header("origin", "null")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(pre.status().is_success(), "{}", pre.status());
    assert_eq!(pre.headers()["access-control-allow-origin"], "*");
    assert!(
        pre.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("content-type")
    );
    assert!(
        pre.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled_with_retry_after() {
    let server = start();
    let s = Session::open(&server.mcp("account"), LATEST_LEGACY).await;
    let (id, _, _) = open_sign_in(&s).await;
    let a = authenticate(
        &server,
        &sign_up_body(&id, "mallory@example.com", "Mallory", "right password"),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{:#}", a.body);
    let (id2, _, _) =
        open_sign_in(&Session::open(&server.mcp("account"), LATEST_LEGACY).await).await;
    let mut last = None;
    for _ in 0..12 {
        let a = authenticate(
            &server,
            &sign_in_body(&id2, "mallory@example.com", "guess guess"),
        )
        .await;
        if a.status == StatusCode::TOO_MANY_REQUESTS {
            last = Some(a);
            break;
        }
        a.assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    let a = last.expect("no 429 after 12 wrong passwords");
    a.assert_error(StatusCode::TOO_MANY_REQUESTS, "throttled");
    let retry: u64 = a
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("Retry-After is seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    // Even the right password waits now.
    let a = authenticate(
        &server,
        &sign_in_body(&id2, "mallory@example.com", "right password"),
    )
    .await;
    a.assert_error(StatusCode::TOO_MANY_REQUESTS, "throttled");
}

#[tokio::test]
async fn discovery_document_at_the_app_and_at_the_root() {
    let server = start();
    for path in ["/account/.well-known/mcp.json", "/.well-known/mcp.json"] {
        let a = get(&server, path).await;
        assert_eq!(a.status, StatusCode::OK, "{path}");
        let d = &a.body;
        assert!(
            d["name"].is_string() && d["description"].is_string() && d["version"].is_string(),
            "{d:#}"
        );
        assert_eq!(d["mcp_endpoint"], server.url("/account/mcp"), "{d:#}");
        assert_eq!(d["capabilities"], json!({ "tools": true, "ui": true }));
        assert_eq!(d["tools"], json!(TOOLS));
        assert_eq!(
            d["oauth"]["protected_resource_metadata"],
            server.url("/.well-known/oauth-protected-resource/account/mcp")
        );
    }
    // The endpoint it names is the app's MCP endpoint.
    let s = Session::open(&server.mcp("account"), LATEST_LEGACY).await;
    assert_eq!(s.init["serverInfo"]["name"], "skyport-account");
}

#[tokio::test]
async fn widgets_carry_no_user_data_and_may_reach_the_server_origin() {
    let server = start();
    let s = Session::open(&server.mcp("account"), LATEST_LEGACY).await;
    let (id, _, _) = open_sign_in(&s).await;
    let a = authenticate(
        &server,
        &sign_up_body(
            &id,
            "linus@example.com",
            "Linus Secretname",
            "penguin power",
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{:#}", a.body);

    let list = s.call("tools/list", json!({})).await;
    for (tool_name, widget) in [
        ("authenticate_user", "sign-in"),
        ("show_profile", "profile"),
    ] {
        let t = tool(&list, tool_name);
        let uri = t["_meta"]["ui"]["resourceUri"].as_str().unwrap().to_owned();
        let read = s.call("resources/read", json!({ "uri": uri })).await;
        let c = &read["contents"][0];
        let html = c["text"].as_str().expect("HTML text");
        assert!(
            html.contains("window.skyport") || html.contains("skyport"),
            "{widget}"
        );
        for secret in ["linus@example.com", "Secretname", &id, "usr_", "penguin"] {
            assert!(!html.contains(secret), "{widget} HTML contains {secret:?}");
        }
        if widget == "sign-in" {
            let connect = &c["_meta"]["ui"]["csp"]["connectDomains"];
            assert!(
                connect
                    .as_array()
                    .is_some_and(|l| l.iter().any(|o| o == server.base.as_str())),
                "the sign-in widget may fetch {}: {c:#}",
                server.base
            );
            // The ChatGPT twin declares the same origin.
            let twin = t["_meta"]["openai/outputTemplate"]
                .as_str()
                .unwrap()
                .to_owned();
            let read = s.call("resources/read", json!({ "uri": twin })).await;
            let twin = &read["contents"][0];
            assert!(!twin["text"].as_str().unwrap().contains("linus@example.com"));
            let openai = &twin["_meta"]["openai/widgetCSP"]["connect_domains"];
            assert!(
                openai
                    .as_array()
                    .is_some_and(|l| l.iter().any(|o| o == server.base.as_str())),
                "{twin:#}"
            );
            assert!(html.contains("type=\"password\""), "{widget}");
            assert!(
                html.contains("<label for=\"email\""),
                "{widget}: labelled fields"
            );
        }
    }
}

#[tokio::test]
async fn a_new_form_in_the_same_mcp_session_replaces_an_unfinished_one() {
    let server = start();
    let s = Session::open(&server.mcp("account"), LATEST_LEGACY).await;
    let (first, _, _) = open_sign_in(&s).await;
    let (second, _, _) = open_sign_in(&s).await;
    assert_ne!(first, second);
    // The abandoned form is gone...
    let a = authenticate(
        &server,
        &sign_up_body(&first, "ken@example.com", "Ken", "unix forever"),
    )
    .await;
    a.assert_error(StatusCode::BAD_REQUEST, "invalid_session");
    // ...and the new one signs the MCP session in.
    let a = authenticate(
        &server,
        &sign_up_body(&second, "ken@example.com", "Ken", "unix forever"),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{:#}", a.body);
    let r = call(&s, "get_user_profile", json!({})).await;
    assert_eq!(r["structuredContent"]["name"], "Ken", "{r:#}");
}
