//! Password hashing with argon2id (RFC 9106) through the RustCrypto `argon2`
//! crate, at OWASP's recommended cost (19 MiB, 2 passes, 1 lane). Hashes are
//! PHC strings, so the parameters travel with each hash and can be raised
//! later without breaking stored ones.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 8;
/// The longest password accepted (hashing cost is bounded; NIST allows a cap).
pub const MAX_LENGTH: usize = 256;

fn hasher() -> Argon2<'static> {
    let params =
        Params::new(19 * 1024, 2, 1, None).expect("the OWASP argon2id parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why a password cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Too short or too long.
    #[error("the password must be {MIN_LENGTH} to {MAX_LENGTH} characters long")]
    Length,
}

/// Checks a new password's length (in characters, so any script counts fairly).
pub fn check_new(password: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if (MIN_LENGTH..=MAX_LENGTH).contains(&n) {
        Ok(())
    } else {
        Err(PasswordError::Length)
    }
}

/// Hashes a password with a fresh random salt: an argon2id PHC string.
pub fn hash(password: &str) -> String {
    let salt = SaltString::from_b64(&base64_salt()).expect("16 random bytes make a valid salt");
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2id hashing of a bounded password cannot fail")
        .to_string()
}

fn base64_salt() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(rand::random::<[u8; 16]>())
}

/// True when `password` matches the PHC string `phc` (constant-time compare
/// inside the crate). A malformed stored hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    if password.chars().count() > MAX_LENGTH {
        return false;
    }
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the time a real verification takes, so a sign-in for an unknown
/// email answers as slowly as one with a wrong password.
pub fn verify_nothing(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("a password nobody has"));
    let _ = verify(password, phc);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_salted_argon2id_and_verify() {
        let a = hash("correct horse battery");
        let b = hash("correct horse battery");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(!a.contains("correct horse"));
        assert!(verify("correct horse battery", &a));
        assert!(!verify("correct horse batterY", &a));
        assert!(!verify("correct horse battery", "not a phc string"));
    }

    #[test]
    fn new_passwords_are_length_checked_in_characters() {
        assert_eq!(check_new("short"), Err(PasswordError::Length));
        assert!(check_new("ééééééé").is_err());
        assert!(check_new("éééééééé").is_ok());
        assert!(check_new(&"x".repeat(MAX_LENGTH + 1)).is_err());
    }
}
