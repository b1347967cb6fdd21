//! From user text to a safe FTS5 expression, with typo correction.
//!
//! User text is never handed to FTS5 as query syntax. It is split into words here (runs
//! of letters and digits), and each word is written as a quoted FTS5 string, so quotes,
//! `*`, `AND`/`OR`/`NOT`, `NEAR(`, `-`, `^`, column filters and the like are just text.
//! A word inside quotes cannot contain a quote, because words are letters and digits only.

use std::collections::HashMap;

/// At most this much of the text is read: nobody types a 10 KB product search, and the
/// cap keeps the cost of a hostile one bounded.
const MAX_TEXT_CHARS: usize = 512;
/// At most this many words are searched.
const MAX_TERMS: usize = 12;
/// Longer words are cut (no product word is this long).
const MAX_TERM_CHARS: usize = 40;

/// Words that say nothing about a product; dropped unless the query is only these.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "the", "for", "with", "of", "to", "in", "on", "or", "by", "my", "me", "i",
];

/// The index's vocabulary: every term, with how many products contain it.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    docs: HashMap<String, u32>,
    /// All terms, sorted, for prefix look-ups.
    sorted: Vec<String>,
    /// The length in chars of each entry of `sorted`.
    lengths: Vec<u16>,
    /// The [`signature`] of each entry of `sorted`.
    signatures: Vec<u64>,
}

impl Vocabulary {
    /// A vocabulary from `(term, document count)` pairs.
    pub(crate) fn new(terms: impl IntoIterator<Item = (String, u32)>) -> Self {
        let docs: HashMap<String, u32> = terms.into_iter().collect();
        let mut sorted: Vec<String> = docs.keys().cloned().collect();
        sorted.sort();
        let lengths = sorted
            .iter()
            .map(|t| t.chars().count().min(u16::MAX as usize) as u16)
            .collect();
        let signatures = sorted.iter().map(|t| signature(t)).collect();
        Self {
            docs,
            sorted,
            lengths,
            signatures,
        }
    }

    /// How many distinct terms the index holds.
    pub(crate) fn len(&self) -> usize {
        self.sorted.len()
    }

    fn contains(&self, term: &str) -> bool {
        self.docs.contains_key(term)
    }

    /// Whether some term is longer than `prefix` and starts with it.
    fn completes(&self, prefix: &str) -> bool {
        let from = self.sorted.partition_point(|t| t.as_str() <= prefix);
        self.sorted.get(from).is_some_and(|t| t.starts_with(prefix))
    }

    /// The closest term within `max` edits (a swap of neighbours counts as one): fewest
    /// edits first, then the term in most products, then alphabetical.
    fn closest(&self, word: &str, max: usize) -> Option<&str> {
        let len = word.chars().count();
        let sig = signature(word);
        let mut best: Option<(usize, u32, &str)> = None;
        for ((term, &term_len), &term_sig) in
            self.sorted.iter().zip(&self.lengths).zip(&self.signatures)
        {
            // Cheap lower bounds first: each edit changes the length by at most one and
            // the set of characters by at most two, so most terms are ruled out without
            // computing a distance.
            if (term_len as usize).abs_diff(len) > max
                || (sig ^ term_sig).count_ones() as usize > 2 * max
                || STOP_WORDS.contains(&term.as_str())
            {
                continue;
            }
            let distance = strsim::osa_distance(word, term);
            if distance == 0 || distance > max {
                continue;
            }
            let docs = self.docs.get(term).copied().unwrap_or(0);
            let better = match best {
                None => true,
                Some((d, n, _)) => distance < d || (distance == d && docs > n),
            };
            if better {
                best = Some((distance, docs, term));
            }
        }
        best.map(|(_, _, term)| term)
    }
}

