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

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use skyport::auth::{Accounts, AuthError};
use skyport::engine::HttpContext;
use skyport::store::Records;
use skyport::store::records::User;

use super::{FormMode, TOOLS, signin};

/// The largest `POST /api/authenticate` body accepted.
pub(crate) const MAX_BODY: usize = 16 * 1024;

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

/// Headers on every answer: any origin may read it (no credentials are
/// involved), and `Retry-After` is readable.
fn cors(resp: &mut Response) {
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("retry-after"),
    );
}

/// A JSON answer that no cache keeps.
fn private_json(status: StatusCode, body: Value) -> Response {
    let mut resp = (status, axum::Json(body)).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    cors(&mut resp);
    resp
}

/// `{success: false, error: {code, message}}`.
fn failure(status: StatusCode, code: &str, message: &str) -> Response {
    private_json(
        status,
        json!({ "success": false, "error": { "code": code, "message": message } }),
    )
}

fn unavailable() -> Response {
    failure(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "Sign-in is unavailable right now. Try again in a moment.",
    )
}

fn store_failed(e: &dyn std::fmt::Display) -> Response {
    tracing::error!(app = super::APP, error = %e, "the account store failed");
    unavailable()
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

async fn preflight() -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    cors(&mut resp);
    resp
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

const SHAPE: &str = "The body must be a JSON object {email, password, sessionId, mode?: \"sign_in\" | \"sign_up\", name?} with string values.";

/// Reads and parses the body, or the error answer.
async fn read_body(req: Request) -> Result<AuthRequest, Response> {
    let json_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json_type {
        return Err(failure(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as application/json.",
        ));
    }
    let too_large = || {
        failure(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "The request body is too large (16 KiB at most).",
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(req.into_body(), MAX_BODY)
        .await
        .map_err(|_| too_large())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| {
        failure(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "The body is not valid JSON.",
        )
    })?;
    serde_json::from_value::<AuthRequest>(value).map_err(|e| {
        // Name a missing or unknown field, but never echo a value (it could be a password).
        let why = e.to_string();
        let detail = ["missing field", "unknown field"]
            .iter()
            .find(|p| why.starts_with(**p))
            .map(|_| why.split(", expected").next().unwrap_or(&why).to_owned());
        let message = match detail {
            Some(d) => format!("{SHAPE} ({d})"),
            None => SHAPE.to_owned(),
        };
        failure(StatusCode::BAD_REQUEST, "invalid_request", &message)
    })
}

fn auth_failure(e: AuthError) -> Response {
    match e {
        AuthError::InvalidCredentials => failure(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "The email or password is not correct.",
        ),
        AuthError::EmailTaken => failure(
            StatusCode::CONFLICT,
            "email_taken",
            "An account with this email already exists. Sign in instead.",
        ),
        AuthError::Invalid(why) => failure(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &capitalize(&why),
        ),
        AuthError::Throttled { retry_after } => {
            let mut resp = failure(
                StatusCode::TOO_MANY_REQUESTS,
                "throttled",
                &format!(
                    "Too many sign-in attempts. Try again in {}.",
                    minutes(retry_after)
                ),
            );
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
            resp
        }
        other => store_failed(&other),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    let mut out: String = c
        .next()
        .map(|f| f.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(c.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

fn minutes(secs: u64) -> String {
    match secs {
        0..=59 => format!("{} seconds", secs.max(1)),
        60..=119 => "a minute".to_owned(),
        s => format!("{} minutes", s.div_ceil(60)),
    }
}

async fn authenticate(State(api): State<Api>, req: Request<Body>) -> Response {
    // The protection layer resolved the client's address (and only trusts
    // X-Forwarded-For when configured to).
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let body = match read_body(req).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let Some(backend) = &api.backend else {
        return unavailable();
    };
    // The sign-in must be live before any password is checked: without one,
    // this endpoint is not a password oracle.
    if !signin::valid_id(&body.session_id) {
        return expired_session();
    }
    match signin::get(backend.records.as_ref(), &body.session_id).await {
        Ok(Some(_)) => {}
        Ok(None) => return expired_session(),
        Err(e) => return store_failed(&e),
    }
    let email = body.email.trim();
    if email.is_empty() || body.password.is_empty() {
        return failure(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Enter your email and password.",
        );
    }
    let result = match body.mode.unwrap_or_default() {
        FormMode::SignIn => backend.accounts.sign_in(email, &body.password, ip).await,
        FormMode::SignUp => {
            let name = body.name.as_deref().map(str::trim).unwrap_or_default();
            if name.is_empty() {
                return failure(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Enter your name to create an account.",
                );
            }
            backend.accounts.sign_up(email, name, &body.password).await
        }
    };
    let user = match result {
        Ok(u) => u,
        Err(e) => return auth_failure(e),
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
        Err(e) => store_failed(&e),
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
        return unavailable();
    };
    let records = backend.records.as_ref();
    let s = match signin::get(records, &id).await {
        Ok(s) => s,
        Err(e) => return store_failed(&e),
    };
    let Some(s) = s else {
        return private_json(StatusCode::OK, json!({ "authenticated": false }));
    };
    let user = match s.user() {
        Some(uid) => match records.user(uid).await {
            Ok(u) => u,
            Err(e) => return store_failed(&e),
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
