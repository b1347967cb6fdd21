//! Timestamps: ISO 8601 text in the files, Unix milliseconds in the store.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};

/// Parses the timestamps the file format holds: RFC 3339 (`2026-01-25T10:00:00.000Z`,
/// any offset, `T` or a space), a date and time without an offset (read as UTC),
/// or a bare date (midnight UTC, as JavaScript's `Date` reads it).
pub(crate) fn parse_iso(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp_millis());
    }
    for pattern in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, pattern) {
            return Some(t.and_utc().timestamp_millis());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
}

/// Formats like JavaScript's `Date.prototype.toISOString()`:
/// `YYYY-MM-DDTHH:MM:SS.sssZ`, with a six-digit signed year outside 0–9999.
/// `None` for a time JavaScript cannot represent either.
pub(crate) fn format_iso(ms: i64) -> Option<String> {
    let t: DateTime<Utc> = DateTime::from_timestamp_millis(ms)?;
    let year = t.year();
    let year = if (0..=9999).contains(&year) {
        format!("{year:04}")
    } else if year < 0 {
        format!("-{:06}", -i64::from(year))
    } else {
        format!("+{year:06}")
    };
    Some(format!(
        "{year}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.timestamp_subsec_millis()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_javascript_iso_strings() {
        for s in [
            "2026-01-25T10:00:00.000Z",
            "1970-01-01T00:00:00.000Z",
            "1969-12-31T23:59:59.999Z",
            "2024-02-29T12:34:56.789Z",
        ] {
            let ms = parse_iso(s).unwrap();
            assert_eq!(format_iso(ms).unwrap(), s);
        }
    }

    #[test]
    fn reads_other_iso_forms() {
        let base = parse_iso("2026-01-25T10:00:00.000Z").unwrap();
        assert_eq!(parse_iso("2026-01-25T10:00:00Z"), Some(base));
        assert_eq!(parse_iso("2026-01-25T12:00:00+02:00"), Some(base));
        assert_eq!(parse_iso("2026-01-25 10:00:00"), Some(base));
        assert_eq!(parse_iso("2026-01-25T10:00"), Some(base));
        assert_eq!(
            parse_iso("2026-01-25"),
            Some(base - 10 * 3_600_000),
            "a bare date is midnight UTC"
        );
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-02-30T00:00:00Z",
            "12:00",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_extreme_years_like_javascript() {
        assert_eq!(
            format_iso(253_402_300_800_000).unwrap(),
            "+010000-01-01T00:00:00.000Z"
        );
        assert_eq!(
            format_iso(-62_198_755_200_000).unwrap(),
            "-000001-01-01T00:00:00.000Z"
        );
    }
}
