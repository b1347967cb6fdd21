//! OAuth endpoints: protected-resource metadata for every app (RFC 9728),
//! and — when the built-in authorization server runs — its metadata
//! (RFC 8414 and OpenID discovery), registration (RFC 7591), the sign-in and
//! consent page, the token endpoint and revocation (RFC 7009).
//!
//! Every body is bounded (16 KiB) and parsed strictly: repeated parameters
//! are refused, as OAuth requires. Errors are RFC 6749 JSON with
//! `Cache-Control: no-store`; requests that cannot be redirected back (an
//! unknown client or an unregistered redirect URI) get an error page and
//! are never redirected.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use serde_json::{Value, json};

use crate::auth::AuthError;
use crate::auth::oauth::clients::{AuthMethod, ClientMetadata, registration_response};
use crate::auth::oauth::grants::Approval;
use crate::auth::oauth::pages::{ConsentPage, error_page};
use crate::auth::oauth::{AuthorizationServer, Client, GrantError, digest};

/// Largest body of any OAuth request.
const MAX_BODY: usize = 16 * 1024;
/// The anti-CSRF cookie of the consent form.
const CSRF_COOKIE: &str = "skyport_oauth_csrf";

/// One app as a protected resource.
#[derive(Debug, Clone)]
pub struct ProtectedResource {
    /// Its canonical URI (`{public}/{app}/mcp` or `{public}/mcp`).
    pub resource: String,
    /// Scopes its tools declare.
    pub scopes: Vec<String>,
    /// Its display name.
    pub name: String,
}

/// What the metadata routes need.
#[derive(Debug, Clone)]
pub struct MetadataState {
    /// Issuer of accepted tokens (ours or an external one).
    pub issuer: String,
    /// By path suffix (`/{app}/mcp`, `/mcp`); `""` is the root document.
    pub resources: BTreeMap<String, ProtectedResource>,
}

/// `/.well-known/oauth-protected-resource[/{path}]` for every app mount.
pub fn metadata_routes(state: MetadataState) -> Router {
    let state = Arc::new(state);
    let mut r = Router::new();
    for suffix in state.resources.keys() {
        let path = format!("/.well-known/oauth-protected-resource{suffix}");
        let s = state.clone();
        let suffix = suffix.clone();
        r = r.route(
            &path,
            get(move || {
                let s = s.clone();
                let suffix = suffix.clone();
                async move { protected_resource(&s, &suffix) }
            }),
        );
    }
    r
}

fn protected_resource(s: &MetadataState, suffix: &str) -> Response {
    let Some(res) = s.resources.get(suffix) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut r = axum::Json(json!({
        "resource": res.resource,
        "authorization_servers": [s.issuer],
        "scopes_supported": res.scopes,
        "bearer_methods_supported": ["header"],
        "resource_name": res.name,
    }))
    .into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    r
}

/// The built-in authorization server's routes.
pub fn server_routes(server: AuthorizationServer) -> Router {
    let server = Arc::new(server);
    Router::new()
        .route("/.well-known/oauth-authorization-server", get(metadata))
        .route("/.well-known/openid-configuration", get(metadata))
        .route("/oauth/register", post(register))
        .route(
            "/oauth/authorize",
            get(authorize_page).post(authorize_submit),
        )
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke))
        .with_state(server)
}

type St = State<Arc<AuthorizationServer>>;

async fn metadata(State(s): St) -> Response {
    axum::Json(s.metadata()).into_response()
}

fn no_store(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

fn oauth_error(status: StatusCode, code: &str, description: impl Into<String>) -> Response {
    no_store(
        (
            status,
            axum::Json(json!({"error": code, "error_description": description.into()})),
        )
            .into_response(),
    )
}

async fn read_limited(body: Body) -> Result<axum::body::Bytes, Response> {
    axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        oauth_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            format!("the body is larger than {MAX_BODY} bytes"),
        )
    })
}

fn content_type_is(headers: &HeaderMap, wanted: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(wanted))
}

