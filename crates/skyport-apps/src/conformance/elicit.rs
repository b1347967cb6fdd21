//! The `elicitation/create` and `sampling/createMessage` requests the fixture tools send.

use serde_json::{Value, json};

/// The `sampling/createMessage` params for `prompt`.
pub fn sampling_params(prompt: &str) -> Value {
    json!({
        "messages": [{ "role": "user", "content": { "type": "text", "text": prompt } }],
        "maxTokens": 100,
    })
}

/// The `elicitation/create` params of `test_elicitation`: username and email, both required.
pub fn user_info_params(message: &str) -> Value {
    json!({
        "message": message,
        "requestedSchema": {
            "type": "object",
            "properties": {
                "username": { "type": "string", "description": "User's response" },
                "email": { "type": "string", "description": "User's email address" },
            },
            "required": ["username", "email"],
        },
    })
}

/// The `elicitation/create` params of `test_elicitation_sep1034_defaults`: every primitive with a default.
pub fn defaults_params() -> Value {
    json!({
        "message": "Please review and update the form fields with defaults",
        "requestedSchema": {
            "type": "object",
            "properties": {
                "name": { "type": "string", "description": "User name", "default": "John Doe" },
                "age": { "type": "integer", "description": "User age", "default": 30 },
                "score": { "type": "number", "description": "User score", "default": 95.5 },
                "status": {
                    "type": "string",
                    "description": "User status",
                    "enum": ["active", "inactive", "pending"],
                    "default": "active",
                },
                "verified": { "type": "boolean", "description": "Verification status", "default": true },
            },
        },
    })
}

/// The `elicitation/create` params of `test_elicitation_sep1330_enums`: the five enum shapes of SEP-1330.
pub fn enums_params() -> Value {
    json!({
        "message": "Please select options from the enum fields",
        "requestedSchema": {
            "type": "object",
            "properties": {
                "untitledSingle": {
                    "type": "string",
                    "description": "Select one option",
                    "enum": ["option1", "option2", "option3"],
                },
                "titledSingle": {
                    "type": "string",
                    "description": "Select one option with titles",
                    "oneOf": [
                        { "const": "value1", "title": "First Option" },
                        { "const": "value2", "title": "Second Option" },
                        { "const": "value3", "title": "Third Option" },
                    ],
                },
                "legacyEnum": {
                    "type": "string",
                    "description": "Select one option (legacy)",
                    "enum": ["opt1", "opt2", "opt3"],
                    "enumNames": ["Option One", "Option Two", "Option Three"],
                },
                "untitledMulti": {
                    "type": "array",
                    "description": "Select multiple options",
                    "minItems": 1,
                    "maxItems": 3,
                    "items": { "type": "string", "enum": ["option1", "option2", "option3"] },
                },
                "titledMulti": {
                    "type": "array",
                    "description": "Select multiple options with titles",
                    "minItems": 1,
                    "maxItems": 3,
                    "items": {
                        "anyOf": [
                            { "const": "value1", "title": "First Choice" },
                            { "const": "value2", "title": "Second Choice" },
                            { "const": "value3", "title": "Third Choice" },
                        ],
                    },
                },
            },
        },
    })
}

/// A one-line summary of an elicitation answer (`{action, content?}`).
pub fn describe_answer(answer: &Value) -> String {
    let action = answer
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or("unknown");
    match answer.get("content") {
        Some(c) if !c.is_null() => format!("User response: action={action}, content={c}"),
        _ => format!("User response: action={action}"),
    }
}

/// The text of a `sampling/createMessage` result (`content` is one block or an array).
pub fn sampled_text(result: &Value) -> Option<String> {
    let content = result.get("content")?;
    let blocks = match content {
        Value::Array(a) => a.iter().collect::<Vec<_>>(),
        one => vec![one],
    };
    let texts: Vec<&str> = blocks
        .iter()
        .filter_map(|b| b.get("text").and_then(Value::as_str))
        .collect();
    (!texts.is_empty()).then(|| texts.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_cover_every_primitive() {
        let p = defaults_params();
        let props = &p["requestedSchema"]["properties"];
        assert_eq!(props["name"]["default"], "John Doe");
        assert_eq!(props["age"]["default"], 30);
        assert_eq!(props["score"]["default"], 95.5);
        assert_eq!(props["status"]["default"], "active");
        assert_eq!(props["verified"]["default"], true);
    }

    #[test]
    fn enum_shapes_follow_sep1330() {
        let p = enums_params();
        let props = &p["requestedSchema"]["properties"];
        assert!(props["untitledSingle"].get("oneOf").is_none());
        assert!(props["titledSingle"].get("enum").is_none());
        assert_eq!(
            props["legacyEnum"]["enum"].as_array().unwrap().len(),
            props["legacyEnum"]["enumNames"].as_array().unwrap().len()
        );
        assert!(props["untitledMulti"]["items"].get("anyOf").is_none());
        assert!(props["titledMulti"]["items"].get("enum").is_none());
    }

    #[test]
    fn reads_sampling_and_elicitation_answers() {
        let r =
            json!({"role": "assistant", "content": {"type": "text", "text": "hi"}, "model": "m"});
        assert_eq!(sampled_text(&r).as_deref(), Some("hi"));
        assert_eq!(sampled_text(&json!({})), None);
        let a = json!({"action": "accept", "content": {"username": "u"}});
        assert!(describe_answer(&a).contains("accept") && describe_answer(&a).contains("\"u\""));
        assert_eq!(
            describe_answer(&json!({"action": "decline"})),
            "User response: action=decline"
        );
    }
}
