//! Views: select instruments (name with `*`/`?` wildcards, kind, unit,
//! meter name and version) and change their streams (name, description,
//! attribute keys, aggregation, cardinality limit). Validated when added,
//! turned into SDK view functions when the provider is built.
//!
//! The SDK keeps an allow-list of attribute keys but has no deny-list; the
//! deny-list is applied by our instruments before the SDK sees attributes
//! (see [`denied_keys`]).

use crate::error::{Error, Result};
use opentelemetry::{Key, KeyValue};
use opentelemetry_sdk::metrics::{Aggregation, Instrument, InstrumentKind, Stream};
use std::collections::HashSet;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    UpDownCounter,
    Histogram,
    Gauge,
    ObservableCounter,
    ObservableUpDownCounter,
    ObservableGauge,
}

impl Kind {
    /// The SDK's kind as ours (`None` for a kind added to the SDK later).
    fn of_sdk(k: InstrumentKind) -> Option<Kind> {
        Some(match k {
            InstrumentKind::Counter => Kind::Counter,
            InstrumentKind::UpDownCounter => Kind::UpDownCounter,
            InstrumentKind::Histogram => Kind::Histogram,
            InstrumentKind::Gauge => Kind::Gauge,
            InstrumentKind::ObservableCounter => Kind::ObservableCounter,
            InstrumentKind::ObservableUpDownCounter => Kind::ObservableUpDownCounter,
            InstrumentKind::ObservableGauge => Kind::ObservableGauge,
            #[allow(unreachable_patterns)]
            _ => return None,
        })
    }

    fn matches(self, k: InstrumentKind) -> bool {
        Kind::of_sdk(k) == Some(self)
    }
}

/// A cardinality limit per instrument kind (indexed by `Kind as usize`):
/// the reader-level limits of the configuration schema's
/// `cardinality_limits` (`counter`, `histogram`, ...).
pub type KindLimits = [Option<usize>; 7];

#[derive(Debug, Clone, PartialEq)]
pub enum AggregationSpec {
    Drop,
    Sum,
    LastValue,
    ExplicitBuckets { boundaries: Vec<f64>, record_min_max: bool },
    Exponential { max_size: u32, max_scale: i8, record_min_max: bool },
}

/// One view: which instruments it selects and what it changes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ViewSpec {
    pub instrument_name: Option<String>,
    pub kind: Option<Kind>,
    pub unit: Option<String>,
    pub meter_name: Option<String>,
    pub meter_version: Option<String>,
    pub meter_schema_url: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub allowed_keys: Option<Vec<String>>,
    pub denied_keys: Option<Vec<String>>,
    pub aggregation: Option<AggregationSpec>,
    pub cardinality_limit: Option<usize>,
}

/// What our instruments need to know to match views themselves.
pub struct InstrumentIdentity<'a> {
    pub name: &'a str,
    pub kind: Kind,
    pub unit: &'a str,
    pub meter_name: &'a str,
    pub meter_version: &'a str,
    pub meter_schema_url: &'a str,
}

/// `*` matches any run of characters, `?` exactly one; case-insensitive,
/// as instrument names are.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

impl ViewSpec {
    fn has_wildcard(&self) -> bool {
        self.instrument_name.as_deref().is_none_or(|n| n.contains(['*', '?']))
    }

