//! Memberships (one per user).

use async_trait::async_trait;

use crate::Result;

/// A user's membership.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Membership {
    /// The member.
    pub user_id: String,
    /// Tier name (`basic`, `plus`, ...: the app's vocabulary).
    pub tier: String,
    /// `active`, `cancelled`, ...
    pub status: String,
    /// Since, Unix ms.
    pub started_at: i64,
    /// Last change, Unix ms.
    pub updated_at: i64,
}

/// Memberships.
#[async_trait]
pub trait MembershipStore: Send + Sync {
    /// Creates or replaces the user's membership (`started_at` is kept when
    /// the tier changes).
    async fn set_membership(&self, user_id: &str, tier: &str, status: &str) -> Result<Membership>;
    /// The user's membership.
    async fn membership(&self, user_id: &str) -> Result<Option<Membership>>;
}
