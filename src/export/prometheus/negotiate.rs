//! What a scraper accepts: the exposition format (`Accept`) and the content
//! coding (`Accept-Encoding`), read with their quality values as RFC 9110
//! (12.4.2, 12.5.1, 12.5.3) defines them. `q=0` means "not acceptable": a
//! format or coding refused that way is never sent, and a request that
//! refuses everything we can send gets 406.
//!
//! Our own code, not a crate's: the only part of HTTP the server library
//! (hyper) leaves to the application is choosing among representations, and
//! here there are two formats and two codings.

use super::escaping::Escaping;
use super::exposition::Format;

/// A media range's or coding's parameters other than `q`, names lowercased.
type Params = Vec<(String, String)>;

/// A comma-separated list of `value;param=…;q=…` items, with each item's
/// weight (1 when absent). An item whose weight is not a number from 0 to 1
/// is skipped, as if it was not sent.
fn weighted_items(header: &str) -> impl Iterator<Item = (String, Params, f32)> + '_ {
    header.split(',').filter_map(|item| {
        let mut parts = item.split(';');
        let value = parts.next()?.trim().to_ascii_lowercase();
        if value.is_empty() {
            return None;
        }
        let mut q = 1.0f32;
        let mut params = Vec::new();
        for param in parts {
            let (name, v) = param.split_once('=').unwrap_or((param, ""));
            let (name, v) = (name.trim().to_ascii_lowercase(), v.trim().trim_matches('"'));
            if name == "q" {
                q = v.parse::<f32>().ok().filter(|q| (0.0..=1.0).contains(q))?;
            } else {
                params.push((name, v.to_owned()));
            }
        }
        Some((value, params, q))
    })
}

/// The weight and the parameters of the most specific matching item
/// (equally specific items: the highest weight), or None when no item
/// matches. `specificity` says how well an item matches (None: not at all).
fn best_match(
    header: &str,
    specificity: impl Fn(&str, &[(String, String)]) -> Option<u8>,
) -> Option<(f32, Params)> {
    let mut best: Option<(u8, f32, Params)> = None;
    for (value, params, q) in weighted_items(header) {
        if let Some(s) = specificity(&value, &params) {
            if best.as_ref().is_none_or(|(bs, bq, _)| s > *bs || (s == *bs && q > *bq)) {
                best = Some((s, q, params));
            }
        }
    }
    best.map(|(_, q, params)| (q, params))
}

/// The weight of the most specific matching item.
fn weight_of(
    header: &str,
    specificity: impl Fn(&str, &[(String, String)]) -> Option<u8>,
) -> Option<f32> {
    best_match(header, specificity).map(|(q, _)| q)
}

/// A format's media type and the parameters that name it exactly.
fn media_type(format: Format) -> (&'static str, &'static [(&'static str, &'static str)]) {
    match format {
        Format::Text => ("text/plain", &[("version", "0.0.4")]),
        Format::OpenMetrics => ("application/openmetrics-text", &[("version", "1.0.0")]),
        Format::Protobuf => (
            "application/vnd.google.protobuf",
            &[("proto", "io.prometheus.client.MetricFamily"), ("encoding", "delimited")],
        ),
    }
}

/// How well the media range `range` matches `format`: a range naming
/// another version (or protobuf message, or encoding) does not match it.
/// Protobuf is sent only when named with its `proto` and `encoding`, never
/// for a wildcard: it is for scrapers that ask for it (native histograms).
fn media_specificity(format: Format, range: &str, params: &[(String, String)]) -> Option<u8> {
    let (full, exact) = media_type(format);
    let major = &full[..full.find('/').expect("a media type")];
    let given = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    if range == full {
        // The text format's version 1.0.0 is 0.0.4 with quoted UTF-8 names.
        let other_version = |n: &str, v: &str, g: &str| {
            !(g.eq_ignore_ascii_case(v)
                || (format == Format::Text && n == "version" && g == "1.0.0"))
        };
        if exact.iter().any(|(n, v)| given(n).is_some_and(|g| other_version(n, v, g))) {
            return None;
        }
        let all = exact.iter().all(|(n, _)| given(n).is_some());
        match (all, format) {
            (true, _) => Some(3),
            (false, Format::Protobuf) => None,
            (false, _) => Some(2),
        }
    } else if format == Format::Protobuf {
        None
    } else if range.strip_suffix("/*") == Some(major) {
        Some(1)
    } else if range == "*/*" {
        Some(0)
    } else {
        None
    }
}

