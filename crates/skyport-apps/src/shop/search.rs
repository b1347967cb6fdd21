//! `shop-search`: product search with the carousel widget, and
//! recommendations from the signed-in user's order history (seed 001's MCP2).

use std::collections::{HashMap, HashSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use skyport::engine::{AppError, RequestContext, ToolDef, ToolOutput, Visibility};
use skyport::store::Records;
use skyport::store::records::{KV_GET_MANY_MAX, User};
use skyport::{App, ToolError};
use skyport_catalog::{Product, SearchQuery, SortBy, Source};

use super::auth::{read_only, security};
use super::context::{Shop, open_session, products, records, user_of};
use super::pricing::dollars;
use super::views::ProductCard;
use super::{SEARCH_APP, checkout, http, stock, widgets};

/// The order of search results.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Sort {
    /// Best match first (browsing: most reviewed first).
    Relevance,
    /// Cheapest first.
    PriceLowToHigh,
    /// Dearest first.
    PriceHighToLow,
    /// Best rated first.
    Rating,
    /// Most reviewed first.
    Reviews,
}

impl From<Sort> for SortBy {
    fn from(s: Sort) -> Self {
        match s {
            Sort::Relevance => SortBy::Relevance,
            Sort::PriceLowToHigh => SortBy::PriceLowToHigh,
            Sort::PriceHighToLow => SortBy::PriceHighToLow,
            Sort::Rating => SortBy::Rating,
            Sort::Reviews => SortBy::Reviews,
        }
    }
}

/// `search_products`' arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SearchArgs {
    /// What the user is looking for, in their words ("running shoes", "gift for a coffee lover"). Empty to browse by the filters alone.
    #[schemars(length(max = 200))]
    query: String,
    /// A category slug to stay in (e.g. `fitness-trackers`).
    #[serde(default)]
    #[schemars(length(max = 64))]
    category: Option<String>,
    /// Lowest price, in cents.
    #[serde(default)]
    #[schemars(range(min = 0, max = 100_000_000))]
    min_price_cents: Option<i64>,
    /// Highest price, in cents.
    #[serde(default)]
    #[schemars(range(min = 0, max = 100_000_000))]
    max_price_cents: Option<i64>,
    /// Lowest average rating (0-5).
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 5.0))]
    min_rating: Option<f32>,
    /// Order of the results (default `relevance`).
    #[serde(default)]
    sort: Option<Sort>,
    /// Page number, from 1.
    #[serde(default)]
    #[schemars(range(min = 1, max = 1000))]
    page: Option<u32>,
    /// Results per page, 1-24 (default 10).
    #[serde(default)]
    #[schemars(range(min = 1, max = 24))]
    page_size: Option<u32>,
    /// The sessionId from create_shopping_session, so the carousel's "Add to cart" buttons work.
    #[serde(default)]
    #[schemars(length(max = 64))]
    session_id: Option<String>,
}

/// Where the results came from.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum SourceName {
    /// The embedded catalog.
    Catalog,
    /// The external product provider.
    External,
}

/// `search_products`' result.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct SearchResults {
    /// The query as asked.
    query: String,
    /// The query actually searched, when typos were corrected.
    #[serde(skip_serializing_if = "Option::is_none")]
    corrected_query: Option<String>,
    /// Matches in all.
    total: usize,
    /// This page (from 1).
    page: u32,
    /// Results per page.
    page_size: u32,
    /// Pages in all.
    page_count: usize,
    /// This page's products.
    products: Vec<ProductCard>,
    /// Where they came from.
    source: SourceName,
    /// Something the user should know (e.g. the external service failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    notice: Option<String>,
    /// The shopping session, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    session_id: Option<String>,
}

/// Cards for `list`, with live stock (one store read for the page).
async fn cards(
    records: &dyn Records,
    list: &[Product],
    images: Option<&str>,
) -> Result<Vec<ProductCard>, ToolError> {
    let wanted: Vec<(&str, u32)> = list.iter().map(|p| (p.id.as_str(), p.stock)).collect();
    let left = stock::available_many(records, &wanted).await?;
    Ok(list
        .iter()
        .zip(left)
        .map(|(p, left)| ProductCard::of(p, left > 0, images))
        .collect())
}

