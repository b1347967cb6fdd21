use super::*;

const MINIMAL: &str = "---\nid: TASK-0001\ntitle: Fix the login bug\nstatus: open\ncreated_at: '2026-01-25T10:00:00.000Z'\nupdated_at: '2026-01-25T10:00:00.000Z'\n---\nThe description, in markdown.\n";

fn fixtures() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/backlog/tasks");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("fixtures")
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    files.sort();
    assert!(files.len() >= 8, "fixtures missing");
    files
}

fn err(text: &str) -> ParseError {
    parse(text).expect_err(text)
}

#[test]
fn reads_the_known_keys_and_the_description() {
    let t = parse(MINIMAL).unwrap();
    assert_eq!(t.id, "TASK-0001");
    assert_eq!(t.title, "Fix the login bug");
    assert_eq!(t.status, "open");
    assert_eq!(t.priority, None);
    assert_eq!(t.created_at, Some(1_769_335_200_000));
    assert_eq!(t.updated_at, t.created_at);
    assert_eq!(t.description, "The description, in markdown.");
    let fm = t.front_matter.unwrap();
    assert_eq!(
        fm.order,
        ["id", "title", "status", "created_at", "updated_at"]
    );
    assert!(fm.unknown.is_empty() && fm.verbatim.is_empty());
}

#[test]
fn every_fixture_is_written_back_byte_for_byte() {
    for (name, text) in fixtures() {
        let t = parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(write(&t), text, "{name}");
        assert!(
            t.front_matter.as_ref().unwrap().verbatim.is_empty(),
            "{name}: gray-matter's own output needs no verbatim keys"
        );
    }
}

#[test]
fn unknown_keys_keep_their_text_and_value() {
    let text = "---\nid: T-1\ntitle: x\nstatus: open\nreferences:\n  - url: https://x.y/1\n    title: One\ntype: epic\n---\n";
    let t = parse(text).unwrap();
    let fm = t.front_matter.as_ref().unwrap();
    assert_eq!(fm.unknown[0].key, "references");
    assert_eq!(
        fm.unknown[0].yaml,
        "references:\n  - url: https://x.y/1\n    title: One\n"
    );
    assert_eq!(
        fm.unknown[0].value,
        serde_json::json!([{"url": "https://x.y/1", "title": "One"}])
    );
    assert_eq!(fm.unknown[1].value, serde_json::json!("epic"));
    assert_eq!(write(&t), format!("{text}\n"));
}

#[test]
fn hand_written_known_keys_come_back_as_written_until_they_change() {
    let text = "---\n# made by hand\nid: 42\ntitle: \"double quoted\" # why\nstatus: open\nepic_id: null\ntags: [a, b]\ncreated_at: 2026-01-25T10:00:00Z\nsprint:\n---\n\nBody\n\n";
    let mut t = parse(text).unwrap();
    assert_eq!((t.id.as_str(), t.title.as_str()), ("42", "double quoted"));
    assert_eq!((t.epic.as_deref(), t.sprint.as_deref()), (None, None));
    assert_eq!(t.tags, ["a", "b"]);
    let want = "---\n# made by hand\nid: 42\ntitle: \"double quoted\" # why\nstatus: open\nepic_id: null\ntags: [a, b]\ncreated_at: 2026-01-25T10:00:00Z\nsprint:\n---\nBody\n";
    assert_eq!(write(&t), want);
    t.title = "new".into();
    t.epic = Some("E-1".into());
    t.tags.push("c".into());
    assert_eq!(
        write(&t),
        "---\n# made by hand\nid: 42\ntitle: new\nstatus: open\nepic_id: E-1\ntags:\n  - a\n  - b\n  - c\ncreated_at: 2026-01-25T10:00:00Z\nsprint:\n---\nBody\n"
    );
}

#[test]
fn changes_touch_only_their_keys() {
    let mut t = parse(MINIMAL).unwrap();
    t.status = "done".into();
    assert_eq!(write(&t), MINIMAL.replace("status: open", "status: done"));
    // `medium` is the default: not written for a file that had no priority.
    t.priority = Some("medium".into());
    assert_eq!(write(&t), MINIMAL.replace("status: open", "status: done"));
    // Newly set keys follow the recorded ones, in the default order.
    t.priority = Some("urgent".into());
    t.sprint = Some("2026-W49".into());
    t.tags = vec!["bug".into()];
    assert!(
        write(&t).ends_with(
            "updated_at: '2026-01-25T10:00:00.000Z'\npriority: urgent\nsprint: 2026-W49\ntags:\n  - bug\n---\nThe description, in markdown.\n"
        ),
        "{}",
        write(&t)
    );
    // An unset key is dropped.
    let mut e = parse("---\nid: T-1\ntitle: x\nstatus: open\nepic_id: E-1\n---\n").unwrap();
    e.epic = None;
    assert_eq!(write(&e), "---\nid: T-1\ntitle: x\nstatus: open\n---\n\n");
}

