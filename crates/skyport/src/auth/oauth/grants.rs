//! Authorization codes, access tokens and refresh tokens of the built-in
//! server, kept in the records store by their SHA-256.
//!
//! Refresh tokens belong to a *family* started by one authorization. The
//! family record holds its current generation; each refresh moves it on
//! with a compare-and-set, so exactly one use of a refresh token succeeds.
//! Presenting a token of an older generation is reuse: the whole family is
//! revoked, and with it every access token issued from it (access tokens
//! check their family, one more read per request, so revocation is
//! immediate on every replica).

use serde::{Deserialize, Serialize};
use serde_json::json;
use skyport_store::StoreError;

use super::{AuthorizationServer, NS, TokenRejection, digest, new_secret, now_ms};
use crate::auth::{Credential, Principal};

/// An authorization code waiting to be exchanged.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CodeRecord {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    scopes: Vec<String>,
    resource: String,
    user_id: String,
    expires_at: i64,
}

/// An access or refresh token.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TokenRecord {
    client_id: String,
    user_id: String,
    scopes: Vec<String>,
    resource: String,
    expires_at: i64,
    family: String,
    generation: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct FamilyRecord {
    generation: u64,
    revoked: bool,
}

/// What a successful token request returns.
#[derive(Debug, Clone, Serialize)]
pub struct IssuedTokens {
    /// The access token (shown once; only its hash is stored).
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds the access token lives.
    pub expires_in: u64,
    /// The next refresh token.
    pub refresh_token: String,
    /// Granted scopes, space-separated.
    pub scope: String,
}

/// A token request refused, as RFC 6749 §5.2 errors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GrantError {
    /// Missing or malformed parameters.
    #[error("{0}")]
    InvalidRequest(String),
    /// Unknown client or failed client authentication (HTTP 401).
    #[error("{0}")]
    InvalidClient(String),
    /// The code or refresh token is unknown, expired, used, or not this client's.
    #[error("{0}")]
    InvalidGrant(String),
    /// Scopes beyond the grant.
    #[error("{0}")]
    InvalidScope(String),
    /// A `resource` that is not this server's or not the grant's (RFC 8707).
    #[error("{0}")]
    InvalidTarget(String),
    /// Not `authorization_code` or `refresh_token`.
    #[error("{0}")]
    UnsupportedGrantType(String),
    /// The store failed.
    #[error("the token store is unavailable: {0}")]
    Store(#[from] StoreError),
}

impl GrantError {
    /// The RFC 6749 `error` code.
    pub fn code(&self) -> &'static str {
        match self {
            GrantError::InvalidRequest(_) => "invalid_request",
            GrantError::InvalidClient(_) => "invalid_client",
            GrantError::InvalidGrant(_) => "invalid_grant",
            GrantError::InvalidScope(_) => "invalid_scope",
            GrantError::InvalidTarget(_) => "invalid_target",
            GrantError::UnsupportedGrantType(_) => "unsupported_grant_type",
            GrantError::Store(_) => "temporarily_unavailable",
        }
    }
}

/// An approved authorization request, ready to become a code.
#[derive(Debug, Clone)]
pub struct Approval {
    /// The client.
    pub client_id: String,
    /// The exact redirect URI used.
    pub redirect_uri: String,
    /// PKCE S256 challenge.
    pub code_challenge: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// The resource (canonical MCP endpoint URI).
    pub resource: String,
    /// The signed-in user.
    pub user_id: String,
}

impl AuthorizationServer {
    /// Issues a single-use authorization code for an approved request.
    pub async fn issue_code(&self, a: Approval) -> Result<String, StoreError> {
        let code = new_secret("sac_");
        let record = CodeRecord {
            client_id: a.client_id,
            redirect_uri: a.redirect_uri,
            code_challenge: a.code_challenge,
            scopes: a.scopes,
            resource: a.resource,
            user_id: a.user_id,
            expires_at: now_ms() + self.settings.code_ttl.as_millis() as i64,
        };
        self.records
            .kv_put(NS, &format!("code/{}", digest(&code)), &json!(record))
            .await?;
        Ok(code)
    }