/// The set of characters in `word` as bits: `a`-`z` and `0`-`9` have their own bit, any
/// other character shares one of 28 bits by its code point.
fn signature(word: &str) -> u64 {
    word.chars().fold(0u64, |bits, c| {
        let bit = match c {
            'a'..='z' => c as u32 - 'a' as u32,
            '0'..='9' => 26 + c as u32 - '0' as u32,
            _ => 36 + c as u32 % 28,
        };
        bits | 1 << bit
    })
}

/// What to ask the index for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// The FTS5 expression, or `None` when the text has no words (browse).
    pub(crate) expression: Option<String>,
    /// The words searched, when at least one was corrected.
    pub(crate) corrected: Option<String>,
}

/// Splits `text` into lower-case words of letters and digits.
pub(crate) fn words(text: &str) -> Vec<String> {
    let text: String = text.chars().take(MAX_TEXT_CHARS).collect();
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .take(MAX_TERM_CHARS)
                .collect::<String>()
                .to_lowercase()
        })
        .collect()
}

/// Plans the search for `text` against `vocab`.
///
/// Every word must match. For each word, in order of preference:
/// a known word is searched as is (with its singular/plural twin when the index has
/// one); the last word is also searched as a prefix (`fitn` finds `fitness`); an unknown
/// word of 3+ letters is replaced by the closest known word within 1 edit (words of up
/// to 5 letters) or 2 edits (longer words); anything else is searched as typed.
pub(crate) fn plan(text: &str, vocab: &Vocabulary) -> Plan {
    let all = words(text);
    let meaningful: Vec<String> = all
        .iter()
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .cloned()
        .collect();
    let mut words = if meaningful.is_empty() {
        all
    } else {
        meaningful
    };
    words.truncate(MAX_TERMS);
    if words.is_empty() {
        return Plan {
            expression: None,
            corrected: None,
        };
    }

    let last = words.len() - 1;
    let mut parts = Vec::with_capacity(words.len());
    let mut searched = Vec::with_capacity(words.len());
    let mut corrected = false;
    for (i, word) in words.iter().enumerate() {
        let is_last = i == last;
        let prefix_ok = is_last && word.chars().count() >= 2;
        let term = if vocab.contains(word) || (prefix_ok && vocab.completes(word)) {
            word.clone()
        } else if let Some(twin) = number_twin(word, vocab) {
            // "trackers" when the index only has "tracker": search the form it has. A
            // longer twin ("fitnes" -> "fitness") is a repaired word, so it is reported.
            corrected |= twin.len() > word.len();
            twin
        } else if let Some(fix) = correction(word, vocab) {
            corrected = true;
            fix.to_owned()
        } else {
            word.clone()
        };
        let mut alternatives = vec![quote(&term, prefix_ok)];
        if let Some(twin) = number_twin(&term, vocab).filter(|t| *t != term)
            && !prefix_ok
        {
            alternatives.push(quote(&twin, false));
        }
        parts.push(if alternatives.len() == 1 {
            alternatives.remove(0)
        } else {
            format!("({})", alternatives.join(" OR "))
        });
        searched.push(term);
    }
    // Explicit ANDs: FTS5 rejects an implicit AND after a parenthesized group.
    Plan {
        expression: Some(parts.join(" AND ")),
        corrected: corrected.then(|| searched.join(" ")),
    }
}

/// The singular or plural of `word` that the index knows, if any.
fn number_twin(word: &str, vocab: &Vocabulary) -> Option<String> {
    let candidates = [
        word.strip_suffix("es").map(str::to_owned),
        word.strip_suffix('s').map(str::to_owned),
        Some(format!("{word}s")),
        Some(format!("{word}es")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|c| c.chars().count() >= 2 && c != word && vocab.contains(c))
}

fn correction<'v>(word: &str, vocab: &'v Vocabulary) -> Option<&'v str> {
    let len = word.chars().count();
    if len < 3 || word.chars().all(|c| c.is_numeric()) {
        return None;
    }
    vocab.closest(word, if len <= 5 { 1 } else { 2 })
}

