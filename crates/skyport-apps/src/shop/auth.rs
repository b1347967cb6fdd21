//! `shop-auth`: shopping sessions and sign-in (seed 001's MCP1).

use rmcp::model::MetaObject;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use skyport::engine::{AppError, RequestContext, Security, ToolDef, ToolOutput};
use skyport::protocol::model::ToolAnnotations;
use skyport::{App, ToolError};

use super::context::{Shop, oauth_user, open_session, records, user_of};
use super::session::{self, ShoppingSession};
use super::views::UserView;
use super::{AUTH_APP, http, widgets};
use crate::common::clock::rfc3339;

/// `_meta` key of the app's HTTP API base URL (widgets only).
pub(crate) const META_API: &str = "skyport/api";

/// No arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NoArgs {}

/// A tool's `session_id` argument alone.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SessionArgs {
    /// The sessionId from create_shopping_session (`shop_…`).
    #[schemars(length(max = 64))]
    pub(crate) session_id: String,
}

/// `create_shopping_session`'s result.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct SessionStarted {
    /// Pass it as `session_id` to every shop tool.
    session_id: String,
    /// The session's cart.
    cart_id: String,
    /// When it ends without activity (RFC 3339).
    expires_at: String,
    /// The idle limit.
    idle_minutes: u64,
    /// True when a user is signed in.
    signed_in: bool,
    /// Who, when signed in.
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<UserView>,
    /// What happened and what to do next.
    message: String,
}

/// Whether the sign-in form waits or someone is signed in.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum SignInStatus {
    /// The form is shown and waits for the user.
    Pending,
    /// A user is signed in; no form is needed.
    SignedIn,
}

/// `sign_in_to_shop`'s result.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct SignInPrompt {
    /// The session being signed in.
    session_id: String,
    /// Pending or signed in.
    status: SignInStatus,
    /// Who, when signed in.
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<UserView>,
    /// What happened and what to do next.
    message: String,
}

/// `get_shop_auth_status`'s result.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct AuthStatus {
    /// The session.
    session_id: String,
    /// True when a user is signed in.
    signed_in: bool,
    /// Who, when signed in.
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<UserView>,
    /// When it ends without activity (RFC 3339).
    expires_at: String,
    /// A sentence for the model.
    message: String,
}

fn expires(s: &ShoppingSession, shop: &Shop) -> String {
    rfc3339(s.expires_at(shop.settings()))
}

async fn create_session(
    ctx: RequestContext,
    _args: NoArgs,
    shop: Shop,
) -> Result<ToolOutput, ToolError> {
    let records = records(&ctx)?;
    // A host that connected with OAuth has a user already.
    let user = match oauth_user(&ctx) {
        Some(sub) => records.user(sub).await?,
        None => None,
    };
    let s = session::create(records, user.as_ref().map(|u| u.id.as_str())).await?;
    let minutes = shop.settings().idle_minutes();
    let message = match &user {
        Some(u) => format!(
            "Shopping session {} started, signed in as {} <{}>. Pass session_id {} to the shop tools. It ends after {minutes} idle minutes.",
            s.id, u.name, u.email, s.id
        ),
        None => format!(
            "Shopping session {} started. Pass session_id {} to the shop tools. Searching works now; to check out, call sign_in_to_shop first. It ends after {minutes} idle minutes.",
            s.id, s.id
        ),
    };
    let out = SessionStarted {
        session_id: s.id.clone(),
        cart_id: s.cart_id.clone(),
        expires_at: expires(&s, &shop),
        idle_minutes: minutes,
        signed_in: user.is_some(),
        user: user.as_ref().map(UserView::from),
        message: message.clone(),
    };
    ToolOutput::structured(&out, message)
}

async fn sign_in(
    ctx: RequestContext,
    args: SessionArgs,
    shop: Shop,
) -> Result<ToolOutput, ToolError> {
    let Some(api) = shop.base() else {
        return Ok(ToolOutput::error(
            "Sign-in is not available here: this server does not serve the shop's HTTP API (it runs without HTTP, e.g. over stdio).",
        ));
    };
    let s = open_session(&ctx, &args.session_id).await?;
    let user = user_of(records(&ctx)?, &s).await?;
    let (status, message) = match &user {
        Some(u) => (
            SignInStatus::SignedIn,
            format!(
                "Already signed in as {} <{}>. Continue shopping with session_id {}.",
                u.name, u.email, s.id
            ),
        ),
        None => (
            SignInStatus::Pending,
            "The sign-in form is shown to the user (email, then password). Never ask for a password in the chat. Wait until the user says they signed in, then call get_shop_auth_status.".to_owned(),
        ),
    };
    let out = SignInPrompt {
        session_id: s.id.clone(),
        status,
        user: user.as_ref().map(UserView::from),
        message: message.clone(),
    };
    let mut meta = MetaObject::new();
    meta.insert(META_API.into(), json!(api));
    Ok(ToolOutput::structured(&out, message)?.with_meta(meta))
}

