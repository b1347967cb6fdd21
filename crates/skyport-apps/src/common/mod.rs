//! Pieces the built-in apps share: time and ids, and the helpers of their
//! small JSON HTTP APIs (the ones their widgets call).

pub(crate) mod clock;
pub(crate) mod json_api;
