//! Whose backlog a caller works on (docs/backlog.md "Whose backlog").

use skyport::auth::{Credential, Principal};

use super::model::BacklogKind;

/// The backlog of API-key and anonymous callers.
pub(crate) const SHARED: &str = "shared";

/// Scope of the read tools and the viewer API.
pub(crate) const READ: &str = "tasks.read";
/// Scope of create and update.
pub(crate) const WRITE: &str = "tasks.write";
/// Scope of delete.
pub(crate) const DELETE: &str = "tasks.delete";

/// The backlog a request works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Owner {
    /// The store's backlog key.
    pub(crate) backlog: String,
    /// Shared or personal, as results say.
    pub(crate) kind: BacklogKind,
}

impl Owner {
    /// A signed-in user (an OAuth token) gets their own backlog, keyed by
    /// the token's subject; an API key or no credential the shared one.
    pub(crate) fn of(principal: Option<&Principal>) -> Owner {
        match principal {
            Some(p) if p.credential != Credential::ApiKey => Owner {
                backlog: format!("user:{}", p.subject),
                kind: BacklogKind::Personal,
            },
            _ => Owner {
                backlog: SHARED.to_owned(),
                kind: BacklogKind::Shared,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(credential: Credential) -> Principal {
        Principal {
            subject: "usr_1".into(),
            client_id: "c".into(),
            scopes: vec![READ.into()],
            credential,
        }
    }

    #[test]
    fn tokens_get_their_own_backlog_and_keys_share_one() {
        assert_eq!(Owner::of(None).backlog, SHARED);
        assert_eq!(
            Owner::of(Some(&principal(Credential::ApiKey))).backlog,
            SHARED
        );
        assert_eq!(
            Owner::of(Some(&principal(Credential::OAuth))).backlog,
            "user:usr_1"
        );
        assert_eq!(
            Owner::of(Some(&principal(Credential::ExternalJwt))).backlog,
            "user:usr_1"
        );
    }
}
