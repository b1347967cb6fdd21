//! Writes the known keys exactly as js-yaml 3's `safeDump` does (the YAML
//! engine gray-matter's `stringify` uses), so an exported file is byte for byte
//! the file the original tool would have written.
//!
//! Hand-written on purpose: no Rust YAML emitter reproduces js-yaml's choices
//! (plain when safe, single quotes when the plain form would read as another
//! type, `|`/`>` blocks for multi-line and long strings folded at 80 columns,
//! double quotes only for unprintable characters). The rules below were learnt
//! from js-yaml's `lib/js-yaml/dumper.js` (`chooseScalarStyle`, `foldString`,
//! `escapeString`) and its implicit types; the test table in this module was
//! produced by js-yaml itself.
//!
//! js-yaml measures strings in UTF-16 code units and treats a surrogate as
//! unprintable, so any character outside the Basic Multilingual Plane (an
//! emoji) forces double quotes; below that plane code units and `char`s
//! coincide, which is why this module can work on `char`s.

/// js-yaml's default `lineWidth`.
const LINE_WIDTH: usize = 80;
/// js-yaml's default `indent`.
const INDENT: usize = 2;

/// Strings js-yaml quotes for YAML 1.1 readers (its `noCompatMode` is off).
const DEPRECATED_BOOLEANS: [&str; 16] = [
    "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off",
    "OFF",
];

/// `key: value\n` for a string value of a top-level key.
pub(crate) fn string_entry(key: &str, value: &str) -> String {
    format!("{key}: {}\n", scalar(value, 1))
}

/// `key:\n  - a\n  - b\n` (or `key: []\n`) for a list of strings.
pub(crate) fn list_entry(key: &str, items: &[String]) -> String {
    if items.is_empty() {
        return format!("{key}: []\n");
    }
    let mut out = format!("{key}:");
    for item in items {
        out.push_str("\n  - ");
        out.push_str(&scalar(item, 2));
    }
    out.push('\n');
    out
}

#[derive(Debug, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Literal,
    Folded,
    Double,
}

/// One string scalar at nesting `level` (1 for a top-level value, 2 for an item
/// of a top-level list), as js-yaml's `writeScalar` writes a non-key.
pub(crate) fn scalar(s: &str, level: usize) -> String {
    if s.is_empty() {
        return "''".to_owned();
    }
    if DEPRECATED_BOOLEANS.contains(&s) {
        return format!("'{s}'");
    }
    let indent = INDENT * level.max(1);
    // The width shrinks with depth down to 40 columns.
    let width = LINE_WIDTH.saturating_sub(indent).max(LINE_WIDTH.min(40));
    let chars: Vec<char> = s.chars().collect();
    match choose_style(&chars, width) {
        Style::Plain => s.to_owned(),
        Style::Single => format!("'{}'", s.replace('\'', "''")),
        Style::Literal => format!(
            "|{}{}",
            block_header(&chars),
            drop_ending_newline(indent_lines(s, indent))
        ),
        Style::Folded => format!(
            ">{}{}",
            block_header(&chars),
            drop_ending_newline(indent_lines(&fold(&chars, width), indent))
        ),
        Style::Double => format!("\"{}\"", escape(s)),
    }
}

/// A character js-yaml writes without escaping (judged per UTF-16 unit, so a
/// character above U+FFFF, being a surrogate pair there, is not printable).
fn printable(c: char) -> bool {
    let c = u32::from(c);
    (0x20..=0x7E).contains(&c)
        || ((0xA1..=0xD7FF).contains(&c) && c != 0x2028 && c != 0x2029)
        || ((0xE000..=0xFFFD).contains(&c) && c != 0xFEFF)
}

