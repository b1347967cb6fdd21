//! OAuth 2.1 for MCP (protocols.md §5): Skyport as the resource server, and
//! optionally as the authorization server.
//!
//! - [`AuthorizationServer`]: the built-in server — client registration
//!   (RFC 7591 and Client ID Metadata Documents), authorization codes with
//!   PKCE S256 only, access tokens bound to one resource (RFC 8707), refresh
//!   tokens rotated on every use with reuse detection. Every token and code
//!   is stored as its SHA-256 only, in the records store's key-value
//!   namespace `oauth`, so any replica sharing the store can verify it.
//! - [`external::ExternalIssuer`]: JWTs of another OpenID Connect provider,
//!   checked against its JWKS.
//! - [`TokenVerifier`]: either of the two, as the resource server sees it.

pub mod clients;
pub mod external;
pub mod fetch;
pub mod grants;
pub mod pages;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

pub use clients::{Client, ClientRegistry, RegistrationError};
pub use grants::{GrantError, IssuedTokens};

use super::{Accounts, Principal};

/// The key-value namespace of every OAuth record.
pub(crate) const NS: &str = "oauth";

/// Settings of the built-in authorization server.
#[derive(Debug, Clone)]
pub struct OAuthSettings {
    /// The issuer: the server's public base URL (`auth.public_url`).
    pub issuer: String,
    /// Access token lifetime.
    pub access_ttl: Duration,
    /// Refresh token lifetime.
    pub refresh_ttl: Duration,
    /// Authorization code lifetime. 60 s: it is exchanged at once.
    pub code_ttl: Duration,
    /// Resources tokens may be issued for: every app's MCP endpoint URI.
    pub resources: Vec<Resource>,
    /// Fetch policy for Client ID Metadata Documents.
    pub fetch: fetch::SafeFetch,
}

/// A protected resource: one app's MCP endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// The app.
    pub app: String,
    /// Canonical URIs of its MCP endpoint (`{public}/{app}/mcp`, and
    /// `{public}/mcp` for the default app). Tokens carry the one requested.
    pub uris: Vec<String>,
    /// Scopes its tools declare.
    pub scopes: Vec<String>,
}

/// The built-in authorization server. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AuthorizationServer {
    pub(crate) settings: Arc<OAuthSettings>,
    pub(crate) records: Arc<dyn skyport_store::Records>,
    pub(crate) accounts: Accounts,
    pub(crate) clients: ClientRegistry,
}

impl AuthorizationServer {
    /// An authorization server over an opened store.
    pub fn new(settings: OAuthSettings, store: &skyport_store::Store) -> Self {
        let settings = Arc::new(settings);
        Self {
            clients: ClientRegistry::new(store.records.clone(), settings.fetch.clone()),
            records: store.records.clone(),
            accounts: Accounts::from_store(store),
            settings,
        }
    }

    /// The settings.
    pub fn settings(&self) -> &OAuthSettings {
        &self.settings
    }

    /// The client registry (registration and lookup).
    pub fn clients(&self) -> &ClientRegistry {
        &self.clients
    }

    /// The accounts users sign in with.
    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// The resource with this canonical URI.
    pub fn resource(&self, uri: &str) -> Option<&Resource> {
        let uri = uri.trim_end_matches('/');
        self.settings
            .resources
            .iter()
            .find(|r| r.uris.iter().any(|u| u == uri))
    }

    /// Every scope any resource declares, sorted.
    pub fn scopes_supported(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .settings
            .resources
            .iter()
            .flat_map(|r| r.scopes.iter().cloned())
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// RFC 8414 authorization-server metadata (also served as OpenID discovery).
    pub fn metadata(&self) -> serde_json::Value {
        let i = &self.settings.issuer;
        serde_json::json!({
            "issuer": i,
            "authorization_endpoint": format!("{i}/oauth/authorize"),
            "token_endpoint": format!("{i}/oauth/token"),
            "registration_endpoint": format!("{i}/oauth/register"),
            "revocation_endpoint": format!("{i}/oauth/revoke"),
            "scopes_supported": self.scopes_supported(),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["none", "client_secret_post", "client_secret_basic"],
            "revocation_endpoint_auth_methods_supported": ["none", "client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "client_id_metadata_document_supported": true,
            "authorization_response_iss_parameter_supported": true,
            "subject_types_supported": ["public"],
        })
    }
}

/// How the resource server checks bearer tokens.
#[derive(Debug, Clone)]
pub enum TokenVerifier {
    /// Tokens of the built-in server, looked up in the store.
    Builtin(AuthorizationServer),
    /// JWTs of an external OpenID Connect provider.
    External(Arc<external::ExternalIssuer>),
}

/// Why a bearer token was refused (the `error_description` of a 401).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenRejection {
    /// Unknown, revoked or forged.
    #[error("the access token is not valid (unknown, revoked or malformed)")]
    Invalid,
    /// Past its expiry.
    #[error("the access token has expired: refresh it")]
    Expired,
    /// Issued for another resource (RFC 8707 audience).
    #[error("the access token was issued for another resource")]
    WrongAudience,
    /// The token store or the provider's keys could not be reached.
    #[error("the token could not be checked right now: {0}")]
    Unavailable(String),
}

impl TokenVerifier {
    /// Checks `token` for a resource known by `audiences` (its canonical URIs).
    pub async fn verify(
        &self,
        token: &str,
        audiences: &[String],
    ) -> Result<Principal, TokenRejection> {
        match self {
            TokenVerifier::Builtin(server) => server.verify_access_token(token, audiences).await,
            TokenVerifier::External(issuer) => issuer.verify(token, audiences).await,
        }
    }

    /// The issuer URL published in protected-resource metadata.
    pub fn issuer(&self) -> String {
        match self {
            TokenVerifier::Builtin(s) => s.settings.issuer.clone(),
            TokenVerifier::External(e) => e.issuer().to_owned(),
        }
    }
}

/// A new random secret: 256 bits, base64url, with a readable prefix.
pub(crate) fn new_secret(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The storage key of a secret: its SHA-256 in hex.
pub(crate) fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Unix milliseconds now.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Checks a PKCE S256 pair: `BASE64URL(SHA256(verifier)) == challenge`, with
/// the verifier's RFC 7636 length and alphabet.
pub fn pkce_s256_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    well_formed && URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_accepts_the_rfc_7636_example_only() {
        // RFC 7636 appendix B.
        let v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let c = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_s256_matches(v, c));
        assert!(!pkce_s256_matches(
            v,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN"
        ));
        assert!(!pkce_s256_matches("short", c));
        assert!(!pkce_s256_matches(&format!("{v}!"), c));
    }
}
