//! OAuth clients: registered dynamically (RFC 7591) and kept in the store,
//! or named by the URL of a Client ID Metadata Document, fetched (within
//! [`SafeFetch`]'s policy) and cached.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use skyport_store::{Records, StoreError};

use super::fetch::{FetchError, SafeFetch};
use super::{NS, digest, new_secret, now_ms};

/// How a client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// A public client (PKCE is its proof).
    None,
    /// `client_secret` in the form body.
    ClientSecretPost,
    /// HTTP Basic with the client id and secret.
    ClientSecretBasic,
}

/// A client as the authorization server knows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Client {
    /// The client id (random for registered clients; the document URL for CIMD).
    pub client_id: String,
    /// Shown on the consent page.
    pub client_name: String,
    /// Exact redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Token endpoint authentication.
    pub auth_method: AuthMethod,
    /// SHA-256 of the secret, for confidential clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_digest: Option<String>,
    /// Registered (Unix ms) or fetched.
    pub created_at: i64,
    /// True for Client ID Metadata Document clients.
    #[serde(default)]
    pub metadata_document: bool,
}

/// A registration or document that cannot be used. Each maps to an RFC 7591
/// error code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrationError {
    /// A redirect URI is not https, loopback http, or a private-use scheme.
    #[error("{0}")]
    InvalidRedirectUri(String),
    /// Other metadata is wrong.
    #[error("{0}")]
    InvalidMetadata(String),
    /// The metadata document could not be fetched.
    #[error("the client metadata document could not be used: {0}")]
    Fetch(#[from] FetchError),
    /// The store failed.
    #[error("the client store is unavailable: {0}")]
    Store(#[from] StoreError),
}

impl RegistrationError {
    /// The RFC 7591 `error` code.
    pub fn code(&self) -> &'static str {
        match self {
            RegistrationError::InvalidRedirectUri(_) => "invalid_redirect_uri",
            RegistrationError::Store(_) => "temporarily_unavailable",
            _ => "invalid_client_metadata",
        }
    }
}

/// The metadata a client sends to register (RFC 7591 §2) or publishes as
/// its metadata document. Unknown fields are ignored, as the RFC says.
#[derive(Debug, Deserialize)]
pub struct ClientMetadata {
    /// Where codes may be sent.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Display name.
    #[serde(default)]
    pub client_name: Option<String>,
    /// `none` (default), `client_secret_post` or `client_secret_basic`.
    #[serde(default)]
    pub token_endpoint_auth_method: Option<String>,
    /// Must be within `authorization_code` and `refresh_token`.
    #[serde(default)]
    pub grant_types: Option<Vec<String>>,
    /// Must be `["code"]` when given.
    #[serde(default)]
    pub response_types: Option<Vec<String>>,
    /// The CIMD document's own URL.
    #[serde(default)]
    pub client_id: Option<String>,
}

/// Registered clients plus the metadata-document cache.
#[derive(Debug, Clone)]
pub struct ClientRegistry {
    records: Arc<dyn Records>,
    fetch: SafeFetch,
}

/// Cached CIMD documents live between these bounds whatever the headers say.
const CIMD_MIN_CACHE: Duration = Duration::from_secs(60);
const CIMD_MAX_CACHE: Duration = Duration::from_secs(24 * 3600);
const CIMD_DEFAULT_CACHE: Duration = Duration::from_secs(3600);

impl ClientRegistry {
    /// A registry over the records store.
    pub fn new(records: Arc<dyn Records>, fetch: SafeFetch) -> Self {
        Self { records, fetch }
    }

