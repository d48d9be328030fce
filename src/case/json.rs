//! A case document's bytes to a JSON value, refusing what JSON would let slip: files over
//! 4 MiB (before parsing), bytes that are not UTF-8 (with the byte offset), and duplicate keys
//! in one object (JSON keeps the last silently). A UTF-8 byte-order mark is accepted.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};
use std::fmt;

/// The largest case file read: 4 MiB.
pub const MAX_CASE_BYTES: u64 = 4 * 1024 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a document could not be read as JSON at all.
#[derive(Debug)]
pub enum DocError {
    /// Over [`MAX_CASE_BYTES`]; the size in bytes.
    TooLarge(u64),
    /// Not UTF-8 at this byte offset of the file (counting from 0).
    NotUtf8(usize),
    /// Not JSON, or a duplicate key: the message with line and column (serde_json's words).
    Syntax(serde_json::Error),
}

impl DocError {
    /// The reason, for a message that starts with the file or field.
    pub fn reason(&self) -> String {
        match self {
            DocError::TooLarge(n) => too_large(*n),
            DocError::NotUtf8(at) => {
                format!("not UTF-8 text: invalid byte at offset {at}")
            }
            DocError::Syntax(e) => syntax_reason(e),
        }
    }
}

impl fmt::Display for DocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason())
    }
}

/// `5242881 bytes (5.0 MiB) is over the 4 MiB limit of a case file`.
pub fn too_large(size: u64) -> String {
    format!(
        "{size} bytes ({:.1} MiB) is over the 4 MiB limit of a case file",
        size as f64 / (1024.0 * 1024.0)
    )
}

impl std::error::Error for DocError {}

/// Refuses a size over [`MAX_CASE_BYTES`] (call it with the file's length before reading it).
pub fn check_size(size: u64) -> Result<(), DocError> {
    if size > MAX_CASE_BYTES {
        Err(DocError::TooLarge(size))
    } else {
        Ok(())
    }
}

/// `line 3 column 5: expected value` — serde_json says it the other way round.
pub fn syntax_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    format!("line {} column {}: {message}", e.line(), e.column())
}

/// The document's value: size checked first, a BOM skipped, UTF-8 checked with the offset,
/// duplicate keys refused.
pub fn parse_bytes(bytes: &[u8]) -> Result<Value, DocError> {
    check_size(bytes.len() as u64)?;
    let (skip, body) = match bytes.strip_prefix(BOM) {
        Some(rest) => (BOM.len(), rest),
        None => (0, bytes),
    };
    let text = std::str::from_utf8(body).map_err(|e| DocError::NotUtf8(skip + e.valid_up_to()))?;
    parse_str(text)
}

/// [`parse_bytes`] of text already known to be UTF-8.
pub fn parse_str(text: &str) -> Result<Value, DocError> {
    check_size(text.len() as u64)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let value = ValueAt(&Path::Root)
        .deserialize(&mut de)
        .map_err(DocError::Syntax)?;
    de.end().map_err(DocError::Syntax)?;
    Ok(value)
}

/// Where in the document a value sits, built on the stack and written out only for a message.
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(Path::Root, k) => f.write_str(k),
            Path::Key(up, k) => write!(f, "{up}.{k}"),
            Path::Index(up, i) => write!(f, "{up}[{i}]"),
        }
    }
}

/// Deserialises a [`Value`] like serde_json's own, but refuses a key seen twice in an object.
struct ValueAt<'a>(&'a Path<'a>);

impl<'de> DeserializeSeed<'de> for ValueAt<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueAt<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element_seed(ValueAt(&Path::Index(self.0, out.len())))? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            // One lookup per key: the vacant slot found by the duplicate check takes the value.
            let slot = match out.entry(key) {
                Entry::Vacant(slot) => slot,
                Entry::Occupied(seen) => {
                    let inside = match self.0 {
                        Path::Root => "the case".to_string(),
                        p => p.to_string(),
                    };
                    return Err(de::Error::custom(format!(
                        "duplicate key {:?} in {inside} (JSON would keep only the last)",
                        seen.key()
                    )));
                }
            };
            let v = map.next_value_seed(ValueAt(&Path::Key(self.0, slot.key())))?;
            slot.insert(v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_named_with_their_path() {
        let e = parse_str(r#"{"a": 1, "lesions": [{}, {"sins": {"pain": 1, "pain": 2}}]}"#)
            .unwrap_err()
            .reason();
        assert!(
            e.contains(r#"duplicate key "pain" in lesions[1].sins"#),
            "{e}"
        );
        let e = parse_str(r#"{"id": "a", "id": "b"}"#).unwrap_err().reason();
        assert!(e.contains(r#"duplicate key "id" in the case"#), "{e}");
        assert!(e.starts_with("line 1 column "), "{e}");
        // The same key in two different objects is fine.
        assert!(parse_str(r#"{"a": {"x": 1}, "b": {"x": 1}}"#).is_ok());
    }

    #[test]
    fn values_match_serde_json() {
        let text = r#"{"n": -3, "u": 18446744073709551615, "f": 1.8, "s": "é\n", "z": null,
                       "l": [true, false, [], {}]}"#;
        let want: Value = serde_json::from_str(text).unwrap();
        assert_eq!(parse_str(text).unwrap(), want);
        assert!(parse_str("{} x").is_err(), "trailing text is refused");
    }

    #[test]
    fn bom_utf8_and_size() {
        assert_eq!(
            parse_bytes(b"\xEF\xBB\xBF{}").unwrap(),
            serde_json::json!({})
        );
        assert!(matches!(
            parse_bytes(b"\xEF\xBB\xBF{\"a\": \"\xFF\"}"),
            Err(DocError::NotUtf8(10))
        ));
        assert!(matches!(
            check_size(MAX_CASE_BYTES + 1),
            Err(DocError::TooLarge(n)) if n == MAX_CASE_BYTES + 1
        ));
        assert!(check_size(MAX_CASE_BYTES).is_ok());
    }
}