/// Form or query parameters; a repeated name is an error (RFC 6749 §3.1).
fn parse_params(raw: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(raw).map_err(|e| format!("malformed parameters: {e}"))?;
    let mut map = BTreeMap::new();
    for (k, v) in pairs {
        if map.insert(k.clone(), v).is_some() {
            return Err(format!("the parameter {k:?} is repeated"));
        }
    }
    Ok(map)
}

// ---- registration --------------------------------------------------------------

async fn register(State(s): St, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if !content_type_is(&parts.headers, "application/json") {
        return oauth_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_client_metadata",
            "send the client metadata as application/json",
        );
    }
    let body = match read_limited(body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let meta: ClientMetadata = match serde_json::from_slice(&body) {
        Ok(m) => m,
        Err(e) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_client_metadata",
                format!("the body is not client metadata JSON: {e}"),
            );
        }
    };
    match s.clients().register(meta).await {
        Ok((client, secret)) => no_store(
            (
                StatusCode::CREATED,
                axum::Json(registration_response(&client, secret.as_deref())),
            )
                .into_response(),
        ),
        Err(e) => {
            let status = if e.code() == "temporarily_unavailable" {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::BAD_REQUEST
            };
            oauth_error(status, e.code(), e.to_string())
        }
    }
}

// ---- authorization -------------------------------------------------------------

/// An authorization request that passed every check.
struct Validated {
    client: Client,
    redirect_uri: String,
    state: Option<String>,
    challenge: String,
    scopes: Vec<String>,
    resource: String,
    app: String,
}

/// Why an authorization request failed: shown (client/redirect problems)
/// or sent back to the redirect URI.
enum AuthorizeFailure {
    Show(StatusCode, String),
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        code: &'static str,
        description: String,
    },
}

/// The parameters the consent form echoes back.
const ECHOED: [&str; 8] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
    "resource",
];

async fn validate(
    s: &AuthorizationServer,
    p: &BTreeMap<String, String>,
) -> Result<Validated, AuthorizeFailure> {
    let show = |m: &str| AuthorizeFailure::Show(StatusCode::BAD_REQUEST, m.to_owned());
    let Some(client_id) = p.get("client_id") else {
        return Err(show("The request has no client_id."));
    };
    let client = match s.clients().find(client_id).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            return Err(show(
                "The application is not registered with this server (unknown client_id).",
            ));
        }
        Err(e) => {
            return Err(show(&format!(
                "The application could not be identified: {e}"
            )));
        }
    };
    let redirect_uri = match p.get("redirect_uri") {
        Some(r) if client.redirect_uris.iter().any(|u| u == r) => r.clone(),
        Some(_) => {
            return Err(show(
                "The redirect_uri is not one the application registered (they must match exactly).",
            ));
        }
        None if client.redirect_uris.len() == 1 => client.redirect_uris[0].clone(),
        None => return Err(show("The request has no redirect_uri.")),
    };
    let state = p.get("state").cloned();
    let back = |code: &'static str, d: &str| AuthorizeFailure::Redirect {
        redirect_uri: redirect_uri.clone(),
        state: state.clone(),
        code,
        description: d.to_owned(),
    };
    if p.get("response_type").map(String::as_str) != Some("code") {
        return Err(back(
            "unsupported_response_type",
            "response_type must be code",
        ));
    }
    let Some(challenge) = p
        .get("code_challenge")
        .filter(|c| (43..=128).contains(&c.len()))
    else {
        return Err(back(
            "invalid_request",
            "PKCE is required: send a code_challenge (S256)",
        ));
    };
    if p.get("code_challenge_method").map(String::as_str) != Some("S256") {
        return Err(back(
            "invalid_request",
            "code_challenge_method must be S256",
        ));
    }
    let Some(resource_uri) = p.get("resource") else {
        return Err(back(
            "invalid_target",
            "resource is required (RFC 8707): send the MCP server's URL",
        ));
    };
    let Some(resource) = s.resource(resource_uri) else {
        return Err(back(
            "invalid_target",
            "resource is not an MCP endpoint of this server",
        ));
    };
    let scopes: Vec<String> = match p.get("scope") {
        Some(sc) if !sc.trim().is_empty() => {
            let asked: Vec<String> = sc.split_whitespace().map(String::from).collect();
            if let Some(bad) = asked.iter().find(|a| !resource.scopes.contains(a)) {
                return Err(back(
                    "invalid_scope",
                    &format!("scope {bad:?} is not offered by this app"),
                ));
            }
            asked
        }
        _ => resource.scopes.clone(),
    };
    Ok(Validated {
        client,
        redirect_uri,
        state,
        challenge: challenge.clone(),
        scopes,
        resource: resource_uri.trim_end_matches('/').to_owned(),
        app: resource.app.clone(),
    })
}