#[test]
fn tasks_made_in_skyport_use_the_default_order() {
    let t = TaskFile {
        id: "T-7".into(),
        title: "Ship: v2".into(),
        status: "in_progress".into(),
        priority: Some("medium".into()),
        epic: Some("Auth".into()),
        sprint: None,
        assignee: Some("ada".into()),
        tags: vec![],
        created_at: Some(0),
        updated_at: Some(1),
        description: String::new(),
        front_matter: None,
    };
    assert_eq!(
        write(&t),
        "---\nid: T-7\ntitle: 'Ship: v2'\nstatus: in_progress\nepic_id: Auth\nassignee: ada\ncreated_at: '1970-01-01T00:00:00.000Z'\nupdated_at: '1970-01-01T00:00:00.001Z'\n---\n\n"
    );
    let back = parse(&write(&t)).unwrap();
    assert_eq!((back.title, back.epic), (t.title, t.epic));
}

#[test]
fn parse_errors_say_what_is_wrong() {
    let cases: Vec<(String, &str)> = vec![
        (
            "no front matter\n".into(),
            "does not start with a `---` line",
        ),
        (String::new(), "does not start"),
        ("---\nid: T-1\ntitle: x\n".into(), "never closed"),
        (
            "---\nid: T-1\ntitle: [x\n---\n".into(),
            "not valid YAML (line 4",
        ),
        ("---\n---\nbody".into(), "is empty"),
        ("---\n- a\n---\n".into(), "not a mapping"),
        ("---\ntitle: x\nstatus: open\n---\n".into(), "no `id`"),
        ("---\nid: T-1\nstatus: open\n---\n".into(), "no `title`"),
        ("---\nid: T-1\ntitle: x\n---\n".into(), "no `status`"),
        (
            "---\nid: T-1\ntitle: ~\nstatus: open\n---\n".into(),
            "no `title`",
        ),
        (
            "---\nid: T-1\ntitle: x\nstatus: later\n---\n".into(),
            "use one of open, in_progress, blocked, done, cancelled",
        ),
        (
            "---\nid: T-1\ntitle: x\nstatus: open\npriority: p1\n---\n".into(),
            "use one of low, medium, high, urgent",
        ),
        (
            "---\nid: ../x\ntitle: x\nstatus: open\n---\n".into(),
            "A-Z a-z 0-9",
        ),
        (
            "---\nid: ..\ntitle: x\nstatus: open\n---\n".into(),
            "A-Z a-z 0-9",
        ),
        (
            "---\nid: T-1\ntitle: '   '\nstatus: open\n---\n".into(),
            "1 to 200",
        ),
        (
            format!(
                "---\nid: T-1\ntitle: {}\nstatus: open\n---\n",
                "x".repeat(201)
            ),
            "1 to 200",
        ),
        (
            "---\nid: T-1\ntitle: \"a\\tb\"\nstatus: open\n---\n".into(),
            "control characters",
        ),
        (
            "---\nid: T-1\ntitle: [x]\nstatus: open\n---\n".into(),
            "`title` must be text",
        ),
        (
            "---\nid: T-1\ntitle: x\nstatus: open\ntags: bug\n---\n".into(),
            "list of words",
        ),
        (
            "---\nid: T-1\ntitle: x\nstatus: open\ntags: ['']\n---\n".into(),
            "1 to 40",
        ),
        (
            "---\nid: T-1\ntitle: x\nstatus: open\ncreated_at: yesterday\n---\n".into(),
            "not an ISO 8601 time",
        ),
        (
            "---\nid: T-1\ntitle: x\nstatus: open\nepic: a\nepic_id: b\n---\n".into(),
            "both `epic` and `epic_id`",
        ),
        (
            "---\nid: T-1\nid: T-2\ntitle: x\nstatus: open\n---\n".into(),
            "appears twice",
        ),
        (
            format!(
                "---\nid: T-1\ntitle: x\nstatus: open\nsprint: {}\n---\n",
                "s".repeat(101)
            ),
            "at most 100",
        ),
        (
            format!(
                "---\nid: T-1\ntitle: x\nstatus: open\n---\n{}",
                "d".repeat(20_001)
            ),
            "at most 20,000",
        ),
    ];
    for (text, want) in cases {
        let e = err(&text).to_string();
        assert!(e.contains(want), "{text:?}\n  gave: {e}\n  want: {want}");
    }
    assert_eq!(parse_bytes(&[0xff, 0xfe]), Err(ParseError::NotText));
    assert_eq!(
        parse_bytes(&vec![b'x'; MAX_FILE_BYTES + 1]),
        Err(ParseError::TooLarge)
    );
}

