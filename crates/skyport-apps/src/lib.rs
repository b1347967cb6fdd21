//! The apps that ship inside the `skyport` binary.
//!
//! Production apps are enabled by default; built-in test apps (`conformance`,
//! `bench`) only when named with `--apps`.

pub mod account;
pub mod backlog;
pub mod bench;
mod common;
pub mod conformance;
pub mod greeter;
pub mod probe;
pub mod shop;

use skyport::{App, engine::AppError};

/// An app the binary can serve.
#[derive(Debug, Clone, Copy)]
pub struct AppEntry {
    /// Its name and path segment.
    pub name: &'static str,
    /// One line about it.
    pub summary: &'static str,
    /// Test apps are off unless named.
    pub test_only: bool,
    /// Builds it (apps are only built when enabled).
    pub build: fn() -> Result<App, AppError>,
}

/// Every app in this binary.
pub fn registry() -> Vec<AppEntry> {
    vec![
        AppEntry {
            name: "greeter",
            summary: "greets a user by name (seed 003)",
            test_only: false,
            build: greeter::app,
        },
        AppEntry {
            name: "account",
            summary: "sign-in inside the chat: a sign-in widget, the user's profile, sign-out (seed 000)",
            test_only: false,
            build: account::app,
        },
        AppEntry {
            name: shop::AUTH_APP,
            summary: "the shop's sessions and sign-in widget (seeds 001/002)",
            test_only: false,
            build: shop::auth_app,
        },
        AppEntry {
            name: shop::SEARCH_APP,
            summary: "the shop's product search carousel and recommendations over a 10,000-product catalog",
            test_only: false,
            build: shop::search_app,
        },
        AppEntry {
            name: shop::CHECKOUT_APP,
            summary: "the shop's cart, checkout and orders",
            test_only: false,
            build: shop::checkout_app,
        },
        AppEntry {
            name: shop::MEMBERSHIP_APP,
            summary: "the shop's membership tiers and sign-up",
            test_only: false,
            build: shop::membership_app,
        },
        AppEntry {
            name: backlog::APP,
            summary: "a task backlog: list, filter, create, update, delete, sprint progress; a widget and a web viewer at /backlog/ (seed 004)",
            test_only: false,
            build: backlog::app,
        },
        AppEntry {
            name: "conformance",
            summary: "the fixtures of the official MCP conformance suite",
            test_only: true,
            build: conformance::app,
        },
        AppEntry {
            name: "probe",
            summary: "store operations and notifications, for the scale-out and store tests",
            test_only: true,
            build: probe::app,
        },
        AppEntry {
            name: "bench",
            summary: "the peer benchmark workload (search_products)",
            test_only: true,
            build: bench::app,
        },
    ]
}

/// Why the enabled apps could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    /// A name that is not in the registry.
    #[error("unknown app {name:?}: the available apps are {available}")]
    Unknown {
        /// The name given.
        name: String,
        /// The names that exist.
        available: String,
    },
    /// An app's declaration is broken.
    #[error(transparent)]
    App(#[from] AppError),
}

/// Builds the apps named in `names`, or every production app when empty.
pub fn build(names: &[String]) -> Result<Vec<App>, SelectError> {
    let all = registry();
    let available = all.iter().map(|a| a.name).collect::<Vec<_>>().join(", ");
    let chosen: Vec<&AppEntry> = if names.is_empty() {
        all.iter().filter(|a| !a.test_only).collect()
    } else {
        names
            .iter()
            .map(|n| {
                all.iter()
                    .find(|a| a.name == n)
                    .ok_or_else(|| SelectError::Unknown {
                        name: n.clone(),
                        available: available.clone(),
                    })
            })
            .collect::<Result<_, _>>()?
    };
    chosen
        .into_iter()
        .map(|a| (a.build)().map_err(SelectError::from))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_app_builds() {
        for entry in registry() {
            let app = (entry.build)().unwrap_or_else(|e| panic!("{}: {e}", entry.name));
            assert_eq!(app.name(), entry.name);
        }
    }

    #[test]
    fn unknown_names_list_the_available_apps() {
        let e = build(&["nope".into()]).unwrap_err().to_string();
        assert!(e.contains("greeter") && e.contains("nope"), "{e}");
        assert!(
            build(&[])
                .unwrap()
                .iter()
                .all(|a| a.name() != "conformance")
        );
    }
}