    /// The `authorization_code` grant: checks the code, the client, the
    /// redirect URI, PKCE and the resource; the code works once.
    pub async fn exchange_code(
        &self,
        client_id: &str,
        code: &str,
        redirect_uri: &str,
        code_verifier: &str,
        resource: Option<&str>,
    ) -> Result<IssuedTokens, GrantError> {
        let key = format!("code/{}", digest(code));
        let Some(entry) = self.records.kv_get(NS, &key).await? else {
            // A code used twice: revoke what the first use issued (OAuth 2.1 §4.1.3).
            if let Some(used) = self.records.kv_get(NS, &format!("used-{key}")).await?
                && let Some(family) = used.value["family"].as_str()
            {
                self.revoke_family(family).await?;
            }
            return Err(GrantError::InvalidGrant(
                "the authorization code is not valid (unknown, expired or already used)".into(),
            ));
        };
        // Single use: only the caller that deletes it goes on.
        if !self.records.kv_delete(NS, &key).await? {
            return Err(GrantError::InvalidGrant(
                "the authorization code was already used".into(),
            ));
        }
        let c: CodeRecord = serde_json::from_value(entry.value)
            .map_err(|_| GrantError::InvalidGrant("the authorization code is not valid".into()))?;
        if c.expires_at < now_ms() {
            return Err(GrantError::InvalidGrant(
                "the authorization code has expired".into(),
            ));
        }
        if c.client_id != client_id {
            return Err(GrantError::InvalidGrant(
                "the authorization code was issued to another client".into(),
            ));
        }
        if c.redirect_uri != redirect_uri {
            return Err(GrantError::InvalidGrant(
                "redirect_uri differs from the authorization request's".into(),
            ));
        }
        if !super::pkce_s256_matches(code_verifier, &c.code_challenge) {
            return Err(GrantError::InvalidGrant(
                "the PKCE code_verifier does not match the code_challenge".into(),
            ));
        }
        if let Some(r) = resource
            && r.trim_end_matches('/') != c.resource
        {
            return Err(GrantError::InvalidTarget(
                "resource differs from the authorization request's".into(),
            ));
        }
        let family = format!("{:032x}", rand::random::<u128>());
        self.records
            .kv_put(
                NS,
                &format!("family/{family}"),
                &json!(FamilyRecord {
                    generation: 1,
                    revoked: false
                }),
            )
            .await?;
        let used_ttl = self.settings.code_ttl.as_millis() as i64 * 10;
        self.records
            .kv_put(
                NS,
                &format!("used-{key}"),
                &json!({"family": family, "expires_at": now_ms() + used_ttl}),
            )
            .await?;
        self.mint(TokenRecord {
            client_id: c.client_id,
            user_id: c.user_id,
            scopes: c.scopes,
            resource: c.resource,
            expires_at: 0,
            family,
            generation: 1,
        })
        .await
    }

    /// The `refresh_token` grant: rotates the token. A token used before
    /// (or concurrently) revokes its whole family.
    pub async fn refresh(
        &self,
        client_id: &str,
        refresh_token: &str,
        scope: Option<&str>,
        resource: Option<&str>,
    ) -> Result<IssuedTokens, GrantError> {
        let invalid = || {
            GrantError::InvalidGrant(
                "the refresh token is not valid (unknown, expired, revoked or already used)".into(),
            )
        };
        let Some(entry) = self
            .records
            .kv_get(NS, &format!("refresh/{}", digest(refresh_token)))
            .await?
        else {
            return Err(invalid());
        };
        let t: TokenRecord = serde_json::from_value(entry.value).map_err(|_| invalid())?;
        if t.client_id != client_id {
            return Err(GrantError::InvalidGrant(
                "the refresh token was issued to another client".into(),
            ));
        }
        let family_key = format!("family/{}", t.family);
        let Some(fam_entry) = self.records.kv_get(NS, &family_key).await? else {
            return Err(invalid());
        };
        let fam: FamilyRecord = serde_json::from_value(fam_entry.value).map_err(|_| invalid())?;
        if fam.revoked || t.expires_at < now_ms() {
            return Err(invalid());
        }
        if fam.generation != t.generation {
            tracing::warn!(client = %t.client_id, "refresh token reuse detected: revoking the token family");
            self.revoke_family(&t.family).await?;
            return Err(GrantError::InvalidGrant("the refresh token was already used: every token of this grant is now revoked; authorize again".into()));
        }
        let scopes = match scope {
            None => t.scopes.clone(),
            Some(s) => {
                let asked: Vec<String> = s.split_whitespace().map(String::from).collect();
                if let Some(extra) = asked.iter().find(|a| !t.scopes.contains(a)) {
                    return Err(GrantError::InvalidScope(format!(
                        "scope {extra:?} was not granted"
                    )));
                }
                asked
            }
        };
        if let Some(r) = resource
            && r.trim_end_matches('/') != t.resource
        {
            return Err(GrantError::InvalidTarget(
                "resource differs from the grant's".into(),
            ));
        }
        let next = FamilyRecord {
            generation: t.generation + 1,
            revoked: false,
        };
        match self
            .records
            .kv_put_if(NS, &family_key, &json!(next), Some(fam_entry.version))
            .await
        {
            Ok(_) => {}
            Err(StoreError::Conflict { .. }) => {
                // Two uses of one token at once: one of them is a replay.
                self.revoke_family(&t.family).await?;
                return Err(GrantError::InvalidGrant("the refresh token was used twice at once: the grant is revoked; authorize again".into()));
            }
            Err(e) => return Err(e.into()),
        }
        self.mint(TokenRecord {
            scopes,
            generation: next.generation,
            ..t
        })
        .await
    }

