//! Command-line parsing and the commands.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use skyport::observability::logging;
use skyport::server::{Config, Server};
use tokio_util::sync::CancellationToken;

/// Skyport: apps for AI chat hosts, over MCP.
#[derive(Debug, Parser)]
#[command(name = "skyport", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the enabled apps over HTTP (Streamable HTTP and legacy SSE).
    Serve(ServeArgs),
    /// Serve the apps plus the dev host at /dev: render widgets as ChatGPT or an MCP Apps host would.
    Dev(ServeArgs),
    /// Serve one app over stdin/stdout.
    Stdio(StdioArgs),
    /// Write every widget as static files for a CDN (split deployment; see widgets.base_url).
    ExportWidgets(ExportArgs),
    /// Create a new app crate (a tool, its widget and tests) that builds and passes its tests.
    New(NewArgs),
    /// List the apps this binary can serve.
    Apps,
    /// Check any MCP server for reasons a widget would not render in ChatGPT or MCP Apps hosts.
    Doctor(crate::doctor::DoctorArgs),
    /// Create, list or revoke API keys (for apps named in auth.require_api_key).
    ApiKey(crate::api_key::ApiKeyArgs),
    /// Import or export the backlog's markdown task files (DIR/tasks/{id}.md).
    Backlog(crate::backlog::BacklogArgs),
}

/// Flags shared by the serving commands; each overrides the config file and env.
#[derive(Debug, Args, Serialize, Default)]
struct CommonArgs {
    /// TOML config file (env SKYPORT_CONFIG).
    #[arg(long, env = "SKYPORT_CONFIG")]
    #[serde(skip)]
    config: Option<PathBuf>,
    /// Log lines as `human` or `json` (env SKYPORT_LOG_FORMAT).
    #[arg(long, value_parser = ["human", "json"])]
    #[serde(skip_serializing_if = "Option::is_none")]
    log_format: Option<String>,
}

#[derive(Debug, Args, Serialize, Default)]
struct ServeArgs {
    #[command(flatten)]
    #[serde(flatten)]
    common: CommonArgs,
    /// Address to listen on (env SKYPORT_LISTEN; PORT alone sets the port). Default 127.0.0.1:8787.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<String>,
    /// Apps to enable, comma-separated (env SKYPORT_APPS). Default: every production app.
    #[arg(long, value_delimiter = ',')]
    #[serde(skip_serializing_if = "Option::is_none")]
    apps: Option<Vec<String>>,
    /// App served at /mcp and /sse (env SKYPORT_DEFAULT_APP).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    default_app: Option<String>,
    /// Directory for the server's files (env SKYPORT_DATA_DIR). Default ./data.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    data_dir: Option<PathBuf>,
    /// Stateless Streamable HTTP: no sessions (env SKYPORT_STATELESS).
    #[arg(long)]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    stateless: bool,
    #[command(flatten)]
    #[serde(skip_serializing_if = "StoreArgs::is_empty")]
    store: StoreArgs,
}

/// The store flags, overriding the `[store]` section.
#[derive(Debug, Args, Serialize, Default)]
pub(crate) struct StoreArgs {
    /// Records store: sqlite://PATH or postgres://USER@HOST/DB (env SKYPORT_STORE_URL). Default: DATA_DIR/skyport.db.
    #[arg(long = "store", value_name = "URL")]
    #[serde(rename = "url", skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    /// Redis for sessions, rate limits, notifications and SSE events: redis://HOST:PORT (env SKYPORT_REDIS_URL).
    #[arg(long = "redis", value_name = "URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    redis_url: Option<String>,
}

impl StoreArgs {
    pub(crate) fn is_empty(&self) -> bool {
        self.url.is_none() && self.redis_url.is_none()
    }
}

#[derive(Debug, Args, Serialize, Default)]
struct StdioArgs {
    #[command(flatten)]
    #[serde(flatten)]
    common: CommonArgs,
    /// The app to serve.
    #[arg(long)]
    #[serde(skip)]
    app: String,
}

#[derive(Debug, Args, Serialize, Default)]
struct ExportArgs {
    #[command(flatten)]
    #[serde(flatten)]
    common: CommonArgs,
    /// Directory to write into (created if missing).
    #[serde(skip)]
    dir: PathBuf,
    /// Apps whose widgets to export, comma-separated. Default: every production app.
    #[arg(long, value_delimiter = ',')]
    #[serde(skip_serializing_if = "Option::is_none")]
    apps: Option<Vec<String>>,
}

#[derive(Debug, Args)]
struct NewArgs {
    /// The app's name: lowercase letters, digits and '-' (its crate name and path /NAME/mcp).
    name: String,
    /// Directory to create the app in. Default: the current directory.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// Depend on the skyport library at this path (default: the checkout this binary was built from, if present).
    #[arg(long)]
    skyport_path: Option<PathBuf>,
}

