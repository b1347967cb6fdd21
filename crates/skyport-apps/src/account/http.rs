//! The account app's HTTP API, called by its sign-in widget from inside the
//! host's sandboxed iframe (so cross-origin, from any origin, without
//! cookies: the sign-in id in the body is the only capability).
//!
//! | route | what |
//! |---|---|
//! | `POST /api/authenticate` | `{email, password, sessionId, mode?, name?}` → `{success, user}` or `{success: false, error: {code, message}}` |
//! | `GET /api/session/{id}` | `{authenticated, user?, expiresAt?}` |
//! | `GET /.well-known/mcp.json` | the app's discovery document |
//!
//! Errors: 400 malformed JSON, missing fields or an unknown/expired sign-in,
//! 401 wrong email or password (never saying which), 409 email taken or a
//! sign-in completed by someone else, 413 a body over 16 KiB, 415 not JSON,
//! 429 too many attempts (with `Retry-After`), 503 store unavailable.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use skyport::auth::Accounts;
use skyport::engine::HttpContext;
use skyport::store::Records;
use skyport::store::records::User;

use super::{FormMode, TOOLS, signin};
use crate::common::json_api::{
    Credentials, client_ip, cors, failure, preflight, private_json, read_json, sign_in_or_up,
    store_failed, unavailable,
};

/// What the errors of this API call the service.
const WHAT: &str = "Sign-in";

const SHAPE: &str = "The body must be a JSON object {email, password, sessionId, mode?: \"sign_in\" | \"sign_up\", name?} with string values.";

/// What the handlers share.
#[derive(Clone)]
struct Api {
    /// `None` when the server runs without a store: every auth call is 503.
    backend: Option<Backend>,
    /// The discovery document, made once.
    discovery: Arc<Value>,
}

#[derive(Clone)]
struct Backend {
    accounts: Accounts,
    records: Arc<dyn Records>,
}

/// The app's routes (relative to the app).
pub(crate) fn routes(ctx: &HttpContext) -> Router {
    let api = Api {
        backend: ctx.store.as_ref().map(|s| Backend {
            accounts: Accounts::from_store(s),
            records: s.records.clone(),
        }),
        discovery: Arc::new(discovery(ctx)),
    };
    Router::new()
        .route("/api/authenticate", post(authenticate).options(preflight))
        .route("/api/session/{id}", get(session).options(preflight))
        .route("/.well-known/mcp.json", get(mcp_json).options(preflight))
        .with_state(api)
}

fn discovery(ctx: &HttpContext) -> Value {
    json!({
        "name": "Skyport account",
        "description": "Sign-in inside the chat: a sign-in widget, the signed-in user's profile, and sign-out.",
        "version": env!("CARGO_PKG_VERSION"),
        "mcp_endpoint": format!("{}{}", ctx.public_url, ctx.mcp_path),
        "capabilities": { "tools": true, "ui": true },
        "tools": TOOLS,
        "oauth": {
            "protected_resource_metadata": format!(
                "{}/.well-known/oauth-protected-resource{}",
                ctx.public_url, ctx.mcp_path
            ),
            "scopes": [super::SCOPE],
        },
    })
}

fn expired_session() -> Response {
    failure(
        StatusCode::BAD_REQUEST,
        "invalid_session",
        "This sign-in form has expired. Ask the assistant to sign in again.",
    )
}

fn card(u: &User) -> Value {
    json!({ "id": u.id, "email": u.email, "name": u.name })
}

async fn mcp_json(State(api): State<Api>) -> Response {
    let mut resp = axum::Json(api.discovery.as_ref().clone()).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    cors(&mut resp);
    resp
}

/// `POST /api/authenticate`'s body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AuthRequest {
    email: String,
    password: String,
    session_id: String,
    #[serde(default)]
    mode: Option<FormMode>,
    #[serde(default)]
    name: Option<String>,
}

async fn authenticate(State(api): State<Api>, req: Request<Body>) -> Response {
    // The protection layer resolved the client's address (and only trusts
    // X-Forwarded-For when configured to).
    let ip = client_ip(&req);
    let body = match read_json::<AuthRequest>(req, SHAPE).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let Some(backend) = &api.backend else {
        return unavailable(WHAT);
    };
    // The sign-in must be live before any password is checked: without one,
    // this endpoint is not a password oracle.
    if !signin::valid_id(&body.session_id) {
        return expired_session();
    }
    match signin::get(backend.records.as_ref(), &body.session_id).await {
        Ok(Some(_)) => {}
        Ok(None) => return expired_session(),
        Err(e) => return store_failed(super::APP, WHAT, &e),
    }
    let form = Credentials {
        email: &body.email,
        password: &body.password,
        sign_up: matches!(body.mode, Some(FormMode::SignUp)),
        name: body.name.as_deref(),
    };
    let user = match sign_in_or_up(super::APP, &backend.accounts, form, ip).await {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    match signin::authenticate(backend.records.as_ref(), &body.session_id, &user.id).await {
        Ok(signin::Marked::Done | signin::Marked::AlreadyDone) => private_json(
            StatusCode::OK,
            json!({ "success": true, "user": card(&user) }),
        ),
        Ok(signin::Marked::Unknown) => expired_session(),
        Ok(signin::Marked::Used) => failure(
            StatusCode::CONFLICT,
            "session_used",
            "This sign-in form was already used by another account. Ask the assistant to sign in again.",
        ),
        Err(e) => store_failed(super::APP, WHAT, &e),
    }
}

async fn session(State(api): State<Api>, Path(id): Path<String>) -> Response {
    if !signin::valid_id(&id) {
        return failure(
            StatusCode::BAD_REQUEST,
            "invalid_session",
            "That is not a sign-in session id.",
        );
    }
    let Some(backend) = &api.backend else {
        return unavailable(WHAT);
    };
    let records = backend.records.as_ref();
    let s = match signin::get(records, &id).await {
        Ok(s) => s,
        Err(e) => return store_failed(super::APP, WHAT, &e),
    };
    let Some(s) = s else {
        return private_json(StatusCode::OK, json!({ "authenticated": false }));
    };
    let user = match s.user() {
        Some(uid) => match records.user(uid).await {
            Ok(u) => u,
            Err(e) => return store_failed(super::APP, WHAT, &e),
        },
        None => None,
    };
    let body = match user {
        Some(u) => json!({
            "authenticated": true,
            "user": card(&u),
            "expiresAt": signin::rfc3339(s.expires_at),
        }),
        None => json!({
            "authenticated": false,
            "expiresAt": signin::rfc3339(s.expires_at),
        }),
    };
    private_json(StatusCode::OK, body)
}