/// What a scrape is answered in: the format and what the media range that
/// chose it asked for (the text format's version, an escaping scheme).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Representation {
    pub format: Format,
    /// `text/plain; version=1.0.0` was asked for (else 0.0.4).
    pub text_1_0: bool,
    /// The `escaping=` parameter, when it names a scheme we know.
    pub escaping: Option<Escaping>,
}

impl Representation {
    fn of(format: Format, params: &[(String, String)]) -> Representation {
        let given = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        Representation {
            format,
            text_1_0: format == Format::Text && given("version") == Some("1.0.0"),
            escaping: given("escaping").and_then(Escaping::named),
        }
    }

    /// The response's `Content-Type`, naming the escaping scheme when the
    /// scraper named one.
    pub fn content_type(&self) -> String {
        let mut value = match (self.format, self.text_1_0) {
            (Format::Text, true) => "text/plain; version=1.0.0; charset=utf-8",
            (format, _) => format.content_type(),
        }
        .to_owned();
        if let Some(escaping) = self.escaping {
            value.push_str("; escaping=");
            value.push_str(escaping.token());
        }
        value
    }
}

/// What to send for an `Accept` header, or None when the scraper refuses
/// every format (406). Without the header: the text format. The format with
/// the highest weight wins (ties: text); a format the header does not
/// mention is sent only when none is asked for with a weight above 0.
pub fn representation(accept: Option<&str>) -> Option<Representation> {
    let Some(accept) = accept else { return Some(Representation::of(Format::Text, &[])) };
    let weighed = [Format::Text, Format::OpenMetrics, Format::Protobuf]
        .map(|f| (f, best_match(accept, |range, params| media_specificity(f, range, params))));
    let mut best: Option<(Format, f32, &Params)> = None;
    for (format, matched) in &weighed {
        if let Some((q, params)) = matched.as_ref().filter(|(q, _)| *q > 0.0) {
            if best.is_none_or(|(_, bq, _)| *q > bq) {
                best = Some((*format, *q, params));
            }
        }
    }
    if let Some((format, _, params)) = best {
        return Some(Representation::of(format, params));
    }
    let unmentioned = |(f, m): &&(Format, Option<_>)| m.is_none() && *f != Format::Protobuf;
    weighed.iter().find(unmentioned).map(|(f, _)| Representation::of(*f, &[]))
}

/// The content coding of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Identity,
    Gzip,
}

