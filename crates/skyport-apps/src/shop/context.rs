//! What every shop tool needs: the products, the settings, the server's
//! public address, and the session, user and membership behind a
//! `session_id`.

use std::sync::{Arc, OnceLock, RwLock};

use skyport::ToolError;
use skyport::auth::Credential;
use skyport::engine::{HttpContext, RequestContext};
use skyport::store::Records;
use skyport::store::records::User;
use skyport_catalog::Products;

use super::pricing::Perks;
use super::session::{self, ShoppingSession};
use super::settings::ShopSettings;

/// The product sources of this process (the embedded catalog, and the
/// external provider when `UNWRANGLE_API_KEY` is set).
pub(crate) fn products() -> &'static Products {
    static PRODUCTS: OnceLock<Products> = OnceLock::new();
    PRODUCTS.get_or_init(Products::from_env)
}

/// One shop app's view of the server: its public base URL, known only once
/// the server mounts the app's routes (the port may be chosen at bind time).
#[derive(Debug, Clone, Default)]
pub(crate) struct Shop {
    base: Arc<RwLock<Option<String>>>,
}

impl Shop {
    /// Records where the app is served (`{public_url}/{app}`), and starts
    /// building the catalog's index so the first search does not wait for it.
    pub(crate) fn mounted(&self, ctx: &HttpContext) {
        if let Ok(mut b) = self.base.write() {
            *b = Some(format!("{}/{}", ctx.public_url, ctx.app));
        }
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(products().warm_up());
        }
    }

    /// `{public_url}/{app}`, once mounted.
    pub(crate) fn base(&self) -> Option<String> {
        self.base.read().ok().and_then(|b| b.clone())
    }

    /// Where this app serves product images, once mounted.
    pub(crate) fn images(&self) -> Option<String> {
        self.base().map(|b| format!("{b}/images"))
    }

    /// The settings of this process.
    pub(crate) fn settings(&self) -> &'static ShopSettings {
        ShopSettings::get()
    }
}

/// The store, or an error result saying the server has none.
pub(crate) fn records(ctx: &RequestContext) -> Result<&dyn Records, ToolError> {
    Ok(ctx.records()?.as_ref())
}

/// Opens the live session named by a tool's `session_id`.
pub(crate) async fn open_session(
    ctx: &RequestContext,
    id: &str,
) -> Result<ShoppingSession, ToolError> {
    Ok(session::open(records(ctx)?, id, ShopSettings::get()).await?)
}

/// The session's signed-in user.
pub(crate) async fn user_of(
    records: &dyn Records,
    s: &ShoppingSession,
) -> Result<Option<User>, ToolError> {
    match &s.user_id {
        Some(id) => Ok(records.user(id).await?),
        None => Ok(None),
    }
}

/// The session's signed-in user, or an error result telling the model how
/// to sign in.
pub(crate) async fn signed_in_user(
    records: &dyn Records,
    s: &ShoppingSession,
    to: &str,
) -> Result<User, ToolError> {
    user_of(records, s).await?.ok_or_else(|| {
        ToolError::Failed(format!(
            "The shopper must sign in to {to}. Call sign_in_to_shop with session_id {} to show the sign-in form, wait until the user says they signed in, then try again.",
            s.id
        ))
    })
}

/// The user's membership tier id, if they are an active member.
pub(crate) async fn tier_of(
    records: &dyn Records,
    user: Option<&User>,
) -> Result<Option<String>, ToolError> {
    let Some(u) = user else { return Ok(None) };
    Ok(records
        .membership(&u.id)
        .await?
        .filter(|m| m.status == "active")
        .map(|m| m.tier))
}

/// The membership perks of the session's user.
pub(crate) async fn perks_of(
    records: &dyn Records,
    user: Option<&User>,
) -> Result<Perks, ToolError> {
    Ok(Perks::of_tier(tier_of(records, user).await?.as_deref()))
}

/// The Skyport user an OAuth access token names (API keys and external
/// issuers name other things than Skyport users).
pub(crate) fn oauth_user(ctx: &RequestContext) -> Option<&str> {
    ctx.principal()
        .filter(|p| matches!(p.credential, Credential::OAuth))
        .map(|p| p.subject.as_str())
}
