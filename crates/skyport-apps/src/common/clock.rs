//! Wall-clock time as Unix milliseconds, RFC 3339 text, and random ids.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Now, in Unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Unix milliseconds as RFC 3339 (UTC, milliseconds).
pub(crate) fn rfc3339(ms: i64) -> String {
    let t = UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    humantime::format_rfc3339_millis(t).to_string()
}

/// A duration in milliseconds, saturating.
pub(crate) fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// `prefix` and 32 lower-case hex digits: 128 random bits.
pub(crate) fn random_id(prefix: &str) -> String {
    use std::fmt::Write;
    let bytes: [u8; 16] = rand::random();
    let mut id = String::with_capacity(prefix.len() + 32);
    id.push_str(prefix);
    for b in bytes {
        let _ = write!(id, "{b:02x}");
    }
    id
}

/// True for ids [`random_id`] could have made with `prefix`.
pub(crate) fn is_random_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|hex| {
        hex.len() == 32
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_carry_128_bits_and_are_checked() {
        let a = random_id("sess_");
        assert_ne!(a, random_id("sess_"));
        assert!(is_random_id(&a, "sess_"), "{a}");
        assert_eq!(a.len(), 5 + 32);
        assert!(!is_random_id("sess_", "sess_"));
        assert!(!is_random_id(&a, "shop_"));
        assert!(!is_random_id(&a.to_uppercase(), "sess_"));
        assert!(!is_random_id(&format!("{a}0"), "sess_"));
        assert!(!is_random_id(
            "sess_../../etc/passwd0000000000000000",
            "sess_"
        ));
    }

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(-5), "1970-01-01T00:00:00.000Z");
    }
}
