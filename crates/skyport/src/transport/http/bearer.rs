//! The resource-server side of OAuth on an app's MCP, SSE and REST routes:
//! a valid `Authorization: Bearer` token becomes a [`Principal`] in the
//! request's extensions (tools read it as `ctx.principal()`); an invalid one
//! gets 401 with a challenge naming the protected-resource metadata. Apps in
//! `auth.oauth.require` also refuse requests without a token.
//!
//! Only added to apps that can use a token (a tool declares `oauth2`, or the
//! app is in `auth.oauth.require`): other apps pay nothing per request.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::auth::Principal;
use crate::auth::oauth::{TokenRejection, TokenVerifier};

/// What the check needs for one mount of one app.
#[derive(Debug, Clone)]
pub struct BearerCheck {
    /// Checks tokens.
    pub verifier: TokenVerifier,
    /// The app's canonical resource URIs (tokens must carry one of them).
    pub audiences: Vec<String>,
    /// URL of the protected-resource metadata for this mount.
    pub resource_metadata: String,
    /// Scopes the app's tools declare (the challenge's `scope`).
    pub scopes: Vec<String>,
    /// Refuse requests without a token.
    pub require: bool,
    /// Per-client rate limits (`limits.per_client_per_minute`).
    pub limiter: Option<Arc<super::protection::RateLimiter>>,
}

impl BearerCheck {
    /// The `WWW-Authenticate` value: `resource_metadata`, `scope`, and the
    /// error when a token was refused.
    pub fn challenge(&self, error: Option<(&str, &str)>) -> String {
        let mut c = format!(r#"Bearer resource_metadata="{}""#, self.resource_metadata);
        if !self.scopes.is_empty() {
            c.push_str(&format!(r#", scope="{}""#, self.scopes.join(" ")));
        }
        if let Some((code, description)) = error {
            c.push_str(&format!(
                r#", error="{code}", error_description="{}""#,
                description.replace('"', "'")
            ));
        }
        c
    }

    fn unauthorized(&self, error: Option<(&str, &str)>) -> Response {
        let (code, description) = error.unwrap_or((
            "invalid_token",
            "this app needs an access token: follow WWW-Authenticate's resource_metadata to authorize",
        ));
        let mut r = (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({ "error": code, "error_description": description })),
        )
            .into_response();
        if let Ok(v) = HeaderValue::from_str(&self.challenge(error)) {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        r
    }
}

impl BearerCheck {
    /// 403 `insufficient_scope`, naming every scope the app offers.
    fn forbidden(&self) -> Response {
        let description =
            "the access token has none of this app's scopes: authorize again asking for them";
        let mut r = (
            StatusCode::FORBIDDEN,
            axum::Json(json!({ "error": "insufficient_scope", "error_description": description })),
        )
            .into_response();
        if let Ok(v) =
            HeaderValue::from_str(&self.challenge(Some(("insufficient_scope", description))))
        {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        r
    }
}

/// The bearer token of a request, if it sent one.
fn bearer_token(request: &Request) -> Option<&str> {
    let v = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The middleware.
pub async fn authenticate(
    State(check): State<Arc<BearerCheck>>,
    mut request: Request,
    next: Next,
) -> Response {
    // CORS preflights carry no credentials; an API key already checked wins.
    if request.method() == axum::http::Method::OPTIONS
        || request.extensions().get::<Arc<Principal>>().is_some()
    {
        return next.run(request).await;
    }
    let Some(token) = bearer_token(&request) else {
        if check.require {
            return check.unauthorized(None);
        }
        return next.run(request).await;
    };
    match check.verifier.verify(token, &check.audiences).await {
        Ok(principal) => {
            // A fully protected app: a token with none of its scopes is the
            // wrong key for this door (403, so the client steps up its scopes).
            if check.require
                && !check.scopes.is_empty()
                && !check
                    .scopes
                    .iter()
                    .any(|s| principal.has_scopes(std::slice::from_ref(s)))
            {
                return check.forbidden();
            }
            if let Some(limiter) = &check.limiter
                && let Err(refused) = limiter.check_client(&principal.client_id).await
            {
                return refused;
            }
            request.extensions_mut().insert(Arc::new(principal));
            next.run(request).await
        }
        Err(TokenRejection::Unavailable(why)) => {
            tracing::error!(error = %why, "token check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(json!({ "error": "temporarily_unavailable", "error_description": "the token could not be checked; retry shortly" })),
            )
                .into_response()
        }
        Err(rejection) => check.unauthorized(Some(("invalid_token", &rejection.to_string()))),
    }
}
