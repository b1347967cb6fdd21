//! Generates the 10,000 products from the tables in [`crate::data`].
//!
//! Each product draws from its own generator, seeded from [`SEED`] and its position, so
//! a product's fields depend only on its category and index. Categories are assigned by
//! shuffling an exact list of slots (the counts in the tables), so every category has
//! exactly its count and ids are interleaved across categories.

use crate::data::{self, CategorySpec, TitleStyle};
use crate::product::{Product, catalog_id};
use crate::rng::SplitMix64;

/// The catalog's seed. Changing it changes every product (and the pinned test).
const SEED: u64 = 0x5EED_5C47_A106_0001;

/// Model lines that sell above the category's typical price.
const PREMIUM_LINES: &[&str] = &[
    "Pro",
    "Max",
    "Elite",
    "Luxe",
    "Studio",
    "Chef Series",
    "Signature",
    "Mark II",
    "Heavy Duty",
];
/// Model lines that sell below it.
const BUDGET_LINES: &[&str] = &[
    "Lite",
    "Mini",
    "Go",
    "Essentials",
    "Essential",
    "Everyday",
    "Compact",
    "Junior",
    "Core",
];

/// All products, in id order (`p00001` first).
pub(crate) fn generate() -> Vec<Product> {
    let categories = data::categories();
    let mut slots: Vec<usize> = categories
        .iter()
        .enumerate()
        .flat_map(|(i, c)| std::iter::repeat_n(i, c.count))
        .collect();
    let mut rng = SplitMix64::new(SEED);
    for i in (1..slots.len()).rev() {
        let j = rng.below(i + 1);
        slots.swap(i, j);
    }
    slots
        .iter()
        .enumerate()
        .map(|(index, &category)| {
            let seed = SEED ^ (index as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407);
            product(index, categories[category], &mut SplitMix64::new(seed))
        })
        .collect()
}

fn product(index: usize, spec: &CategorySpec, rng: &mut SplitMix64) -> Product {
    let brand = *rng.pick(spec.brands);
    let line = *rng.pick(spec.lines);
    let noun = rng.pick(spec.nouns);
    let adjective = if noun.adjectives.is_empty() || rng.unit() >= 0.75 {
        ""
    } else {
        let adjective = *rng.pick(noun.adjectives);
        // "Pro Pro Controller" or "Wireless Wireless Charger" read badly: drop a
        // qualifier that the line or the noun already says.
        let repeats = adjective.split_whitespace().any(|w| {
            noun.name
                .split_whitespace()
                .chain(line.split_whitespace())
                .any(|n| n.eq_ignore_ascii_case(w))
        });
        if repeats { "" } else { adjective }
    };
    let mut features = distinct(rng, noun.features, 2, adjective);
    features.extend(distinct(rng, spec.features, 1, adjective));
    let mut color = *rng.pick(spec.colors);
    if color == adjective {
        color = spec.colors
            [(spec.colors.iter().position(|v| *v == color).unwrap_or(0) + 1) % spec.colors.len()];
    }
    let variant = if noun.sizes.is_empty() {
        color.to_owned()
    } else {
        format!("{color}, {}", rng.pick(noun.sizes))
    };

    let (title, description) = match spec.style {
        TitleStyle::Standard => {
            let mut title = join_words(&[brand, line, adjective, noun.name]);
            let title_features = 1 + rng.below(2);
            for feature in &features[..title_features] {
                title.push_str(", ");
                title.push_str(feature);
            }
            title.push_str(" - ");
            title.push_str(&variant);

            let pitch = rng
                .pick(spec.pitches)
                .replace("{b}", brand)
                .replace("{n}", &lower_words(noun.name));
            let listed: Vec<String> = features.iter().map(|f| lower_words(f)).collect();
            let mut text = format!(
                "{pitch} Key features: {}, {} and {}.",
                listed[0], listed[1], listed[2]
            );
            if rng.unit() < 0.7 {
                text.push_str(&format!(" Ideal for {}.", rng.pick(spec.uses)));
            }
            if rng.unit() < 0.4 {
                let closer = *rng.pick(data::CLOSERS);
                text.push(' ');
                text.push_str(closer);
            }
            (title, text)
        }
        TitleStyle::Book => {
            let opening = *rng.pick(spec.openings);
            let title = format!("{opening} {}: {line} - {color}", noun.name);
            let pitch = *rng.pick(spec.pitches);
            let mut text = format!("{pitch} Published by {brand}.");
            if rng.unit() < 0.8 {
                text.push_str(&format!(" Ideal for {}.", rng.pick(spec.uses)));
            }
            (title, text)
        }
    };

    let premium = PREMIUM_LINES.contains(&line) || color == "Hardcover";
    let budget = BUDGET_LINES.contains(&line) || color == "Paperback";
    let price_cents = price(rng, noun.price, premium, budget);
    let review_count = review_count(rng);
    let mut rating = rating(rng);
    if review_count < 30 && rng.unit() < 0.3 {
        rating = 5.0;
    }
    let stock = if rng.unit() < 0.05 {
        0
    } else {
        1 + (rng.unit() * rng.unit() * 400.0) as u32
    };

    Product {
        id: catalog_id(index),
        title,
        brand: brand.to_owned(),
        category: spec.slug.to_owned(),
        category_name: spec.name.to_owned(),
        price_cents,
        rating,
        review_count,
        description,
        stock,
    }
}

