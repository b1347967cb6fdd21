//! `skyport backlog import|export DIR`: the backlog's markdown task files in
//! and out of the configured store (the same `--config`, `--store` and
//! `--data-dir` as `serve`). See docs/backlog.md, "Files".

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use serde::Serialize;
use skyport::server::Config;
use skyport::store::Records;
use skyport_backlog_files::{ImportOptions, export_dir, import_dir};

/// The store holding the backlog (as `api-key`'s `KeyStoreArgs`).
#[derive(Debug, Args, Serialize, Default)]
struct BacklogStoreArgs {
    /// TOML config file (env SKYPORT_CONFIG).
    #[arg(long, env = "SKYPORT_CONFIG", global = true)]
    #[serde(skip)]
    config: Option<PathBuf>,
    /// Directory of the embedded store (env SKYPORT_DATA_DIR). Default ./data.
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    data_dir: Option<PathBuf>,
    #[command(flatten)]
    #[serde(skip_serializing_if = "crate::cli::StoreArgs::is_empty")]
    store: crate::cli::StoreArgs,
}

/// Which backlog.
#[derive(Debug, Args)]
struct WhichBacklog {
    /// The backlog by name.
    #[arg(long, global = true, default_value = "shared", conflicts_with = "user")]
    backlog: String,
    /// The personal backlog of the user with this email.
    #[arg(long, global = true, value_name = "EMAIL")]
    user: Option<String>,
}

/// What to do.
#[derive(Debug, Subcommand)]
enum BacklogCommand {
    /// Create tasks from DIR/tasks/*.md (or DIR/*.md); nothing is written if a file fails.
    Import {
        /// The directory holding the task files.
        dir: PathBuf,
        /// Replace tasks whose id exists (default: skip them).
        #[arg(long)]
        replace: bool,
        /// Import the good files even when some fail (still exits non-zero).
        #[arg(long)]
        keep_going: bool,
    },
    /// Write every task to DIR/tasks/{id}.md, as the original tool writes them.
    Export {
        /// The directory to write into (created if missing).
        dir: PathBuf,
    },
}

/// `skyport backlog …`.
#[derive(Debug, Args)]
pub(crate) struct BacklogArgs {
    #[command(flatten)]
    store: BacklogStoreArgs,
    #[command(flatten)]
    which: WhichBacklog,
    #[command(subcommand)]
    command: BacklogCommand,
}

/// `shared`, or `user:{id}` for `--user EMAIL`.
async fn backlog_name(records: &dyn Records, which: &WhichBacklog) -> anyhow::Result<String> {
    let Some(email) = &which.user else {
        return Ok(which.backlog.clone());
    };
    match records.user_by_email(email).await? {
        Some(user) => Ok(format!("user:{}", user.id)),
        None => anyhow::bail!(
            "no user with the email {email:?} in this store: check the address, or the --data-dir / --store flags"
        ),
    }
}

/// Runs the command against the configured store.
pub(crate) async fn run(args: BacklogArgs) -> anyhow::Result<()> {
    let config = Config::load(args.store.config.as_deref(), &args.store)?;
    let store = skyport::store::open(&config.store_config()).await?;
    let records = store.records;
    let backlog = backlog_name(&*records, &args.which).await?;
    match args.command {
        BacklogCommand::Import {
            dir,
            replace,
            keep_going,
        } => {
            let opts = ImportOptions {
                replace,
                keep_going,
            };
            let report = import_dir(&*records, &backlog, &dir, opts)
                .await
                .with_context(|| format!("importing {}", dir.display()))?;
            let hint = if report.skipped.is_empty() || replace {
                ""
            } else {
                " (their ids exist: --replace overwrites them)"
            };
            println!(
                "imported {}, replaced {}, skipped {}{hint}, failed {} into backlog {backlog}",
                report.imported.len(),
                report.replaced.len(),
                report.skipped.len(),
                report.failed.len(),
            );
            for failure in &report.failed {
                eprintln!("  {failure}");
            }
            if !report.failed.is_empty() {
                anyhow::bail!(
                    "{} file(s) were not imported (listed above)",
                    report.failed.len()
                );
            }
        }
        BacklogCommand::Export { dir } => {
            let report = export_dir(&*records, &backlog, &dir)
                .await
                .with_context(|| format!("exporting to {}", dir.display()))?;
            println!(
                "exported {} tasks of backlog {backlog} to {} ({} written, {} unchanged)",
                report.written + report.unchanged,
                report.dir.display(),
                report.written,
                report.unchanged,
            );
        }
    }
    Ok(())
}
