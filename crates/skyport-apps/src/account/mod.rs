//! The account app (seed 000): sign-in inside the chat.
//!
//! Tools:
//!
//! - `authenticate_user` shows the `sign-in` widget and opens a sign-in
//!   session (`sess_…`, 128 random bits, 30 minutes to complete). Its id is a
//!   bearer capability, so it reaches the widget through the result's
//!   `_meta` (hosts give `_meta` to widgets, not to the model), never through
//!   `structuredContent` or the text. It is bound to the caller's MCP session.
//! - `get_user_profile` returns who is signed in: the OAuth principal first,
//!   else the sign-in bound to the MCP session, else a `session_id` argument.
//! - `show_profile` renders the same data in the `profile` widget.
//! - `logout_user` ends the sign-in (idempotent).
//!
//! HTTP routes (see [`http`]): `POST /api/authenticate` (the widget's form),
//! `GET /api/session/{id}` and `GET /.well-known/mcp.json`.

mod http;
mod signin;

use std::sync::{Arc, RwLock};

use rmcp::model::MetaObject;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use skyport::auth::{Credential, Principal};
use skyport::engine::{AppError, RequestContext, Security, ToolDef, ToolOutput};
use skyport::protocol::model::ToolAnnotations;
use skyport::store::Records;
use skyport::store::records::User;
use skyport::{App, Csp, ToolError, Widget};

/// The app's name and path segment.
pub const APP: &str = "account";
/// `_meta` key of the app's HTTP API base URL (`{public_url}/account`).
pub const META_API: &str = "skyport/api";
/// `_meta` key of the sign-in session id (widgets only).
pub const META_SESSION: &str = "account/sessionId";
/// The OAuth scope that lets a token read the profile.
pub const SCOPE: &str = "profile";
/// The tools, in listing order.
pub const TOOLS: [&str; 4] = [
    "authenticate_user",
    "get_user_profile",
    "show_profile",
    "logout_user",
];

/// Where the widgets find the HTTP API: filled when the server builds its
/// router (the public URL, with the port actually bound, is known only then).
type ApiBase = Arc<RwLock<Option<String>>>;

/// Which form the sign-in widget opens with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FormMode {
    /// Sign in to an existing account (the default).
    #[default]
    SignIn,
    /// Create an account.
    SignUp,
}

/// `authenticate_user`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct AuthenticateArgs {
    /// `sign_up` when the user wants to create an account; `sign_in` (the default) otherwise.
    #[serde(default)]
    mode: Option<FormMode>,
}

/// The arguments of `get_user_profile`, `show_profile` and `logout_user`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SessionArgs {
    /// Set by the account widgets only. Leave it out: the server knows who signed in.
    #[serde(default)]
    #[schemars(length(max = 64))]
    session_id: Option<String>,
}

/// Whether the sign-in form is waiting or someone is already signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignInStatus {
    /// The form is shown and waits for the user.
    Pending,
    /// A user is already signed in; no form is needed.
    SignedIn,
}

/// A user as the sign-in widget and the model see them.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UserCard {
    /// The user id (`usr_…`).
    pub id: String,
    /// Their email address.
    pub email: String,
    /// Their display name.
    pub name: String,
}

impl From<&User> for UserCard {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.clone(),
            email: u.email.clone(),
            name: u.name.clone(),
        }
    }
}

/// `authenticate_user`'s structured result (no secrets: the sign-in
/// session id is in `_meta`).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignInPrompt {
    /// Pending (the form is shown) or signed in already.
    pub status: SignInStatus,
    /// What happened, for the model.
    pub message: String,
    /// Which form the widget opens with.
    pub mode: FormMode,
    /// Until when the form can be submitted (RFC 3339), while pending.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Who is signed in, when already signed in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserCard>,
}

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignedInWith {
    /// An OAuth access token from the host.
    Oauth,
    /// The sign-in widget (email and password).
    SignIn,
}