/// `n` different entries of `items` (or all of them, if fewer), skipping `exclude`.
fn distinct(
    rng: &mut SplitMix64,
    items: &'static [&'static str],
    n: usize,
    exclude: &str,
) -> Vec<&'static str> {
    let mut chosen: Vec<&'static str> = Vec::with_capacity(n);
    if items.is_empty() {
        return chosen;
    }
    let mut start = rng.below(items.len());
    let step = 1 + rng.below(items.len().max(2) - 1);
    // Walking with a step co-prime to most table sizes gives varied, distinct picks;
    // the linear probe below covers the rest without ever looping forever.
    for _ in 0..items.len() * 2 {
        let item = items[start];
        if item != exclude && !chosen.contains(&item) {
            chosen.push(item);
            if chosen.len() == n {
                break;
            }
        }
        start = (start
            + if chosen.len().is_multiple_of(2) {
                step
            } else {
                1
            })
            % items.len();
    }
    for item in items {
        if chosen.len() == n {
            break;
        }
        if !chosen.contains(item) && *item != exclude {
            chosen.push(item);
        }
    }
    chosen
}

/// A realistic price: skewed toward the cheap end, nudged by the model line, rounded
/// to tens above $100, ending in .99, .49, .00, .95 or .97.
fn price(rng: &mut SplitMix64, (low, high): (u32, u32), premium: bool, budget: bool) -> i64 {
    let (low, high) = (f64::from(low), f64::from(high));
    let u = rng.unit();
    let mut dollars = low + (high - low) * u * u;
    if premium {
        dollars *= 1.3;
    } else if budget {
        dollars *= 0.75;
    }
    let mut dollars = dollars.clamp(low, high).floor() as i64;
    if dollars >= 100 {
        dollars = dollars - dollars % 10 + 10;
    } else if dollars < 2 {
        dollars = 2;
    }
    match rng.below(100) {
        0..55 => dollars * 100 - 1,
        55..70 => dollars * 100 + 49,
        70..82 => dollars * 100,
        82..92 => dollars * 100 - 5,
        _ => dollars * 100 - 3,
    }
}

/// 1.0 to 5.0, one decimal, most between 3.5 and 4.9.
fn rating(rng: &mut SplitMix64) -> f32 {
    let happy = rng.unit() < 0.88;
    let u = rng.unit();
    let raw = if happy {
        4.9 - u * u * 1.5
    } else {
        1.0 + u * 2.5
    };
    let tenths = (raw * 10.0).round().clamp(10.0, 50.0);
    tenths as f32 / 10.0
}

/// Heavy-tailed: most products have a few hundred reviews, a few have tens of thousands.
fn review_count(rng: &mut SplitMix64) -> u32 {
    let u = rng.unit();
    1 + (u * u * u * u * u * 30_000.0) as u32
}

