//! OpenTelemetry names to Prometheus names, as the OpenTelemetry-to-Prometheus
//! compatibility specification describes: metric names keep only
//! `[a-zA-Z0-9_:]`, get the unit as a suffix (`s` → `_seconds`,
//! `By/s` → `_bytes_per_second`, `{request}`
//! annotations and the dimensionless `1` dropped: no `_ratio` since the
//! spec's #4966) and `_total` on monotonic sums; label names keep only
//! `[a-zA-Z0-9_]`; label values and help text are escaped.

use super::escaping::{Escaping, NameKind};

/// What a metric becomes on the Prometheus side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A monotonic sum: `_total` suffix.
    Counter,
    /// A gauge, or a sum that may go down.
    Gauge,
    Histogram,
}

/// How names are made for one scrape: the exporter's translation strategy
/// and suffix options, the escaping the scraper asked for, and whether the
/// format is OpenMetrics (whose counter samples always end in `_total`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Naming {
    /// Escape to the legacy character set whatever the scraper accepts.
    pub escape: bool,
    pub unit_suffix: bool,
    pub type_suffix: bool,
    pub escaping: Escaping,
    pub openmetrics: bool,
}

impl Naming {
    /// The compatibility specification's classic names, for a scraper
    /// that names no escaping scheme.
    #[cfg(test)]
    pub const CLASSIC: Naming = Naming {
        escape: true,
        unit_suffix: true,
        type_suffix: true,
        escaping: Escaping::Underscores,
        openmetrics: false,
    };

    /// The exposed metric name and the unit word appended to it (for
    /// OpenMetrics' `# UNIT` line), e.g. `("http_server_duration_seconds",
    /// Some("seconds"))`. Counters end in `_total` (with the type suffix,
    /// and always in OpenMetrics). The scraper's escaping covers the whole
    /// name, suffixes included, as Prometheus' own client libraries do.
    pub fn metric(&self, name: &str, unit: &str, shape: Shape) -> (String, Option<String>) {
        let mut base = if self.escape { legacy_metric_name(name) } else { name.to_owned() };
        // `_total` belongs at the very end; take it off before adding a unit.
        if shape == Shape::Counter && self.type_suffix {
            if let Some(stripped) = base.strip_suffix("_total") {
                base = stripped.to_owned();
            }
        }
        let unit_word = unit_suffix(unit).filter(|_| self.unit_suffix);
        if let Some(word) = &unit_word {
            if !base.ends_with(&format!("_{word}")) && base != *word {
                base.push('_');
                base.push_str(word);
            }
        }
        if shape == Shape::Counter
            && (self.type_suffix || self.openmetrics)
            && !base.ends_with("_total")
        {
            base.push_str("_total");
        }
        (self.escaping.apply_owned(base, NameKind::Metric), unit_word)
    }

    /// A label name for an attribute key: translated as the compatibility
    /// specification says when escaping (and always for keys Prometheus
    /// reserves or cannot take: empty, or starting with `__`), then escaped
    /// for the scraper.
    pub fn label(&self, key: &str) -> String {
        let translated = if self.escape || key.is_empty() || key.starts_with("__") {
            label_name(key)
        } else {
            key.to_owned()
        };
        let label = self.escaping.apply_owned(translated, NameKind::Label);
        // Prometheus keeps label names starting with `__` for itself
        // (`__name__` is the metric name): `dots` escaping makes one of a
        // key like `_name_`.
        if label.starts_with("__") {
            format!("key{label}")
        } else {
            label
        }
    }
}

/// A metric name in the legacy character set (`[a-zA-Z0-9_:]`, runs of
/// `_` folded, a leading digit behind `_`), as the compatibility
/// specification translates names.
pub fn legacy_metric_name(name: &str) -> String {
    let mut base = sanitize(name, |c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
    if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
        base.insert(0, '_');
    }
    base
}

/// A label name: invalid characters become `_` (runs folded, so no name
/// starts with `__`, the prefix Prometheus reserves); a leading digit gets a
/// `key_` prefix.
pub fn label_name(key: &str) -> String {
    let name = sanitize(key, |c| c.is_ascii_alphanumeric() || c == '_');
    if name.is_empty() {
        return "key_".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("key_{name}");
    }
    name
}

