//! `shop-membership`: membership tiers (seed 001's MCP4). A membership is
//! stored per user; `plus` makes shipping free and `basic` lowers the
//! free-shipping threshold (see [`super::pricing`]). Billing the `plus`
//! fee is out of scope: joining records the membership only.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use skyport::engine::{AppError, RequestContext, ToolDef, ToolOutput};
use skyport::store::records::Membership;
use skyport::{App, ToolError};

use super::auth::{SessionArgs, read_only, security, writes};
use super::context::{Shop, open_session, records, signed_in_user};
use super::pricing::dollars;
use super::{MEMBERSHIP_APP, http, widgets};
use crate::common::clock::rfc3339;

/// A membership tier.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Tier {
    /// `basic` or `plus`.
    id: &'static str,
    /// Display name.
    name: &'static str,
    /// Yearly fee, cents.
    price_cents: i64,
    /// What members get.
    benefits: Vec<&'static str>,
}

fn tiers() -> Vec<Tier> {
    vec![
        Tier {
            id: "basic",
            name: "Basic",
            price_cents: 0,
            benefits: vec![
                "Free shipping on orders of $35 or more",
                "Member-only deals every week",
                "A birthday reward",
            ],
        },
        Tier {
            id: "plus",
            name: "Plus",
            price_cents: 4900,
            benefits: vec![
                "Free shipping on every order",
                "Member-only deals every week",
                "A birthday reward",
                "Early access to seasonal sales",
            ],
        },
    ]
}

/// The tier ids, for messages.
const TIER_IDS: &str = "basic (free) or plus ($49.00 a year)";

/// The tier a user picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum TierId {
    /// Free.
    Basic,
    /// $49 a year.
    Plus,
}

impl TierId {
    fn as_str(self) -> &'static str {
        match self {
            TierId::Basic => "basic",
            TierId::Plus => "plus",
        }
    }
}

/// A membership as the tools show it.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct MembershipView {
    /// `basic` or `plus`.
    tier: String,
    /// `active`.
    status: String,
    /// Member since (RFC 3339).
    since: String,
}

impl From<&Membership> for MembershipView {
    fn from(m: &Membership) -> Self {
        Self {
            tier: m.tier.clone(),
            status: m.status.clone(),
            since: rfc3339(m.started_at),
        }
    }
}

fn tier_name(id: &str) -> &'static str {
    match id {
        "plus" => "Plus",
        _ => "Basic",
    }
}

/// `check_membership`'s result.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct MembershipStatus {
    /// The session.
    session_id: String,
    /// True for an active member.
    member: bool,
    /// The membership, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    membership: Option<MembershipView>,
    /// The tiers on offer.
    tiers: Vec<Tier>,
    /// A sentence for the model.
    message: String,
}

/// `show_membership_signup`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SignupArgs {
    /// The sessionId from create_shopping_session.
    #[schemars(length(max = 64))]
    session_id: String,
    /// The tier to preselect, when the user named one.
    #[serde(default)]
    tier: Option<TierId>,
}

/// `show_membership_signup`'s result.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct SignupForm {
    /// The session.
    session_id: String,
    /// The tiers on offer.
    tiers: Vec<Tier>,
    /// The current membership, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    current: Option<MembershipView>,
    /// The tier to preselect.
    #[serde(skip_serializing_if = "Option::is_none")]
    suggested_tier: Option<&'static str>,
    /// A sentence for the model.
    message: String,
}

/// `join_membership`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct JoinArgs {
    /// The sessionId from create_shopping_session.
    #[schemars(length(max = 64))]
    session_id: String,
    /// `basic` (free) or `plus` ($49 a year).
    tier: TierId,
}

/// `join_membership`'s result.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Joined {
    /// The session.
    session_id: String,
    /// The membership now.
    membership: MembershipView,
    /// A sentence for the model.
    message: String,
}

async fn current(
    ctx: &RequestContext,
    session_id: &str,
    to: &str,
) -> Result<(String, String, Option<Membership>), ToolError> {
    let records = records(ctx)?;
    let s = open_session(ctx, session_id).await?;
    let user = signed_in_user(records, &s, to).await?;
    let m = records
        .membership(&user.id)
        .await?
        .filter(|m| m.status == "active");
    Ok((s.id, user.id, m))
}