/// `word` as an FTS5 string (`"word"`, or `"word"*` for a prefix search). Words hold only
/// letters and digits, but a quote is doubled anyway so the function is safe on its own.
fn quote(word: &str, prefix: bool) -> String {
    let escaped = word.replace('"', "\"\"");
    if prefix {
        format!("\"{escaped}\"*")
    } else {
        format!("\"{escaped}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary::new(
            [
                ("fitness", 600),
                ("tracker", 300),
                ("trackers", 10),
                ("heart", 200),
                ("rate", 200),
                ("fit", 5),
                ("watch", 90),
                ("for", 900),
                ("mug", 3),
            ]
            .into_iter()
            .map(|(t, n)| (t.to_owned(), n)),
        )
    }

    #[test]
    fn known_words_are_quoted_and_last_is_a_prefix() {
        let p = plan("heart rate", &vocab());
        assert_eq!(p.expression.as_deref(), Some(r#""heart" AND "rate"*"#));
        assert_eq!(p.corrected, None);
    }

    #[test]
    fn typos_are_corrected() {
        let p = plan("fitnes trakcer", &vocab());
        assert_eq!(p.expression.as_deref(), Some(r#""fitness" AND "tracker"*"#));
        assert_eq!(p.corrected.as_deref(), Some("fitness tracker"));
        assert_eq!(
            plan("fitnes heart", &vocab()).corrected.as_deref(),
            Some("fitness heart")
        );
        // Short words allow one edit only.
        assert_eq!(plan("wtch", &vocab()).corrected.as_deref(), Some("watch"));
        assert_eq!(plan("mgx", &vocab()).corrected, None);
    }

    #[test]
    fn prefix_of_the_last_word_is_not_a_typo() {
        let p = plan("fitn", &vocab());
        assert_eq!(p.expression.as_deref(), Some(r#""fitn"*"#));
        assert_eq!(p.corrected, None);
    }

    #[test]
    fn plurals_use_the_form_the_index_has() {
        let p = plan("trackers heart", &vocab());
        assert_eq!(
            p.expression.as_deref(),
            Some(r#"("trackers" OR "tracker") AND "heart"*"#)
        );
        let p = plan("watches heart", &vocab());
        assert_eq!(p.expression.as_deref(), Some(r#""watch" AND "heart"*"#));
        assert_eq!(p.corrected, None);
    }

    #[test]
    fn stop_words_are_dropped_unless_alone() {
        assert_eq!(
            plan("watch for the heart", &vocab()).expression.as_deref(),
            Some(r#""watch" AND "heart"*"#)
        );
        assert_eq!(
            plan("for", &vocab()).expression.as_deref(),
            Some(r#""for"*"#)
        );
    }

    #[test]
    fn syntax_is_only_text() {
        for text in [
            r#"" OR 1=1 --"#,
            "NEAR(a b)",
            "-watch",
            "title:watch",
            "watch*",
            "^heart",
            "a AND b NOT c",
        ] {
            let p = plan(text, &vocab());
            if let Some(e) = p.expression {
                // Every token is a quoted string, optionally followed by * — nothing else.
                for part in e.split(' ') {
                    let part = part.trim_start_matches('(').trim_end_matches(')');
                    if part == "OR" || part == "AND" {
                        continue;
                    }
                    assert!(
                        part.starts_with('"') && (part.ends_with('"') || part.ends_with("\"*")),
                        "{text} -> {part}"
                    );
                }
            }
        }
    }

    #[test]
    fn empty_and_punctuation_mean_browse() {
        for text in ["", "   ", "!!! ??? ...", "🙂🚀", "\"*-()"] {
            assert_eq!(plan(text, &vocab()).expression, None, "{text:?}");
        }
    }

    #[test]
    fn hostile_sizes_are_bounded() {
        let big = "watch ".repeat(2_000);
        let p = plan(&big, &vocab());
        assert_eq!(p.expression.unwrap().matches("watch").count(), MAX_TERMS);
        let long = "x".repeat(10_000);
        assert!(words(&long)[0].chars().count() <= MAX_TERM_CHARS);
    }
}
