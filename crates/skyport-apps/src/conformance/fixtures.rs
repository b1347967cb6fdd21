//! Binary fixtures (base64) and the fixed texts the conformance suite checks.

/// A 1x1 PNG (one opaque pixel), base64: what the reference server returns.
pub const PNG_1X1_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/// A tiny WAV (PCM, mono, 8 kHz, 8-bit, 8 samples of silence), base64.
pub const WAV_BASE64: &str =
    "UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgAAACAgICAgICAgA==";

/// The MIME type of [`PNG_1X1_BASE64`].
pub const PNG_MIME: &str = "image/png";

/// The MIME type of [`WAV_BASE64`] (the suite wants exactly this string).
pub const WAV_MIME: &str = "audio/wav";

/// The URI of the resource embedded in tool results.
pub const EMBEDDED_URI: &str = "test://embedded-resource";

/// The text of the resource embedded in tool results.
pub const EMBEDDED_TEXT: &str = "This is an embedded resource content.";

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    #[test]
    fn the_png_is_a_png() {
        let bytes = STANDARD.decode(PNG_1X1_BASE64).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        // IHDR: width 1, height 1.
        assert_eq!(&bytes[16..24], &[0, 0, 0, 1, 0, 0, 0, 1]);
    }

    #[test]
    fn the_wav_is_a_wav() {
        let bytes = STANDARD.decode(WAV_BASE64).unwrap();
        assert_eq!(&bytes[..4], b"RIFF");
        assert_eq!(&bytes[8..16], b"WAVEfmt ");
        let riff_len = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
        assert_eq!(riff_len + 8, bytes.len());
    }
}
