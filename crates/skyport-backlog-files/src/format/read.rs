//! Reads the front matter with yaml-rust2's event parser: the value of every
//! top-level key, and the exact text (lines) each key occupies, so unknown keys
//! can be written back verbatim.

use std::collections::HashMap;

use serde_json::Value;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Nodes a front matter may hold once aliases are expanded: a guard against
/// "billion laughs" documents.
const MAX_NODES: usize = 100_000;
/// Nesting depth a front matter may reach.
const MAX_DEPTH: usize = 64;

/// A YAML node as written, before typing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// A scalar: its text, and whether it was plain (unquoted, untagged), so
    /// `null`, `true` or `12` may stand for something other than text.
    Scalar { text: String, plain: bool },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order.
    Map(Vec<(Node, Node)>),
}

impl Node {
    fn size(&self) -> usize {
        match self {
            Node::Scalar { .. } => 1,
            Node::Seq(items) => 1 + items.iter().map(Node::size).sum::<usize>(),
            Node::Map(pairs) => {
                1 + pairs
                    .iter()
                    .map(|(k, v)| k.size() + v.size())
                    .sum::<usize>()
            }
        }
    }

    /// True for a plain scalar YAML reads as null (`~`, `null`, nothing).
    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Node::Scalar { text, plain: true } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The value as JSON, typed by YAML 1.2's core schema.
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Node::Scalar { text, plain: false } => Value::String(text.clone()),
            Node::Scalar { text, plain: true } => plain_scalar(text),
            Node::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Node::Map(pairs) => Value::Object(
                pairs
                    .iter()
                    .map(|(k, v)| {
                        let key = match k {
                            Node::Scalar { text, .. } => text.clone(),
                            other => other.to_json().to_string(),
                        };
                        (key, v.to_json())
                    })
                    .collect(),
            ),
        }
    }
}

/// A plain scalar typed by the core schema; non-finite floats stay text
/// (JSON has no NaN).
fn plain_scalar(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let radix = |prefix: &str, radix: u32| {
        text.strip_prefix(prefix)
            .filter(|d| !d.is_empty())
            .and_then(|d| i64::from_str_radix(d, radix).ok())
    };
    if let Some(n) = radix("0x", 16).or_else(|| radix("0o", 8)) {
        return Value::from(n);
    }
    if !unsigned.is_empty()
        && unsigned.bytes().all(|b| b.is_ascii_digit())
        && let Ok(n) = text.parse::<i64>()
    {
        return Value::from(n);
    }
    let float_like = unsigned
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || b == b'.')
        && unsigned
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if float_like
        && let Some(n) = text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
    {
        return Value::Number(n);
    }
    Value::String(text.to_owned())
}

/// One top-level key of the front matter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// The key.
    pub(crate) key: String,
    /// Its value.
    pub(crate) value: Node,
    /// The lines it occupies, from the key's line to the next key's, as written.
    pub(crate) yaml: String,
}

/// The front matter read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FrontMatterText {
    /// Lines before the first key (comments, directives); usually empty.
    pub(crate) preamble: String,
    /// The keys in document order.
    pub(crate) entries: Vec<Entry>,
}

/// Why the front matter could not be read. `line` counts from the file's first
/// line (the opening `---`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ReadError {
    /// Not YAML.
    Syntax {
        line: usize,
        column: usize,
        reason: String,
    },
    /// YAML, but not a mapping of keys, one per line.
    Shape(String),
}

enum Frame {
    Seq(Vec<Node>, usize),
    Map(Vec<(Node, Node)>, Option<Node>, usize),
}

#[derive(Default)]
struct Reader {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    key_lines: Vec<usize>,
    nodes: usize,
    error: Option<String>,
}

impl Reader {
    fn fail(&mut self, reason: String) {
        self.error.get_or_insert(reason);
    }

    /// At a key of the top-level mapping: remember its line.
    fn note_key(&mut self, mark: Marker) {
        if let [Frame::Map(_, None, _)] = self.stack.as_slice() {
            self.key_lines.push(mark.line());
        }
    }

    fn open(&mut self, frame: Frame) {
        if self.stack.len() >= MAX_DEPTH {
            self.fail(format!("it nests deeper than {MAX_DEPTH} levels"));
        }
        self.stack.push(frame);
    }

    fn add(&mut self, node: Node, anchor: usize) {
        self.nodes += node.size();
        if self.nodes > MAX_NODES {
            self.fail(format!(
                "it holds more than {MAX_NODES} values (aliases included)"
            ));
            return;
        }
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None if self.root.is_some() => self.fail(
                "it holds several YAML documents: keep one mapping between the `---` lines".into(),
            ),
            None => self.root = Some(node),
            Some(Frame::Seq(items, _)) => items.push(node),
            Some(Frame::Map(pairs, key, _)) => match key.take() {
                None => *key = Some(node),
                Some(k) => pairs.push((k, node)),
            },
        }
    }
}

impl MarkedEventReceiver for Reader {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                self.note_key(mark);
                let plain = style == TScalarStyle::Plain && tag.is_none();
                self.add(Node::Scalar { text, plain }, anchor);
            }
            Event::Alias(id) => {
                self.note_key(mark);
                match self.anchors.get(&id).cloned() {
                    Some(node) => self.add(node, 0),
                    None => self.fail("it uses an alias (`*name`) with no anchor".into()),
                }
            }
            Event::SequenceStart(anchor, _) => {
                self.note_key(mark);
                self.open(Frame::Seq(Vec::new(), anchor));
            }
            Event::MappingStart(anchor, _) => {
                self.note_key(mark);
                self.open(Frame::Map(Vec::new(), None, anchor));
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Seq(items, anchor)) => self.add(Node::Seq(items), anchor),
                Some(Frame::Map(pairs, _, anchor)) => self.add(Node::Map(pairs), anchor),
                None => self.fail("it closes a collection it never opened".into()),
            },
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

