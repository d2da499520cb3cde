//! The spec's attribute limits (`OTEL_ATTRIBUTE_COUNT_LIMIT`,
//! `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`), applied where attributes are first
//! converted, so a cached series never pays for them again.

use opentelemetry::{Array, KeyValue, StringValue, Value};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttributeLimits {
    /// At most this many attributes per measurement (extra ones dropped).
    pub count: Option<usize>,
    /// String values (and string array elements) cut to this many characters.
    pub value_length: Option<usize>,
}

fn truncate(s: &str, max: usize) -> Option<String> {
    // Cut on a character boundary: limits count characters, not bytes.
    s.char_indices().nth(max).map(|(i, _)| s[..i].to_owned())
}

impl AttributeLimits {
    pub fn is_unlimited(&self) -> bool {
        self.count.is_none() && self.value_length.is_none()
    }

    pub fn apply(&self, mut attributes: Vec<KeyValue>) -> Vec<KeyValue> {
        if let Some(n) = self.count {
            attributes.truncate(n);
        }
        let Some(max) = self.value_length else { return attributes };
        for kv in &mut attributes {
            match &mut kv.value {
                Value::String(s) => {
                    if let Some(cut) = truncate(s.as_str(), max) {
                        *s = StringValue::from(cut);
                    }
                }
                Value::Array(Array::String(items)) => {
                    for item in items.iter_mut() {
                        if let Some(cut) = truncate(item.as_str(), max) {
                            *item = StringValue::from(cut);
                        }
                    }
                }
                _ => {}
            }
        }
        attributes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_and_length_limits() {
        let limits = AttributeLimits { count: Some(2), value_length: Some(3) };
        let out = limits.apply(vec![
            KeyValue::new("a", "héllo"),
            KeyValue::new("b", Value::Array(Array::String(vec!["abcd".into(), "x".into()]))),
            KeyValue::new("c", 1),
        ]);
        assert_eq!(
            out,
            vec![
                KeyValue::new("a", "hél"),
                KeyValue::new("b", Value::Array(Array::String(vec!["abc".into(), "x".into()])))
            ]
        );
        assert_eq!(
            AttributeLimits::default().apply(vec![KeyValue::new("a", "long")]),
            vec![KeyValue::new("a", "long")]
        );
    }
}
