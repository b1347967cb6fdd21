//! Authentication: user accounts with argon2id password hashes and API keys
//! (hashed at rest). The OAuth 2.1 server and per-tool enforcement build on this.
//!
//! Secrets never leave this module in the clear: passwords are hashed
//! before they reach the store, and no error or log line carries one.

pub mod accounts;
pub mod api_keys;
pub mod oauth;
pub mod passwords;
pub mod principal;
pub mod throttle;

pub use accounts::{Accounts, AuthError};
pub use api_keys::{ApiKeys, CreatedKey};
pub use principal::{Credential, Principal};
pub use throttle::SignInThrottle;