/// Reads the YAML between the `---` lines. `first_line` is the file line the
/// YAML starts on, for messages.
pub(crate) fn read(yaml: &str, first_line: usize) -> Result<FrontMatterText, ReadError> {
    let mut reader = Reader::default();
    let mut parser = Parser::new_from_str(yaml);
    if let Err(e) = parser.load(&mut reader, true) {
        return Err(ReadError::Syntax {
            line: e.marker().line() + first_line - 1,
            // yaml-rust2 counts columns from 0.
            column: e.marker().col() + 1,
            reason: e.info().to_owned(),
        });
    }
    if let Some(reason) = reader.error {
        return Err(ReadError::Shape(reason));
    }
    let pairs = match reader.root {
        Some(Node::Map(pairs)) => pairs,
        None => return Err(ReadError::Shape("it is empty".into())),
        Some(_) => {
            return Err(ReadError::Shape(
                "it is not a mapping of keys (`id: …`, `title: …`)".into(),
            ));
        }
    };
    let lines: Vec<&str> = yaml.split_inclusive('\n').collect();
    let starts = &reader.key_lines;
    if starts.len() != pairs.len() || starts.windows(2).any(|w| w[0] >= w[1]) {
        return Err(ReadError::Shape(
            "its keys must be one per line (`key: value`), not a `{…}` mapping".into(),
        ));
    }
    let text = |from: usize, to: usize| -> String {
        lines
            .get(from.min(lines.len())..to.min(lines.len()))
            .unwrap_or_default()
            .concat()
    };
    let mut entries = Vec::with_capacity(pairs.len());
    for (i, (key, value)) in pairs.into_iter().enumerate() {
        let key = match key {
            Node::Scalar { text, .. } => text,
            _ => {
                return Err(ReadError::Shape(format!(
                    "the key on line {} is not plain text",
                    starts[i] + first_line - 1
                )));
            }
        };
        if entries.iter().any(|e: &Entry| e.key == key) {
            return Err(ReadError::Shape(format!(
                "the key `{key}` appears twice: keep one"
            )));
        }
        let end = starts.get(i + 1).map_or(lines.len(), |l| l - 1);
        entries.push(Entry {
            key,
            value,
            yaml: text(starts[i] - 1, end),
        });
    }
    let preamble = starts.first().map_or(String::new(), |l| text(0, l - 1));
    Ok(FrontMatterText { preamble, entries })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entries(yaml: &str) -> Vec<(String, String)> {
        read(yaml, 2)
            .unwrap()
            .entries
            .into_iter()
            .map(|e| (e.key, e.yaml))
            .collect()
    }

    #[test]
    fn splits_top_level_keys_into_their_lines() {
        let yaml = "id: T-1\nreferences:\n  - url: https://x.y/1\n    title: One\n# note\ntags:\n- a\n- b\nlast: |\n  text\n\n  more\n";
        let got = entries(yaml);
        let keys: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["id", "references", "tags", "last"]);
        assert_eq!(
            got[1].1,
            "references:\n  - url: https://x.y/1\n    title: One\n# note\n"
        );
        assert_eq!(got[2].1, "tags:\n- a\n- b\n");
        assert_eq!(got[3].1, "last: |\n  text\n\n  more\n");
        let concat: String = got.iter().map(|(_, y)| y.as_str()).collect();
        assert_eq!(concat, yaml);
    }

    #[test]
    fn types_values_by_the_core_schema() {
        let fm = read(
            "a: 12\nb: '12'\nc: true\nd: ~\ne: 1.5\nf: 2026-01-25T10:00:00Z\ng: [x, {y: 0x1F}]\nh: &r x\ni: *r\nj: .inf\n",
            2,
        )
        .unwrap();
        let obj: serde_json::Map<String, Value> = fm
            .entries
            .iter()
            .map(|e| (e.key.clone(), e.value.to_json()))
            .collect();
        assert_eq!(
            Value::Object(obj),
            json!({"a": 12, "b": "12", "c": true, "d": null, "e": 1.5,
                   "f": "2026-01-25T10:00:00Z", "g": ["x", {"y": 31}], "h": "x", "i": "x",
                   "j": ".inf"})
        );
    }

    #[test]
    fn refuses_what_is_not_a_block_mapping() {
        for (yaml, want) in [
            ("", "empty"),
            ("# only a comment\n", "empty"),
            ("- a\n- b\n", "not a mapping"),
            ("just text\n", "not a mapping"),
            ("{id: 1, title: x}\n", "one per line"),
            ("id: 1\nid: 2\n", "appears twice"),
            ("? [a, b]\n: c\n", "not plain text"),
            ("a: &x [*x]\n", "alias"),
        ] {
            match read(yaml, 2) {
                Err(ReadError::Shape(reason)) => {
                    assert!(reason.contains(want), "{yaml:?}: {reason}")
                }
                other => panic!("{yaml:?}: {other:?}"),
            }
        }
        match read("title: [unclosed\nid: 1\n", 2) {
            Err(ReadError::Syntax { line, .. }) => assert!(line >= 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn guards_against_alias_bombs_and_deep_nesting() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (i, prev) in ["b", "c", "d", "e", "f", "g"]
            .iter()
            .zip(["a", "b", "c", "d", "e", "f"])
        {
            bomb.push_str(&format!(
                "{i}: &{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        assert!(matches!(read(&bomb, 2), Err(ReadError::Shape(r)) if r.contains("more than")));
        let deep = format!("a: {}{}\n", "[".repeat(200), "]".repeat(200));
        assert!(matches!(read(&deep, 2), Err(ReadError::Shape(r)) if r.contains("deeper")));
    }
}