/// Escapes a label value (`\`, `"` and newlines).
pub fn escape_label_value(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// Escapes `# HELP` text (`\` and newlines; OpenMetrics also `"`).
pub fn escape_help(text: &str, openmetrics: bool, out: &mut String) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if openmetrics => out.push_str("\\\""),
            c => out.push(c),
        }
    }
}

/// Replaces every character `valid` rejects with `_` and folds runs of `_`
/// into one.
fn sanitize(s: &str, valid: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = if valid(c) { c } else { '_' };
        if c == '_' && out.ends_with('_') {
            continue;
        }
        out.push(c);
    }
    out
}

/// The unit as a name suffix, or None when the unit adds nothing.
fn unit_suffix(unit: &str) -> Option<String> {
    let unit = strip_annotations(unit);
    let unit = unit.trim();
    let (main, per) = match unit.split_once('/') {
        Some((main, per)) => (main.trim(), Some(per.trim())),
        None => (unit, None),
    };
    let mut words = Vec::new();
    if !main.is_empty() && main != "1" {
        words.push(unit_word(main, MAIN_UNITS));
    }
    if let Some(per) = per.filter(|p| !p.is_empty()) {
        words.push(format!("per_{}", unit_word(per, PER_UNITS)));
    }
    let joined = sanitize(&words.join("_"), |c| c.is_ascii_alphanumeric() || c == '_');
    let joined = joined.trim_matches('_');
    (!joined.is_empty()).then(|| joined.to_owned())
}