    /// Registers a client (RFC 7591). Returns the client and, for
    /// confidential clients, its secret (shown once; only its hash is kept).
    pub async fn register(
        &self,
        meta: ClientMetadata,
    ) -> Result<(Client, Option<String>), RegistrationError> {
        let auth_method = check_metadata(&meta)?;
        let client_id = format!("skc_{}", hex(&rand::random::<[u8; 16]>()));
        let secret = (auth_method != AuthMethod::None).then(|| new_secret("scs_"));
        let client = Client {
            client_id: client_id.clone(),
            client_name: display_name(meta.client_name.as_deref(), &client_id),
            redirect_uris: meta.redirect_uris,
            auth_method,
            secret_digest: secret.as_deref().map(digest),
            created_at: now_ms(),
            metadata_document: false,
        };
        let value = serde_json::to_value(&client)
            .map_err(|e| RegistrationError::InvalidMetadata(e.to_string()))?;
        self.records
            .kv_put_if(NS, &format!("client/{client_id}"), &value, None)
            .await?;
        Ok((client, secret))
    }

    /// The client with this id: a registered one, or (for an https URL) the
    /// metadata document it names, fetched or from the cache. `Ok(None)`
    /// when no such client exists.
    pub async fn find(&self, client_id: &str) -> Result<Option<Client>, RegistrationError> {
        if client_id.starts_with("https://")
            || (self.fetch.allow_private && client_id.starts_with("http://"))
        {
            return self.metadata_document(client_id).await.map(Some);
        }
        if client_id.is_empty() || client_id.len() > 200 {
            return Ok(None);
        }
        let entry = self
            .records
            .kv_get(NS, &format!("client/{client_id}"))
            .await?;
        Ok(entry.and_then(|e| serde_json::from_value(e.value).ok()))
    }

    async fn metadata_document(&self, url: &str) -> Result<Client, RegistrationError> {
        let key = format!("cimd/{}", digest(url));
        if let Some(entry) = self.records.kv_get(NS, &key).await? {
            let fresh = entry.value["expires_at"]
                .as_i64()
                .is_some_and(|t| t > now_ms());
            if fresh && let Ok(c) = serde_json::from_value::<Client>(entry.value["client"].clone())
            {
                return Ok(c);
            }
        }
        let url_ok = url::Url::parse(url)
            .is_ok_and(|u| u.path() != "/" && u.fragment().is_none() && u.username().is_empty());
        if !url_ok {
            return Err(RegistrationError::InvalidMetadata(
                "a URL client_id must be an https URL with a path and no fragment or credentials"
                    .into(),
            ));
        }
        let fetched = self.fetch.json(url).await?;
        let meta: ClientMetadata = serde_json::from_value(fetched.json).map_err(|e| {
            RegistrationError::InvalidMetadata(format!("the metadata document is malformed: {e}"))
        })?;
        if meta.client_id.as_deref() != Some(url) {
            return Err(RegistrationError::InvalidMetadata(
                "the metadata document's client_id must equal its URL".into(),
            ));
        }
        // Documents authenticate with private_key_jwt or not at all; we accept them as public clients (PKCE).
        let mut checked = meta;
        checked.token_endpoint_auth_method = None;
        check_metadata(&checked)?;
        let client = Client {
            client_id: url.to_owned(),
            client_name: display_name(checked.client_name.as_deref(), url),
            redirect_uris: checked.redirect_uris,
            auth_method: AuthMethod::None,
            secret_digest: None,
            created_at: now_ms(),
            metadata_document: true,
        };
        let ttl = fetched
            .max_age
            .unwrap_or(CIMD_DEFAULT_CACHE)
            .clamp(CIMD_MIN_CACHE, CIMD_MAX_CACHE);
        let cached = json!({"client": client, "expires_at": now_ms() + ttl.as_millis() as i64});
        self.records.kv_put(NS, &key, &cached).await?;
        Ok(client)
    }
}

