//! Names as a scraper can read them. A scraper states with the `escaping=`
//! parameter of its `Accept` header how names outside the legacy character
//! set must reach it (Prometheus' "UTF-8 metric and label name escaping
//! schemes"): `allow-utf-8` (as they are; Prometheus 3 asks for this),
//! `underscores` (what a scraper that names no scheme gets), `dots` or
//! `values`. The text formats quote a name that is not a legacy name
//! (`{"http.server.duration",le="1"}`), which only `allow-utf-8` lets through.

use super::naming::{escape_label_value, label_name, legacy_metric_name};
use std::borrow::Cow;

/// How names outside the legacy character set are sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Escaping {
    /// `allow-utf-8`: every UTF-8 name as it is.
    AllowUtf8,
    /// `underscores`: the compatibility specification's translation (a
    /// character outside the legacy set becomes `_`, runs folded).
    #[default]
    Underscores,
    /// `dots`: `_` becomes `__`, `.` becomes `_dot_`, any other character
    /// outside the legacy set `__` (so a scraper can restore the dots).
    Dots,
    /// `values`: a name outside the legacy set gets the prefix `U__`, `_`
    /// becomes `__` and any other such character `_<hex code point>_`.
    Values,
}

/// Whether a name is a metric name or a label name: label names may not
/// hold `:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    Metric,
    Label,
}

impl Escaping {
    /// The scheme an `escaping=` parameter names; None for one we do not
    /// know (the caller then uses the default).
    pub fn named(token: &str) -> Option<Escaping> {
        Some(match token.to_ascii_lowercase().as_str() {
            "allow-utf-8" => Escaping::AllowUtf8,
            "underscores" => Escaping::Underscores,
            "dots" => Escaping::Dots,
            "values" => Escaping::Values,
            _ => return None,
        })
    }

    /// The parameter value naming this scheme in a `Content-Type`.
    pub fn token(self) -> &'static str {
        match self {
            Escaping::AllowUtf8 => "allow-utf-8",
            Escaping::Underscores => "underscores",
            Escaping::Dots => "dots",
            Escaping::Values => "values",
        }
    }

    /// `name` escaped by this scheme. A legacy name is left alone by every
    /// scheme but `dots`, which doubles its underscores (its escaping must
    /// be reversible).
    pub fn apply(self, name: &str, kind: NameKind) -> Cow<'_, str> {
        let legacy = is_legacy(name, kind);
        match self {
            Escaping::AllowUtf8 => Cow::Borrowed(name),
            _ if legacy && self != Escaping::Dots => Cow::Borrowed(name),
            Escaping::Underscores => Cow::Owned(match kind {
                NameKind::Metric => legacy_metric_name(name),
                NameKind::Label => label_name(name),
            }),
            Escaping::Dots => Cow::Owned(escape_each(name, kind, String::new(), |c, out| {
                out.push_str(if c == '.' { "_dot_" } else { "__" })
            })),
            Escaping::Values => Cow::Owned(escape_each(name, kind, "U__".to_owned(), |c, out| {
                out.push_str(&format!("_{:x}_", u32::from(c)))
            })),
        }
    }
}

impl Escaping {
    /// [`Escaping::apply`] to a name already owned: no copy when the
    /// scheme leaves it as it is.
    pub fn apply_owned(self, name: String, kind: NameKind) -> String {
        match self.apply(&name, kind) {
            Cow::Owned(escaped) => escaped,
            Cow::Borrowed(_) => name,
        }
    }
}

/// `name` with `_` doubled, legacy characters kept and every other
/// character written by `other`, after `prefix`.
fn escape_each(
    name: &str,
    kind: NameKind,
    prefix: String,
    other: impl Fn(char, &mut String),
) -> String {
    let mut out = prefix;
    for (i, c) in name.chars().enumerate() {
        if c == '_' {
            out.push_str("__");
        } else if legacy_char(c, i == 0, kind) {
            out.push(c);
        } else {
            other(c, &mut out);
        }
    }
    out
}

fn legacy_char(c: char, first: bool, kind: NameKind) -> bool {
    c.is_ascii_alphabetic()
        || c == '_'
        || (c == ':' && kind == NameKind::Metric)
        || (c.is_ascii_digit() && !first)
}

/// Whether `name` needs no escaping and no quoting: `[a-zA-Z_:][a-zA-Z0-9_:]*`
/// for metric names, the same without `:` for label names.
pub fn is_legacy(name: &str, kind: NameKind) -> bool {
    !name.is_empty() && name.chars().enumerate().all(|(i, c)| legacy_char(c, i == 0, kind))
}

/// Writes a name as the text formats want it: as it is when it is a legacy
/// name, else in double quotes with `\`, `"` and newlines escaped.
pub fn write_name(name: &str, kind: NameKind, out: &mut String) {
    if is_legacy(name, kind) {
        out.push_str(name);
    } else {
        out.push('"');
        escape_label_value(name, out);
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scheme_as_prometheus_defines_it() {
        let name = "http.server.request_duration";
        assert_eq!(Escaping::AllowUtf8.apply(name, NameKind::Metric), name);
        assert_eq!(
            Escaping::Underscores.apply(name, NameKind::Metric),
            "http_server_request_duration"
        );
        assert_eq!(
            Escaping::Dots.apply(name, NameKind::Metric),
            "http_dot_server_dot_request__duration"
        );
        assert_eq!(
            Escaping::Values.apply(name, NameKind::Metric),
            "U__http_2e_server_2e_request__duration"
        );
        assert_eq!(Escaping::Values.apply("häfen", NameKind::Label), "U__h_e4_fen");
    }

    #[test]
    fn legacy_names_pass_every_scheme_but_dots_unchanged() {
        for scheme in [Escaping::AllowUtf8, Escaping::Underscores, Escaping::Values] {
            assert_eq!(
                scheme.apply("rpc_duration_seconds", NameKind::Metric),
                "rpc_duration_seconds"
            );
        }
        assert_eq!(Escaping::Dots.apply("rpc_duration", NameKind::Metric), "rpc__duration");
    }

    #[test]
    fn a_colon_is_legacy_in_metric_names_only() {
        assert!(is_legacy("job:rate5m", NameKind::Metric));
        assert!(!is_legacy("job:rate5m", NameKind::Label));
        assert!(!is_legacy("1st", NameKind::Metric));
        assert_eq!(Escaping::Underscores.apply("a:b", NameKind::Label), "a_b");
    }

    #[test]
    fn names_outside_the_legacy_set_are_quoted() {
        let mut out = String::new();
        write_name("http.server \"x\"", NameKind::Metric, &mut out);
        assert_eq!(out, r#""http.server \"x\"""#);
        out.clear();
        write_name("up", NameKind::Metric, &mut out);
        assert_eq!(out, "up");
    }

    #[test]
    fn scheme_tokens_round_trip() {
        for scheme in [Escaping::AllowUtf8, Escaping::Underscores, Escaping::Dots, Escaping::Values]
        {
            assert_eq!(Escaping::named(scheme.token()), Some(scheme));
        }
        assert_eq!(Escaping::named("allow-utf8"), None);
    }
}
