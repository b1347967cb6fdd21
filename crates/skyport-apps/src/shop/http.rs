//! The shop's HTTP routes beside its MCP endpoints.
//!
//! `shop-auth`:
//!
//! | route | what |
//! |---|---|
//! | `POST /api/session/authenticate` | `{sessionId, email, password, mode?, name?}` → `{success, user}`; the sign-in widget's form |
//! | `POST /api/demo/reset` | demo mode only: clears every shopping session and the stock counters |
//!
//! Errors are `{success: false, error: {code, message}}`: 400 malformed or
//! an unknown/expired session, 401 wrong email or password (never saying
//! which), 409 email taken or a session signed in as someone else, 413, 415,
//! 429 with `Retry-After`, 503 store unavailable.
//!
//! Every shop app: `GET /images/{id}.svg`, the product images (made from
//! the product, so they work offline).

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use skyport::auth::Accounts;
use skyport::engine::HttpContext;
use skyport::store::Records;
use std::sync::Arc;

use super::context::products;
use super::session::{self, SessionError, SignedIn};
use super::settings::ShopSettings;
use super::views::UserView;
use crate::common::json_api::{
    Credentials, client_ip, failure, preflight, private_json, read_json, sign_in_or_up,
    store_failed, unavailable,
};

const WHAT: &str = "Sign-in";
const SHAPE: &str = "The body must be a JSON object {sessionId, email, password, mode?: \"sign_in\" | \"sign_up\", name?} with string values.";

/// What the handlers share.
#[derive(Clone)]
struct Api {
    /// `None` when the server runs without a store: every call is 503.
    backend: Option<Backend>,
    app: String,
}

#[derive(Clone)]
struct Backend {
    accounts: Accounts,
    records: Arc<dyn Records>,
}

/// `shop-auth`'s routes (relative to the app).
pub(crate) fn auth_routes(ctx: &HttpContext) -> Router {
    let settings = ShopSettings::get();
    let backend = ctx.store.as_ref().map(|s| Backend {
        accounts: Accounts::from_store(s),
        records: s.records.clone(),
    });
    if settings.demo {
        tracing::warn!(
            app = %ctx.app,
            "shop DEMO MODE is on (SKYPORT_SHOP_DEMO): POST {}/{}/api/demo/reset clears every shopping session; do not use it in production",
            ctx.public_url,
            ctx.app
        );
        if let Some(b) = &backend {
            tokio::spawn(seed_demo_account(b.clone()));
        }
    }
    let api = Api {
        backend,
        app: ctx.app.clone(),
    };
    Router::new()
        .route(
            "/api/session/authenticate",
            post(authenticate).options(preflight),
        )
        .route("/api/demo/reset", post(demo_reset).options(preflight))
        .with_state(api)
        .merge(image_routes())
}

/// The product image route every shop app serves.
pub(crate) fn image_routes() -> Router {
    Router::new().route("/images/{file}", get(image))
}

async fn image(Path(file): Path<String>) -> Response {
    let not_found = || {
        failure(
            StatusCode::NOT_FOUND,
            "not_found",
            "No product has this image. Image URLs come from search results.",
        )
    };
    let Some(id) = file.strip_suffix(".svg") else {
        return not_found();
    };
    if id.len() > 64 {
        return not_found();
    }
    let Some(product) = products().product(id).await else {
        return not_found();
    };
    let mut resp = skyport_catalog::image_svg(&product).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    // The image of a product id never changes.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400, immutable"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    resp
}

/// `POST /api/session/authenticate`'s body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AuthRequest {
    session_id: String,
    email: String,
    password: String,
    #[serde(default)]
    mode: Option<Mode>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Mode {
    #[default]
    SignIn,
    SignUp,
}