/// A signed-in user's profile (never the password hash).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// The user id (`usr_…`).
    pub id: String,
    /// Their email address.
    pub email: String,
    /// Their display name.
    pub name: String,
    /// When the account was created (RFC 3339).
    pub member_since: String,
    /// How many times they signed in with the sign-in form.
    pub sign_in_count: u64,
    /// Their last sign-in with the form (RFC 3339), if any.
    pub last_sign_in: Option<String>,
    /// How this caller is signed in.
    pub signed_in_with: SignedInWith,
}

/// `logout_user`'s structured result.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Logout {
    /// True when a sign-in session was ended by this call.
    pub signed_out: bool,
    /// What happened, for the model.
    pub message: String,
}

/// The text of every "not signed in" result.
const NOT_SIGNED_IN: &str = "No user is signed in. Call authenticate_user to show the sign-in form, then try again once the user has signed in.";

/// Who is calling, and how we know.
struct Identity {
    user: User,
    with: SignedInWith,
    /// The sign-in session that proves it (not for OAuth).
    signin: Option<String>,
}

/// The user id an OAuth principal names (API keys and external issuers name
/// other things than Skyport users).
fn oauth_subject(p: &Principal) -> Option<&str> {
    matches!(p.credential, Credential::OAuth).then_some(p.subject.as_str())
}

/// The sign-in to use: the one bound to the MCP session, else the argument.
async fn signin_id(
    ctx: &RequestContext,
    records: &dyn Records,
    arg: Option<&str>,
) -> Result<Option<String>, ToolError> {
    if let Some(s) = ctx.session()
        && let Some(id) = signin::bound(records, s.id()).await?
        && signin::get(records, &id).await?.is_some()
    {
        return Ok(Some(id));
    }
    Ok(arg.filter(|a| signin::valid_id(a)).map(str::to_owned))
}

/// Resolves the caller: OAuth principal, else the MCP session's sign-in,
/// else the `session_id` argument.
async fn identify(ctx: &RequestContext, arg: Option<&str>) -> Result<Option<Identity>, ToolError> {
    let records = ctx.records()?.as_ref();
    if let Some(sub) = ctx.principal().and_then(|p| oauth_subject(p))
        && let Some(user) = records.user(sub).await?
    {
        return Ok(Some(Identity {
            user,
            with: SignedInWith::Oauth,
            signin: None,
        }));
    }
    let mut candidates = Vec::with_capacity(2);
    if let Some(id) = signin_id(ctx, records, None).await? {
        candidates.push(id);
    }
    if let Some(a) = arg.filter(|a| signin::valid_id(a)) {
        candidates.push(a.to_owned());
    }
    for id in candidates {
        if let Some(s) = signin::get(records, &id).await?
            && let Some(uid) = s.user()
            && let Some(user) = records.user(uid).await?
        {
            return Ok(Some(Identity {
                user,
                with: SignedInWith::SignIn,
                signin: Some(id),
            }));
        }
    }
    Ok(None)
}

async fn profile_of(records: &dyn Records, who: &Identity) -> Result<Profile, ToolError> {
    let (count, last) = signin::stats(records, &who.user.id).await?;
    Ok(Profile {
        id: who.user.id.clone(),
        email: who.user.email.clone(),
        name: who.user.name.clone(),
        member_since: signin::rfc3339(who.user.created_at),
        sign_in_count: count,
        last_sign_in: last.map(signin::rfc3339),
        signed_in_with: who.with,
    })
}

fn profile_text(p: &Profile) -> String {
    let last = p.last_sign_in.as_deref().unwrap_or("never with the form");
    format!(
        "Signed in as {} <{}> (user {}), member since {}, {} sign-in{}, last sign-in: {}.",
        p.name,
        p.email,
        p.id,
        p.member_since,
        p.sign_in_count,
        if p.sign_in_count == 1 { "" } else { "s" },
        last
    )
}

/// `_meta` for the widgets: the API base and, when there is one, the sign-in id.
fn widget_meta(api: Option<String>, signin: Option<&str>) -> MetaObject {
    let mut meta = MetaObject::new();
    if let Some(api) = api {
        meta.insert(META_API.into(), json!(api));
    }
    if let Some(id) = signin {
        meta.insert(META_SESSION.into(), json!(id));
    }
    meta
}

