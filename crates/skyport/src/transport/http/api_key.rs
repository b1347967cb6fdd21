//! `Authorization: Bearer sk_…` on the MCP and REST endpoints of apps that
//! `auth.require_api_key` names (the backlog ADR's phase 1). Missing or bad
//! keys get 401 with a JSON body and `WWW-Authenticate: Bearer`.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::auth::ApiKeys;

/// What the check needs: the keys and the app they must be valid for.
#[derive(Debug, Clone)]
pub struct ApiKeyCheck {
    /// The store's keys (`None` when the server was built without a store:
    /// every request is then refused, never let through).
    pub keys: Option<ApiKeys>,
    /// The app being called.
    pub app: String,
}

fn unauthorized(description: &str) -> Response {
    let mut r = (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({ "error": "invalid_token", "error_description": description })),
    )
        .into_response();
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(r#"Bearer realm="skyport", error="invalid_token""#),
    );
    r
}

/// The middleware: passes the request on only with a valid key for the app.
pub async fn require(
    State(check): State<ApiKeyCheck>,
    mut request: Request,
    next: Next,
) -> Response {
    // CORS preflights carry no credentials by design.
    if request.method() == axum::http::Method::OPTIONS {
        return next.run(request).await;
    }
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
    let Some(token) = token else {
        return unauthorized(
            "this app needs an API key: send Authorization: Bearer sk_… (create one with `skyport api-key create`)",
        );
    };
    let Some(keys) = &check.keys else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({ "error": "temporarily_unavailable", "error_description": "API keys cannot be checked: the server has no store (use Server::open)" })),
        )
            .into_response();
    };
    match keys.verify(token.trim(), &check.app).await {
        Ok(key) => {
            // A key speaks for its holder with every scope of the app.
            request
                .extensions_mut()
                .insert(std::sync::Arc::new(crate::auth::Principal {
                    subject: key.id,
                    client_id: key.name,
                    scopes: vec!["*".into()],
                    credential: crate::auth::Credential::ApiKey,
                }));
            next.run(request).await
        }
        Err(crate::auth::AuthError::Store(e)) => {
            tracing::error!(error = %e, "API key check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(json!({ "error": "temporarily_unavailable" })),
            )
                .into_response()
        }
        Err(_) => unauthorized(
            "the API key is not valid for this app (unknown, revoked, or for other apps)",
        ),
    }
}
