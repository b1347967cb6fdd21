//! The vocabulary the generator draws from: one [`CategorySpec`] per category.
//!
//! Every brand name here is invented for this catalog. The tables are plain data so
//! that changing the catalog is an edit here, and the pinned-product test in
//! `generate.rs` says when an edit changed what the generator produces.

mod electronics;
mod home;
mod leisure;

/// How a category's titles are put together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TitleStyle {
    /// `{brand} {line} {adjective} {noun}, {feature}, {feature} - {colour}[, {size}]`.
    Standard,
    /// `{opening} {noun}: {line} - {format}` (a book's title, subtitle and format;
    /// the brand is the publisher and is not part of the title).
    Book,
}

/// The simple shape drawn on a category's product images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Glyph {
    /// A watch face on a strap.
    Watch,
    /// A headphone band with two cups.
    Headphones,
    /// A house outline.
    House,
    /// A laptop.
    Laptop,
    /// A phone.
    Phone,
    /// A camera body with a lens.
    Camera,
    /// A game controller.
    Controller,
    /// A kettle-like appliance.
    Appliance,
    /// A pan with a handle.
    Pan,
    /// A lamp.
    Lamp,
    /// A chair.
    Chair,
    /// A pillow.
    Pillow,
    /// Stacked blocks.
    Blocks,
    /// A closed book.
    Book,
    /// A mountain with a sun.
    Mountain,
    /// A ball.
    Ball,
    /// A bottle with a cap.
    Bottle,
    /// A t-shirt.
    Shirt,
    /// A paw print.
    Paw,
    /// A wrench.
    Wrench,
}

/// One kind of product within a category, with what only it can be or have.
#[derive(Debug)]
pub(crate) struct Noun {
    /// What the product is, e.g. `Fitness Tracker`.
    pub(crate) name: &'static str,
    /// Typical price range in whole dollars (inclusive).
    pub(crate) price: (u32, u32),
    /// Qualifiers that fit this noun, placed before it; may be empty.
    pub(crate) adjectives: &'static [&'static str],
    /// Selling points specific to this noun (at least two).
    pub(crate) features: &'static [&'static str],
    /// Sizes or capacities, combined with the category's colours; may be empty.
    pub(crate) sizes: &'static [&'static str],
}

/// Shorthand for the tables: `n(name, price range, adjectives, features, sizes)`.
pub(crate) const fn n(
    name: &'static str,
    price: (u32, u32),
    adjectives: &'static [&'static str],
    features: &'static [&'static str],
    sizes: &'static [&'static str],
) -> Noun {
    Noun {
        name,
        price,
        adjectives,
        features,
        sizes,
    }
}

/// One category's vocabulary and artwork.
#[derive(Debug)]
pub(crate) struct CategorySpec {
    /// URL-safe id, e.g. `fitness-trackers`.
    pub(crate) slug: &'static str,
    /// Display name, e.g. `Fitness Trackers & Wearables`.
    pub(crate) name: &'static str,
    /// How many of the 10,000 products belong to this category.
    pub(crate) count: usize,
    /// Invented brand names (publishers for books).
    pub(crate) brands: &'static [&'static str],
    /// Model lines or series; `""` means none. For books: the subtitle.
    pub(crate) lines: &'static [&'static str],
    /// For books only: title openings (`The Silent`, `A Winter`).
    pub(crate) openings: &'static [&'static str],
    /// The kinds of product in the category.
    pub(crate) nouns: &'static [Noun],
    /// Selling points that fit every noun of the category (at least three).
    pub(crate) features: &'static [&'static str],
    /// Colours (for books: formats); the part after ` - ` in a title.
    pub(crate) colors: &'static [&'static str],
    /// Opening sentences. `{b}` is the brand, `{n}` the noun in lower case.
    pub(crate) pitches: &'static [&'static str],
    /// Completions of "Ideal for …".
    pub(crate) uses: &'static [&'static str],
    /// How titles are built.
    pub(crate) style: TitleStyle,
    /// Image background colour.
    pub(crate) color: &'static str,
    /// Image shape.
    pub(crate) glyph: Glyph,
}

/// All categories, in display order. The counts add up to 10,000.
pub(crate) fn categories() -> [&'static CategorySpec; 20] {
    [
        &electronics::FITNESS_TRACKERS,
        &electronics::HEADPHONES,
        &electronics::SMART_HOME,
        &electronics::COMPUTERS,
        &electronics::PHONE_ACCESSORIES,
        &electronics::CAMERAS,
        &electronics::GAMING,
        &home::KITCHEN_APPLIANCES,
        &home::COOKWARE,
        &home::HOME_DECOR,
        &home::FURNITURE,
        &home::BEDDING_BATH,
        &home::TOOLS,
        &leisure::TOYS,
        &leisure::BOOKS,
        &leisure::OUTDOOR,
        &leisure::SPORTS,
        &leisure::BEAUTY,
        &leisure::CLOTHING,
        &leisure::PET_SUPPLIES,
    ]
}

/// Closing sentences any product may end its description with.
pub(crate) const CLOSERS: &[&str] = &[
    "Backed by a 1-year limited warranty.",
    "Backed by a 2-year limited warranty.",
    "Ships in plastic-free, recyclable packaging.",
    "Free returns within 30 days.",
    "Designed in-house and tested by our product team.",
    "Thousands of customers have made it a repeat purchase.",
    "Rated highly by verified buyers.",
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn counts_add_up_to_ten_thousand() {
        let total: usize = categories().iter().map(|c| c.count).sum();
        assert_eq!(total, 10_000);
    }

    #[test]
    fn every_table_is_usable() {
        let mut slugs = HashSet::new();
        for c in categories() {
            assert!(slugs.insert(c.slug), "duplicate slug {}", c.slug);
            assert!(c.slug.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
            for (what, list) in [
                ("brands", c.brands),
                ("lines", c.lines),
                ("colors", c.colors),
                ("pitches", c.pitches),
                ("uses", c.uses),
            ] {
                assert!(!list.is_empty(), "{} has no {what}", c.slug);
            }
            assert!(c.nouns.len() >= 5, "{} needs 5+ nouns", c.slug);
            assert!(
                c.features.len() >= 3,
                "{} needs 3+ generic features",
                c.slug
            );
            if c.style == TitleStyle::Book {
                assert!(!c.openings.is_empty());
            }
            for noun in c.nouns {
                assert!(
                    noun.features.len() >= 2,
                    "{} / {} needs 2+ features",
                    c.slug,
                    noun.name
                );
                assert!(
                    noun.price.0 >= 2 && noun.price.0 < noun.price.1,
                    "{} price",
                    noun.name
                );
                for f in noun.features {
                    assert!(
                        !c.features.contains(f),
                        "{} / {f} is also generic",
                        noun.name
                    );
                }
            }
            assert!(c.color.starts_with('#') && c.color.len() == 7);
        }
    }
}
