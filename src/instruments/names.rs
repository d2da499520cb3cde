//! The spec's syntax for instrument names and units, checked before the SDK
//! sees them (the SDK would only log and hand back a no-op instrument).

use crate::error::{status, Error, Result};

const MAX_NAME_LEN: usize = 255;
const MAX_UNIT_LEN: usize = 63;

/// `^[A-Za-z][A-Za-z0-9_./-]{0,254}$`
pub fn validate_instrument_name(name: &str) -> Result<()> {
    let invalid = |why: &str| {
        Err(Error::new(status::INVALID_NAME, format!("invalid instrument name `{name}`: {why}")))
    };
    let mut chars = name.chars();
    match chars.next() {
        None => return invalid("it is empty"),
        Some(c) if !c.is_ascii_alphabetic() => {
            return invalid("it must start with an ASCII letter")
        }
        _ => {}
    }
    if name.len() > MAX_NAME_LEN {
        return invalid("it is longer than 255 characters");
    }
    if let Some(c) =
        chars.find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/')))
    {
        return invalid(&format!(
            "character `{c}` is not allowed (letters, digits, `_`, `.`, `-`, `/` are)"
        ));
    }
    Ok(())
}

/// At most 63 ASCII characters.
pub fn validate_unit(unit: &str) -> Result<()> {
    if !unit.is_ascii() || unit.len() > MAX_UNIT_LEN {
        return Err(Error::new(
            status::INVALID_NAME,
            format!("invalid unit `{unit}`: at most 63 ASCII characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_spec_syntax() {
        for ok in ["a", "http.server.duration", "A_b-c/d.e", &"x".repeat(255)] {
            assert!(validate_instrument_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1abc", "_x", "a b", "é", "a*", &"x".repeat(256)] {
            let e = validate_instrument_name(bad).unwrap_err();
            assert_eq!(e.status, status::INVALID_NAME, "{bad}");
        }
    }

    #[test]
    fn units_are_short_ascii() {
        assert!(validate_unit("ms").is_ok());
        assert!(validate_unit("").is_ok());
        assert!(validate_unit("°C").is_err());
        assert!(validate_unit(&"s".repeat(64)).is_err());
    }
}