#[test]
fn crlf_and_byte_order_marks_are_read() {
    let crlf = format!("\u{FEFF}{}", MINIMAL.replace('\n', "\r\n"));
    let t = parse(&crlf).unwrap();
    assert_eq!(write(&t), MINIMAL);
}

/// xorshift: a reproducible stream without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const NASTY: &[&str] = &[
    "---",
    "---\n",
    "---\n---",
    "---\n---\n",
    "----\n",
    "--- \n---\n",
    "\n---\n",
    "---\n:\n---\n",
    "---\n? \n---\n",
    "---\n&a\n---\n",
    "---\n*a\n---\n",
    "---\n!!binary x\n---\n",
    "---\n%YAML 1.2\n---\n",
    "---\n...\n---\n",
    "---\nid: !!str\n---\n",
    "---\n'\n---\n",
    "---\n\"\\\n---\n",
    "---\nid: |\n---\n",
    "---\n\t\n---\n",
    "---\n\u{0}\n---\n",
    "---\nid: T-1\ntitle: x\nstatus: open\n...\n---\n",
    "---\n[[[[[[[[\n---\n",
    "---\n{a: {b: {c: [1, 2, {d: e}]}}}\n---\n",
    "---\n- - - -\n---\n",
    "---\nid: \u{1F680}\n---\n",
    "---\nid: T-1\ntitle: \"\\U0010FFFF\"\nstatus: open\n---\n",
];

/// Whatever the input: no panic, and a file that parses writes back into
/// one that parses to the same task.
#[test]
fn never_panics_and_what_parses_writes_back_stably() {
    let alphabet: Vec<char> = "-:\n \t#'\"[]{},&*!|>?%@`~\\x0é\u{1F680}\r"
        .chars()
        .collect();
    let mut seeds: Vec<String> = fixtures().into_iter().map(|(_, t)| t).collect();
    seeds.push(MINIMAL.to_owned());
    seeds.extend(NASTY.iter().map(|s| (*s).to_owned()));
    let seed = std::env::var("BACKLOG_FILES_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x9E37_79B9_7F4A_7C15);
    let mut rng = Rng(seed);
    let mut inputs: Vec<String> = seeds.clone();
    // `BACKLOG_FILES_FUZZ=1000000 cargo test` for a longer run.
    let rounds = std::env::var("BACKLOG_FILES_FUZZ")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    for _ in 0..rounds {
        let mut chars: Vec<char> = seeds[rng.below(seeds.len())].chars().collect();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(chars.len() + 1);
            match rng.below(3) {
                0 => chars.insert(at, alphabet[rng.below(alphabet.len())]),
                1 if at < chars.len() => {
                    chars.remove(at);
                }
                _ => {
                    let len = rng.below(8).min(chars.len() - at.min(chars.len()));
                    let piece: Vec<char> = chars[at.min(chars.len())..][..len].to_vec();
                    let to = rng.below(chars.len() + 1);
                    chars.splice(to..to, piece);
                }
            }
        }
        inputs.push(chars.into_iter().collect());
    }
    let mut parsed = 0;
    for input in &inputs {
        let Ok(t) = parse(input) else { continue };
        parsed += 1;
        let again = parse(&write(&t))
            .unwrap_or_else(|e| panic!("{input:?} wrote\n{}\nwhich fails: {e}", write(&t)));
        let fields = |t: &TaskFile| {
            (
                t.id.clone(),
                t.title.clone(),
                t.status.clone(),
                t.priority.clone(),
                (t.epic.clone(), t.sprint.clone(), t.assignee.clone()),
                t.tags.clone(),
                (t.created_at, t.updated_at),
                t.description.clone(),
            )
        };
        assert_eq!(fields(&again), fields(&t), "{input:?}");
        assert_eq!(write(&again), write(&t), "{input:?}");
    }
    assert!(parsed > 800, "only {parsed} mutated files parsed");
}

/// Each string js-yaml's table holds, written as a title-like value, reads
/// back as the same string.
#[test]
fn written_strings_read_back_unchanged() {
    let cases: Vec<(String, String, String)> =
        serde_json::from_str(include_str!("../../tests/fixtures/js-yaml-cases.json")).unwrap();
    let text = |n: &read::Node| match n {
        read::Node::Scalar { text, .. } => text.clone(),
        other => panic!("not a scalar: {other:?}"),
    };
    for (s, entry, list) in cases {
        let fm = read::read(&format!("{entry}{list}"), 2).unwrap();
        assert_eq!(text(&fm.entries[0].value), s, "{entry}");
        match &fm.entries[1].value {
            read::Node::Seq(items) if items.len() == 1 => assert_eq!(text(&items[0]), s, "{list}"),
            other => panic!("{list}: {other:?}"),
        }
    }
}
