//! Totals, tax and shipping, in integer cents, computed on the server only.

use skyport::store::records::CartLine;

/// Sales tax in basis points (8.25 %).
pub(crate) const TAX_BASIS_POINTS: i64 = 825;
/// The flat shipping fee below the free-shipping threshold.
pub(crate) const SHIPPING_CENTS: i64 = 599;
/// Free shipping from this subtotal, for everyone.
pub(crate) const FREE_SHIPPING_CENTS: i64 = 5000;
/// Free shipping from this subtotal, for `basic` members.
pub(crate) const BASIC_FREE_SHIPPING_CENTS: i64 = 3500;

/// Which membership benefits apply to the buyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Perks {
    /// Not a member (or not signed in).
    #[default]
    None,
    /// A `basic` member: a lower free-shipping threshold.
    Basic,
    /// A `plus` member: shipping is always free.
    Plus,
}

impl Perks {
    /// The perks of a membership tier id.
    pub(crate) fn of_tier(tier: Option<&str>) -> Self {
        match tier {
            Some("plus") => Perks::Plus,
            Some("basic") => Perks::Basic,
            _ => Perks::None,
        }
    }

    /// The subtotal from which shipping is free.
    pub(crate) fn free_shipping_threshold(self) -> i64 {
        match self {
            Perks::None => FREE_SHIPPING_CENTS,
            Perks::Basic => BASIC_FREE_SHIPPING_CENTS,
            Perks::Plus => 0,
        }
    }
}

/// A cart's money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Totals {
    /// Σ unit price × quantity.
    pub(crate) subtotal: i64,
    /// Tax on the subtotal.
    pub(crate) tax: i64,
    /// Shipping.
    pub(crate) shipping: i64,
    /// subtotal + tax + shipping.
    pub(crate) total: i64,
    /// Σ quantity.
    pub(crate) items: i64,
}

/// Tax on `subtotal`, rounded half up to the cent.
pub(crate) fn tax(subtotal: i64) -> i64 {
    let t = (i128::from(subtotal) * i128::from(TAX_BASIS_POINTS) + 5_000) / 10_000;
    i64::try_from(t).unwrap_or(i64::MAX)
}

/// Shipping for `subtotal` (nothing to ship costs nothing).
pub(crate) fn shipping(subtotal: i64, perks: Perks) -> i64 {
    if subtotal <= 0 || subtotal >= perks.free_shipping_threshold() {
        0
    } else {
        SHIPPING_CENTS
    }
}

/// The totals of `lines`. Saturating: carts are bounded far below overflow
/// (50 lines × 99 units × the dearest product), so saturation never shows.
pub(crate) fn totals(lines: &[CartLine], perks: Perks) -> Totals {
    let subtotal = lines.iter().fold(0i64, |acc, l| {
        acc.saturating_add(l.unit_price_cents.saturating_mul(l.quantity))
    });
    let items = lines.iter().map(|l| l.quantity).sum();
    let tax = tax(subtotal);
    let shipping = shipping(subtotal, perks);
    Totals {
        subtotal,
        tax,
        shipping,
        total: subtotal.saturating_add(tax).saturating_add(shipping),
        items,
    }
}

/// Cents as `$1,234.56`, for the text the model reads.
pub(crate) fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    let whole = (c / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}${grouped}.{:02}", c % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(price: i64, qty: i64) -> CartLine {
        CartLine {
            sku: "p1".into(),
            title: "t".into(),
            unit_price_cents: price,
            quantity: qty,
        }
    }

    #[test]
    fn tax_rounds_half_up_to_the_cent() {
        assert_eq!(tax(0), 0);
        assert_eq!(tax(100), 8); // 8.25 → 8
        assert_eq!(tax(200), 17); // 16.5 → 17
        assert_eq!(tax(1299), 107); // 107.1675
        assert!(tax(i64::MAX / 2) > 0, "no overflow on absurd subtotals");
    }

    #[test]
    fn shipping_depends_on_subtotal_and_membership() {
        assert_eq!(shipping(0, Perks::None), 0);
        assert_eq!(shipping(4999, Perks::None), SHIPPING_CENTS);
        assert_eq!(shipping(5000, Perks::None), 0);
        assert_eq!(shipping(3499, Perks::Basic), SHIPPING_CENTS);
        assert_eq!(shipping(3500, Perks::Basic), 0);
        assert_eq!(shipping(1, Perks::Plus), 0);
    }

    #[test]
    fn totals_add_up() {
        let t = totals(&[line(1299, 2), line(2500, 1)], Perks::None);
        assert_eq!(t.subtotal, 5098);
        assert_eq!(t.tax, 421); // 420.585
        assert_eq!(t.shipping, 0);
        assert_eq!(t.total, 5098 + 421);
        assert_eq!(t.items, 3);
        let small = totals(&[line(999, 1)], Perks::None);
        assert_eq!(small.total, 999 + 82 + SHIPPING_CENTS);
        assert_eq!(totals(&[], Perks::None), Totals::default());
    }

    #[test]
    fn dollars_read_naturally() {
        assert_eq!(dollars(0), "$0.00");
        assert_eq!(dollars(5), "$0.05");
        assert_eq!(dollars(123_456_789), "$1,234,567.89");
        assert_eq!(dollars(-1999), "-$19.99");
    }
}