fn redirect_with(s: &AuthorizationServer, uri: &str, params: &[(&str, &str)]) -> Response {
    let mut url = match url::Url::parse(uri) {
        Ok(u) => u,
        Err(_) => return Html(error_page("The redirect URI is malformed.")).into_response(),
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
        q.append_pair("iss", &s.settings().issuer);
    }
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(url.as_str()) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    no_store(r)
}

fn failure_response(s: &AuthorizationServer, f: AuthorizeFailure) -> Response {
    match f {
        AuthorizeFailure::Show(status, m) => page_response(status, error_page(&m), None),
        AuthorizeFailure::Redirect {
            redirect_uri,
            state,
            code,
            description,
        } => {
            let mut params = vec![("error", code), ("error_description", description.as_str())];
            if let Some(st) = &state {
                params.push(("state", st));
            }
            redirect_with(s, &redirect_uri, &params)
        }
    }
}

/// The page with headers that keep it out of frames and caches.
fn page_response(status: StatusCode, html: String, csrf_cookie: Option<String>) -> Response {
    let mut r = (status, Html(html)).into_response();
    let h = r.headers_mut();
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if let Some(c) = csrf_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(header::SET_COOKIE, c);
    }
    no_store(r)
}

fn csrf_cookie(s: &AuthorizationServer, token: &str) -> String {
    let secure = if s.settings().issuer.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!("{CSRF_COOKIE}={token}; Path=/oauth; HttpOnly; SameSite=Strict; Max-Age=1800{secure}")
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(name)?.strip_prefix('='))
}

struct PageInput<'a> {
    params: &'a BTreeMap<String, String>,
    csrf: &'a str,
    error: Option<&'a str>,
    email: &'a str,
    sign_up: bool,
}

fn consent(
    s: &AuthorizationServer,
    v: &Validated,
    input: PageInput<'_>,
    status: StatusCode,
) -> Response {
    let echoed: Vec<(String, String)> = ECHOED
        .iter()
        .filter_map(|k| input.params.get(*k).map(|v| ((*k).to_owned(), v.clone())))
        .collect();
    let host = url::Url::parse(&v.redirect_uri)
        .ok()
        .and_then(|u| u.host_str().map(String::from))
        .unwrap_or_else(|| v.redirect_uri.clone());
    let html = ConsentPage {
        client_name: &v.client.client_name,
        redirect_host: &host,
        app: &v.app,
        scopes: &v.scopes,
        params: &echoed,
        csrf: input.csrf,
        error: input.error,
        email: input.email,
        sign_up: input.sign_up,
    }
    .render();
    page_response(status, html, Some(csrf_cookie(s, input.csrf)))
}

async fn authorize_page(State(s): St, request: Request) -> Response {
    let params = match parse_params(request.uri().query().unwrap_or("").as_bytes()) {
        Ok(p) => p,
        Err(e) => return page_response(StatusCode::BAD_REQUEST, error_page(&e), None),
    };
    let v = match validate(&s, &params).await {
        Ok(v) => v,
        Err(f) => return failure_response(&s, f),
    };
    let csrf = crate::auth::oauth::new_secret("");
    let input = PageInput {
        params: &params,
        csrf: &csrf,
        error: None,
        email: "",
        sign_up: false,
    };
    consent(&s, &v, input, StatusCode::OK)
}