async fn check(ctx: RequestContext, a: SessionArgs) -> Result<ToolOutput, ToolError> {
    let (session_id, _, m) = current(&ctx, &a.session_id, "check a membership").await?;
    let message = match &m {
        Some(m) => format!(
            "A {} member since {}.",
            tier_name(&m.tier),
            rfc3339(m.started_at)
        ),
        None => format!(
            "Not a member. Tiers: {TIER_IDS}. Call show_membership_signup to let the user pick one."
        ),
    };
    let out = MembershipStatus {
        session_id,
        member: m.is_some(),
        membership: m.as_ref().map(MembershipView::from),
        tiers: tiers(),
        message: message.clone(),
    };
    ToolOutput::structured(&out, message)
}

async fn signup(ctx: RequestContext, a: SignupArgs) -> Result<ToolOutput, ToolError> {
    let (session_id, _, m) = current(&ctx, &a.session_id, "join a membership").await?;
    let suggested = a.tier.map(TierId::as_str).or_else(|| {
        m.as_ref()
            .map(|m| if m.tier == "plus" { "plus" } else { "basic" })
    });
    let message = match &m {
        Some(m) => format!(
            "The membership form is shown. The user is a {} member already and can switch tiers there.",
            tier_name(&m.tier)
        ),
        None => "The membership form is shown: the user picks a tier and presses Join. Wait for them to say they joined.".to_owned(),
    };
    let out = SignupForm {
        session_id,
        tiers: tiers(),
        current: m.as_ref().map(MembershipView::from),
        suggested_tier: suggested,
        message: message.clone(),
    };
    ToolOutput::structured(&out, message)
}

async fn join(ctx: RequestContext, a: JoinArgs) -> Result<ToolOutput, ToolError> {
    let (session_id, user_id, before) = current(&ctx, &a.session_id, "join a membership").await?;
    let tier = a.tier.as_str();
    let m = records(&ctx)?
        .set_membership(&user_id, tier, "active")
        .await?;
    let price = tiers()
        .into_iter()
        .find(|t| t.id == tier)
        .map_or(0, |t| t.price_cents);
    let message = match before {
        Some(b) if b.tier == tier => {
            format!("Already a {} member; nothing changed.", tier_name(tier))
        }
        Some(b) => format!(
            "Switched from {} to {}.",
            tier_name(&b.tier),
            tier_name(tier)
        ),
        None => format!(
            "Joined the {} membership ({}).",
            tier_name(tier),
            if price == 0 {
                "free".to_owned()
            } else {
                format!("{} a year", dollars(price))
            }
        ),
    };
    let out = Joined {
        session_id,
        membership: MembershipView::from(&m),
        message: message.clone(),
    };
    ToolOutput::structured(&out, message)
}

/// Builds `shop-membership`.
pub(crate) fn app() -> Result<App, AppError> {
    let shop = Shop::default();
    let check_tool = ToolDef::builder("check_membership")
        .title("Check membership")
        .description("Use this when the user asks whether they are a member, about their membership or its benefits. Needs a signed-in session.")
        .input::<SessionArgs>()
        .output::<MembershipStatus>()
        .annotations(read_only())
        .security(security())
        .typed_handler(check);
    let signup_tool = ToolDef::builder("show_membership_signup")
        .title("Show membership sign-up")
        .description("Use this when the user wants to become a member, compare membership tiers or change tier. Shows the tiers with prices and benefits; the user picks one and joins in the form. Needs a signed-in session.")
        .input::<SignupArgs>()
        .output::<SignupForm>()
        .annotations(read_only())
        .widget(widgets::MEMBERSHIP)
        .security(security())
        .invoking("Opening membership options…")
        .invoked("Membership options shown")
        .typed_handler(signup);
    let join_tool = ToolDef::builder("join_membership")
        .title("Join membership")
        .description("Joins (or switches to) a membership tier: basic (free) or plus ($49 a year). The sign-up form calls it when the user presses Join; call it yourself only when the user clearly chose a tier in the chat.")
        .input::<JoinArgs>()
        .output::<Joined>()
        .annotations(writes(true))
        // The sign-up widget's "Join" calls it.
        .meta("openai/widgetAccessible", json!(true))
        .security(security())
        .invoking("Joining…")
        .invoked("Joined")
        .typed_handler(join);
    App::builder(MEMBERSHIP_APP)
        .instructions("The shop's membership. Pass the session_id from shop-auth's create_shopping_session (signed in). check_membership tells the status, show_membership_signup shows the tiers where the user joins.")
        .tool(check_tool)
        .tool(signup_tool)
        .tool(join_tool)
        .widget(widgets::membership())
        .http(move |ctx| {
            shop.mounted(ctx);
            http::image_routes()
        })
        .build()
}
