//! Environment variable substitution in scalar values, as the
//! configuration data model defines it: `${VAR}`, `${env:VAR}`,
//! `${VAR:-default}` and `$$` (a literal `$`). The result is not scanned
//! again, so a variable cannot inject a reference (or YAML structure).

use crate::config::Env;

/// Replaces references in `text`; `Err` says what is malformed.
pub(crate) fn substitute(text: &str, env: &dyn Env) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body.find('}').ok_or("`${` without a closing `}`")?;
            out.push_str(&reference(&body[..end], env)?);
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// One `${...}` body: a name, optionally `env:`-prefixed, optionally with
/// a `:-default` (used when the variable is unset or empty).
fn reference(body: &str, env: &dyn Env) -> Result<String, String> {
    let (name, default) = match body.split_once(":-") {
        Some((n, d)) => (n, Some(d)),
        None => (body, None),
    };
    let name = name.strip_prefix("env:").unwrap_or(name);
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!("`${{{name}}}` is not a valid environment variable reference"));
    }
    Ok(env.get(name).or(default.map(str::to_owned)).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MapEnv;

    #[test]
    fn references_defaults_and_escapes_follow_the_data_model() {
        let env = MapEnv::default().with("A", "1").with("EMPTY", " ");
        assert_eq!(substitute("x${A}y", &env).unwrap(), "x1y");
        assert_eq!(substitute("${env:A}", &env).unwrap(), "1");
        assert_eq!(substitute("${B:-dflt}", &env).unwrap(), "dflt");
        assert_eq!(substitute("${EMPTY:-d}", &env).unwrap(), "d");
        assert_eq!(substitute("${B}", &env).unwrap(), "");
        assert_eq!(substitute("$${A}", &env).unwrap(), "${A}");
        assert_eq!(substitute("a$b", &env).unwrap(), "a$b");
        assert!(substitute("${A", &env).is_err());
        assert!(substitute("${1A}", &env).is_err());
    }
}