fn join_words(words: &[&str]) -> String {
    words
        .iter()
        .filter(|w| !w.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Words that keep their capital mid-sentence.
const PROPER: &[&str] = &[
    "Bluetooth",
    "German",
    "Japanese",
    "Turkish",
    "Windows",
    "Matter",
    "Dolby",
    "Atmos",
    "Wi",
    "Fi",
];

/// Lower-cases words for use mid-sentence, keeping acronyms, model numbers and proper
/// names (`USB-C`, `4K`, `MagSafe`, `Bluetooth 5.3`) as they are.
fn lower_words(text: &str) -> String {
    let keep = |part: &str| {
        let mut chars = part.chars();
        let first_upper = chars.next().is_some_and(|c| c.is_ascii_uppercase());
        part.chars().any(|c| c.is_ascii_digit())
            || chars.any(|c| c.is_ascii_uppercase())
            || (first_upper && part.len() == 1)
            || PROPER.contains(&part)
    };
    text.split(' ')
        .map(|word| {
            word.split('-')
                .map(|part| {
                    if keep(part) {
                        part.to_owned()
                    } else {
                        part.to_lowercase()
                    }
                })
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::OnceLock;

    fn products() -> &'static [Product] {
        static PRODUCTS: OnceLock<Vec<Product>> = OnceLock::new();
        PRODUCTS.get_or_init(generate)
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(generate(), products());
    }

    #[test]
    fn exactly_ten_thousand_with_sequential_ids() {
        let products = products();
        assert_eq!(products.len(), 10_000);
        assert_eq!(products[0].id, "p00001");
        assert_eq!(products[9_999].id, "p10000");
        let mut per_category: HashMap<&str, usize> = HashMap::new();
        for p in products {
            *per_category.entry(p.category.as_str()).or_default() += 1;
        }
        for spec in data::categories() {
            assert_eq!(per_category[spec.slug], spec.count, "{}", spec.slug);
        }
    }

    #[test]
    fn fields_are_realistic() {
        let products = products();
        let mut sold_out = 0;
        for p in products {
            assert!(
                (1.0..=5.0).contains(&p.rating),
                "{} rating {}",
                p.id,
                p.rating
            );
            assert_eq!((p.rating * 10.0).round() / 10.0, p.rating);
            assert!(p.price_cents >= 99, "{} price {}", p.id, p.price_cents);
            assert!(
                matches!(p.price_cents % 100, 99 | 49 | 0 | 95 | 97),
                "{} price {}",
                p.id,
                p.price_cents
            );
            assert!(p.review_count >= 1);
            let sentences = p.description.matches(". ").count() + 1;
            assert!((2..=4).contains(&sentences), "{}: {}", p.id, p.description);
            assert!(!p.title.contains("  ") && !p.title.is_empty());
            if p.stock == 0 {
                sold_out += 1;
            }
        }
        assert!((300..=700).contains(&sold_out), "{sold_out} sold out");
        let high = products.iter().filter(|p| p.rating >= 4.0).count();
        assert!(high > 6_000, "ratings should skew high: {high}");
    }

    /// Pins a few products. If this fails after an intended change to the tables or the
    /// generator, update the expectations: the catalog is meant to change only on purpose.
    #[test]
    fn pinned_products() {
        let products = products();
        let show = |i: usize| {
            let p = &products[i];
            format!(
                "{} | {} | {} | {} | {} | {} | {} | {}",
                p.id,
                p.title,
                p.brand,
                p.category,
                p.price_cents,
                p.rating,
                p.review_count,
                p.stock
            )
        };
        let got = [show(0), show(41), show(9_999)];
        let expected: [&str; 3] = PINNED;
        assert_eq!(got, expected, "\n{}\n{}\n{}", got[0], got[1], got[2]);
        assert_eq!(products[0].description, PINNED_DESCRIPTION);
    }

    const PINNED: [&str; 3] = [
        "p00001 | Boltwright Heavy Duty Metric and SAE Mechanics Tool Set, Chrome Vanadium Steel - Black, 230-Piece | Boltwright | tools | 4099 | 2.3 | 289 | 297",
        "p00042 | Petalry Glow Facial Cleanser, Removes Makeup - Unscented, 8 fl oz | Petalry | beauty | 3100 | 4.7 | 1 | 37",
        "p10000 | Glimmerhaus Plus Wired Video Doorbell, Package Detection - Satin Nickel | Glimmerhaus | smart-home | 5299 | 4.7 | 9108 | 33",
    ];
    const PINNED_DESCRIPTION: &str = "From hanging shelves to building decks, the Boltwright mechanics tool set is up for it. \
        Key features: chrome vanadium steel, blow-molded case and lifetime warranty. \
        Ideal for contractors and tradespeople. Thousands of customers have made it a repeat purchase.";

    #[test]
    fn lower_words_keeps_acronyms() {
        assert_eq!(lower_words("USB-C Power Delivery"), "USB-C power delivery");
        assert_eq!(lower_words("4K Video"), "4K video");
        assert_eq!(lower_words("Heart Rate Monitor"), "heart rate monitor");
        assert_eq!(lower_words("50-Hour Burn Time"), "50-hour burn time");
        assert_eq!(lower_words("PFAS-Free Coating"), "PFAS-free coating");
        assert_eq!(lower_words("MagSafe Compatible"), "MagSafe compatible");
        assert_eq!(lower_words("Bluetooth 5.3"), "Bluetooth 5.3");
    }
}
