//! Product images that work offline: a small SVG per product, made on demand.

use std::fmt::Write as _;

use crate::data::{self, Glyph};
use crate::product::Product;

/// Background for products whose category the catalog does not know (external ones).
const FALLBACK_COLOR: &str = "#6c757d";

/// A small (< 2 KB), deterministic SVG image for `p`: the category's colour (shaded per
/// product), a simple shape for the category and the brand's initials.
///
/// Every piece of text is XML-escaped, so any product (including one from an external
/// provider) gives well-formed XML. Serve it as `image/svg+xml`.
pub fn image_svg(p: &Product) -> String {
    let spec = data::categories()
        .into_iter()
        .find(|c| c.slug == p.category);
    let (base, glyph) = spec.map_or((FALLBACK_COLOR, Glyph::Blocks), |c| (c.color, c.glyph));
    let hash = fnv1a(p.id.as_bytes());
    // -12 % … +12 % lightness, so neighbouring products of a category do not look identical.
    let shade = (hash % 25) as i32 - 12;
    let background = shade_hex(base, shade);
    let tilt = (hash >> 8) % 3 * 4; // 0, 4 or 8 degrees

    let mut svg = String::with_capacity(1024);
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240" role="img" aria-label="{label}"><rect width="240" height="240" fill="{background}"/><circle cx="120" cy="104" r="70" fill="#ffffff" fill-opacity="0.14"/><g transform="rotate(-{tilt} 120 104)" fill="none" stroke="#ffffff" stroke-width="7" stroke-linecap="round" stroke-linejoin="round">{shape}</g><text x="120" y="216" text-anchor="middle" font-family="Helvetica,Arial,sans-serif" font-size="26" font-weight="700" fill="#ffffff">{initials}</text></svg>"##,
        label = escape(&truncate(&p.title, 120)),
        shape = shape(glyph),
        initials = escape(&initials(&p.brand)),
    );
    svg
}

/// The shape for a glyph, drawn in a 240 × 240 box around (120, 104).
fn shape(glyph: Glyph) -> &'static str {
    match glyph {
        Glyph::Watch => {
            r#"<rect x="96" y="40" width="48" height="128" rx="14"/><rect x="84" y="74" width="72" height="60" rx="16"/><path d="M120 92v14l10 8"/>"#
        }
        Glyph::Headphones => {
            r#"<path d="M70 124v-20a50 50 0 0 1 100 0v20"/><rect x="62" y="118" width="26" height="42" rx="10"/><rect x="152" y="118" width="26" height="42" rx="10"/>"#
        }
        Glyph::House => {
            r#"<path d="M66 110l54-46 54 46"/><path d="M80 100v60h80v-60"/><rect x="108" y="124" width="24" height="36"/>"#
        }
        Glyph::Laptop => {
            r#"<rect x="74" y="62" width="92" height="64" rx="6"/><path d="M56 148h128l-10-22H66z"/>"#
        }
        Glyph::Phone => {
            r#"<rect x="92" y="44" width="56" height="116" rx="12"/><path d="M112 146h16"/>"#
        }
        Glyph::Camera => {
            r#"<rect x="58" y="74" width="124" height="82" rx="12"/><circle cx="120" cy="115" r="24"/><path d="M96 74l8-14h32l8 14"/>"#
        }
        Glyph::Controller => {
            r#"<path d="M84 80h72c18 0 28 40 24 64-3 14-18 14-26 0l-8-14h-52l-8 14c-8 14-23 14-26 0-4-24 6-64 24-64z"/><path d="M92 100v20M82 110h20"/><circle cx="150" cy="104" r="3"/><circle cx="160" cy="116" r="3"/>"#
        }
        Glyph::Appliance => {
            r#"<path d="M86 70h68l8 90H78z"/><path d="M154 88h16a10 10 0 0 1 0 40h-12"/><path d="M104 56h32"/>"#
        }
        Glyph::Pan => r#"<circle cx="100" cy="110" r="40"/><path d="M140 110h54"/>"#,
        Glyph::Lamp => r#"<path d="M90 60h60l16 50H74z"/><path d="M120 110v44M96 160h48"/>"#,
        Glyph::Chair => r#"<path d="M88 52v104M152 52v104M88 52h64M88 112h64M88 84h64"/>"#,
        Glyph::Pillow => {
            r#"<path d="M66 76c36-14 72-14 108 0 8 28 8 48 0 68-36 14-72 14-108 0-8-20-8-40 0-68z"/>"#
        }
        Glyph::Blocks => {
            r#"<rect x="72" y="110" width="44" height="44"/><rect x="124" y="110" width="44" height="44"/><rect x="98" y="62" width="44" height="44"/>"#
        }
        Glyph::Book => {
            r#"<path d="M78 52h76a8 8 0 0 1 8 8v100H86a8 8 0 0 1-8-8z"/><path d="M78 144a8 8 0 0 1 8-8h76M98 76h44"/>"#
        }
        Glyph::Mountain => {
            r#"<path d="M52 156l44-68 24 34 18-22 50 56z"/><circle cx="160" cy="66" r="14"/>"#
        }
        Glyph::Ball => {
            r#"<circle cx="120" cy="104" r="52"/><path d="M68 104h104M120 52v104M84 68c20 20 20 52 0 72M156 68c-20 20-20 52 0 72"/>"#
        }
        Glyph::Bottle => {
            r#"<rect x="104" y="44" width="32" height="22" rx="4"/><path d="M100 66h40l10 22v70H90V88z"/><path d="M96 112h48"/>"#
        }
        Glyph::Shirt => {
            r#"<path d="M96 56l-38 24 14 26 16-8v62h64V98l16 8 14-26-38-24c-4 12-12 18-24 18s-20-6-24-18z"/>"#
        }
        Glyph::Paw => {
            r#"<ellipse cx="120" cy="130" rx="30" ry="24"/><circle cx="84" cy="94" r="11"/><circle cx="106" cy="74" r="11"/><circle cx="134" cy="74" r="11"/><circle cx="156" cy="94" r="11"/>"#
        }
        Glyph::Wrench => {
            r#"<path d="M86 160l52-52"/><path d="M138 108a28 28 0 1 0 16-44l-14 14 4 14 14 4 14-14a28 28 0 0 1-34 26"/>"#
        }
    }
}

