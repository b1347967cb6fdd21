//! The HTTP server: every enabled app mounted at `/{app}/…`, the default app
//! also at `/mcp` and `/sse`, plus `/health` and `/metrics`; graceful shutdown.

pub mod config;
mod oauth_mount;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub use config::{Config, ConfigError};

use crate::engine::{App, Engine};
use crate::observability::metrics::Metrics;
use crate::transport::http::{self, AppState};

/// A server that cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// `--apps` named an app this binary does not have.
    #[error("unknown app {0:?}: the available apps are {1}")]
    UnknownApp(String, String),
    /// `--default-app` names an app that is not enabled.
    #[error(
        "the default app {0:?} is not enabled: add it to --apps (SKYPORT_APPS) or pick one of {1}"
    )]
    DefaultNotEnabled(String, String),
    /// No app is enabled.
    #[error("no app is enabled: name at least one with --apps")]
    NoApps,
    /// Two apps share a name.
    #[error("two apps are named {0:?}")]
    DuplicateApp(String),
    /// An app's declaration is broken (found when publishing its widgets).
    #[error(transparent)]
    App(#[from] crate::engine::AppError),
    /// The store could not be opened (bad URL, unreachable backend).
    #[error(transparent)]
    Store(#[from] skyport_store::StoreError),
    /// Listening failed.
    #[error("cannot listen on {addr}: {source} (set --listen or SKYPORT_LISTEN)")]
    Listen {
        /// The address.
        addr: std::net::SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
}

/// The running pieces: engines, metrics and the shutdown signal.
#[derive(Clone)]
pub struct Server {
    engines: BTreeMap<String, Arc<Engine>>,
    default_app: Option<String>,
    config: Arc<Config>,
    metrics: Metrics,
    shutdown: CancellationToken,
    /// App summaries for the dev host; `Some` mounts `/dev`.
    dev_host: Option<Arc<BTreeMap<String, String>>>,
    /// The store, once opened.
    store: Option<skyport_store::Store>,
    /// The address actually bound (port 0 resolved), set by `serve`.
    bound: Option<std::net::SocketAddr>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("apps", &self.engines.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Server {
    /// Builds engines for `apps` (already filtered to the enabled ones).
    pub fn new(config: Config, apps: Vec<App>) -> Result<Self, ServerError> {
        if apps.is_empty() {
            return Err(ServerError::NoApps);
        }
        let metrics = Metrics::new();
        let mut engines = BTreeMap::new();
        let widget_settings = config.widget_settings();
        for app in apps {
            app.publish_widgets(widget_settings.clone())?;
            let name = app.name().to_owned();
            let engine = Arc::new(Engine::new(
                Arc::new(app),
                config.engine_settings(),
                &metrics,
            ));
            if engines.insert(name.clone(), engine).is_some() {
                return Err(ServerError::DuplicateApp(name));
            }
        }
        let names = || engines.keys().cloned().collect::<Vec<_>>().join(", ");
        for app in &config.auth.require_api_key {
            if app != "*" && !engines.contains_key(app) {
                return Err(ServerError::UnknownApp(
                    format!("{app} (in auth.require_api_key)"),
                    names(),
                ));
            }
        }
        let default_app = match &config.default_app {
            Some(d) if engines.contains_key(d) => Some(d.clone()),
            Some(d) => return Err(ServerError::DefaultNotEnabled(d.clone(), names())),
            None if engines.len() == 1 => engines.keys().next().cloned(),
            None => None,
        };
        Ok(Self {
            engines,
            default_app,
            config: Arc::new(config),
            metrics,
            shutdown: CancellationToken::new(),
            dev_host: None,
            store: None,
            bound: None,
        })
    }

    /// Builds the engines and opens the configured store (`store.url`,
    /// `store.redis_url`, `data_dir`): sessions, SSE events and
    /// notifications go through it, and tools get its records.
    pub async fn open(config: Config, apps: Vec<App>) -> Result<Self, ServerError> {
        let store = skyport_store::open(&config.store_config()).await?;
        Self::new(config, apps)?.with_store(store).await
    }

    /// Attaches an opened store to every app.
    pub async fn with_store(mut self, store: skyport_store::Store) -> Result<Self, ServerError> {
        for engine in self.engines.values() {
            engine.attach_store(&store).await?;
        }
        tracing::info!(store = %store.description, "store open");
        self.store = Some(store);
        Ok(self)
    }

    /// The store, when opened.
    pub fn store(&self) -> Option<&skyport_store::Store> {
        self.store.as_ref()
    }

    /// Mounts the dev host at `/dev` (`skyport dev`); `summaries` maps app
    /// names to one line about each.
    pub fn with_dev_host(mut self, summaries: BTreeMap<String, String>) -> Self {
        self.dev_host = Some(Arc::new(summaries));
        self
    }

    /// Every enabled app's engine, by name.
    pub fn engines(&self) -> &BTreeMap<String, Arc<Engine>> {
        &self.engines
    }

    /// The engine of an app.
    pub fn engine(&self, app: &str) -> Option<&Arc<Engine>> {
        self.engines.get(app)
    }

    /// The app served at `/mcp`, if any.
    pub fn default_app(&self) -> Option<&str> {
        self.default_app.as_deref()
    }

    /// The public base URL, without a trailing slash (`auth.public_url`).
    pub fn public_url(&self) -> String {
        self.config
            .auth
            .public_url(self.bound.unwrap_or(self.config.listen))
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Fires to stop the server: streams end, in-flight requests drain.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// The metrics registry.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The router for every app, health and metrics.
    pub fn router(&self) -> Router {
        let http_settings = Arc::new(self.config.http_settings());
        let mut router = Router::new()
            .route("/health", get(health))
            .route("/metrics", get(metrics))
            .with_state(self.clone());
        let keys = self
            .store
            .as_ref()
            .map(|s| crate::auth::ApiKeys::new(s.records.clone()));
        let oauth = oauth_mount::OAuthMount::new(
            &self.config,
            &self.engines,
            self.store.as_ref(),
            self.public_url(),
            self.default_app.clone(),
        );
        router = router.merge(oauth.routes(&self.engines));
        for (name, engine) in &self.engines {
            let api_key =
                self.config
                    .auth
                    .requires_api_key(name)
                    .then(|| http::api_key::ApiKeyCheck {
                        keys: keys.clone(),
                        app: name.clone(),
                    });
            let state = |prefix: String| AppState {
                engine: engine.clone(),
                http: http_settings.clone(),
                shutdown: self.shutdown.clone(),
                metrics: self.metrics.clone(),
                bearer: oauth.bearer(name, engine, &prefix),
                prefix,
                api_key: api_key.clone(),
            };
            let ctx = crate::engine::HttpContext {
                app: name.clone(),
                store: self.store.clone(),
                public_url: self.public_url(),
                mcp_path: format!("/{name}/mcp"),
            };
            let guarded = engine.app().guarded_http_routes(&ctx);
            router = router.merge(http::routes(state(format!("/{name}")), guarded.clone()));
            let is_default = self.default_app.as_deref() == Some(name);
            if is_default {
                router = router.merge(http::routes(state(String::new()), guarded));
            }
            if let Some(own) = engine.app().http_routes(&ctx) {
                router = router.nest(&format!("/{name}"), own.clone());
                // A nested `/` route answers `/{app}` only; `/{app}/` is the
                // same page (a viewer's address), so send it there.
                let target = format!("/{name}");
                router = router.route(
                    &format!("/{name}/"),
                    get(
                        move |axum::extract::RawQuery(query): axum::extract::RawQuery| {
                            // Built by hand: `Redirect` panics on a value
                            // that is not a valid header; fall back to no query.
                            let with_query = query.map(|q| format!("{target}?{q}"));
                            let location = with_query
                                .and_then(|to| HeaderValue::from_str(&to).ok())
                                .or_else(|| HeaderValue::from_str(&target).ok());
                            async move {
                                let mut r =
                                    axum::http::StatusCode::PERMANENT_REDIRECT.into_response();
                                if let Some(l) = location {
                                    r.headers_mut().insert(header::LOCATION, l);
                                }
                                r
                            }
                        },
                    ),
                );
                if is_default {
                    router = router.merge(own);
                }
            }
        }
        if let Some(summaries) = &self.dev_host {
            let apps = self
                .engines
                .iter()
                .map(|(name, engine)| crate::devhost::DevApp {
                    engine: engine.clone(),
                    summary: summaries.get(name).cloned().unwrap_or_default(),
                })
                .collect();
            router = router.merge(crate::devhost::routes(
                apps,
                self.default_app.clone(),
                http_settings,
            ));
        }
        router
    }

    /// The router wrapped in the protection layer: limits, CORS, the time
    /// limit, and on every response (refusals too) an `x-request-id` (the
    /// caller's, when it sent a sane one, else a counter) and the security
    /// headers.
    ///
    /// Applied outside the router, so each request clones only the router's
    /// `Arc`, not every route's boxed service as a `Router::layer` would.
    pub fn service(&self) -> http::protection::Protected {
        let limiter = Arc::new(http::protection::RateLimiter::new(
            &self.config.limits,
            self.store.as_ref(),
        ));
        http::protection::protect(self.router(), &self.config, limiter)
    }

    /// Binds the configured address.
    pub async fn bind(&self) -> Result<TcpListener, ServerError> {
        let addr = self.config.listen;
        TcpListener::bind(addr)
            .await
            .map_err(|source| ServerError::Listen { addr, source })
    }

    /// Serves until the shutdown token fires, then drains for at most
    /// `http.shutdown_timeout_secs`. Sockets get `TCP_NODELAY`: SSE answers
    /// are several writes, and Nagle would hold each back ~40 ms.
    pub async fn serve(mut self, listener: TcpListener) -> std::io::Result<()> {
        use axum::serve::ListenerExt;
        self.bound = listener.local_addr().ok();
        // Bound to port 0 without a public URL: widgets that call this
        // server must name the port actually bound.
        if let Some(bound) = self.bound
            && bound != self.config.listen
            && self.config.auth.public_url.is_none()
        {
            for e in self.engines.values() {
                if let Err(err) = e
                    .app()
                    .publish_widgets(self.config.widget_settings_at(bound))
                {
                    tracing::warn!(app = e.app().name(), error = %err, "re-publishing widgets failed");
                }
            }
        }
        let sweeper = self.spawn_sweeper();
        let drain = Duration::from_secs(self.config.http.shutdown_timeout_secs);
        let shutdown = self.shutdown.clone();
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        // Each connection's requests carry `ConnectInfo<SocketAddr>`.
        let serve = axum::serve(listener, http::protection::WithPeer::new(self.service()))
            .with_graceful_shutdown({
                let s = shutdown.clone();
                async move { s.cancelled().await }
            });
        let serve = serve.into_future();
        tokio::pin!(serve);
        let result = tokio::select! {
            r = &mut serve => r,
            _ = async { shutdown.cancelled().await; tokio::time::sleep(drain).await } => {
                tracing::warn!(seconds = drain.as_secs(), "shutdown: in-flight requests did not finish in time; closing");
                Ok(())
            }
        };
        for e in self.engines.values() {
            e.sessions().close_all();
        }
        sweeper.abort();
        result
    }

    fn spawn_sweeper(&self) -> tokio::task::JoinHandle<()> {
        let engines: Vec<_> = self.engines.values().cloned().collect();
        let coordination = self.store.as_ref().map(|s| s.coordination.clone());
        let oauth = oauth_mount::OAuthMount::new(
            &self.config,
            &self.engines,
            self.store.as_ref(),
            self.public_url(),
            self.default_app.clone(),
        )
        .builtin()
        .cloned();
        tokio::spawn(async move {
            // The first sweep one period after start, not at once: start-up
            // reads are still returning their SQLite connections then, and a
            // sweep would open reader connections (threads, caches) that an
            // idle server keeps resident.
            let period = Duration::from_secs(30);
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            let mut ticks: u64 = 0;
            loop {
                tick.tick().await;
                ticks += 1;
                // Expired OAuth codes and tokens: every 10 minutes, in a task of its own.
                if let Some(server) = oauth.clone().filter(|_| ticks % 20 == 1) {
                    tokio::spawn(async move {
                        match server.sweep().await {
                            Ok(n) if n > 0 => {
                                tracing::debug!(removed = n, "expired OAuth records removed")
                            }
                            Ok(_) => {}
                            Err(e) => tracing::warn!(error = %e, "OAuth sweep failed"),
                        }
                    });
                }
                if let Some(c) = &coordination {
                    // Its own task: a slow store never delays the local sweep.
                    let c = c.clone();
                    tokio::spawn(async move {
                        match c.sweep().await {
                            Ok(n) if n > 0 => {
                                tracing::debug!(removed = n, "store: expired entries removed")
                            }
                            Ok(_) => {}
                            Err(e) => tracing::warn!(error = %e, "store sweep failed"),
                        }
                    });
                }
                for e in &engines {
                    let n = e.sessions().sweep();
                    if n > 0 {
                        tracing::debug!(app = e.app().name(), expired = n, "expired idle sessions");
                    }
                    e.metrics_sessions_set();
                }
            }
        })
    }
}

async fn health(State(s): State<Server>) -> Response {
    let apps: Vec<_> = s
        .engines
        .iter()
        .map(|(name, e)| json!({ "name": name, "path": format!("/{name}/mcp"), "sessions": e.sessions().len() }))
        .collect();
    axum::Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "stateless": s.config.stateless,
        "default_app": s.default_app,
        "apps": apps,
    }))
    .into_response()
}

async fn metrics(State(s): State<Server>) -> Response {
    let mut r = s.metrics.render().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    r
}
