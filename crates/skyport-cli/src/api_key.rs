//! `skyport api-key create|list|revoke`: API keys in the configured store
//! (the same `--config`, `--store` and `--data-dir` as `serve`).

use clap::{Args, Subcommand};
use serde::Serialize;
use skyport::auth::ApiKeys;
use skyport::server::Config;

/// The store to manage keys in.
#[derive(Debug, Args, Serialize, Default)]
pub(crate) struct KeyStoreArgs {
    /// TOML config file (env SKYPORT_CONFIG).
    #[arg(long, env = "SKYPORT_CONFIG", global = true)]
    #[serde(skip)]
    config: Option<std::path::PathBuf>,
    /// Directory of the embedded store (env SKYPORT_DATA_DIR). Default ./data.
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    data_dir: Option<std::path::PathBuf>,
    #[command(flatten)]
    #[serde(skip_serializing_if = "crate::cli::StoreArgs::is_empty")]
    store: crate::cli::StoreArgs,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub(crate) enum KeyCommand {
    /// Create a key and print its token (shown once).
    Create {
        /// What the key is for (shown in listings).
        #[arg(long)]
        name: String,
        /// Apps it may call, comma-separated. Default: every app.
        #[arg(long, value_delimiter = ',')]
        apps: Vec<String>,
    },
    /// List keys (never their secrets).
    List,
    /// Revoke a key by id.
    Revoke {
        /// The key's id (from `list`, or the part after `sk_` in the token).
        id: String,
    },
}

/// `skyport api-key …`.
#[derive(Debug, Args)]
pub(crate) struct ApiKeyArgs {
    #[command(flatten)]
    store: KeyStoreArgs,
    #[command(subcommand)]
    command: KeyCommand,
}

/// Runs the command against the configured store.
pub(crate) async fn run(args: ApiKeyArgs) -> anyhow::Result<()> {
    let config = Config::load(args.store.config.as_deref(), &args.store)?;
    let store = skyport::store::open(&config.store_config()).await?;
    let keys = ApiKeys::new(store.records);
    match args.command {
        KeyCommand::Create { name, apps } => {
            let created = keys.create(&name, &apps).await?;
            println!("{}", created.token);
            eprintln!(
                "created API key {} ({}); the token above is shown once: store it now",
                created.key.id,
                if apps.is_empty() {
                    "every app".to_owned()
                } else {
                    apps.join(", ")
                }
            );
        }
        KeyCommand::List => {
            for k in keys.list().await? {
                println!(
                    "{}  {:<24} {:<20} {}",
                    k.id,
                    k.name,
                    if k.apps.is_empty() {
                        "*".to_owned()
                    } else {
                        k.apps.join(",")
                    },
                    if k.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    }
                );
            }
        }
        KeyCommand::Revoke { id } => {
            if keys.revoke(&id).await? {
                println!("revoked {id}");
            } else {
                anyhow::bail!("no active API key {id:?}: see `skyport api-key list`");
            }
        }
    }
    Ok(())
}
