//! Opaque cursors for list pagination.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::protocol::RpcError;

const PREFIX: &str = "skyport-page:";

/// Encodes a page number as an opaque cursor.
pub fn encode_cursor(page: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{PREFIX}{page}"))
}

/// Decodes a cursor into a page index below `pages`; anything else is -32602.
pub fn decode_cursor(cursor: Option<&str>, pages: usize) -> Result<usize, RpcError> {
    let Some(cursor) = cursor else { return Ok(0) };
    let bad = || {
        RpcError::invalid_params(format!(
            "Invalid cursor {cursor:?}: pass a nextCursor exactly as a previous page returned it, or omit it for the first page"
        ))
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| bad())?;
    let page: usize = text
        .strip_prefix(PREFIX)
        .and_then(|n| n.parse().ok())
        .ok_or_else(bad)?;
    if page == 0 || page >= pages {
        return Err(bad());
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(decode_cursor(None, 3).unwrap(), 0);
        assert_eq!(decode_cursor(Some(&encode_cursor(2)), 3).unwrap(), 2);
        assert!(decode_cursor(Some(&encode_cursor(3)), 3).is_err());
        assert!(decode_cursor(Some("nope"), 3).is_err());
        assert!(decode_cursor(Some(&encode_cursor(0)), 3).is_err());
    }
}
