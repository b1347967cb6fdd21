//! An external OpenID Connect provider as the authorization server: its
//! JWT access tokens are verified with the keys of its JWKS (fetched within
//! [`SafeFetch`]'s policy, cached, refetched at most every 30 s when a token
//! names an unknown key).

use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::TokenRejection;
use super::fetch::SafeFetch;
use crate::auth::{Credential, Principal};

/// How long fetched keys are used before they are fetched again.
const KEYS_TTL: Duration = Duration::from_secs(600);
/// The least time between two fetches (unknown `kid`s cannot force more).
const MIN_REFETCH: Duration = Duration::from_secs(30);

/// An external issuer whose JWTs the resource server accepts.
#[derive(Debug)]
pub struct ExternalIssuer {
    issuer: String,
    audience: Option<String>,
    jwks_uri: Option<String>,
    fetch: SafeFetch,
    keys: Mutex<Option<(Arc<JwkSet>, Instant)>>,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    scp: Option<Vec<String>>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    azp: Option<String>,
}

impl ExternalIssuer {
    /// An issuer; `audience` defaults to the app's resource URI, `jwks_uri`
    /// to the one in the issuer's OpenID discovery document.
    pub fn new(
        issuer: String,
        audience: Option<String>,
        jwks_uri: Option<String>,
        fetch: SafeFetch,
    ) -> Self {
        Self {
            issuer,
            audience,
            jwks_uri,
            fetch,
            keys: Mutex::new(None),
        }
    }

    /// The issuer URL.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    async fn jwks_uri(&self) -> Result<String, TokenRejection> {
        if let Some(u) = &self.jwks_uri {
            return Ok(u.clone());
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.issuer.trim_end_matches('/')
        );
        let doc = self
            .fetch
            .json(&url)
            .await
            .map_err(|e| TokenRejection::Unavailable(e.to_string()))?;
        doc.json["jwks_uri"]
            .as_str()
            .map(String::from)
            .ok_or_else(|| TokenRejection::Unavailable(format!("{url} has no jwks_uri")))
    }

    /// The key set, fetched when missing, stale, or (`refresh`) when a token
    /// names a key we do not have and the last fetch is old enough.
    async fn key_set(&self, refresh: bool) -> Result<Arc<JwkSet>, TokenRejection> {
        let mut keys = self.keys.lock().await;
        if let Some((set, at)) = keys.as_ref() {
            let fresh = at.elapsed() < KEYS_TTL;
            if fresh && (!refresh || at.elapsed() < MIN_REFETCH) {
                return Ok(set.clone());
            }
        }
        let fetched = self
            .fetch
            .json(&self.jwks_uri().await?)
            .await
            .map_err(|e| TokenRejection::Unavailable(e.to_string()))?;
        let set: JwkSet = serde_json::from_value(fetched.json)
            .map_err(|e| TokenRejection::Unavailable(format!("the JWKS is malformed: {e}")))?;
        let set = Arc::new(set);
        *keys = Some((set.clone(), Instant::now()));
        Ok(set)
    }

    /// Verifies signature, `iss`, `aud`, `exp` and `nbf` (60 s leeway).
    pub async fn verify(
        &self,
        token: &str,
        audiences: &[String],
    ) -> Result<Principal, TokenRejection> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenRejection::Invalid)?;
        let kid = header.kid.ok_or(TokenRejection::Invalid)?;
        let mut set = self.key_set(false).await?;
        if set.find(&kid).is_none() {
            set = self.key_set(true).await?;
        }
        let jwk = set.find(&kid).ok_or(TokenRejection::Invalid)?;
        let key = DecodingKey::from_jwk(jwk).map_err(|_| TokenRejection::Invalid)?;
        // The algorithm comes from our key, never from the token alone.
        let alg = jwk
            .common
            .key_algorithm
            .and_then(|a| a.to_string().parse().ok())
            .unwrap_or(header.alg);
        if alg != header.alg {
            return Err(TokenRejection::Invalid);
        }
        let mut v = Validation::new(alg);
        v.leeway = 60;
        v.validate_nbf = true;
        v.set_issuer(&[self.issuer.as_str(), self.issuer.trim_end_matches('/')]);
        match &self.audience {
            Some(a) => v.set_audience(&[a]),
            None => v.set_audience(audiences),
        }
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &key, &v).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => TokenRejection::Expired,
                ErrorKind::InvalidAudience => TokenRejection::WrongAudience,
                _ => TokenRejection::Invalid,
            }
        })?;
        let c = data.claims;
        let scopes = match (c.scope, c.scp) {
            (Some(s), _) => s.split_whitespace().map(String::from).collect(),
            (None, Some(v)) => v,
            _ => Vec::new(),
        };
        Ok(Principal {
            subject: c.sub,
            client_id: c.client_id.or(c.azp).unwrap_or_default(),
            scopes,
            credential: Credential::ExternalJwt,
        })
    }
}