async fn authorize_submit(State(s): St, request: Request) -> Response {
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let (parts, body) = request.into_parts();
    if !content_type_is(&parts.headers, "application/x-www-form-urlencoded") {
        return page_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            error_page("The form must be sent as application/x-www-form-urlencoded."),
            None,
        );
    }
    let body = match read_limited(body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let form = match parse_params(&body) {
        Ok(p) => p,
        Err(e) => return page_response(StatusCode::BAD_REQUEST, error_page(&e), None),
    };
    let sent = form.get("csrf").map(String::as_str).unwrap_or("");
    if sent.is_empty() || cookie(&parts.headers, CSRF_COOKIE) != Some(sent) {
        return page_response(
            StatusCode::FORBIDDEN,
            error_page(
                "The sign-in form expired or came from another site: start again from the application.",
            ),
            None,
        );
    }
    // The hidden fields are re-validated: the form is as untrusted as the query.
    let v = match validate(&s, &form).await {
        Ok(v) => v,
        Err(f) => return failure_response(&s, f),
    };
    let mut state_params: Vec<(&str, &str)> = Vec::new();
    if let Some(st) = &v.state {
        state_params.push(("state", st));
    }
    let email = form.get("email").map(String::as_str).unwrap_or("").trim();
    let password = form.get("password").map(String::as_str).unwrap_or("");
    let mode = form.get("mode").map(String::as_str);
    let sign_up = form.get("form_mode").map(String::as_str) == Some("sign_up");
    let page = |error: Option<&str>, sign_up: bool, status: StatusCode| {
        let input = PageInput {
            params: &form,
            csrf: sent,
            error,
            email,
            sign_up,
        };
        consent(&s, &v, input, status)
    };
    match mode {
        Some("show_sign_up") => return page(None, true, StatusCode::OK),
        Some("sign_in") => return page(None, false, StatusCode::OK),
        _ => {}
    }
    if form.get("decision").map(String::as_str) != Some("allow") {
        let mut params = vec![
            ("error", "access_denied"),
            ("error_description", "the user cancelled"),
        ];
        params.extend(state_params);
        return redirect_with(&s, &v.redirect_uri, &params);
    }
    let outcome = if sign_up {
        let name = form.get("name").map(String::as_str).unwrap_or("");
        s.accounts().sign_up(email, name, password).await
    } else {
        s.accounts().sign_in(email, password, ip).await
    };
    let user = match outcome {
        Ok(u) => u,
        Err(e) => {
            let status = match &e {
                AuthError::InvalidCredentials => StatusCode::UNAUTHORIZED,
                AuthError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
                AuthError::EmailTaken => StatusCode::CONFLICT,
                AuthError::Invalid(_) => StatusCode::BAD_REQUEST,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            };
            let mut r = page(Some(&e.to_string()), sign_up, status);
            if let AuthError::Throttled { retry_after } = e
                && let Ok(h) = HeaderValue::from_str(&retry_after.to_string())
            {
                r.headers_mut().insert(header::RETRY_AFTER, h);
            }
            return r;
        }
    };
    let approval = Approval {
        client_id: v.client.client_id.clone(),
        redirect_uri: v.redirect_uri.clone(),
        code_challenge: v.challenge.clone(),
        scopes: v.scopes.clone(),
        resource: v.resource.clone(),
        user_id: user.id,
    };
    let code = match s.issue_code(approval).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "issuing an authorization code failed");
            return page(
                Some("The server could not finish signing you in; try again."),
                sign_up,
                StatusCode::SERVICE_UNAVAILABLE,
            );
        }
    };
    let mut params = vec![("code", code.as_str())];
    params.extend(state_params);
    redirect_with(&s, &v.redirect_uri, &params)
}

// ---- token and revocation ------------------------------------------------------