fn search_text(r: &SearchResults) -> String {
    if r.products.is_empty() {
        let hint = if r.total > 0 {
            format!(
                "Page {} is past the end: there are {} pages.",
                r.page, r.page_count
            )
        } else {
            "Try other words, fewer filters or a wider price range.".to_owned()
        };
        return format!("No products found for \"{}\". {hint}", r.query);
    }
    let mut out = String::new();
    if let Some(c) = &r.corrected_query {
        out.push_str(&format!("Showing results for \"{c}\". "));
    }
    out.push_str(&format!(
        "{} result{} for \"{}\" (page {} of {}); the carousel shows them to the user:\n",
        r.total,
        if r.total == 1 { "" } else { "s" },
        r.query,
        r.page,
        r.page_count
    ));
    for (i, p) in r.products.iter().enumerate() {
        out.push_str(&format!(
            "{}. {} ({}) — {} — {:.1}★ ({} reviews){} [id {}]\n",
            i + 1,
            p.title,
            p.brand,
            dollars(p.price_cents),
            p.rating,
            p.review_count,
            if p.in_stock { "" } else { " — out of stock" },
            p.id
        ));
    }
    if let Some(n) = &r.notice {
        out.push_str(n);
        out.push('\n');
    }
    if r.session_id.is_none() {
        out.push_str("To add products to a cart, create a shopping session (create_shopping_session) and pass its session_id.");
    }
    out
}

async fn search(ctx: RequestContext, a: SearchArgs, shop: Shop) -> Result<ToolOutput, ToolError> {
    let records = records(&ctx)?;
    let session_id = match a.session_id.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(id) => Some(open_session(&ctx, id).await?.id),
        None => None,
    };
    if let (Some(lo), Some(hi)) = (a.min_price_cents, a.max_price_cents)
        && lo > hi
    {
        return Ok(ToolOutput::error(format!(
            "min_price_cents ({lo}) is above max_price_cents ({hi}): swap them or drop one."
        )));
    }
    let query = SearchQuery {
        text: a.query.clone(),
        category: a.category.clone().filter(|c| !c.trim().is_empty()),
        min_price_cents: a.min_price_cents,
        max_price_cents: a.max_price_cents,
        min_rating: a.min_rating,
        sort: a.sort.map_or(SortBy::Relevance, SortBy::from),
        page: a.page.unwrap_or(1),
        page_size: a.page_size.unwrap_or(10),
    };
    let found = match products().search(&query).await {
        Ok(f) => f,
        Err(e) => return Ok(ToolOutput::error(e.to_string())),
    };
    let images = shop.images();
    let list = cards(records, &found.page.products, images.as_deref()).await?;
    let page_size = found.page.page_size.max(1);
    let results = SearchResults {
        query: a.query,
        corrected_query: found.page.corrected_query,
        total: found.page.total,
        page: found.page.page,
        page_size,
        page_count: found.page.total.div_ceil(page_size as usize),
        products: list,
        source: match found.source {
            Source::Catalog => SourceName::Catalog,
            Source::External => SourceName::External,
        },
        notice: found.notice,
        session_id,
    };
    let text = search_text(&results);
    ToolOutput::structured(&results, text)
}

/// `get_recommendations`' arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RecommendArgs {
    /// What the user wants recommendations for; leave out for picks from their history alone.
    #[serde(default)]
    #[schemars(length(max = 200))]
    query: Option<String>,
    /// The sessionId from create_shopping_session; with a signed-in shopper the picks use their order history.
    #[serde(default)]
    #[schemars(length(max = 64))]
    session_id: Option<String>,
    /// How many picks, 1-10 (default 5).
    #[serde(default)]
    #[schemars(range(min = 1, max = 10))]
    limit: Option<u32>,
}

/// What the picks were based on.
#[derive(Debug, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct BasedOn {
    /// Past orders looked at.
    orders: usize,
    /// Categories bought from, most first.
    categories: Vec<String>,
    /// Brands bought, most first.
    brands: Vec<String>,
}

/// A recommended product and why.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Pick {
    /// The product.
    #[serde(flatten)]
    card: ProductCard,
    /// Why it is recommended, in a sentence.
    reason: String,
}

/// `get_recommendations`' result.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Recommendations {
    /// The query, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    query: Option<String>,
    /// True when the picks use the shopper's order history.
    personalized: bool,
    /// What they were based on.
    based_on: BasedOn,
    /// The picks, best first.
    products: Vec<Pick>,
}

/// The shopper's buying history: products, and counts per category and brand.
#[derive(Debug, Default)]
struct History {
    orders: usize,
    bought: HashSet<String>,
    categories: HashMap<String, usize>,
    category_names: HashMap<String, String>,
    brands: HashMap<String, usize>,
}