async fn authenticate_user(
    ctx: RequestContext,
    args: AuthenticateArgs,
    api: ApiBase,
) -> Result<ToolOutput, ToolError> {
    let mode = args.mode.unwrap_or_default();
    let Some(base) = api.read().ok().and_then(|a| a.clone()) else {
        return Ok(ToolOutput::error(
            "Sign-in is not available here: the account app's HTTP API is not served (this server was started without its HTTP routes).",
        ));
    };
    if let Some(who) = identify(&ctx, None).await? {
        let card = UserCard::from(&who.user);
        let message = format!(
            "Already signed in as {} <{}>. Call logout_user first to sign in as someone else.",
            card.name, card.email
        );
        let prompt = SignInPrompt {
            status: SignInStatus::SignedIn,
            message: message.clone(),
            mode,
            expires_at: None,
            user: Some(card),
        };
        return Ok(ToolOutput::structured(&prompt, message)?
            .with_meta(widget_meta(Some(base), who.signin.as_deref())));
    }
    let records = ctx.records()?.as_ref();
    let (id, s) = signin::create(records, ctx.session().map(|s| s.id())).await?;
    let expires_at = signin::rfc3339(s.expires_at);
    let message = format!(
        "The sign-in form is shown to the user; it can be used until {expires_at}. Wait for the user to sign in (they will say so), then call get_user_profile."
    );
    let prompt = SignInPrompt {
        status: SignInStatus::Pending,
        message: message.clone(),
        mode,
        expires_at: Some(expires_at),
        user: None,
    };
    Ok(ToolOutput::structured(&prompt, message)?.with_meta(widget_meta(Some(base), Some(&id))))
}

async fn get_profile(
    ctx: RequestContext,
    args: SessionArgs,
    widget: bool,
) -> Result<ToolOutput, ToolError> {
    let Some(who) = identify(&ctx, args.session_id.as_deref()).await? else {
        return Ok(ToolOutput::error(NOT_SIGNED_IN));
    };
    let profile = profile_of(ctx.records()?.as_ref(), &who).await?;
    let out = ToolOutput::structured(&profile, profile_text(&profile))?;
    Ok(if widget {
        out.with_meta(widget_meta(None, who.signin.as_deref()))
    } else {
        out
    })
}

async fn logout_user(ctx: RequestContext, args: SessionArgs) -> Result<ToolOutput, ToolError> {
    let records = ctx.records()?.as_ref();
    let mut ended = false;
    if let Some(id) = signin_id(&ctx, records, args.session_id.as_deref()).await? {
        ended = signin::end(records, &id).await?;
    }
    if let Some(s) = ctx.session() {
        signin::unbind(records, s.id()).await?;
    }
    let oauth = ctx.principal().and_then(|p| oauth_subject(p)).is_some();
    let message = match (ended, oauth) {
        (_, true) => "The sign-in session is ended, but this conversation is connected with OAuth: disconnect the app in the chat host's settings to sign out completely.".to_owned(),
        (true, false) => "Signed out. Call authenticate_user to sign in again.".to_owned(),
        (false, false) => "No one was signed in; nothing to do.".to_owned(),
    };
    let out = Logout {
        signed_out: ended,
        message: message.clone(),
    };
    ToolOutput::structured(&out, message)
}

/// The sign-in widget: email and password (or name, email and password to
/// create an account), posted to the app's `POST /api/authenticate`.
pub fn sign_in_widget() -> Widget {
    Widget::new("sign-in")
        .title("Sign in")
        .description("A sign-in form (email and password, or a new account). The user types their credentials into it; the model never sees them. When it says the user signed in, call get_user_profile.")
        .body(include_str!("widget/sign-in.html"))
        .style(include_str!("widget/sign-in.css"))
        .script(include_str!("widget/sign-in.js"))
        .csp(Csp::new().connect_server())
        .prefers_border(true)
}

