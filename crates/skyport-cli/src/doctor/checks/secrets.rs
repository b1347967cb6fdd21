//! Secret-looking keys in JSON. ChatGPT gives `structuredContent` to the
//! model verbatim and the widget shows it in devtools, so a credential there
//! has leaked.

use serde_json::Value;

/// Normalised key names (lower case, no `_`/`-`) that hold credentials.
const SECRET_KEYS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "clientsecret",
    "apikey",
    "apisecret",
    "privatekey",
    "secretkey",
    "accesskey",
    "authorization",
    "token",
    "accesstoken",
    "refreshtoken",
    "idtoken",
    "authtoken",
    "bearertoken",
    "sessiontoken",
    "sessionid",
    "sessioncookie",
    "cookie",
    "setcookie",
    "credentials",
];

/// Endings that make a key a credential (`db_password`, `stripeSecretKey`, `github_token`).
const SECRET_SUFFIXES: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "apikey",
    "privatekey",
    "secretkey",
    "token",
    "cookie",
];

/// Token-named keys that are not credentials: pagination and counting.
const NOT_SECRET_PREFIXES: &[&str] = &["next", "page", "prev", "continuation", "cursor", "sync"];

/// True when a key name looks like it holds a credential.
pub(crate) fn is_secret_key(key: &str) -> bool {
    let n: String = key
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' ' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    if SECRET_KEYS.contains(&n.as_str()) {
        return true;
    }
    if NOT_SECRET_PREFIXES.iter().any(|p| n.starts_with(p)) {
        return false;
    }
    SECRET_SUFFIXES.iter().any(|s| n.ends_with(s))
}

/// A value worth flagging: something is actually there (not `null`, a
/// boolean flag like `has_password: true`, or an empty string).
fn holds_something(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(_) => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Number(_) => true,
    }
}

/// The JSON paths (`$.user.api_key`, `$.items[2].token`) of secret-looking keys.
pub(crate) fn secret_paths(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(value, "$".to_owned(), 0, &mut out);
    out
}

fn walk(value: &Value, path: String, depth: usize, out: &mut Vec<String>) {
    // Deep enough for any real payload; stops a hostile one from recursing forever.
    if depth > 64 {
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let child = child_path(&path, k);
                if is_secret_key(k) && holds_something(v) {
                    out.push(child.clone());
                }
                walk(v, child, depth + 1, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(v, format!("{path}[{i}]"), depth + 1, out);
            }
        }
        _ => {}
    }
}

fn child_path(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && !key.starts_with(|c: char| c.is_ascii_digit())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if plain {
        format!("{parent}.{key}")
    } else {
        format!("{parent}[{}]", Value::String(key.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn credential_keys_are_secret() {
        for k in [
            "password",
            "Password",
            "api_key",
            "apiKey",
            "API-KEY",
            "client_secret",
            "clientSecret",
            "private_key",
            "Authorization",
            "access_token",
            "refreshToken",
            "token",
            "session_id",
            "sessionCookie",
            "set-cookie",
            "db_password",
            "stripeSecretKey",
            "github_token",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
    }

    #[test]
    fn ordinary_keys_are_not() {
        for k in [
            "name",
            "tokens",
            "max_tokens",
            "token_count",
            "next_page_token",
            "nextToken",
            "pageToken",
            "secretary",
            "passwords_reset_count",
            "author",
            "keyboard",
            "description",
        ] {
            assert!(!is_secret_key(k), "{k}");
        }
    }

    #[test]
    fn paths_point_at_each_secret() {
        let v = json!({
            "user": {"name": "a", "api_key": "sk-123", "has_password": true},
            "items": [{"ok": 1}, {"token": "t"}],
            "odd key": {"password": "p"},
            "secret": null,
            "password": ""
        });
        let mut found = secret_paths(&v);
        found.sort();
        assert_eq!(
            found,
            [
                "$.items[1].token",
                "$.user.api_key",
                "$[\"odd key\"].password"
            ]
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let mut v = json!({"password": "x"});
        for _ in 0..100 {
            v = json!([v]);
        }
        assert!(secret_paths(&v).is_empty());
    }
}
