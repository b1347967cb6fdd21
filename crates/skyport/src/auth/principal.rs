//! Who is calling: the identity a verified credential proves.

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credential {
    /// An access token issued by Skyport's own authorization server.
    OAuth,
    /// A JWT issued by an external OpenID Connect provider, checked with its JWKS.
    ExternalJwt,
    /// A Skyport API key (`sk_…`).
    ApiKey,
}

/// A verified caller, attached to a request by the HTTP auth layer and
/// readable by tools through `RequestContext::principal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user (`usr_…` for Skyport accounts; the token's `sub` for an
    /// external provider; the key id for API keys).
    pub subject: String,
    /// The OAuth client the token was issued to (the key name for API keys).
    pub client_id: String,
    /// Scopes granted to the token; `*` grants every scope (API keys).
    pub scopes: Vec<String>,
    /// How the caller proved it.
    pub credential: Credential,
}

impl Principal {
    /// True when every scope in `needed` was granted.
    pub fn has_scopes(&self, needed: &[String]) -> bool {
        self.missing_scopes(needed).is_empty()
    }

    /// The scopes in `needed` that were not granted.
    pub fn missing_scopes<'a>(&self, needed: &'a [String]) -> Vec<&'a str> {
        needed
            .iter()
            .filter(|n| !self.scopes.iter().any(|s| s == *n || s == "*"))
            .map(String::as_str)
            .collect()
    }
}