    pub fn validate(&self) -> Result<()> {
        let setting = "view";
        let selects_something = self.instrument_name.is_some()
            || self.kind.is_some()
            || self.unit.is_some()
            || self.meter_name.is_some()
            || self.meter_version.is_some()
            || self.meter_schema_url.is_some();
        if !selects_something {
            return Err(Error::config(
                setting,
                "a view must select instruments (name, kind, unit or meter)",
            ));
        }
        if self.name.is_some() && self.has_wildcard() {
            return Err(Error::config(
                setting,
                "a view that renames the stream must select exactly one instrument name (no wildcard)",
            ));
        }
        if self.allowed_keys.is_some() && self.denied_keys.is_some() {
            return Err(Error::config(
                setting,
                "a view takes an allow-list or a deny-list of attribute keys, not both",
            ));
        }
        if let Some(limit) = self.cardinality_limit {
            check_cardinality_limit(setting, limit)?;
        }
        match &self.aggregation {
            Some(AggregationSpec::ExplicitBuckets { boundaries, .. })
                if (boundaries.iter().any(|b| !b.is_finite())
                    || boundaries.windows(2).any(|w| w[0] >= w[1])) =>
            {
                return Err(Error::config(setting, format!("histogram boundaries {boundaries:?} must be finite and strictly increasing")));
            }
            Some(AggregationSpec::Exponential { max_size, max_scale, .. }) => {
                if *max_size < 2 {
                    return Err(Error::config(
                        setting,
                        "an exponential histogram needs max_size of at least 2",
                    ));
                }
                if !(-10..=20).contains(max_scale) {
                    return Err(Error::config(
                        setting,
                        format!("exponential max_scale {max_scale} is outside -10..=20"),
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn selects(&self, i: &InstrumentIdentity<'_>) -> bool {
        self.instrument_name.as_deref().is_none_or(|p| wildcard_match(p, i.name))
            && self.kind.is_none_or(|k| k == i.kind)
            && self.unit.as_deref().is_none_or(|u| u == i.unit)
            && self.meter_name.as_deref().is_none_or(|m| m == i.meter_name)
            && self.meter_version.as_deref().is_none_or(|v| v == i.meter_version)
            && self.meter_schema_url.as_deref().is_none_or(|u| u == i.meter_schema_url)
    }

    pub fn selects_sdk(&self, i: &Instrument) -> bool {
        self.instrument_name.as_deref().is_none_or(|p| wildcard_match(p, i.name()))
            && self.kind.is_none_or(|k| k.matches(i.kind()))
            && self.unit.as_deref().is_none_or(|u| u == i.unit())
            && self.meter_name.as_deref().is_none_or(|m| m == i.scope().name())
            && self.meter_version.as_deref().is_none_or(|v| Some(v) == i.scope().version())
            && self.meter_schema_url.as_deref().is_none_or(|u| Some(u) == i.scope().schema_url())
    }

    fn stream(&self, defaults: StreamDefaults, kind: InstrumentKind) -> Option<Stream> {
        let mut b = Stream::builder();
        if let Some(n) = &self.name {
            b = b.with_name(n.clone());
        }
        if let Some(d) = &self.description {
            b = b.with_description(d.clone());
        }
        if let Some(keys) = &self.allowed_keys {
            b = b.with_allowed_attribute_keys(keys.iter().map(|k| Key::new(k.clone())));
        }
        if let Some(limit) = self.cardinality_limit.or(defaults.limit(kind)) {
            b = b.with_cardinality_limit(limit);
        }
        if let Some(a) = self.aggregation.as_ref().or(defaults.histogram(kind)) {
            b = b.with_aggregation(match a.clone() {
                AggregationSpec::Drop => Aggregation::Drop,
                AggregationSpec::Sum => Aggregation::Sum,
                AggregationSpec::LastValue => Aggregation::LastValue,
                AggregationSpec::ExplicitBuckets { boundaries, record_min_max } => {
                    Aggregation::ExplicitBucketHistogram { boundaries, record_min_max }
                }
                AggregationSpec::Exponential { max_size, max_scale, record_min_max } => {
                    Aggregation::Base2ExponentialHistogram { max_size, max_scale, record_min_max }
                }
            });
        }
        b.build().ok()
    }

    /// The SDK view function for this view; `defaults` fill in what the
    /// view does not set.
    pub fn into_sdk_view(
        self,
        defaults: StreamDefaults,
    ) -> impl Fn(&Instrument) -> Option<Stream> + Send + Sync + 'static {
        move |i: &Instrument| {
            if self.selects_sdk(i) {
                self.stream(defaults, i.kind())
            } else {
                None
            }
        }
    }
}

/// The exponential histogram the spec's `base2_exponential_bucket_histogram`
/// default means: 160 buckets, scale 20, min and max recorded.
const DEFAULT_EXPONENTIAL: AggregationSpec =
    AggregationSpec::Exponential { max_size: 160, max_scale: 20, record_min_max: true };

/// What streams get when no view sets it: the provider's cardinality limit
/// and, with `exponential_histograms`
/// (`OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION`), base-2
/// exponential buckets for histograms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamDefaults {
    pub cardinality_limit: Option<usize>,
    /// Per-kind limits, taking priority over `cardinality_limit`.
    pub kind_limits: KindLimits,
    pub exponential_histograms: bool,
}

impl StreamDefaults {
    fn histogram(self, kind: InstrumentKind) -> Option<&'static AggregationSpec> {
        (self.exponential_histograms && kind == InstrumentKind::Histogram)
            .then_some(&DEFAULT_EXPONENTIAL)
    }

    /// The cardinality limit of a stream of this kind no view limits.
    fn limit(self, kind: InstrumentKind) -> Option<usize> {
        Kind::of_sdk(kind).and_then(|k| self.kind_limits[k as usize]).or(self.cardinality_limit)
    }

    /// Whether an instrument no view selects needs a stream of its own.
    fn change(self, kind: InstrumentKind) -> bool {
        self.limit(kind).is_some() || self.histogram(kind).is_some()
    }
}

/// The largest cardinality limit accepted. The SDK reserves memory for the
/// whole limit when a stream is created (about 66 bytes per series), so an
/// absurd limit would abort the process on the first instrument.
pub const MAX_CARDINALITY_LIMIT: usize = 1_000_000;

pub fn check_cardinality_limit(setting: &str, limit: usize) -> Result<()> {
    if limit == 0 {
        return Err(Error::config(setting, "the cardinality limit must be greater than zero"));
    }
    if limit > MAX_CARDINALITY_LIMIT {
        return Err(Error::config(
            setting,
            format!("the cardinality limit {limit} is above the maximum {MAX_CARDINALITY_LIMIT} (the SDK reserves memory for every series up to the limit)"),
        ));
    }
    Ok(())
}

/// The stream defaults, as a view that selects only instruments no other
/// view selects (a matching view replaces the default stream in the SDK, so
/// a catch-all would add a second stream).
pub fn default_stream_view(
    views: Vec<ViewSpec>,
    defaults: StreamDefaults,
) -> impl Fn(&Instrument) -> Option<Stream> + Send + Sync + 'static {
    let selects_everything = ViewSpec::default();
    move |i: &Instrument| {
        if !defaults.change(i.kind()) || views.iter().any(|v| v.selects_sdk(i)) {
            return None;
        }
        selects_everything.stream(defaults, i.kind())
    }
}

/// The attribute keys our instruments drop before recording: the union of
/// the deny-lists of every view selecting the instrument (the SDK cannot).
pub fn denied_keys(views: &[ViewSpec], i: &InstrumentIdentity<'_>) -> Option<Arc<HashSet<String>>> {
    let keys: HashSet<String> = views
        .iter()
        .filter(|v| v.selects(i))
        .flat_map(|v| v.denied_keys.iter().flatten().cloned())
        .collect();
    (!keys.is_empty()).then(|| Arc::new(keys))
}

/// One stream an instrument feeds, as the views make it: what its
/// exemplars are kept by (name, attribute keys, aggregation, limit).
#[derive(Debug, Clone, PartialEq)]
pub struct StreamOf {
    /// The stream's name when a view renames it.
    pub name: Option<String>,
    pub allowed_keys: Option<Vec<String>>,
    /// `None`: the kind's default aggregation.
    pub aggregation: Option<AggregationSpec>,
    pub cardinality_limit: Option<usize>,
}

/// The streams of one instrument: one per selecting view that does not
/// drop it, else the default stream (as the SDK makes them).
pub fn streams_of(
    views: &[ViewSpec],
    i: &InstrumentIdentity<'_>,
    defaults: StreamDefaults,
) -> Vec<StreamOf> {
    let default_aggregation = (defaults.exponential_histograms && i.kind == Kind::Histogram)
        .then(|| DEFAULT_EXPONENTIAL.clone());
    let default_limit = defaults.kind_limits[i.kind as usize].or(defaults.cardinality_limit);
    let selecting: Vec<&ViewSpec> = views.iter().filter(|v| v.selects(i)).collect();
    if selecting.is_empty() {
        return vec![StreamOf {
            name: None,
            allowed_keys: None,
            aggregation: default_aggregation,
            cardinality_limit: default_limit,
        }];
    }
    selecting
        .into_iter()
        .filter(|v| v.aggregation != Some(AggregationSpec::Drop))
        .map(|v| StreamOf {
            name: v.name.clone(),
            allowed_keys: v.allowed_keys.clone(),
            aggregation: v.aggregation.clone().or_else(|| default_aggregation.clone()),
            cardinality_limit: v.cardinality_limit.or(default_limit),
        })
        .collect()
}

/// Whether an instrument records anything through the views: false when
/// views select it and every one of them drops it (with no view selecting
/// it, the default stream records).
pub fn records_anything(views: &[ViewSpec], i: &InstrumentIdentity<'_>) -> bool {
    let mut selecting = views.iter().filter(|v| v.selects(i)).peekable();
    selecting.peek().is_none() || selecting.any(|v| v.aggregation != Some(AggregationSpec::Drop))
}

/// One rule of the meter configurator: meters whose name matches `pattern`
/// (`*`/`?` wildcards) are enabled or disabled. The first matching rule
/// decides; a meter no rule matches is enabled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterRule {
    pub pattern: String,
    pub enabled: bool,
}

/// Whether the meter configurator `rules` enables the meter `name`.
pub fn meter_enabled(rules: &[MeterRule], name: &str) -> bool {
    rules.iter().find(|r| wildcard_match(&r.pattern, name)).is_none_or(|r| r.enabled)
}

/// Drops denied attributes.
pub fn apply_deny_list(denied: &HashSet<String>, attributes: Vec<KeyValue>) -> Vec<KeyValue> {
    attributes.into_iter().filter(|kv| !denied.contains(kv.key.as_str())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("http.*", "http.server.duration"));
        assert!(wildcard_match("*", "anything"));
        assert!(wildcard_match("req?ests", "requests"));
        assert!(wildcard_match("*.duration", "HTTP.Server.Duration"));
        assert!(!wildcard_match("http.?", "http.ab"));
        assert!(!wildcard_match("db.*", "http.server"));
        assert!(wildcard_match("a*b*c", "axxbyyc"));
        assert!(!wildcard_match("a*b*c", "axxbyy"));
    }

