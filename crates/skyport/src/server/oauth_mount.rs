//! Assembles OAuth for a server: which verifier checks tokens (the built-in
//! authorization server or an external issuer), each app mount's bearer
//! check, and the metadata and authorization-server routes.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;

use super::Config;
use crate::auth::oauth::external::ExternalIssuer;
use crate::auth::oauth::fetch::SafeFetch;
use crate::auth::oauth::{AuthorizationServer, OAuthSettings, Resource, TokenVerifier};
use crate::engine::Engine;
use crate::transport::http::bearer::BearerCheck;
use crate::transport::http::oauth::{MetadataState, ProtectedResource};

/// OAuth as mounted on one server.
pub(crate) struct OAuthMount {
    verifier: Option<TokenVerifier>,
    builtin: Option<AuthorizationServer>,
    public_url: String,
    require: Vec<String>,
    default_app: Option<String>,
    limiter: Arc<crate::transport::http::protection::RateLimiter>,
}

impl OAuthMount {
    /// Builds the verifier: an external issuer when configured, else the
    /// built-in server when enabled and a store is open, else none (tools
    /// that need a token then always answer with a challenge).
    pub(crate) fn new(
        config: &Config,
        engines: &BTreeMap<String, Arc<Engine>>,
        store: Option<&skyport_store::Store>,
        public_url: String,
        default_app: Option<String>,
    ) -> Self {
        let o = &config.auth.oauth;
        let fetch = SafeFetch::new(o.allow_private_fetch);
        let mut builtin = None;
        let verifier = if let Some(issuer) = &o.external_issuer {
            Some(TokenVerifier::External(Arc::new(ExternalIssuer::new(
                issuer.clone(),
                o.external_audience.clone(),
                o.external_jwks_uri.clone(),
                fetch,
            ))))
        } else if let (true, Some(store)) = (o.builtin, store) {
            let resources = engines
                .iter()
                .map(|(name, e)| Resource {
                    app: name.clone(),
                    uris: audiences(&public_url, name, default_app.as_deref() == Some(name)),
                    scopes: e.declared_scopes(),
                })
                .collect();
            let server = AuthorizationServer::new(
                OAuthSettings {
                    issuer: public_url.clone(),
                    access_ttl: Duration::from_secs(o.access_token_minutes * 60),
                    refresh_ttl: Duration::from_secs(o.refresh_token_days * 86_400),
                    code_ttl: Duration::from_secs(60),
                    resources,
                    fetch,
                },
                store,
            );
            builtin = Some(server.clone());
            Some(TokenVerifier::Builtin(server))
        } else {
            None
        };
        Self {
            limiter: Arc::new(crate::transport::http::protection::RateLimiter::new(
                &config.limits,
                store,
            )),
            verifier,
            builtin,
            public_url,
            require: o.require.clone(),
            default_app,
        }
    }

    /// The built-in authorization server, when it runs.
    pub(crate) fn builtin(&self) -> Option<&AuthorizationServer> {
        self.builtin.as_ref()
    }

    fn requires(&self, app: &str) -> bool {
        self.require.iter().any(|a| a == "*" || a == app)
    }

    /// The protected-resource metadata URL for a mount (`prefix` is
    /// `/{app}` or `""` for the default app at `/mcp`).
    fn metadata_url(&self, prefix: &str) -> String {
        format!(
            "{}/.well-known/oauth-protected-resource{prefix}/mcp",
            self.public_url
        )
    }

    /// The bearer check of one mount of an app; `None` when the app cannot
    /// use tokens. Also tells the engine where its metadata is.
    pub(crate) fn bearer(
        &self,
        app: &str,
        engine: &Engine,
        prefix: &str,
    ) -> Option<Arc<BearerCheck>> {
        engine.set_resource_metadata(&self.metadata_url(&format!("/{app}")));
        if !(engine.uses_oauth() || self.requires(app)) {
            return None;
        }
        let verifier = self.verifier.clone()?;
        Some(Arc::new(BearerCheck {
            verifier,
            audiences: audiences(
                &self.public_url,
                app,
                self.default_app.as_deref() == Some(app),
            ),
            resource_metadata: self.metadata_url(prefix),
            scopes: engine.declared_scopes(),
            require: self.requires(app),
            limiter: self.limiter.limits_clients().then(|| self.limiter.clone()),
        }))
    }

    /// Protected-resource metadata for every app that uses tokens, and the
    /// built-in authorization server's routes.
    pub(crate) fn routes(&self, engines: &BTreeMap<String, Arc<Engine>>) -> Router {
        let Some(verifier) = &self.verifier else {
            return Router::new();
        };
        let mut resources = BTreeMap::new();
        for (name, e) in engines {
            if !(e.uses_oauth() || self.requires(name)) {
                continue;
            }
            let entry = |uri: String| ProtectedResource {
                resource: uri,
                scopes: e.declared_scopes(),
                name: e.app().info().title.clone().unwrap_or_else(|| name.clone()),
            };
            resources.insert(
                format!("/{name}/mcp"),
                entry(format!("{}/{name}/mcp", self.public_url)),
            );
            if self.default_app.as_deref() == Some(name) {
                resources.insert("/mcp".into(), entry(format!("{}/mcp", self.public_url)));
                resources.insert(String::new(), entry(format!("{}/mcp", self.public_url)));
            }
        }
        let mut router = crate::transport::http::oauth::metadata_routes(MetadataState {
            issuer: verifier.issuer(),
            resources,
        });
        if let Some(server) = &self.builtin {
            router = router.merge(crate::transport::http::oauth::server_routes(server.clone()));
        }
        router
    }
}

/// The canonical resource URIs of an app: `{public}/{app}/mcp`, and
/// `{public}/mcp` when it is the default app.
fn audiences(public_url: &str, app: &str, is_default: bool) -> Vec<String> {
    let mut v = vec![format!("{public_url}/{app}/mcp")];
    if is_default {
        v.push(format!("{public_url}/mcp"));
    }
    v
}