/// The coding to send a body of `len` bytes in, or None when the scraper
/// refuses both (406). Gzip when it is accepted (weight above 0) and the
/// body is at least `gzip_from` bytes, or when identity is refused
/// (`identity;q=0`, or `*;q=0` without an `identity` item).
pub fn coding(accept_encoding: Option<&str>, len: usize, gzip_from: usize) -> Option<Coding> {
    let Some(header) = accept_encoding else { return Some(Coding::Identity) };
    let gzip = weight_of(header, |c, _| match c {
        "gzip" | "x-gzip" => Some(1),
        "*" => Some(0),
        _ => None,
    });
    let identity = weight_of(header, |c, _| match c {
        "identity" => Some(1),
        "*" => Some(0),
        _ => None,
    });
    let gzip_ok = gzip.is_some_and(|q| q > 0.0);
    let identity_ok = identity != Some(0.0);
    if gzip_ok && (len >= gzip_from || !identity_ok) {
        Some(Coding::Gzip)
    } else if identity_ok {
        Some(Coding::Identity)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(accept: Option<&str>) -> Option<Format> {
        representation(accept).map(|r| r.format)
    }

    #[test]
    fn the_escaping_and_version_of_the_chosen_range_are_kept() {
        let v3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
        let chosen = representation(Some(v3)).unwrap();
        assert_eq!(chosen.escaping, Some(Escaping::AllowUtf8));
        assert_eq!(
            chosen.content_type(),
            "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8"
        );
        let text = representation(Some("text/plain;version=1.0.0;escaping=dots")).unwrap();
        assert_eq!(
            (text.format, text.text_1_0, text.escaping),
            (Format::Text, true, Some(Escaping::Dots))
        );
        assert_eq!(text.content_type(), "text/plain; version=1.0.0; charset=utf-8; escaping=dots");
        let old = representation(Some("text/plain;version=0.0.4")).unwrap();
        assert_eq!((old.text_1_0, old.escaping), (false, None));
        assert_eq!(old.content_type(), "text/plain; version=0.0.4; charset=utf-8");
        // The parameters of the range that won, not of another one.
        let mixed =
            "text/plain;version=0.0.4;q=0.9,application/openmetrics-text;escaping=values;q=0.1";
        assert_eq!(representation(Some(mixed)).unwrap().escaping, None);
        assert_eq!(representation(Some("text/plain;escaping=bogus")).unwrap().escaping, None);
    }

    #[test]
    fn prometheus_gets_openmetrics_and_others_get_text() {
        // What Prometheus 2 and 3 send.
        let v2 = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        let v3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
        assert_eq!(format(Some(v2)), Some(Format::OpenMetrics));
        assert_eq!(format(Some(v3)), Some(Format::OpenMetrics));
        assert_eq!(format(Some("text/plain")), Some(Format::Text));
        assert_eq!(format(Some("*/*")), Some(Format::Text));
        assert_eq!(format(Some("application/json")), Some(Format::Text));
        assert_eq!(format(None), Some(Format::Text));
        // What Prometheus 2.42 sends with --enable-feature=native-histograms
        // (scrape.go's acceptHeader for protobuf-first scraping).
        let native = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
        assert_eq!(format(Some(native)), Some(Format::Protobuf));
        // Never for a wildcard, another message or another encoding.
        let other =
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text";
        assert_eq!(format(Some(other)), Some(Format::Text));
        assert_eq!(format(Some("application/*")), Some(Format::OpenMetrics));
        assert_eq!(
            format(Some("text/plain;q=0.5, application/openmetrics-text")),
            Some(Format::OpenMetrics)
        );
        assert_eq!(
            format(Some("text/plain, application/openmetrics-text;q=0.5")),
            Some(Format::Text)
        );
    }

    #[test]
    fn q_zero_refuses() {
        assert_eq!(format(Some("application/openmetrics-text;q=0")), Some(Format::Text));
        assert_eq!(
            format(Some("text/plain;q=0, application/openmetrics-text")),
            Some(Format::OpenMetrics)
        );
        assert_eq!(format(Some("text/plain;q=0")), Some(Format::OpenMetrics));
        assert_eq!(format(Some("text/plain;q=0, application/openmetrics-text;q=0")), None);
        assert_eq!(format(Some("*/*;q=0")), None);
        assert_eq!(format(Some("*/*;q=0, text/plain")), Some(Format::Text));
        assert_eq!(
            format(Some("application/openmetrics-text;version=1.0.0;q=0, text/*;q=0")),
            None
        );
    }

    #[test]
    fn another_version_of_a_format_does_not_match_it() {
        assert_eq!(
            format(Some("application/openmetrics-text;version=0.0.1, text/plain;q=0.1")),
            Some(Format::Text)
        );
    }

    #[test]
    fn malformed_weights_are_ignored() {
        assert_eq!(
            format(Some("application/openmetrics-text;q=2, text/plain;q=0.5")),
            Some(Format::Text)
        );
        assert_eq!(format(Some(",,;q=")), Some(Format::Text));
    }

    #[test]
    fn gzip_when_accepted_and_worth_it() {
        assert_eq!(coding(None, 5000, 1024), Some(Coding::Identity));
        assert_eq!(coding(Some("gzip"), 5000, 1024), Some(Coding::Gzip));
        assert_eq!(coding(Some("gzip, deflate, br"), 5000, 1024), Some(Coding::Gzip));
        assert_eq!(coding(Some("gzip"), 10, 1024), Some(Coding::Identity));
        assert_eq!(coding(Some("*"), 5000, 1024), Some(Coding::Gzip));
        assert_eq!(coding(Some("deflate"), 5000, 1024), Some(Coding::Identity));
        assert_eq!(coding(Some(""), 5000, 1024), Some(Coding::Identity));
    }

    #[test]
    fn q_zero_refuses_a_coding() {
        assert_eq!(coding(Some("gzip;q=0"), 5000, 1024), Some(Coding::Identity));
        assert_eq!(coding(Some("*;q=0, identity"), 5000, 1024), Some(Coding::Identity));
        assert_eq!(coding(Some("gzip, identity;q=0"), 10, 1024), Some(Coding::Gzip));
        assert_eq!(coding(Some("gzip, *;q=0"), 10, 1024), Some(Coding::Gzip));
        assert_eq!(coding(Some("gzip;q=0, identity;q=0"), 5000, 1024), None);
        assert_eq!(coding(Some("*;q=0"), 5000, 1024), None);
        assert_eq!(coding(Some("GZIP;Q=0"), 5000, 1024), Some(Coding::Identity));
    }
}