impl History {
    async fn of(records: &dyn Records, user: &User) -> Result<History, ToolError> {
        let orders = records.orders_for_user(&user.id, 50).await?;
        let mut h = History {
            orders: orders.len(),
            ..History::default()
        };
        for line in orders.iter().flat_map(|o| o.lines.iter()) {
            h.bought.insert(line.sku.clone());
            if let Some(p) = products().product(&line.sku).await {
                *h.categories.entry(p.category.clone()).or_default() += 1;
                h.category_names
                    .insert(p.category.clone(), p.category_name.clone());
                *h.brands.entry(p.brand.clone()).or_default() += 1;
            }
        }
        Ok(h)
    }

    /// Keys by count, most first (ties by name, so results are stable).
    fn ranked(map: &HashMap<String, usize>) -> Vec<String> {
        let mut v: Vec<(&String, &usize)> = map.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        v.into_iter().map(|(k, _)| k.clone()).collect()
    }
}

/// Candidates to rank: the query's matches, else the shopper's favourite
/// categories' best, else the best-reviewed products.
async fn candidates(query: &str, history: &History) -> Result<Vec<Product>, ToolError> {
    let search = |text: &str, category: Option<String>, sort: SortBy| SearchQuery {
        text: text.to_owned(),
        category,
        min_price_cents: None,
        max_price_cents: None,
        min_rating: None,
        sort,
        page: 1,
        page_size: 50,
    };
    let mut out = Vec::new();
    if !query.is_empty() {
        let found = products()
            .search(&search(query, None, SortBy::Relevance))
            .await
            .map_err(|e| ToolError::Failed(e.to_string()))?;
        out.extend(found.page.products);
    } else if !history.categories.is_empty() {
        for cat in History::ranked(&history.categories).into_iter().take(3) {
            let found = products()
                .search(&search("", Some(cat), SortBy::Reviews))
                .await
                .map_err(|e| ToolError::Failed(e.to_string()))?;
            out.extend(found.page.products);
        }
    } else {
        let found = products()
            .search(&search("", None, SortBy::Reviews))
            .await
            .map_err(|e| ToolError::Failed(e.to_string()))?;
        out.extend(found.page.products);
    }
    Ok(out)
}

/// Scores a candidate at `rank` in its list; higher is better.
fn score(p: &Product, rank: usize, history: &History) -> f64 {
    let relevance = 1.0 / (1.0 + rank as f64 / 5.0);
    // A Bayesian average: a 5.0 from a handful of reviews should not beat a
    // 4.8 from thousands (100 reviews of 3.8 are assumed before the real ones).
    let n = f64::from(p.review_count);
    let rating = (f64::from(p.rating) * n + 3.8 * 100.0) / (n + 100.0);
    let quality = rating / 5.0 + (1.0 + n).ln() / 20.0;
    let category = if history.categories.contains_key(&p.category) {
        0.4
    } else {
        0.0
    };
    let brand = if history.brands.contains_key(&p.brand) {
        0.25
    } else {
        0.0
    };
    relevance + quality + category + brand
}

fn reason(p: &Product, history: &History, query: &str) -> String {
    let mut why = format!("Rated {:.1}★ by {} reviewers", p.rating, p.review_count);
    if history.categories.contains_key(&p.category) {
        why.push_str(&format!(
            "; you have bought {} before",
            p.category_name.to_lowercase()
        ));
    }
    if history.brands.contains_key(&p.brand) {
        why.push_str(&format!("; from {}, a brand you bought", p.brand));
    }
    if !query.is_empty() {
        why.push_str(&format!("; matches \"{query}\""));
    }
    why.push('.');
    why
}