/// The profile widget: a user card with initials, member-since and sign-in
/// statistics, with "Refresh" and "Sign out".
pub fn profile_widget() -> Widget {
    Widget::new("profile")
        .title("Profile")
        .description("The signed-in user's profile card: name, email, member since, sign-in count and last sign-in, with Refresh and Sign out buttons.")
        .body(include_str!("widget/profile.html"))
        .style(include_str!("widget/profile.css"))
        .script(include_str!("widget/profile.js"))
        .csp(Csp::new())
        .prefers_border(true)
}

fn security() -> Security {
    Security::AnonymousOrOAuth {
        scopes: vec![SCOPE.into()],
    }
}

fn read_only() -> ToolAnnotations {
    ToolAnnotations::new()
        .read_only(true)
        .destructive(false)
        .idempotent(true)
        .open_world(false)
}

/// Builds the account app.
pub fn app() -> Result<App, AppError> {
    let api: ApiBase = Arc::new(RwLock::new(None));

    let authenticate = {
        let api = api.clone();
        ToolDef::builder("authenticate_user")
            .title("Sign in")
            .description("Use this when the user wants to sign in, log in or create an account, or when another tool said no user is signed in. Shows a sign-in form in the chat; the user types their email and password there (never ask for a password in the chat). Pass mode=sign_up when they want a new account.")
            .input::<AuthenticateArgs>()
            .output::<SignInPrompt>()
            .annotations(
                ToolAnnotations::new()
                    .read_only(false)
                    .destructive(false)
                    .idempotent(false)
                    .open_world(false),
            )
            .widget("sign-in")
            .security(security())
            .invoking("Opening sign-in…")
            .invoked("Sign-in ready")
            .typed_handler(move |ctx, args: AuthenticateArgs| {
                authenticate_user(ctx, args, api.clone())
            })
    };
    let get = ToolDef::builder("get_user_profile")
        .title("Get the user's profile")
        .description("Use this to learn who is signed in: returns the signed-in user's id, email, name, member-since date and sign-in statistics, as data only (no widget). If no one is signed in it fails and says to call authenticate_user.")
        .input::<SessionArgs>()
        .output::<Profile>()
        .annotations(read_only())
        // The profile widget's "Refresh" calls it.
        .meta("openai/widgetAccessible", json!(true))
        .security(security())
        .invoking("Looking up your profile…")
        .invoked("Profile loaded")
        .typed_handler(|ctx, args: SessionArgs| get_profile(ctx, args, false));
    let show = ToolDef::builder("show_profile")
        .title("Show the user's profile")
        .description("Use this when the user asks to see their profile or account: shows a profile card with their name, email, member-since date and sign-in statistics, with Refresh and Sign out buttons. If no one is signed in it fails and says to call authenticate_user.")
        .input::<SessionArgs>()
        .output::<Profile>()
        .annotations(read_only())
        .widget("profile")
        .security(security())
        .invoking("Opening your profile…")
        .invoked("Profile shown")
        .typed_handler(|ctx, args: SessionArgs| get_profile(ctx, args, true));
    let logout = ToolDef::builder("logout_user")
        .title("Sign out")
        .description("Use this when the user wants to sign out or log out, or before signing in as someone else. Ends the sign-in; calling it when no one is signed in is harmless.")
        .input::<SessionArgs>()
        .output::<Logout>()
        .annotations(
            ToolAnnotations::new()
                .read_only(false)
                .destructive(false)
                .idempotent(true)
                .open_world(false),
        )
        // The profile widget's "Sign out" calls it.
        .meta("openai/widgetAccessible", json!(true))
        .security(security())
        .invoking("Signing out…")
        .invoked("Signed out")
        .typed_handler(logout_user);

    App::builder(APP)
        .instructions("Signs users in and shows their profile. Call authenticate_user to show the sign-in form (users type credentials only there, never in the chat); after the user says they signed in, call get_user_profile or show_profile. Call logout_user to sign out.")
        .tool(authenticate)
        .tool(get)
        .tool(show)
        .tool(logout)
        .widget(sign_in_widget())
        .widget(profile_widget())
        .http(move |ctx| {
            if let Ok(mut a) = api.write() {
                *a = Some(format!("{}/{}", ctx.public_url, ctx.app));
            }
            http::routes(ctx)
        })
        .build()
}
