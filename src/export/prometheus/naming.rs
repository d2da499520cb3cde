//! OpenTelemetry names to Prometheus names, as the OpenTelemetry-to-Prometheus
//! compatibility specification describes: metric names keep only
//! `[a-zA-Z0-9_:]`, get the unit as a suffix (`s` → `_seconds`,
//! `By/s` → `_bytes_per_second`, `{request}`
//! annotations and the dimensionless `1` dropped: no `_ratio` since the
//! spec's #4966) and `_total` on monotonic sums; label names keep only
//! `[a-zA-Z0-9_]`; label values and help text are escaped.

/// What a metric becomes on the Prometheus side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A monotonic sum: `_total` suffix.
    Counter,
    /// A gauge, or a sum that may go down.
    Gauge,
    Histogram,
}

/// The exposed metric name and the unit word appended to it (for
/// OpenMetrics' `# UNIT` line), e.g. `("http_server_duration_seconds",
/// Some("seconds"))`. For counters the name ends in `_total`.
pub fn metric_name(name: &str, unit: &str, shape: Shape) -> (String, Option<String>) {
    let mut base = sanitize(name, |c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
    if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
        base.insert(0, '_');
    }
    // `_total` belongs at the very end; take it off before adding a unit.
    if shape == Shape::Counter {
        if let Some(stripped) = base.strip_suffix("_total") {
            base = stripped.to_owned();
        }
    }
    let unit_word = unit_suffix(unit);
    if let Some(word) = &unit_word {
        if !base.ends_with(&format!("_{word}")) && base != *word {
            base.push('_');
            base.push_str(word);
        }
    }
    if shape == Shape::Counter {
        base.push_str("_total");
    }
    (base, unit_word)
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

    #[test]
    fn names_get_unit_and_total_suffixes() {
        assert_eq!(
            metric_name("http.server.duration", "s", Shape::Histogram).0,
            "http_server_duration_seconds"
        );
        assert_eq!(metric_name("requests", "{request}", Shape::Counter).0, "requests_total");
        assert_eq!(metric_name("requests_total", "", Shape::Counter).0, "requests_total");
        assert_eq!(
            metric_name("sent", "By/s", Shape::Counter),
            ("sent_bytes_per_second_total".to_owned(), Some("bytes_per_second".to_owned()))
        );
        assert_eq!(
            metric_name("cpu.utilization", "1", Shape::Gauge),
            ("cpu_utilization".to_owned(), None)
        );
        assert_eq!(metric_name("cpu.utilization", "1", Shape::Counter).0, "cpu_utilization_total");
        assert_eq!(metric_name("latency_seconds", "s", Shape::Gauge).0, "latency_seconds");
        assert_eq!(metric_name("temp", "Cel", Shape::Gauge).0, "temp_celsius");
        assert_eq!(metric_name("packets", "{packet}/s", Shape::Gauge).0, "packets_per_second");
        assert_eq!(metric_name("odd", "furlong", Shape::Gauge).0, "odd_furlong");
    }

    #[test]
    fn invalid_characters_become_single_underscores() {
        assert_eq!(metric_name("my-app//queue.depth", "", Shape::Gauge).0, "my_app_queue_depth");
        assert_eq!(metric_name("9lives", "", Shape::Gauge).0, "_9lives");
        assert_eq!(metric_name("a:b", "", Shape::Gauge).0, "a:b");
        assert_eq!(label_name("http.method"), "http_method");
        assert_eq!(label_name("0day"), "key_0day");
        assert_eq!(label_name("__name__"), "_name_");
        assert_eq!(label_name("a:b"), "a_b");
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
