//! Helpers for the apps' small JSON APIs, which widgets call from inside the
//! host's sandboxed iframe: cross-origin, from any origin, without cookies
//! (a capability id in the body is the only credential).
//!
//! Every failure is `{success: false, error: {code, message}}` with a status
//! that says what kind of fault it is, and a message that says what to do.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use skyport::auth::{Accounts, AuthError};
use skyport::store::records::User;

/// The largest request body these APIs accept.
pub(crate) const MAX_BODY: usize = 16 * 1024;

/// Headers on every answer: any origin may read it (no credentials are
/// involved), and `Retry-After` is readable.
pub(crate) fn cors(resp: &mut Response) {
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
pub(crate) fn private_json(status: StatusCode, body: Value) -> Response {
    let mut resp = (status, axum::Json(body)).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    cors(&mut resp);
    resp
}

/// `{success: false, error: {code, message}}`.
pub(crate) fn failure(status: StatusCode, code: &str, message: &str) -> Response {
    private_json(
        status,
        json!({ "success": false, "error": { "code": code, "message": message } }),
    )
}

/// 503: the store is not there or failed.
pub(crate) fn unavailable(what: &str) -> Response {
    failure(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        &format!("{what} is unavailable right now. Try again in a moment."),
    )
}

/// Logs a store failure and answers 503.
pub(crate) fn store_failed(app: &str, what: &str, e: &dyn std::fmt::Display) -> Response {
    tracing::error!(app, error = %e, "the store failed");
    unavailable(what)
}

/// The answer to a CORS preflight.
pub(crate) async fn preflight() -> Response {
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

/// The client's address, as the protection layer resolved it (it trusts
/// `X-Forwarded-For` only when configured to).
pub(crate) fn client_ip(req: &Request<Body>) -> Option<std::net::IpAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// Reads a JSON body of type `T`: 415 when it is not JSON, 413 over
/// [`MAX_BODY`], 400 when malformed or not of the shape `shape` describes.
/// Errors name a missing or unknown field but never echo a value (it could
/// be a password).
pub(crate) async fn read_json<T: DeserializeOwned>(
    req: Request<Body>,
    shape: &str,
) -> Result<T, Response> {
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
    serde_json::from_value::<T>(value).map_err(|e| {
        let why = e.to_string();
        let detail = ["missing field", "unknown field"]
            .iter()
            .find(|p| why.starts_with(**p))
            .map(|_| why.split(", expected").next().unwrap_or(&why).to_owned());
        let message = match detail {
            Some(d) => format!("{shape} ({d})"),
            None => shape.to_owned(),
        };
        failure(StatusCode::BAD_REQUEST, "invalid_request", &message)
    })
}

/// The answer for a failed sign-in or sign-up.
pub(crate) fn auth_failure(app: &str, e: AuthError) -> Response {
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
        other => store_failed(app, "Sign-in", &other),
    }
}

/// What a sign-in form posted.
pub(crate) struct Credentials<'a> {
    /// The email as typed.
    pub(crate) email: &'a str,
    /// The password.
    pub(crate) password: &'a str,
    /// True to create an account rather than sign in.
    pub(crate) sign_up: bool,
    /// The new account's name (sign-up only).
    pub(crate) name: Option<&'a str>,
}

/// Signs in, or creates the account, from a form; the error answer
/// otherwise (blank fields, wrong credentials, taken email, throttled).
pub(crate) async fn sign_in_or_up(
    app: &str,
    accounts: &Accounts,
    form: Credentials<'_>,
    ip: Option<std::net::IpAddr>,
) -> Result<User, Response> {
    let email = form.email.trim();
    if email.is_empty() || form.password.is_empty() {
        return Err(failure(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Enter your email and password.",
        ));
    }
    let result = if form.sign_up {
        let name = form.name.map(str::trim).unwrap_or_default();
        if name.is_empty() {
            return Err(failure(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Enter your name to create an account.",
            ));
        }
        accounts.sign_up(email, name, form.password).await
    } else {
        accounts.sign_in(email, form.password, ip).await
    };
    result.map_err(|e| auth_failure(app, e))
}

/// A message as a sentence: capital first letter, final period.
pub(crate) fn capitalize(s: &str) -> String {
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

/// Seconds as words for a "try again in …" message.
pub(crate) fn minutes(secs: u64) -> String {
    match secs {
        0..=1 => "1 second".to_owned(),
        2..=59 => format!("{secs} seconds"),
        60..=119 => "a minute".to_owned(),
        s => format!("{} minutes", s.div_ceil(60)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_sentences() {
        assert_eq!(capitalize("the name is too long"), "The name is too long.");
        assert_eq!(capitalize(""), ".");
        assert_eq!(minutes(0), "1 second");
        assert_eq!(minutes(30), "30 seconds");
        assert_eq!(minutes(61), "a minute");
        assert_eq!(minutes(900), "15 minutes");
    }
}
