//! `skyport`: serve apps over HTTP or stdio.
//!
//! ```sh
//! skyport serve                       # every production app on 127.0.0.1:8787
//! skyport serve --apps bench --stateless
//! skyport stdio --app greeter
//! skyport doctor http://127.0.0.1:8787/greeter/mcp
//! skyport api-key create --name ci --apps backlog
//! ```

mod api_key;
mod backlog;
mod cli;
mod doctor;
mod export;
mod scaffold;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("skyport: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(cli::run(args));
    // tokio reads stdin on a blocking thread that cannot be cancelled: dropping
    // the runtime would wait for it, so a SIGTERMed `skyport stdio` would hang
    // until its next input line. Everything else has finished by now.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("skyport: {e:#}");
            ExitCode::FAILURE
        }
    }
}
