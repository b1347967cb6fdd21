//! The sign-in and consent page of the built-in authorization server. Every
//! value is HTML-escaped; the request parameters travel in hidden fields and
//! are validated again when the form comes back.

use crate::widgets::document::escape_html as esc;

/// What the page shows and carries.
#[derive(Debug, Default)]
pub struct ConsentPage<'a> {
    /// The client's display name.
    pub client_name: &'a str,
    /// Where the user will be sent (its host is shown).
    pub redirect_host: &'a str,
    /// The app being linked.
    pub app: &'a str,
    /// Scopes requested.
    pub scopes: &'a [String],
    /// The original query string's parameters, echoed as hidden fields.
    pub params: &'a [(String, String)],
    /// The anti-CSRF token (also in a cookie).
    pub csrf: &'a str,
    /// A message after a failed attempt.
    pub error: Option<&'a str>,
    /// The email typed before (never the password).
    pub email: &'a str,
    /// Show the create-account fields.
    pub sign_up: bool,
}

impl ConsentPage<'_> {
    /// The page's HTML.
    pub fn render(&self) -> String {
        let hidden: String = self
            .params
            .iter()
            .map(|(k, v)| {
                format!(
                    r#"<input type="hidden" name="{}" value="{}">"#,
                    esc(k),
                    esc(v)
                )
            })
            .collect();
        let scopes: String = if self.scopes.is_empty() {
            "<li>Use the app as you</li>".into()
        } else {
            self.scopes
                .iter()
                .map(|s| format!("<li><code>{}</code></li>", esc(s)))
                .collect()
        };
        let error = self
            .error
            .map(|e| format!(r#"<p class="error" role="alert" id="error">{}</p>"#, esc(e)))
            .unwrap_or_default();
        let (name_field, mode, toggle) = if self.sign_up {
            (
                r#"<label>Name <input name="name" autocomplete="name" required maxlength="200"></label>"#,
                "sign_up",
                r#"<button type="submit" name="mode" value="sign_in" formnovalidate class="link">I have an account</button>"#,
            )
        } else {
            (
                "",
                "sign_in",
                r#"<button type="submit" name="mode" value="show_sign_up" formnovalidate class="link">Create an account</button>"#,
            )
        };
        format!(
            r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign in to Skyport</title>
<style>
body{{font:16px/1.5 system-ui,sans-serif;background:#f5f6f8;color:#1d2330;margin:0;display:grid;place-items:center;min-height:100vh}}
main{{background:#fff;border-radius:12px;box-shadow:0 2px 12px #0002;padding:28px;max-width:380px;width:100%;box-sizing:border-box}}
h1{{font-size:20px;margin:0 0 8px}} label{{display:block;margin:12px 0 4px;font-weight:600}}
input:not([type=hidden]){{display:block;width:100%;box-sizing:border-box;padding:9px;border:1px solid #c6cad3;border-radius:8px;font:inherit;font-weight:400;margin-top:4px}}
.actions{{display:flex;gap:8px;margin-top:18px}} button{{font:inherit;padding:9px 14px;border-radius:8px;border:1px solid #c6cad3;background:#fff;cursor:pointer}}
button.primary{{background:#2453d6;border-color:#2453d6;color:#fff;flex:1}} button.link{{border:0;padding:0;color:#2453d6;background:none;margin-top:12px}}
.error{{color:#b3261e;background:#fdecea;padding:8px 10px;border-radius:8px}} ul{{padding-left:20px}} .muted{{color:#5b6272;font-size:14px}}
</style></head>
<body><main>
<h1>Sign in to link your account</h1>
<p><strong id="client">{client}</strong> wants to use <strong>{app}</strong> on your behalf. It will be able to:</p>
<ul id="scopes">{scopes}</ul>
<p class="muted">You will return to <span id="redirect-host">{host}</span>.</p>
{error}
<form method="post" action="authorize" autocomplete="on">
{hidden}<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="form_mode" value="{mode}">
{name_field}
<label>Email <input type="email" name="email" autocomplete="username" required maxlength="254" value="{email}"></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required minlength="8" maxlength="256"></label>
<div class="actions">
<button type="submit" name="decision" value="allow" class="primary" id="allow">Sign in and allow</button>
<button type="submit" name="decision" value="deny" formnovalidate id="deny">Cancel</button>
</div>
{toggle}
</form>
</main></body></html>"#,
            client = esc(self.client_name),
            app = esc(self.app),
            host = esc(self.redirect_host),
            csrf = esc(self.csrf),
            email = esc(self.email),
        )
    }
}

/// A page for requests that cannot be redirected back (unknown client,
/// unregistered redirect URI): the error is shown, never sent anywhere.
pub fn error_page(message: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cannot sign in</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:40px auto;max-width:480px;color:#1d2330}}</style></head>
<body><h1>This sign-in link cannot be used</h1><p id="error">{}</p></body></html>"#,
        esc(message)
    )
}