async fn status(
    ctx: RequestContext,
    args: SessionArgs,
    shop: Shop,
) -> Result<ToolOutput, ToolError> {
    let s = open_session(&ctx, &args.session_id).await?;
    let user = user_of(records(&ctx)?, &s).await?;
    let message = match &user {
        Some(u) => format!("Signed in as {} <{}>.", u.name, u.email),
        None => format!(
            "Not signed in. Call sign_in_to_shop with session_id {} to show the sign-in form.",
            s.id
        ),
    };
    let out = AuthStatus {
        session_id: s.id.clone(),
        signed_in: user.is_some(),
        user: user.as_ref().map(UserView::from),
        expires_at: expires(&s, &shop),
        message: message.clone(),
    };
    ToolOutput::structured(&out, message)
}

/// Tools that only read.
pub(crate) fn read_only() -> ToolAnnotations {
    ToolAnnotations::new()
        .read_only(true)
        .destructive(false)
        .idempotent(true)
        .open_world(false)
}

/// Tools that change the shop's state without destroying anything.
pub(crate) fn writes(idempotent: bool) -> ToolAnnotations {
    ToolAnnotations::new()
        .read_only(false)
        .destructive(false)
        .idempotent(idempotent)
        .open_world(false)
}

/// Who may call the shop's tools: anyone; an OAuth token signs the session in.
pub(crate) fn security() -> Security {
    Security::AnonymousOrOAuth {
        scopes: vec!["profile".into()],
    }
}

/// Builds `shop-auth`.
pub(crate) fn app() -> Result<App, AppError> {
    let shop = Shop::default();
    let create = {
        let shop = shop.clone();
        ToolDef::builder("create_shopping_session")
            .title("Start shopping")
            .description("Use this first, whenever the user wants to shop, search products, fill a cart or buy something and no shopping session exists yet (or the last one expired). Returns a sessionId to pass as session_id to every other shop tool, and the session's cartId.")
            .input::<NoArgs>()
            .output::<SessionStarted>()
            .annotations(writes(false))
            .security(security())
            .invoking("Starting a shopping session…")
            .invoked("Shopping session started")
            .typed_handler(move |ctx, a: NoArgs| create_session(ctx, a, shop.clone()))
    };
    let sign_in_tool = {
        let shop = shop.clone();
        ToolDef::builder("sign_in_to_shop")
            .title("Sign in to the shop")
            .description("Use this when the user wants to sign in to the shop, or when another shop tool says the shopper must sign in (checkout, membership, personal recommendations). Shows a sign-in form in the chat where the user types their email and password (or creates an account); never ask for a password in the chat.")
            .input::<SessionArgs>()
            .output::<SignInPrompt>()
            .annotations(read_only())
            .widget(widgets::SIGN_IN)
            .security(security())
            .invoking("Opening sign-in…")
            .invoked("Sign-in ready")
            .typed_handler(move |ctx, a: SessionArgs| sign_in(ctx, a, shop.clone()))
    };
    let status_tool = {
        let shop = shop.clone();
        ToolDef::builder("get_shop_auth_status")
            .title("Check shop sign-in")
            .description("Use this to learn whether the shopper is signed in (after they say they signed in with the form, or before checkout). Returns the user's name and email when signed in.")
            .input::<SessionArgs>()
            .output::<AuthStatus>()
            .annotations(read_only())
            .security(security())
            .typed_handler(move |ctx, a: SessionArgs| status(ctx, a, shop.clone()))
    };
    App::builder(AUTH_APP)
        .instructions("The shop's sign-in. Call create_shopping_session first and pass its sessionId to every shop tool (search, cart, checkout, membership). Call sign_in_to_shop to show the sign-in form; users type credentials only there.")
        .tool(create)
        .tool(sign_in_tool)
        .tool(status_tool)
        .widget(widgets::sign_in())
        .http(move |ctx| {
            shop.mounted(ctx);
            http::auth_routes(ctx)
        })
        .build()
}
