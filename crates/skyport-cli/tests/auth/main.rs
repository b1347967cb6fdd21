//! Authorization and security on the real binary: API keys, the built-in
//! OAuth 2.1 server and external issuers, the account app, rate limits,
//! Origin/Host checks and security headers.
//!
//! One test binary per area (one link instead of one per file); each
//! module is one file of tests.

#[path = "../common/mod.rs"]
mod common;

mod account_app;
mod api_keys;
mod oauth_external;
mod oauth_flow;
mod origin_and_host;
mod rate_limits;
mod security_headers;