fn session_failure(app: &str, e: SessionError) -> Response {
    match e {
        SessionError::Store(e) => store_failed(app, WHAT, &e),
        SessionError::Expired { minutes, .. } => failure(
            StatusCode::BAD_REQUEST,
            "invalid_session",
            &format!(
                "This shopping session expired after {minutes} idle minutes. Ask the assistant to start a new one."
            ),
        ),
        SessionError::Malformed(_) | SessionError::Unknown(_) => failure(
            StatusCode::BAD_REQUEST,
            "invalid_session",
            "This shopping session does not exist. Ask the assistant to start a new one.",
        ),
    }
}

async fn authenticate(State(api): State<Api>, req: Request<Body>) -> Response {
    let ip = client_ip(&req);
    let body = match read_json::<AuthRequest>(req, SHAPE).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let Some(backend) = &api.backend else {
        return unavailable(WHAT);
    };
    let settings = ShopSettings::get();
    let records = backend.records.as_ref();
    // The session must be live before any password is checked: without one,
    // this endpoint is not a password oracle.
    if let Err(e) = session::open(records, &body.session_id, settings).await {
        return session_failure(&api.app, e);
    }
    let form = Credentials {
        email: &body.email,
        password: &body.password,
        sign_up: matches!(body.mode, Some(Mode::SignUp)),
        name: body.name.as_deref(),
    };
    let user = match sign_in_or_up(&api.app, &backend.accounts, form, ip).await {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    match session::sign_in(records, &body.session_id, &user.id, settings).await {
        Ok(SignedIn::Done(_)) => {
            tracing::debug!(app = %api.app, user = %user.id, "shopping session signed in");
            private_json(
                StatusCode::OK,
                json!({ "success": true, "user": UserView::from(&user) }),
            )
        }
        Ok(SignedIn::OtherUser) => failure(
            StatusCode::CONFLICT,
            "session_used",
            "This shopping session is signed in as someone else. Ask the assistant to start a new session.",
        ),
        Err(e) => session_failure(&api.app, e),
    }
}

async fn demo_reset(State(api): State<Api>) -> Response {
    if !ShopSettings::get().demo {
        return failure(
            StatusCode::NOT_FOUND,
            "not_found",
            "The demo reset exists only in demo mode (SKYPORT_SHOP_DEMO=1).",
        );
    }
    let Some(backend) = &api.backend else {
        return unavailable("The demo reset");
    };
    match session::end_all(backend.records.as_ref()).await {
        Ok(ended) => {
            tracing::warn!(app = %api.app, ended, "DEMO RESET: every shopping session ended and stock restored");
            private_json(
                StatusCode::OK,
                json!({ "success": true, "endedSessions": ended }),
            )
        }
        Err(e) => store_failed(&api.app, "The demo reset", &e),
    }
}

/// The demo account's email.
pub(crate) const DEMO_EMAIL: &str = "demo@shop.example";
/// The demo account's password (demo mode only, and said in the log).
pub(crate) const DEMO_PASSWORD: &str = "demo-shopper-2026";

/// Creates the demo account, with an address and a payment label on file,
/// unless it exists.
async fn seed_demo_account(b: Backend) {
    match b.records.user_by_email(DEMO_EMAIL).await {
        Ok(Some(_)) => return,
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(error = %e, "could not look up the demo account");
            return;
        }
    }
    let user = match b
        .accounts
        .sign_up(DEMO_EMAIL, "Demo Shopper", DEMO_PASSWORD)
        .await
    {
        Ok(u) => u,
        Err(e) => {
            tracing::warn!(error = %e, "could not create the demo account");
            return;
        }
    };
    let profile = json!({
        "shippingAddress": {
            "name": "Demo Shopper", "line1": "100 Harbor Way", "city": "Springfield",
            "region": "IL", "postalCode": "62701", "country": "US"
        },
        "payment": { "label": "Visa ending 4242" }
    });
    let patch = skyport::store::records::UserPatch {
        profile: Some(profile),
        ..Default::default()
    };
    match b.records.update_user(&user.id, patch).await {
        Ok(_) => {
            tracing::warn!("demo account created: {DEMO_EMAIL} / {DEMO_PASSWORD} (demo mode only)")
        }
        Err(e) => tracing::warn!(error = %e, "could not complete the demo account"),
    }
}
