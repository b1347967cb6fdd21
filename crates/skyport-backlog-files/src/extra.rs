//! The task's `extra` JSON, where an imported file's layout is kept:
//!
//! ```json
//! { "frontMatter": {
//!     "order": ["id", "title", "status", "created_at", "updated_at", "references"],
//!     "unknown": [{ "key": "references", "yaml": "references:\n  - url: …\n", "value": [ … ] }],
//!     "verbatim": [{ "key": "epic_id", "yaml": "epic_id: null\n", "value": null }],
//!     "preamble": "" } }
//! ```
//!
//! `verbatim` and `preamble` are written only when not empty.

use serde_json::{Map, Value, json};

use crate::format::{FrontMatter, RawField};

const KEY: &str = "frontMatter";

impl FrontMatter {
    /// The layout as a task's `extra` (`{"frontMatter": {…}}`).
    pub fn to_extra(&self) -> Value {
        let raw = |fields: &[RawField]| -> Vec<Value> {
            fields
                .iter()
                .map(|f| json!({"key": f.key, "yaml": f.yaml, "value": f.value}))
                .collect()
        };
        let mut fm = Map::new();
        fm.insert("order".into(), Value::from(self.order.clone()));
        fm.insert("unknown".into(), Value::from(raw(&self.unknown)));
        if !self.verbatim.is_empty() {
            fm.insert("verbatim".into(), Value::from(raw(&self.verbatim)));
        }
        if !self.preamble.is_empty() {
            fm.insert("preamble".into(), Value::from(self.preamble.clone()));
        }
        json!({ KEY: fm })
    }

    /// The layout kept in a task's `extra`; `None` when there is none (a task
    /// made in Skyport) or it is not in the shape [`to_extra`](Self::to_extra)
    /// writes.
    pub fn from_extra(extra: &Value) -> Option<FrontMatter> {
        let fm = extra.get(KEY)?.as_object()?;
        let order = fm
            .get("order")?
            .as_array()?
            .iter()
            .map(|k| k.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()?;
        let raw = |name: &str| -> Option<Vec<RawField>> {
            let Some(list) = fm.get(name) else {
                return Some(Vec::new());
            };
            list.as_array()?
                .iter()
                .map(|f| {
                    Some(RawField {
                        key: f.get("key")?.as_str()?.to_owned(),
                        yaml: f.get("yaml")?.as_str()?.to_owned(),
                        value: f.get("value").cloned().unwrap_or(Value::Null),
                    })
                })
                .collect()
        };
        Some(FrontMatter {
            order,
            unknown: raw("unknown")?,
            verbatim: raw("verbatim")?,
            preamble: fm
                .get("preamble")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        })
    }
}

/// The front-matter keys of an imported file that are not task fields, with
/// their values (`{"type": "epic", "references": [{"url": …}]}`): what
/// `backlog_get` shows as `fields`. Empty for a task made in Skyport.
pub fn extra_fields(extra: &Value) -> Map<String, Value> {
    FrontMatter::from_extra(extra)
        .map(|fm| fm.unknown.into_iter().map(|f| (f.key, f.value)).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_round_trips_through_extra() {
        let fm = FrontMatter {
            order: vec!["id".into(), "type".into(), "epic_id".into()],
            unknown: vec![RawField {
                key: "type".into(),
                yaml: "type: epic\n".into(),
                value: json!("epic"),
            }],
            verbatim: vec![RawField {
                key: "epic_id".into(),
                yaml: "epic_id: null\n".into(),
                value: Value::Null,
            }],
            preamble: "# a comment\n".into(),
        };
        let extra = fm.to_extra();
        assert_eq!(
            extra["frontMatter"]["order"],
            json!(["id", "type", "epic_id"])
        );
        assert_eq!(FrontMatter::from_extra(&extra), Some(fm));
        assert_eq!(
            extra_fields(&extra),
            json!({"type": "epic"}).as_object().unwrap().clone()
        );
    }

    #[test]
    fn other_extras_have_no_layout() {
        for extra in [
            Value::Null,
            json!({}),
            json!({"frontMatter": 3}),
            json!({"frontMatter": {"order": [1]}}),
            json!({"frontMatter": {"order": [], "unknown": [{"key": "x"}]}}),
        ] {
            assert_eq!(FrontMatter::from_extra(&extra), None, "{extra}");
            assert!(extra_fields(&extra).is_empty());
        }
    }
}
