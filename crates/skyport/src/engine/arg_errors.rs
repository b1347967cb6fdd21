//! Messages for tool arguments that fail their input schema: each names the
//! field and the rule, and for a choice between fixed values (an enum, which
//! schemars writes as `oneOf`/`anyOf` of `const`s) lists the values, so the
//! model can correct the call in one step.

use serde_json::Value;

/// Validates `args`; `None` when valid, else up to five problems, one per
/// field, joined with `; `.
pub(crate) fn validation_problem(
    validator: &jsonschema::Validator,
    schema: &serde_json::Map<String, Value>,
    args: &Value,
) -> Option<String> {
    if validator.is_valid(args) {
        return None;
    }
    // Only failures pay for this copy.
    let schema = &Value::Object(schema.clone());
    let problems: Vec<String> = validator
        .iter_errors(args)
        .take(5)
        .map(|e| {
            let path = e.instance_path().to_string();
            let at = if path.is_empty() {
                "(arguments)".to_owned()
            } else {
                format!("`{path}`")
            };
            let choice = matches!(
                e.kind(),
                jsonschema::error::ValidationErrorKind::AnyOf { .. }
                    | jsonschema::error::ValidationErrorKind::OneOfNotValid { .. }
            );
            match choice
                .then(|| allowed_values(schema, e.schema_path().as_str()))
                .flatten()
            {
                Some(allowed) => format!(
                    "{at}: {} is not one of the allowed values: {allowed}",
                    e.instance()
                ),
                None => format!("{at}: {e}"),
            }
        })
        .collect();
    Some(problems.join("; "))
}

/// The node at a JSON pointer into `schema`, following `$ref` segments
/// (validators report paths through references, e.g. `/properties/tier/$ref/oneOf`).
fn resolve<'a>(schema: &'a Value, pointer: &str) -> Option<&'a Value> {
    let mut node = schema;
    for raw in pointer.split('/').skip(1) {
        let seg = raw.replace("~1", "/").replace("~0", "~");
        node = if seg == "$ref" {
            follow(schema, node)?
        } else {
            match node {
                Value::Object(m) => m.get(&seg)?,
                Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            }
        };
    }
    Some(node)
}

/// The target of `node`'s local `$ref` (`#/$defs/...`).
fn follow<'a>(schema: &'a Value, node: &'a Value) -> Option<&'a Value> {
    let target = node.get("$ref")?.as_str()?.strip_prefix('#')?;
    schema.pointer(target)
}

/// The fixed values a `oneOf`/`anyOf` at `pointer` allows, when every
/// branch is a constant, an enum, a reference to one, or `null`.
fn allowed_values(schema: &Value, pointer: &str) -> Option<String> {
    let mut values = Vec::new();
    for branch in resolve(schema, pointer)?.as_array()? {
        values_of(schema, branch, &mut values, 0)?;
    }
    (!values.is_empty()).then(|| values.join(", "))
}

fn values_of(schema: &Value, node: &Value, out: &mut Vec<String>, depth: u8) -> Option<()> {
    if depth > 4 {
        return None;
    }
    if let Some(c) = node.get("const") {
        out.push(c.to_string());
    } else if let Some(e) = node.get("enum").and_then(Value::as_array) {
        out.extend(e.iter().map(Value::to_string));
    } else if node.get("type").and_then(Value::as_str) == Some("null") {
        // `null` is allowed too, but nobody passes it on purpose.
    } else if node.get("$ref").is_some() {
        values_of(schema, follow(schema, node)?, out, depth + 1)?;
    } else {
        let branches = node
            .get("oneOf")
            .or_else(|| node.get("anyOf"))?
            .as_array()?;
        for b in branches {
            values_of(schema, b, out, depth + 1)?;
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problem(schema: Value, args: Value) -> String {
        let v = jsonschema::validator_for(&schema).unwrap();
        let Value::Object(map) = schema else {
            unreachable!("test schemas are objects")
        };
        validation_problem(&v, &map, &args).unwrap_or_default()
    }

    #[test]
    fn choices_list_their_values() {
        let schema = json!({
            "type": "object",
            "properties": {
                "tier": { "$ref": "#/$defs/Tier" },
                "sort": { "anyOf": [{ "$ref": "#/$defs/Sort" }, { "type": "null" }] }
            },
            "$defs": {
                "Tier": { "oneOf": [
                    { "const": "basic", "description": "free" },
                    { "const": "plus", "description": "paid" }
                ] },
                "Sort": { "type": "string", "enum": ["relevance", "rating"] }
            }
        });
        let p = problem(schema.clone(), json!({ "tier": "gold" }));
        assert!(
            p.contains("`/tier`") && p.contains("\"basic\", \"plus\""),
            "{p}"
        );
        let p = problem(schema, json!({ "sort": "cheapest" }));
        assert!(
            p.contains("`/sort`") && p.contains("\"relevance\", \"rating\""),
            "{p}"
        );
    }

    #[test]
    fn other_rules_keep_the_validators_words() {
        let schema = json!({
            "type": "object",
            "properties": { "n": { "type": "integer", "maximum": 99 },
                            "x": { "anyOf": [{ "type": "string" }, { "type": "integer" }] } }
        });
        let p = problem(schema.clone(), json!({ "n": 100 }));
        assert!(p.contains("`/n`") && p.contains("99"), "{p}");
        let p = problem(schema.clone(), json!({ "x": 1.5 }));
        assert!(p.contains("`/x`") && !p.contains("allowed values"), "{p}");
        assert!(problem(schema, json!({ "n": 5 })).is_empty());
    }
}