fn display_name(name: Option<&str>, fallback: &str) -> String {
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(fallback);
    name.chars().filter(|c| !c.is_control()).take(100).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn check_metadata(meta: &ClientMetadata) -> Result<AuthMethod, RegistrationError> {
    if meta.redirect_uris.is_empty() || meta.redirect_uris.len() > 10 {
        return Err(RegistrationError::InvalidRedirectUri(
            "redirect_uris must list 1 to 10 URIs".into(),
        ));
    }
    for uri in &meta.redirect_uris {
        check_redirect_uri(uri)?;
    }
    if meta
        .client_name
        .as_deref()
        .is_some_and(|n| n.chars().count() > 200)
    {
        return Err(RegistrationError::InvalidMetadata(
            "client_name is longer than 200 characters".into(),
        ));
    }
    if let Some(grants) = &meta.grant_types
        && let Some(bad) = grants
            .iter()
            .find(|g| !matches!(g.as_str(), "authorization_code" | "refresh_token"))
    {
        return Err(RegistrationError::InvalidMetadata(format!(
            "grant type {bad:?} is not supported: use authorization_code and refresh_token"
        )));
    }
    if let Some(types) = &meta.response_types
        && types.iter().any(|t| t != "code")
    {
        return Err(RegistrationError::InvalidMetadata(
            "only the response type \"code\" is supported".into(),
        ));
    }
    match meta.token_endpoint_auth_method.as_deref() {
        None | Some("none") => Ok(AuthMethod::None),
        Some("client_secret_post") => Ok(AuthMethod::ClientSecretPost),
        Some("client_secret_basic") => Ok(AuthMethod::ClientSecretBasic),
        Some(other) => Err(RegistrationError::InvalidMetadata(format!(
            "token_endpoint_auth_method {other:?} is not supported: use none, client_secret_post or client_secret_basic"
        ))),
    }
}

/// Redirect URIs: https; http only to a loopback host (native apps, RFC
/// 8252); or a private-use scheme with a dot (`com.example.app:/cb`). No
/// fragments, no credentials.
pub fn check_redirect_uri(uri: &str) -> Result<(), RegistrationError> {
    let bad = |why: &str| {
        Err(RegistrationError::InvalidRedirectUri(format!(
            "redirect URI {uri:?} {why}"
        )))
    };
    if uri.len() > 2000 {
        return bad("is too long");
    }
    let Ok(u) = url::Url::parse(uri) else {
        return bad("is not an absolute URI");
    };
    if u.fragment().is_some() || !u.username().is_empty() || u.password().is_some() {
        return bad("must not have a fragment or credentials");
    }
    match u.scheme() {
        "https" if u.host_str().is_some() => Ok(()),
        "http" if matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")) => Ok(()),
        "http" => bad("uses plain http off loopback: use https"),
        "javascript" | "data" | "file" | "vbscript" | "blob" | "about" => {
            bad("uses a forbidden scheme")
        }
        s if s.contains('.') => Ok(()),
        _ => bad("must be https, http on loopback, or a private-use scheme like com.example.app"),
    }
}

/// The registration response (RFC 7591 §3.2.1).
pub fn registration_response(client: &Client, secret: Option<&str>) -> Value {
    let mut v = json!({
        "client_id": client.client_id,
        "client_id_issued_at": client.created_at / 1000,
        "client_name": client.client_name,
        "redirect_uris": client.redirect_uris,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": match client.auth_method {
            AuthMethod::None => "none",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::ClientSecretBasic => "client_secret_basic",
        },
    });
    if let Some(s) = secret {
        v["client_secret"] = json!(s);
        v["client_secret_expires_at"] = json!(0);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_are_https_loopback_or_private_use() {
        for ok in [
            "https://chatgpt.com/connector/oauth/abc123",
            "https://chatgpt.com/connector_platform_oauth_redirect",
            "http://127.0.0.1:33418/callback",
            "http://localhost:6274/oauth/callback",
            "com.example.app:/oauth2redirect",
        ] {
            assert!(check_redirect_uri(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://evil.example.com/cb",
            "javascript:alert(1)",
            "https://a.example.com/cb#frag",
            "https://user:pw@a.example.com/cb",
            "/relative",
            "myapp:/cb",
        ] {
            assert!(check_redirect_uri(bad).is_err(), "{bad}");
        }
    }
}