    #[test]
    fn invalid_views_are_refused_with_a_reason() {
        let rename_wild = ViewSpec {
            instrument_name: Some("http.*".into()),
            name: Some("x".into()),
            ..Default::default()
        };
        assert!(rename_wild.validate().unwrap_err().message.contains("rename"));
        let unsorted = ViewSpec {
            instrument_name: Some("h".into()),
            aggregation: Some(AggregationSpec::ExplicitBuckets {
                boundaries: vec![5.0, 1.0],
                record_min_max: true,
            }),
            ..Default::default()
        };
        assert!(unsorted.validate().unwrap_err().message.contains("strictly increasing"));
        assert!(ViewSpec::default().validate().is_err(), "a view must select something");
        let both = ViewSpec {
            kind: Some(Kind::Counter),
            allowed_keys: Some(vec![]),
            denied_keys: Some(vec![]),
            ..Default::default()
        };
        assert!(both.validate().is_err());
    }

    fn identity(name: &str) -> InstrumentIdentity<'_> {
        InstrumentIdentity {
            name,
            kind: Kind::Counter,
            unit: "",
            meter_name: "m",
            meter_version: "",
            meter_schema_url: "",
        }
    }

    #[test]
    fn an_instrument_records_unless_every_selecting_view_drops_it() {
        let drop = |name: &str| ViewSpec {
            instrument_name: Some(name.into()),
            aggregation: Some(AggregationSpec::Drop),
            ..Default::default()
        };
        let sum = ViewSpec {
            instrument_name: Some("kept.*".into()),
            aggregation: Some(AggregationSpec::Sum),
            ..Default::default()
        };
        let views = vec![drop("dropped.*"), drop("kept.*"), sum];
        assert!(records_anything(&[], &identity("x")));
        assert!(records_anything(&views, &identity("other")), "no view selects it");
        assert!(!records_anything(&views, &identity("dropped.one")));
        assert!(records_anything(&views, &identity("kept.one")), "a second view keeps a stream");
    }

    #[test]
    fn the_first_matching_meter_rule_decides() {
        let rule = |pattern: &str, enabled| MeterRule { pattern: pattern.into(), enabled };
        let rules = vec![rule("noisy.keep", true), rule("noisy.*", false)];
        assert!(meter_enabled(&rules, "app"));
        assert!(meter_enabled(&rules, "noisy.keep"));
        assert!(!meter_enabled(&rules, "noisy.lib"));
        assert!(!meter_enabled(&[rule("*", false)], "anything"));
    }

    #[test]
    fn deny_lists_union_over_selecting_views() {
        let views = vec![
            ViewSpec {
                instrument_name: Some("http.*".into()),
                denied_keys: Some(vec!["user.id".into()]),
                ..Default::default()
            },
            ViewSpec {
                kind: Some(Kind::Counter),
                denied_keys: Some(vec!["session".into()]),
                ..Default::default()
            },
            ViewSpec {
                meter_name: Some("other".into()),
                denied_keys: Some(vec!["x".into()]),
                ..Default::default()
            },
        ];
        let id = InstrumentIdentity {
            name: "http.requests",
            kind: Kind::Counter,
            unit: "",
            meter_name: "m",
            meter_version: "",
            meter_schema_url: "",
        };
        let denied = denied_keys(&views, &id).unwrap();
        assert_eq!(denied.len(), 2);
        let kept = apply_deny_list(
            &denied,
            vec![
                KeyValue::new("user.id", 1),
                KeyValue::new("route", "/"),
                KeyValue::new("session", "s"),
            ],
        );
        assert_eq!(kept, vec![KeyValue::new("route", "/")]);
    }
}
