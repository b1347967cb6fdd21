//! `x-request-id` on every response: the caller's, when it sent a sane one,
//! else a number from a process-wide counter.
//!
//! Done by hand rather than with tower-http's `SetRequestId` and
//! `PropagateRequestId` layers: those write the id into the request's
//! headers and extensions and cost two more services per request, while
//! nothing here reads the id from the request. The protection layer echoes
//! it on the response in the same pass as the security headers.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderMap, HeaderName, HeaderValue};

/// The header's name.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest caller id echoed; a longer one is replaced by a counter value.
pub const MAX_LEN: usize = 128;

static NEXT: AtomicU64 = AtomicU64::new(1);

/// The id for a request with `headers`: the caller's `x-request-id` when it
/// is 1 to [`MAX_LEN`] visible ASCII characters, else the next counter value
/// (unique within the process).
pub fn for_request(headers: &HeaderMap) -> HeaderValue {
    match headers.get(X_REQUEST_ID) {
        Some(v) if is_sane(v.as_bytes()) => v.clone(),
        _ => HeaderValue::from(NEXT.fetch_add(1, Ordering::Relaxed)),
    }
}

/// Visible ASCII only: an id goes into logs and other systems' headers.
fn is_sane(id: &[u8]) -> bool {
    !id.is_empty() && id.len() <= MAX_LEN && id.iter().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_sane_ids_and_numbers_the_rest() {
        let mut h = HeaderMap::new();
        let a = for_request(&h);
        let b = for_request(&h);
        let (a, b): (u64, u64) = (
            a.to_str().unwrap().parse().unwrap(),
            b.to_str().unwrap().parse().unwrap(),
        );
        assert!(b > a, "counter ids increase: {a} then {b}");

        h.insert(X_REQUEST_ID, HeaderValue::from_static("trace-abc-123"));
        assert_eq!(for_request(&h), "trace-abc-123");

        for bad in ["", "has space", "tab\there"] {
            h.insert(X_REQUEST_ID, HeaderValue::from_str(bad).unwrap());
            let id = for_request(&h);
            assert!(
                id.to_str().unwrap().parse::<u64>().is_ok(),
                "{bad:?} → {id:?}"
            );
        }
        h.insert(
            X_REQUEST_ID,
            HeaderValue::from_str(&"x".repeat(MAX_LEN)).unwrap(),
        );
        assert_eq!(for_request(&h).len(), MAX_LEN);
        h.insert(
            X_REQUEST_ID,
            HeaderValue::from_str(&"x".repeat(MAX_LEN + 1)).unwrap(),
        );
        assert!(for_request(&h).to_str().unwrap().parse::<u64>().is_ok());
    }
}
