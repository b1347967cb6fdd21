//! `probe`: a test app that touches the store, for the scale-out, crash,
//! concurrency and store benchmark tests. Every tool is one store operation
//! (or one notification), so what a test measures is the store path.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use skyport::App;
use skyport::engine::{AppError, ResourceDef, Security, ToolDef, ToolError, ToolOutput};
use skyport_store::records::CartLine;

/// Namespace of the probe's key-value entries.
const NS: &str = "probe";

#[derive(Deserialize, schemars::JsonSchema)]
struct KeyValue {
    /// Key (1-200 characters).
    key: String,
    /// Any JSON value.
    value: Value,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct Key {
    /// Key (1-200 characters).
    key: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct CounterAdd {
    /// Counter key.
    key: String,
    /// Amount to add (may be negative).
    by: i64,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct Owner {
    /// Who owns the cart.
    owner: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct CartAdd {
    /// The cart's owner.
    owner: String,
    /// The cart.
    cart_id: String,
    /// Product id.
    sku: String,
    /// Quantity to add (1-1000).
    #[schemars(range(min = 1, max = 1000))]
    quantity: i64,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct Uri {
    /// The resource that changed.
    uri: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct Steps {
    /// Progress notifications to send (1-100).
    #[schemars(range(min = 1, max = 100))]
    steps: u32,
    /// Pause before each, in ms (0-2000).
    #[schemars(range(min = 0, max = 2000))]
    delay_ms: u64,
}

#[derive(Serialize)]
struct Versioned {
    key: String,
    version: u64,
}

fn check_key(key: &str) -> Result<(), ToolError> {
    if key.is_empty() || key.len() > 200 {
        return Err(ToolError::InvalidArguments(
            "`key` must be 1 to 200 characters".into(),
        ));
    }
    Ok(())
}

fn kv_tools() -> Vec<ToolDef> {
    vec![
        ToolDef::builder("kv_put")
            .description("Store a JSON value under a key; returns its new version.")
            .typed_handler(|ctx, a: KeyValue| async move {
                check_key(&a.key)?;
                let version = ctx.records()?.kv_put(NS, &a.key, &a.value).await?;
                let text = format!("stored {} at version {version}", a.key);
                ToolOutput::structured(
                    &Versioned {
                        key: a.key,
                        version,
                    },
                    text,
                )
            }),
        ToolDef::builder("kv_get")
            .description("Read the value stored under a key.")
            .typed_handler(|ctx, a: Key| async move {
                check_key(&a.key)?;
                match ctx.records()?.kv_get(NS, &a.key).await? {
                    Some(e) => ToolOutput::structured(
                        &json!({"key": e.key, "value": e.value, "version": e.version}),
                        format!("{} is at version {}", a.key, e.version),
                    ),
                    None => Err(ToolError::Failed(format!("no value under {:?}", a.key))),
                }
            }),
        ToolDef::builder("counter_add")
            .description("Add to an integer counter atomically; returns the new value.")
            .typed_handler(|ctx, a: CounterAdd| async move {
                check_key(&a.key)?;
                let value = ctx.records()?.kv_incr(NS, &a.key, a.by).await?;
                ToolOutput::structured(&json!({"key": a.key, "value": value}), format!("{value}"))
            }),
    ]
}

fn cart_tools() -> Vec<ToolDef> {
    vec![
        ToolDef::builder("cart_create")
            .description("Create an empty cart for an owner.")
            .typed_handler(|ctx, a: Owner| async move {
                let cart = ctx.records()?.create_cart(&a.owner).await?;
                let text = format!("cart {}", cart.id);
                ToolOutput::structured(&cart, text)
            }),
        ToolDef::builder("cart_add")
            .description("Add a quantity of a product to a cart (atomic).")
            .typed_handler(|ctx, a: CartAdd| async move {
                let line = CartLine {
                    sku: a.sku.clone(),
                    title: format!("Product {}", a.sku),
                    unit_price_cents: 100,
                    quantity: a.quantity,
                };
                let cart = ctx.records()?.cart_add(&a.owner, &a.cart_id, line).await?;
                let text = format!("cart {} at version {}", cart.id, cart.version);
                ToolOutput::structured(&cart, text)
            }),
        ToolDef::builder("cart_get")
            .description("Read a cart.")
            .typed_handler(|ctx, a: CartRef| async move {
                match ctx.records()?.cart(&a.owner, &a.cart_id).await? {
                    Some(cart) => {
                        let text = format!("cart {} at version {}", cart.id, cart.version);
                        ToolOutput::structured(&cart, text)
                    }
                    None => Err(ToolError::Failed(format!("no cart {:?}", a.cart_id))),
                }
            }),
    ]
}

#[derive(Deserialize, schemars::JsonSchema)]
struct CartRef {
    /// The cart's owner.
    owner: String,
    /// The cart.
    cart_id: String,
}

fn notification_tools() -> Vec<ToolDef> {
    vec![
        ToolDef::builder("touch_resource")
            .description("Announce that a resource changed (notifications/resources/updated to its subscribers, on every replica).")
            .typed_handler(|ctx, a: Uri| async move {
                ctx.app().notifier().resource_updated(a.uri.clone());
                ToolOutput::structured(&json!({"uri": a.uri}), "announced")
            }),
        ToolDef::builder("slow_steps")
            .description("Send progress notifications with pauses, then finish (a stream to break and resume).")
            .typed_handler(|ctx, a: Steps| async move {
                for i in 1..=a.steps {
                    tokio::time::sleep(Duration::from_millis(a.delay_ms)).await;
                    ctx.progress(f64::from(i), Some(f64::from(a.steps)), Some(&format!("step {i}")));
                }
                ToolOutput::structured(&json!({"steps": a.steps}), format!("{} steps done", a.steps))
            }),
    ]
}

/// Tools behind OAuth scopes, for the authorization tests.
fn protected_tools() -> Vec<ToolDef> {
    let whoami = |name: &str, scope: &str| {
        ToolDef::builder(name)
            .description("Who the caller is (needs an access token with this tool's scope).")
            .security(Security::OAuth {
                scopes: vec![scope.to_owned()],
            })
            .handler(|ctx, _args| async move {
                let p = ctx.principal().ok_or_else(|| {
                    ToolError::Internal("the engine let an anonymous call through".into())
                })?;
                ToolOutput::structured(
                    &json!({"subject": p.subject, "client_id": p.client_id, "scopes": p.scopes}),
                    format!("you are {}", p.subject),
                )
            })
    };
    vec![
        whoami("whoami", "probe.read"),
        whoami("admin_whoami", "probe.admin"),
    ]
}

/// Builds the probe app.
pub fn app() -> Result<App, AppError> {
    let mut builder = App::builder("probe");
    for tool in kv_tools()
        .into_iter()
        .chain(cart_tools())
        .chain(notification_tools())
        .chain(protected_tools())
    {
        builder = builder.tool(tool);
    }
    builder
        .resource(
            ResourceDef::text("probe://board", "board", "text/plain", "the probe's board")
                .with_description("A resource to subscribe to; touch_resource announces changes"),
        )
        .build()
}