fn white(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// YAML's ns-char: printable, not white space, not a line break.
fn ns_char(c: char) -> bool {
    printable(c) && !white(c) && c != '\u{FEFF}' && c != '\r' && c != '\n'
}

/// Allowed after the first character of a plain scalar.
fn plain_safe(c: char, prev: Option<char>) -> bool {
    printable(c)
        && !matches!(c, ',' | '[' | ']' | '{' | '}' | ':')
        && (c != '#' || prev.is_some_and(ns_char))
}

/// Allowed as the first character of a plain scalar: no space, no indicator.
fn plain_safe_first(c: char) -> bool {
    printable(c)
        && !white(c)
        && !matches!(
            c,
            '-' | '?'
                | ':'
                | ','
                | '['
                | ']'
                | '{'
                | '}'
                | '#'
                | '&'
                | '*'
                | '!'
                | '|'
                | '='
                | '>'
                | '\''
                | '"'
                | '%'
                | '@'
                | '`'
        )
}

fn choose_style(s: &[char], width: usize) -> Style {
    let mut plain = plain_safe_first(s[0]) && !white(s[s.len() - 1]);
    let mut has_line_break = false;
    let mut has_foldable_line = false;
    // Index of the last line break; the first line starts at 0.
    let mut line_start = 0usize;
    let foldable = |start: usize, end: usize| end - start > width && s.get(start) != Some(&' ');
    for (i, &c) in s.iter().enumerate() {
        if c == '\n' {
            has_line_break = true;
            has_foldable_line = has_foldable_line || foldable(line_start, i);
            line_start = i + 1;
        } else if !printable(c) {
            return Style::Double;
        }
        plain = plain && plain_safe(c, i.checked_sub(1).map(|p| s[p]));
    }
    has_foldable_line = has_foldable_line || foldable(line_start, s.len());
    if !has_line_break && !has_foldable_line {
        let text: String = s.iter().collect();
        return if plain && !implicitly_typed(&text) {
            Style::Plain
        } else {
            Style::Single
        };
    }
    if has_foldable_line {
        Style::Folded
    } else {
        Style::Literal
    }
}

/// `|` / `>` header: an indentation indicator when the text starts with a
/// space (after any empty lines), and the chomping indicator.
fn block_header(s: &[char]) -> String {
    let leading_space = s.iter().find(|&&c| c != '\n') == Some(&' ');
    let clip = s.last() == Some(&'\n');
    let keep = clip && (s.len() == 1 || s[s.len() - 2] == '\n');
    let chomp = if keep {
        "+"
    } else if clip {
        ""
    } else {
        "-"
    };
    let indicator = if leading_space { "2" } else { "" };
    format!("{indicator}{chomp}\n")
}

/// Indents every non-empty line.
fn indent_lines(s: &str, spaces: usize) -> String {
    let pad = " ".repeat(spaces);
    let mut out = String::with_capacity(s.len() + 8 * spaces);
    for line in s.split_inclusive('\n') {
        if line != "\n" {
            out.push_str(&pad);
        }
        out.push_str(line);
    }
    out
}

fn drop_ending_newline(mut s: String) -> String {
    if s.ends_with('\n') {
        s.pop();
    }
    s
}

/// The text of a folded (`>`) scalar: lines broken at spaces to fit `width`;
/// a line break in the value becomes an empty line, except next to a
/// more-indented line (one starting with a space), which folding leaves alone.
fn fold(s: &[char], width: usize) -> String {
    let first_break = s.iter().position(|&c| c == '\n').unwrap_or(s.len());
    let mut out = fold_line(&s[..first_break], width);
    let mut prev_more_indented = matches!(s.first(), Some('\n' | ' '));
    let mut i = first_break;
    while i < s.len() {
        let breaks_end = s[i..]
            .iter()
            .position(|&c| c != '\n')
            .map_or(s.len(), |n| i + n);
        let line_end = s[breaks_end..]
            .iter()
            .position(|&c| c == '\n')
            .map_or(s.len(), |n| breaks_end + n);
        let line = &s[breaks_end..line_end];
        let more_indented = line.first() == Some(&' ');
        out.extend(&s[i..breaks_end]);
        if !prev_more_indented && !more_indented && !line.is_empty() {
            out.push('\n');
        }
        out.push_str(&fold_line(line, width));
        prev_more_indented = more_indented;
        i = line_end;
    }
    out
}

/// Greedy line breaking of one line: the longest piece that fits, else the
/// shortest that does not. Breaks only at a space followed by a non-space,
/// and never in a more-indented line.
fn fold_line(line: &[char], width: usize) -> String {
    if line.is_empty() || line[0] == ' ' {
        return line.iter().collect();
    }
    let mut out = String::new();
    let (mut start, mut curr) = (0usize, 0usize);
    let breaks =
        (0..line.len().saturating_sub(1)).filter(|&i| line[i] == ' ' && line[i + 1] != ' ');
    for next in breaks {
        if next - start > width {
            let end = if curr > start { curr } else { next };
            out.push('\n');
            out.extend(&line[start..end]);
            start = end + 1;
        }
        curr = next;
    }
    out.push('\n');
    if line.len() - start > width && curr > start {
        out.extend(&line[start..curr]);
        out.push('\n');
        out.extend(&line[curr + 1..]);
    } else {
        out.extend(&line[start..]);
    }
    out.remove(0);
    out
}

/// The inside of a double-quoted scalar.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        let short = match c {
            '\0' => Some("\\0"),
            '\u{7}' => Some("\\a"),
            '\u{8}' => Some("\\b"),
            '\t' => Some("\\t"),
            '\n' => Some("\\n"),
            '\u{B}' => Some("\\v"),
            '\u{C}' => Some("\\f"),
            '\r' => Some("\\r"),
            '\u{1B}' => Some("\\e"),
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\u{85}' => Some("\\N"),
            '\u{A0}' => Some("\\_"),
            '\u{2028}' => Some("\\L"),
            '\u{2029}' => Some("\\P"),
            _ => None,
        };
        match short {
            Some(seq) => out.push_str(seq),
            None if printable(c) => out.push(c),
            None => {
                let n = u32::from(c);
                if n <= 0xFF {
                    out.push_str(&format!("\\x{n:02X}"));
                } else if n <= 0xFFFF {
                    out.push_str(&format!("\\u{n:04X}"));
                } else {
                    out.push_str(&format!("\\U{n:08X}"));
                }
            }
        }
    }
    out
}