/// The client a token or revocation request authenticates as.
async fn authenticate_client(
    s: &AuthorizationServer,
    headers: &HeaderMap,
    form: &BTreeMap<String, String>,
) -> Result<Client, Response> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            let decode = |x: &str| {
                serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={x}"))
                    .ok()?
                    .pop()
                    .map(|p| p.1)
            };
            Some((decode(id)?, decode(secret)?))
        });
    let invalid = |why: &str| {
        let mut r = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", why.to_owned());
        if basic.is_some() {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Basic realm="skyport""#),
            );
        }
        r
    };
    let (client_id, secret, method) = match (&basic, form.get("client_id")) {
        (Some((id, secret)), _) => (
            id.clone(),
            Some(secret.clone()),
            AuthMethod::ClientSecretBasic,
        ),
        (None, Some(id)) => {
            let secret = form.get("client_secret").cloned();
            let m = if secret.is_some() {
                AuthMethod::ClientSecretPost
            } else {
                AuthMethod::None
            };
            (id.clone(), secret, m)
        }
        (None, None) => {
            return Err(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "client_id is required",
            ));
        }
    };
    let client = match s.clients().find(&client_id).await {
        Ok(Some(c)) => c,
        // Unknown clients get 401 invalid_client so hosts register again.
        Ok(None) => return Err(invalid("unknown client: register again")),
        Err(e) => return Err(invalid(&e.to_string())),
    };
    let ok = match client.auth_method {
        AuthMethod::None => method == AuthMethod::None,
        expected => method == expected && secret.as_deref().map(digest) == client.secret_digest,
    };
    if !ok {
        return Err(invalid("client authentication failed"));
    }
    Ok(client)
}

async fn read_form(request: Request) -> Result<(HeaderMap, BTreeMap<String, String>), Response> {
    let (parts, body) = request.into_parts();
    if !content_type_is(&parts.headers, "application/x-www-form-urlencoded") {
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "send the parameters as application/x-www-form-urlencoded",
        ));
    }
    let body = read_limited(body).await?;
    let form = parse_params(&body)
        .map_err(|e| oauth_error(StatusCode::BAD_REQUEST, "invalid_request", e))?;
    Ok((parts.headers, form))
}

async fn token(State(s): St, request: Request) -> Response {
    let (headers, form) = match read_form(request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let client = match authenticate_client(&s, &headers, &form).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let get = |k: &str| form.get(k).map(String::as_str);
    let result = match get("grant_type") {
        Some("authorization_code") => match (get("code"), get("code_verifier")) {
            (Some(code), Some(verifier)) => {
                let redirect = get("redirect_uri").unwrap_or_else(|| {
                    if client.redirect_uris.len() == 1 {
                        &client.redirect_uris[0]
                    } else {
                        ""
                    }
                });
                s.exchange_code(&client.client_id, code, redirect, verifier, get("resource"))
                    .await
            }
            (_, None) => Err(GrantError::InvalidRequest(
                "code_verifier is required (PKCE)".into(),
            )),
            (None, _) => Err(GrantError::InvalidRequest("code is required".into())),
        },
        Some("refresh_token") => match get("refresh_token") {
            Some(rt) => {
                s.refresh(&client.client_id, rt, get("scope"), get("resource"))
                    .await
            }
            None => Err(GrantError::InvalidRequest(
                "refresh_token is required".into(),
            )),
        },
        Some(other) => Err(GrantError::UnsupportedGrantType(format!(
            "grant_type {other:?} is not supported: use authorization_code or refresh_token"
        ))),
        None => Err(GrantError::InvalidRequest("grant_type is required".into())),
    };
    match result {
        Ok(tokens) => no_store(axum::Json(tokens).into_response()),
        Err(GrantError::Store(e)) => {
            tracing::error!(error = %e, "token endpoint: store failed");
            oauth_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "retry shortly",
            )
        }
        Err(e) => {
            let status = if matches!(e, GrantError::InvalidClient(_)) {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::BAD_REQUEST
            };
            oauth_error(status, e.code(), e.to_string())
        }
    }
}

async fn revoke(State(s): St, request: Request) -> Response {
    let (headers, form) = match read_form(request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let client = match authenticate_client(&s, &headers, &form).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(token) = form.get("token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is required",
        );
    };
    match s.revoke(&client.client_id, token).await {
        Ok(()) => no_store(axum::Json(Value::Object(Default::default())).into_response()),
        Err(e) => {
            tracing::error!(error = %e, "revocation failed");
            oauth_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "retry shortly",
            )
        }
    }
}