/// Runs the chosen command.
pub(crate) async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args, false).await,
        Command::Dev(args) => serve(args, true).await,
        Command::Stdio(args) => stdio(args).await,
        Command::ExportWidgets(args) => export_widgets(args),
        Command::New(args) => new_app(args),
        Command::Doctor(args) => crate::doctor::run(args).await,
        Command::ApiKey(args) => crate::api_key::run(args).await,
        Command::Backlog(args) => crate::backlog::run(args).await,
        Command::Apps => {
            for a in skyport_apps::registry() {
                println!(
                    "{:<12} {}{}",
                    a.name,
                    a.summary,
                    if a.test_only {
                        " (test app: enable with --apps)"
                    } else {
                        ""
                    }
                );
            }
            Ok(())
        }
    }
}

fn init_logging(config: &Config) {
    logging::init(config.log_format, &config.log_level);
}

async fn serve(args: ServeArgs, dev: bool) -> anyhow::Result<()> {
    let config = Config::load(args.common.config.as_deref(), &args)?;
    init_logging(&config);
    let apps = skyport_apps::build(&config.apps)?;
    let mut server = Server::open(config, apps).await?;
    if dev {
        let summaries = skyport_apps::registry()
            .iter()
            .map(|a| (a.name.to_owned(), a.summary.to_owned()))
            .collect();
        server = server.with_dev_host(summaries);
    }
    let listener = server.bind().await?;
    let addr = listener.local_addr().context("reading the bound address")?;
    let names: Vec<String> = skyport_names(&server);
    let on_signal = shutdown_on_signal(server.shutdown_token());
    tracing::info!(
        url = %format!("http://{addr}"),
        apps = %names.join(","),
        default_app = server.default_app().unwrap_or("-"),
        stateless = server.config().stateless,
        "skyport ready at http://{addr}"
    );
    if dev {
        tracing::info!("dev host at http://{addr}/dev");
    }
    tokio::spawn(on_signal);
    server.serve(listener).await.context("serving HTTP")?;
    tracing::info!("skyport stopped");
    Ok(())
}

fn export_widgets(args: ExportArgs) -> anyhow::Result<()> {
    let config = Config::load(args.common.config.as_deref(), &args)?;
    let apps = skyport_apps::build(&config.apps)?;
    let written = crate::export::export(&apps, &args.dir)
        .with_context(|| format!("writing widgets to {}", args.dir.display()))?;
    for path in &written {
        println!("{}", path.display());
    }
    println!(
        "wrote {} files; serve {} at widgets.base_url (SKYPORT_WIDGETS_BASE_URL)",
        written.len(),
        args.dir.display()
    );
    Ok(())
}

fn new_app(args: NewArgs) -> anyhow::Result<()> {
    use crate::scaffold::{SkyportSource, generate};
    let source = match args.skyport_path {
        Some(p) => SkyportSource::Path(std::path::absolute(&p).unwrap_or(p)),
        None => SkyportSource::default_for_this_build(),
    };
    let root = generate(&args.name, &args.dir, &source)?;
    // Lay the code out for this name's length; best effort (rustfmt may be absent).
    let _ = std::process::Command::new("cargo")
        .arg("fmt")
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .status();
    println!("created {}", root.display());
    println!(
        "  cd {} && cargo test            # its tests, on a real socket",
        root.display()
    );
    println!("  cargo run -- --dev                # serve it, with the dev host at /dev");
    Ok(())
}

fn skyport_names(server: &Server) -> Vec<String> {
    skyport_apps::registry()
        .iter()
        .filter(|a| server.engine(a.name).is_some())
        .map(|a| format!("/{}/mcp", a.name))
        .collect()
}

async fn stdio(args: StdioArgs) -> anyhow::Result<()> {
    let mut config = Config::load(args.common.config.as_deref(), &args)?;
    config.apps = vec![args.app.clone()];
    init_logging(&config);
    let apps = skyport_apps::build(&config.apps)?;
    let server = Server::open(config, apps).await?;
    let engine = server
        .engine(&args.app)
        .context("the app was just built")?
        .clone();
    let token = server.shutdown_token();
    tokio::spawn(shutdown_on_signal(token.clone()));
    skyport::transport::stdio::serve(engine, tokio::io::stdin(), tokio::io::stdout(), token)
        .await
        .context("serving stdio")?;
    Ok(())
}

/// Installs the SIGTERM handler now, before "ready" is announced (a signal sent
/// right after it would otherwise kill the process un-drained), and returns the
/// task that fires `token` on SIGTERM or Ctrl-C.
fn shutdown_on_signal(token: CancellationToken) -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    async move {
        #[cfg(unix)]
        {
            let mut term = match term {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    token.cancel();
                    return;
                }
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutdown requested: draining");
        token.cancel();
    }
}
