use super::*;

/// `[input, js-yaml's dump of {k: input}, its dump of {tags: [input]}]`,
/// produced by js-yaml 3.15 (`safeDump`, the engine of gray-matter 4).
const JS_YAML_CASES: &str = include_str!("../../tests/fixtures/js-yaml-cases.json");

fn check_cases(json: &str) -> usize {
    let cases: Vec<(String, String, String)> = serde_json::from_str(json).expect("cases");
    let mut failures = Vec::new();
    for (input, entry, list) in &cases {
        let got = string_entry("k", input);
        if &got != entry {
            failures.push(format!(
                "{input:?}\n  js-yaml: {entry:?}\n  ours:    {got:?}"
            ));
        }
        let got = list_entry("tags", std::slice::from_ref(input));
        if &got != list {
            failures.push(format!(
                "[{input:?}]\n  js-yaml: {list:?}\n  ours:    {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    cases.len()
}

#[test]
fn every_js_yaml_case_matches() {
    assert!(check_cases(JS_YAML_CASES) > 100);
}

/// More cases from a file in the same format (e.g. thousands of random
/// strings dumped by js-yaml): `JS_YAML_CASES=/path/cases.json cargo test`.
#[test]
fn extra_js_yaml_cases_from_env() {
    if let Ok(path) = std::env::var("JS_YAML_CASES") {
        let json = std::fs::read_to_string(&path).expect("read JS_YAML_CASES");
        println!("{} cases from {path} match", check_cases(&json));
    }
}

#[test]
fn quoting_rules() {
    let cases = [
        ("plain words", "plain words"),
        ("2026", "'2026'"),
        ("true", "'true'"),
        ("yes", "'yes'"),
        ("~", "'~'"),
        ("null", "'null'"),
        ("1e5", "'1e5'"),
        ("0x1F", "'0x1F'"),
        ("2026-01-25", "'2026-01-25'"),
        ("a: b", "'a: b'"),
        ("a #b", "'a #b'"),
        ("a#b", "a#b"),
        ("- x", "'- x'"),
        ("it's", "it's"),
        ("'q'", "'''q'''"),
        ("", "''"),
        ("tab\tx", "\"tab\\tx\""),
        ("\u{1F680}", "\"\\U0001F680\""),
        ("a\nb", "|-\n  a\n  b"),
        ("a\n", "|\n  a"),
        ("a\n\n", "|+\n  a\n"),
        (" a\nb", "|2-\n   a\n  b"),
    ];
    for (input, want) in cases {
        assert_eq!(scalar(input, 1), want, "{input:?}");
    }
}

#[test]
fn long_strings_fold_at_the_width() {
    let title = "word ".repeat(30);
    let title = title.trim_end();
    let out = string_entry("title", title);
    assert!(out.starts_with("title: >-\n  word"), "{out}");
    assert!(out.lines().all(|l| l.len() <= 80), "{out}");
    // No space to break at: one long line, still folded style.
    let url = format!("https://example.com/{}", "a".repeat(90));
    assert_eq!(string_entry("u", &url), format!("u: >-\n  {url}\n"));
}

#[test]
fn implicit_types() {
    for typed in [
        "0",
        "-0",
        "+12",
        "1_000",
        "017",
        "0b1",
        "0x_F",
        "1.",
        "-1.5e3",
        ".5",
        "._1",
        ".inf",
        "-.INF",
        ".NaN",
        "2026-12-02",
        "<<",
        "NULL",
        "False",
    ] {
        assert!(implicitly_typed(typed), "{typed}");
    }
    for text in [
        "09", "0b", "0x", "1_", "._", "+.nan", "1.2.3", "e5", "-", "+", "0o17", "2026-1-2",
        "nulls", "1e", "1e+",
    ] {
        assert!(!implicitly_typed(text), "{text}");
    }
}