/// Up to two initials from the brand's words (`Copper Finch` → `CF`, `Ridgeline` → `R`).
fn initials(brand: &str) -> String {
    brand
        .split_whitespace()
        .filter_map(|w| w.chars().next().filter(|c| c.is_alphanumeric()))
        .flat_map(char::to_uppercase)
        .take(2)
        .collect()
}

/// XML escaping for text and attribute values. Characters XML 1.0 forbids (most
/// control characters) are dropped rather than escaped, since no escape makes them legal.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

/// Lightens (positive) or darkens (negative) a `#rrggbb` colour by `percent`.
fn shade_hex(hex: &str, percent: i32) -> String {
    let channel =
        |i: usize| i32::from_str_radix(hex.get(i..i + 2).unwrap_or("80"), 16).unwrap_or(128);
    let adjust = |v: i32| {
        let target = if percent >= 0 { 255 } else { 0 };
        (v + (target - v) * percent.abs() / 100).clamp(0, 255)
    };
    format!(
        "#{:02x}{:02x}{:02x}",
        adjust(channel(1)),
        adjust(channel(3)),
        adjust(channel(5))
    )
}

/// FNV-1a: a stable hash (std's `DefaultHasher` may change between Rust releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(title: &str, brand: &str, category: &str) -> Product {
        Product {
            id: "x-1".into(),
            title: title.into(),
            brand: brand.into(),
            category: category.into(),
            category_name: String::new(),
            price_cents: 100,
            rating: 4.0,
            review_count: 1,
            description: String::new(),
            stock: 1,
        }
    }

    /// A minimal well-formedness check: every tag closes in order, attributes are quoted,
    /// and `&` only starts one of the five predefined entities.
    fn assert_well_formed(svg: &str) {
        let mut stack: Vec<String> = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            let text = &rest[..start];
            assert!(!text.contains('>'), "stray > in {text:?}");
            check_entities(text);
            let end = rest[start..].find('>').expect("unclosed tag") + start;
            let tag = &rest[start + 1..end];
            assert!(!tag.contains('<'), "< inside a tag: {tag}");
            assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag}");
            check_entities(tag);
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop().as_deref(), Some(name), "mismatched close");
            } else if !tag.ends_with('/') {
                stack.push(tag.split_whitespace().next().unwrap_or_default().to_owned());
            }
            rest = &rest[end + 1..];
        }
        assert!(stack.is_empty(), "unclosed: {stack:?}");
    }

    fn check_entities(text: &str) {
        for (i, _) in text.match_indices('&') {
            let entity = &text[i..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                    .iter()
                    .any(|e| entity.starts_with(e)),
                "bad entity at {entity:?}"
            );
        }
    }

    #[test]
    fn every_catalog_image_is_small_and_well_formed() {
        for p in crate::generate::generate().iter() {
            let svg = image_svg(p);
            assert!(svg.len() < 2048, "{} is {} bytes", p.id, svg.len());
            assert_well_formed(&svg);
        }
    }

    #[test]
    fn hostile_text_is_escaped() {
        let p = product(
            r#"<script>alert("x")</script> & 'friends' ]]> \u{0}"#,
            "<b>&amp;",
            "nope",
        );
        let svg = image_svg(&p);
        assert_well_formed(&svg);
        assert!(!svg.contains("<script>") && !svg.contains('\u{0}'));
        assert!(svg.contains("&lt;script&gt;"));
    }

    #[test]
    fn images_are_deterministic() {
        let p = product(
            "Ridgeline Pro Fitness Tracker",
            "Ridgeline",
            "fitness-trackers",
        );
        assert_eq!(image_svg(&p), image_svg(&p));
        assert!(image_svg(&p).contains(">R</text>"));
        assert_eq!(initials("Copper Finch"), "CF");
        assert_eq!(initials("Alder & Ash"), "AA");
        assert_eq!(initials(""), "");
    }

    #[test]
    fn shading_stays_in_range() {
        assert_eq!(shade_hex("#000000", 0), "#000000");
        assert_eq!(shade_hex("#ffffff", 12), "#ffffff");
        assert_eq!(shade_hex("#808080", -100), "#000000");
        assert_eq!(shade_hex("bad", 5).len(), 7);
    }
}