    async fn mint(&self, mut t: TokenRecord) -> Result<IssuedTokens, GrantError> {
        let access = new_secret("sat_");
        let refresh = new_secret("srt_");
        let now = now_ms();
        t.expires_at = now + self.settings.access_ttl.as_millis() as i64;
        self.records
            .kv_put(NS, &format!("access/{}", digest(&access)), &json!(t))
            .await?;
        t.expires_at = now + self.settings.refresh_ttl.as_millis() as i64;
        self.records
            .kv_put(NS, &format!("refresh/{}", digest(&refresh)), &json!(t))
            .await?;
        Ok(IssuedTokens {
            access_token: access,
            token_type: "Bearer",
            expires_in: self.settings.access_ttl.as_secs(),
            refresh_token: refresh,
            scope: t.scopes.join(" "),
        })
    }

    /// Revokes every token of a family.
    async fn revoke_family(&self, family: &str) -> Result<(), StoreError> {
        self.records
            .kv_put(
                NS,
                &format!("family/{family}"),
                &json!(FamilyRecord {
                    generation: u64::MAX,
                    revoked: true
                }),
            )
            .await
            .map(|_| ())
    }

    /// RFC 7009 revocation: a refresh token revokes its grant; an access
    /// token stops working. Unknown tokens are not an error (the RFC says so).
    pub async fn revoke(&self, client_id: &str, token: &str) -> Result<(), StoreError> {
        let d = digest(token);
        for kind in ["refresh", "access"] {
            if let Some(e) = self.records.kv_get(NS, &format!("{kind}/{d}")).await?
                && e.value["client_id"].as_str() == Some(client_id)
            {
                match e.value["family"].as_str() {
                    Some(f) if kind == "refresh" => self.revoke_family(f).await?,
                    _ => {
                        self.records.kv_delete(NS, &format!("{kind}/{d}")).await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Checks an access token for a resource known by `audiences`.
    pub async fn verify_access_token(
        &self,
        token: &str,
        audiences: &[String],
    ) -> Result<Principal, TokenRejection> {
        if !token.starts_with("sat_") || token.len() > 100 {
            return Err(TokenRejection::Invalid);
        }
        let unavailable = |e: StoreError| TokenRejection::Unavailable(e.to_string());
        let entry = self
            .records
            .kv_get(NS, &format!("access/{}", digest(token)))
            .await
            .map_err(unavailable)?
            .ok_or(TokenRejection::Invalid)?;
        let t: TokenRecord =
            serde_json::from_value(entry.value).map_err(|_| TokenRejection::Invalid)?;
        if t.expires_at < now_ms() {
            return Err(TokenRejection::Expired);
        }
        if !audiences.iter().any(|a| a == &t.resource) {
            return Err(TokenRejection::WrongAudience);
        }
        let family = self
            .records
            .kv_get(NS, &format!("family/{}", t.family))
            .await
            .map_err(unavailable)?;
        let live = family
            .and_then(|f| serde_json::from_value::<FamilyRecord>(f.value).ok())
            .is_some_and(|f| !f.revoked);
        if !live {
            return Err(TokenRejection::Invalid);
        }
        Ok(Principal {
            subject: t.user_id,
            client_id: t.client_id,
            scopes: t.scopes,
            credential: Credential::OAuth,
        })
    }

    /// Deletes expired codes and tokens, a page at a time; returns how many.
    pub async fn sweep(&self) -> Result<usize, StoreError> {
        let now = now_ms();
        let mut removed = 0;
        for prefix in ["code/", "access/", "refresh/", "used-code/", "cimd/"] {
            let mut after: Option<String> = None;
            loop {
                let page = self
                    .records
                    .kv_list(NS, prefix, after.as_deref(), 500)
                    .await?;
                let Some(last) = page.last() else { break };
                after = Some(last.key.clone());
                for e in &page {
                    if e.value["expires_at"].as_i64().is_some_and(|t| t < now)
                        && self.records.kv_delete(NS, &e.key).await?
                    {
                        removed += 1;
                    }
                }
                if page.len() < 500 {
                    break;
                }
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::auth::oauth::{OAuthSettings, Resource, TokenRejection, fetch::SafeFetch};

    const RESOURCE: &str = "https://sky.example.com/probe/mcp";
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    async fn server(access_ttl: Duration) -> (AuthorizationServer, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = skyport_store::open(&skyport_store::StoreConfig {
            data_dir: dir.path().to_path_buf(),
            ..skyport_store::StoreConfig::default()
        })
        .await
        .unwrap();
        let settings = OAuthSettings {
            issuer: "https://sky.example.com".into(),
            access_ttl,
            refresh_ttl: Duration::from_secs(3600),
            code_ttl: Duration::from_secs(60),
            resources: vec![Resource {
                app: "probe".into(),
                uris: vec![RESOURCE.into()],
                scopes: vec!["probe.read".into()],
            }],
            fetch: SafeFetch::new(false),
        };
        (AuthorizationServer::new(settings, &store), dir)
    }

    async fn tokens(s: &AuthorizationServer) -> IssuedTokens {
        let code = s
            .issue_code(Approval {
                client_id: "skc_1".into(),
                redirect_uri: "https://client.example.com/cb".into(),
                code_challenge: CHALLENGE.into(),
                scopes: vec!["probe.read".into()],
                resource: RESOURCE.into(),
                user_id: "usr_1".into(),
            })
            .await
            .unwrap();
        s.exchange_code(
            "skc_1",
            &code,
            "https://client.example.com/cb",
            VERIFIER,
            Some(RESOURCE),
        )
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn an_expired_access_token_is_refused_as_expired() {
        let (s, _dir) = server(Duration::from_millis(1)).await;
        let t = tokens(&s).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(
            s.verify_access_token(&t.access_token, &[RESOURCE.into()])
                .await,
            Err(TokenRejection::Expired)
        );
    }

    #[tokio::test]
    async fn sweep_removes_expired_tokens_and_keeps_live_ones() {
        let (s, _dir) = server(Duration::from_millis(1)).await;
        let t = tokens(&s).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(s.sweep().await.unwrap() >= 1, "the expired access token");
        let left = s.records.kv_list(NS, "access/", None, 10).await.unwrap();
        assert!(left.is_empty(), "{left:?}");
        let refresh = format!("refresh/{}", digest(&t.refresh_token));
        assert!(
            s.records.kv_get(NS, &refresh).await.unwrap().is_some(),
            "the live refresh token stays"
        );
    }

    #[tokio::test]
    async fn tokens_are_stored_only_as_digests_and_bound_to_their_resource() {
        let (s, _dir) = server(Duration::from_secs(60)).await;
        let t = tokens(&s).await;
        let p = s
            .verify_access_token(&t.access_token, &[RESOURCE.into()])
            .await
            .unwrap();
        assert_eq!(
            (p.subject.as_str(), p.client_id.as_str()),
            ("usr_1", "skc_1")
        );
        assert_eq!(
            s.verify_access_token(
                &t.access_token,
                &["https://sky.example.com/other/mcp".into()]
            )
            .await,
            Err(TokenRejection::WrongAudience)
        );
        let keys = s.records.kv_list(NS, "", None, 100).await.unwrap();
        for e in &keys {
            let stored = format!("{} {}", e.key, e.value);
            assert!(
                !stored.contains(&t.access_token) && !stored.contains(&t.refresh_token),
                "{stored}"
            );
        }
        assert!(
            keys.iter()
                .any(|e| e.key == format!("access/{}", digest(&t.access_token)))
        );
    }
}