/// Whether a plain scalar would be read back as something other than a
/// string by js-yaml's default safe schema: null, a boolean, an integer, a
/// float, a date, or the merge key. (Timestamps with a time contain `:`,
/// which already rules out the plain style.)
fn implicitly_typed(s: &str) -> bool {
    matches!(s, "~" | "null" | "Null" | "NULL")
        || matches!(s, "true" | "True" | "TRUE" | "false" | "False" | "FALSE")
        || s == "<<"
        || yaml11_int(s)
        || yaml11_float(s)
        || is_date(s)
}

/// js-yaml's integer forms: decimal with `_` separators, `0b`, `0x` and
/// leading-`0` octal, each with an optional sign. (Its sexagesimal `1:30`
/// contains `:`, which already rules out the plain style.)
fn yaml11_int(s: &str) -> bool {
    let b = s.as_bytes();
    let i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits_from = |from: usize, ok: fn(u8) -> bool| {
        let rest = &b[from..];
        rest.iter().all(|&c| c == b'_' || ok(c))
            && rest.iter().any(|&c| c != b'_')
            && rest.last() != Some(&b'_')
    };
    match b.get(i) {
        None | Some(b'_') => false,
        Some(b'0') => match b.get(i + 1) {
            None => true,
            Some(b'b') => digits_from(i + 2, |c| matches!(c, b'0' | b'1')),
            Some(b'x') => digits_from(i + 2, |c| c.is_ascii_hexdigit()),
            Some(_) => digits_from(i + 1, |c| matches!(c, b'0'..=b'7')),
        },
        Some(_) => digits_from(i, |c| c.is_ascii_digit()),
    }
}

/// js-yaml's float pattern (without the sexagesimal form, which contains `:`)
/// and its rule that a float may not end with `_`.
fn yaml11_float(s: &str) -> bool {
    if s.ends_with('_') {
        return false;
    }
    let b = s.as_bytes();
    let unsigned = match b.first() {
        Some(b'-' | b'+') => &b[1..],
        _ => b,
    };
    if matches!(unsigned, b".inf" | b".Inf" | b".INF") || matches!(b, b".nan" | b".NaN" | b".NAN") {
        return true;
    }
    let digits = |c: &u8| c.is_ascii_digit() || *c == b'_';
    // `.2e4`, `.2` (no sign).
    if let Some(rest) = b.strip_prefix(b".") {
        let n = rest.iter().take_while(|c| digits(c)).count();
        return n > 0 && exponent(&rest[n..]);
    }
    // `2.5e4`, `2.5`, `2.`, `2e4`, `2` with an optional sign; the integer part
    // is `0` or starts with 1-9.
    let int_len = match unsigned.first() {
        Some(b'0') => 1,
        Some(b'1'..=b'9') => 1 + unsigned[1..].iter().take_while(|c| digits(c)).count(),
        _ => return false,
    };
    let mut rest = &unsigned[int_len..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| digits(c)).count();
        rest = &frac[n..];
    }
    exponent(rest)
}

/// Nothing, or `[eE][-+]?[0-9]+` to the end.
fn exponent(rest: &[u8]) -> bool {
    match rest {
        [] => true,
        [b'e' | b'E', tail @ ..] => {
            let tail = match tail {
                [b'-' | b'+', t @ ..] => t,
                t => t,
            };
            !tail.is_empty() && tail.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// `YYYY-MM-DD` (digits only; js-yaml resolves it to a date).
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[cfg(test)]
#[path = "emit_tests.rs"]
mod tests;