async fn recommend(
    ctx: RequestContext,
    a: RecommendArgs,
    shop: Shop,
) -> Result<ToolOutput, ToolError> {
    let records = records(&ctx)?;
    let user = match a.session_id.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(id) => {
            let s = open_session(&ctx, id).await?;
            user_of(records, &s).await?
        }
        None => None,
    };
    let history = match &user {
        Some(u) => History::of(records, u).await?,
        None => History::default(),
    };
    let query = a
        .query
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    let limit = a.limit.unwrap_or(5).clamp(1, 10) as usize;
    let mut ranked: Vec<(f64, Product)> = candidates(&query, &history)
        .await?
        .into_iter()
        .enumerate()
        .filter(|(_, p)| !history.bought.contains(&p.id) && p.stock > 0)
        .map(|(rank, p)| (score(&p, rank, &history), p))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    // The best hundred are plenty for ten picks; their stock is one store read.
    ranked.truncate(KV_GET_MANY_MAX);
    let wanted: Vec<(&str, u32)> = ranked
        .iter()
        .map(|(_, p)| (p.id.as_str(), p.stock))
        .collect();
    let left = stock::available_many(records, &wanted).await?;
    let images = shop.images();
    let picks: Vec<Pick> = ranked
        .iter()
        .zip(left)
        .filter(|(_, left)| *left > 0)
        .take(limit)
        .map(|((_, p), _)| Pick {
            reason: reason(p, &history, &query),
            card: ProductCard::of(p, true, images.as_deref()),
        })
        .collect();
    let personalized = history.orders > 0;
    let based_on = BasedOn {
        orders: history.orders,
        categories: History::ranked(&history.categories)
            .into_iter()
            .filter_map(|slug| history.category_names.get(&slug).cloned())
            .collect(),
        brands: History::ranked(&history.brands),
    };
    let mut text = match (&user, personalized) {
        (Some(u), true) => format!(
            "Recommendations for {} based on {} past order{} (bought from: {}){}:\n",
            u.name,
            history.orders,
            if history.orders == 1 { "" } else { "s" },
            based_on.categories.join(", "),
            if query.is_empty() {
                String::new()
            } else {
                format!(" and \"{query}\"")
            }
        ),
        (Some(u), false) => format!(
            "{} has no past orders yet, so these are the best-rated matches{}:\n",
            u.name,
            if query.is_empty() {
                String::new()
            } else {
                format!(" for \"{query}\"")
            }
        ),
        (None, _) => format!(
            "Best-rated picks{} (sign in with sign_in_to_shop for picks based on the shopper's orders):\n",
            if query.is_empty() {
                String::new()
            } else {
                format!(" for \"{query}\"")
            }
        ),
    };
    for (i, p) in picks.iter().enumerate() {
        text.push_str(&format!(
            "{}. {} — {} [id {}]: {}\n",
            i + 1,
            p.card.title,
            dollars(p.card.price_cents),
            p.card.id,
            p.reason
        ));
    }
    if picks.is_empty() {
        text.push_str("Nothing to recommend: try another query.");
    }
    let out = Recommendations {
        query: (!query.is_empty()).then_some(query),
        personalized,
        based_on,
        products: picks,
    };
    ToolOutput::structured(&out, text)
}

/// Builds `shop-search`.
pub(crate) fn app() -> Result<App, AppError> {
    let shop = Shop::default();
    let search_tool = {
        let shop = shop.clone();
        ToolDef::builder("search_products")
            .title("Search products")
            .description("Use this when the user wants to find, browse or compare products (\"show me fitness trackers under $100\"). Shows a product carousel with images, prices, ratings and Add-to-cart buttons. Pass session_id (from create_shopping_session) so the buttons can add to the user's cart. Supports category, price range (cents), minimum rating, sorting and pages; tolerates typos.")
            .input::<SearchArgs>()
            .output::<SearchResults>()
            .annotations(read_only())
            .widget(widgets::CAROUSEL)
            .security(security())
            .invoking("Searching products…")
            .invoked("Products found")
            .typed_handler(move |ctx, a: SearchArgs| search(ctx, a, shop.clone()))
    };
    let recommend_tool = {
        let shop = shop.clone();
        ToolDef::builder("get_recommendations")
            .title("Recommend products")
            .description("Use this when the user asks what to buy, for suggestions or for the best option (\"what fitness tracker should I get?\"). Returns ranked picks with a reason each, personalised from the signed-in shopper's past orders when session_id is given. Data only: present the picks in your answer, or call search_products to show a carousel.")
            .input::<RecommendArgs>()
            .output::<Recommendations>()
            .annotations(read_only())
            .security(security())
            .typed_handler(move |ctx, a: RecommendArgs| recommend(ctx, a, shop.clone()))
    };
    App::builder(SEARCH_APP)
        .instructions("The shop's product search. Call search_products to show products (pass the session_id from shop-auth's create_shopping_session so the carousel can add to the cart) and get_recommendations for personalised picks.")
        .tool(search_tool)
        .tool(recommend_tool)
        // The carousel's buttons call it through this app's own connection.
        .tool(checkout::add_to_cart_tool(shop.clone(), Visibility::App))
        .widget(widgets::carousel())
        .http(move |ctx| {
            shop.mounted(ctx);
            http::image_routes()
        })
        .build()
}