/// Drops UCUM annotations: `{request}` and anything else in braces.
fn strip_annotations(unit: &str) -> String {
    let mut out = String::with_capacity(unit.len());
    let mut depth = 0usize;
    for c in unit.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn unit_word(unit: &str, table: &[(&str, &str)]) -> String {
    table
        .iter()
        .find(|(ucum, _)| *ucum == unit)
        .map_or_else(|| unit.to_owned(), |(_, word)| (*word).to_owned())
}

/// UCUM units and their Prometheus words (the compatibility spec's table).
const MAIN_UNITS: &[(&str, &str)] = &[
    ("d", "days"),
    ("h", "hours"),
    ("min", "minutes"),
    ("s", "seconds"),
    ("ms", "milliseconds"),
    ("us", "microseconds"),
    ("ns", "nanoseconds"),
    ("By", "bytes"),
    ("KiBy", "kibibytes"),
    ("MiBy", "mebibytes"),
    ("GiBy", "gibibytes"),
    ("TiBy", "tebibytes"),
    ("KBy", "kilobytes"),
    ("MBy", "megabytes"),
    ("GBy", "gigabytes"),
    ("TBy", "terabytes"),
    ("m", "meters"),
    ("V", "volts"),
    ("A", "amperes"),
    ("J", "joules"),
    ("W", "watts"),
    ("g", "grams"),
    ("Cel", "celsius"),
    ("Hz", "hertz"),
    ("%", "percent"),
];

/// The denominators of rates (`/s` → `per_second`).
const PER_UNITS: &[(&str, &str)] = &[
    ("s", "second"),
    ("m", "minute"),
    ("min", "minute"),
    ("h", "hour"),
    ("d", "day"),
    ("w", "week"),
    ("mo", "month"),
    ("y", "year"),
];

#[cfg(test)]
mod tests {
    use super::*;
    const CLASSIC: Naming = Naming::CLASSIC;

    #[test]
    fn names_get_unit_and_total_suffixes() {
        assert_eq!(
            CLASSIC.metric("http.server.duration", "s", Shape::Histogram).0,
            "http_server_duration_seconds"
        );
        assert_eq!(CLASSIC.metric("requests", "{request}", Shape::Counter).0, "requests_total");
        assert_eq!(CLASSIC.metric("requests_total", "", Shape::Counter).0, "requests_total");
        assert_eq!(
            CLASSIC.metric("sent", "By/s", Shape::Counter),
            ("sent_bytes_per_second_total".to_owned(), Some("bytes_per_second".to_owned()))
        );
        assert_eq!(
            CLASSIC.metric("cpu.utilization", "1", Shape::Gauge),
            ("cpu_utilization".to_owned(), None)
        );
        assert_eq!(
            CLASSIC.metric("cpu.utilization", "1", Shape::Counter).0,
            "cpu_utilization_total"
        );
        assert_eq!(CLASSIC.metric("latency_seconds", "s", Shape::Gauge).0, "latency_seconds");
        assert_eq!(CLASSIC.metric("temp", "Cel", Shape::Gauge).0, "temp_celsius");
        assert_eq!(CLASSIC.metric("packets", "{packet}/s", Shape::Gauge).0, "packets_per_second");
        assert_eq!(CLASSIC.metric("odd", "furlong", Shape::Gauge).0, "odd_furlong");
    }

    #[test]
    fn invalid_characters_become_single_underscores() {
        assert_eq!(CLASSIC.metric("my-app//queue.depth", "", Shape::Gauge).0, "my_app_queue_depth");
        assert_eq!(CLASSIC.metric("9lives", "", Shape::Gauge).0, "_9lives");
        assert_eq!(CLASSIC.metric("a:b", "", Shape::Gauge).0, "a:b");
        assert_eq!(label_name("http.method"), "http_method");
        assert_eq!(label_name("0day"), "key_0day");
        assert_eq!(label_name("__name__"), "_name_");
        assert_eq!(label_name("a:b"), "a_b");
    }

    fn naming(escape: bool, suffixes: bool, escaping: Escaping, openmetrics: bool) -> Naming {
        Naming { escape, unit_suffix: suffixes, type_suffix: suffixes, escaping, openmetrics }
    }

    #[test]
    fn utf8_names_keep_their_characters_only_for_scrapers_that_accept_them() {
        let no_utf8_escaping = naming(false, true, Escaping::AllowUtf8, false);
        assert_eq!(
            no_utf8_escaping.metric("http.server.duration", "s", Shape::Histogram).0,
            "http.server.duration_seconds"
        );
        assert_eq!(no_utf8_escaping.label("http.method"), "http.method");
        // A legacy scraper still gets legacy names.
        let legacy_scraper = naming(false, true, Escaping::Underscores, false);
        assert_eq!(
            legacy_scraper.metric("http.server.duration", "s", Shape::Histogram).0,
            "http_server_duration_seconds"
        );
        assert_eq!(legacy_scraper.label("http.method"), "http_method");
        // Keys Prometheus reserves or cannot take are translated anyway.
        assert_eq!(no_utf8_escaping.label("__name__"), "_name_");
        assert_eq!(no_utf8_escaping.label(""), "key_");
    }

    #[test]
    fn without_suffixes_only_openmetrics_counters_keep_total() {
        let text = naming(true, false, Escaping::Underscores, false);
        assert_eq!(
            text.metric("http.server.duration", "s", Shape::Histogram).0,
            "http_server_duration"
        );
        assert_eq!(
            text.metric("requests", "{request}", Shape::Counter),
            ("requests".to_owned(), None)
        );
        let openmetrics = naming(true, false, Escaping::Underscores, true);
        assert_eq!(openmetrics.metric("requests", "", Shape::Counter).0, "requests_total");
        let no_translation = naming(false, false, Escaping::AllowUtf8, false);
        assert_eq!(
            no_translation.metric("http.server.requests", "1", Shape::Counter).0,
            "http.server.requests"
        );
    }

    #[test]
    fn the_scrapers_escaping_covers_the_suffixes() {
        let dots = naming(false, true, Escaping::Dots, false);
        assert_eq!(dots.metric("a.b", "s", Shape::Counter).0, "a_dot_b__seconds__total");
        let values = naming(false, true, Escaping::Values, false);
        assert_eq!(values.metric("a.b", "s", Shape::Counter).0, "U__a_2e_b__seconds__total");
        assert_eq!(dots.label("a_b"), "a__b");
        assert_eq!(dots.label("__name__"), "key__name__");
    }

    #[test]
    fn label_values_and_help_are_escaped() {
        let mut out = String::new();
        escape_label_value("a\"b\\c\nd", &mut out);
        assert_eq!(out, "a\\\"b\\\\c\\nd");
        let mut help = String::new();
        escape_help("say \"hi\"\\\n", false, &mut help);
        assert_eq!(help, "say \"hi\"\\\\\\n");
    }
}
