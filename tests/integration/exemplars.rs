//! Exemplars through the Rust core into the in-memory snapshot: the current
//! span and the per-call span, on every way of recording (attributes per
//! call, the bound-series cache, bound instruments), with views, and the
//! three filters.

use opentelemetry::KeyValue;
use otelmetrics::config::{MapEnv, Settings, ViewSpec};
use otelmetrics::instruments::{
    set_current_span, CounterU64, GaugeI64, HistogramF64, Instrument, InstrumentSpec, SpanContext,
};
use otelmetrics::provider::{MeterScope, Provider};
use serde_json::Value;
use std::sync::Arc;

const SAMPLED: SpanContext = SpanContext { trace_id: [0xab; 16], span_id: [0x12; 8], flags: 1 };
const OTHER: SpanContext = SpanContext { trace_id: [0xcd; 16], span_id: [0x34; 8], flags: 1 };
const UNSAMPLED: SpanContext = SpanContext { trace_id: [0xef; 16], span_id: [0x56; 8], flags: 0 };

fn provider(filter: Option<&str>, views: Vec<ViewSpec>) -> Arc<Provider> {
    let settings = Settings {
        exporters: Some(vec![]),
        in_memory_reader: true,
        exemplar_filter: filter.map(str::to_owned),
        views,
        ..Default::default()
    };
    Provider::build(&settings, &MapEnv::default()).unwrap()
}

fn spec(name: &str) -> InstrumentSpec {
    InstrumentSpec { name: name.into(), ..Default::default() }
}

fn scope() -> MeterScope {
    MeterScope { name: "exemplar-test".into(), ..Default::default() }
}

/// Every data point of metric `name` in the snapshot.
fn points(provider: &Provider, name: &str) -> Vec<Value> {
    let snapshot: Value = serde_json::from_str(&provider.snapshot_json().unwrap()).unwrap();
    let metric = snapshot["resourceMetrics"][0]["scopeMetrics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["metrics"].as_array().unwrap().clone())
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("metric {name} not in snapshot: {snapshot}"));
    let data = ["sum", "gauge", "histogram", "exponentialHistogram"]
        .iter()
        .find_map(|k| metric.get(*k))
        .unwrap();
    data["dataPoints"].as_array().unwrap().clone()
}

fn exemplars(point: &Value) -> Vec<Value> {
    point.get("exemplars").and_then(|e| e.as_array().cloned()).unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn ids(exemplar: &Value) -> (String, String) {
    (
        exemplar["traceId"].as_str().unwrap_or("").to_owned(),
        exemplar["spanId"].as_str().unwrap_or("").to_owned(),
    )
}

fn span_ids(span: &SpanContext) -> (String, String) {
    (hex(&span.trace_id), hex(&span.span_id))
}

#[test]
fn the_current_span_gives_exemplars_on_every_way_of_recording() {
    let p = provider(None, vec![]);
    let meter = p.meter(&scope()).unwrap();
    let counter = Instrument::<CounterU64>::new(&meter, &spec("c.requests")).unwrap();
    let histogram = Instrument::<HistogramF64>::new(&meter, &spec("c.latency")).unwrap();
    let gauge = Instrument::<GaugeI64>::new(&meter, &spec("c.depth")).unwrap();
    let bound = counter.bind(&[KeyValue::new("route", "/bound")]).unwrap();
    // Bound before any span: the fast path has checked in.
    bound.record(1).unwrap();
    set_current_span(Some(SAMPLED));
    counter.record(3, &[KeyValue::new("route", "/plain")]).unwrap();
    counter.record_keyed(4, b"k", || Ok(vec![KeyValue::new("route", "/keyed")])).unwrap();
    assert!(!bound.try_record(5), "armed: the bound fast path hands over to the full path");
    bound.record(5).unwrap();
    histogram.record(7.5, &[]).unwrap();
    gauge.record(-2, &[]).unwrap();
    set_current_span(None);
    for p in points(&p, "c.requests") {
        let ex = exemplars(&p);
        assert_eq!(ex.len(), 1, "one exemplar per counter point: {p}");
        assert_eq!(ids(&ex[0]), span_ids(&SAMPLED));
    }
    let h = &points(&p, "c.latency")[0];
    let ex = exemplars(h);
    assert_eq!(ex.len(), 1);
    assert_eq!(ex[0]["asDouble"], 7.5);
    assert_eq!(ids(&ex[0]), span_ids(&SAMPLED));
    assert_eq!(exemplars(&points(&p, "c.depth")[0]).len(), 1);
}

#[test]
fn a_span_passed_with_the_call_wins_over_the_current_span() {
    let p = provider(None, vec![]);
    let meter = p.meter(&scope()).unwrap();
    let counter = Instrument::<CounterU64>::new(&meter, &spec("p.requests")).unwrap();
    let bound = counter.bind(&[KeyValue::new("route", "/b")]).unwrap();
    set_current_span(Some(SAMPLED));
    counter.record_in_span(1, &[KeyValue::new("route", "/a")], &OTHER).unwrap();
    counter
        .record_keyed_in_span(1, b"c", || Ok(vec![KeyValue::new("route", "/c")]), &OTHER)
        .unwrap();
    bound.record_in_span(1, &OTHER).unwrap();
    set_current_span(None);
    let points = points(&p, "p.requests");
    assert_eq!(points.len(), 3);
    for point in points {
        let ex = exemplars(&point);
        assert_eq!(ex.len(), 1, "{point}");
        assert_eq!(ids(&ex[0]), span_ids(&OTHER));
    }
}

#[test]
fn trace_based_takes_no_unsampled_span_and_always_off_none() {
    let trace_based = provider(None, vec![]);
    let off = provider(Some("always_off"), vec![]);
    for (p, span) in [(&trace_based, UNSAMPLED), (&off, SAMPLED)] {
        let meter = p.meter(&scope()).unwrap();
        let counter = Instrument::<CounterU64>::new(&meter, &spec("f.requests")).unwrap();
        set_current_span(Some(span));
        counter.record(1, &[]).unwrap();
        counter.record_in_span(1, &[], &span).unwrap();
        set_current_span(None);
        counter.record(1, &[]).unwrap();
        let points = points(p, "f.requests");
        assert!(points.iter().all(|pt| exemplars(pt).is_empty()), "{points:?}");
    }
}

#[test]
fn always_on_takes_measurements_without_a_span() {
    let p = provider(Some("always_on"), vec![]);
    let meter = p.meter(&scope()).unwrap();
    let counter = Instrument::<CounterU64>::new(&meter, &spec("on.requests")).unwrap();
    counter.record(2, &[]).unwrap();
    let ex = exemplars(&points(&p, "on.requests")[0]);
    assert_eq!(ex.len(), 1);
    assert_eq!(ids(&ex[0]), (String::new(), String::new()), "no span: no ids");
}

#[test]
fn exemplars_keep_the_attributes_views_filter_out_and_follow_renamed_streams() {
    let views = vec![
        ViewSpec {
            instrument_name: Some("v.requests".into()),
            name: Some("v.renamed".into()),
            allowed_keys: Some(vec!["route".into()]),
            ..Default::default()
        },
        ViewSpec {
            instrument_name: Some("v.other".into()),
            denied_keys: Some(vec!["user".into()]),
            ..Default::default()
        },
    ];
    let p = provider(None, views);
    let meter = p.meter(&scope()).unwrap();
    let renamed = Instrument::<CounterU64>::new(&meter, &spec("v.requests")).unwrap();
    let denied = Instrument::<CounterU64>::new(&meter, &spec("v.other")).unwrap();
    let attrs = [KeyValue::new("route", "/"), KeyValue::new("user", "u7")];
    renamed.record_in_span(1, &attrs, &SAMPLED).unwrap();
    denied.record_in_span(1, &attrs, &SAMPLED).unwrap();
    for name in ["v.renamed", "v.other"] {
        let points = points(&p, name);
        assert_eq!(points.len(), 1);
        let ex = exemplars(&points[0]);
        assert_eq!(ex.len(), 1, "{name}: {points:?}");
        let filtered = ex[0]["filteredAttributes"].as_array().unwrap();
        assert_eq!(filtered.len(), 1, "{name}: {filtered:?}");
        assert_eq!(filtered[0]["key"], "user");
        assert_eq!(filtered[0]["value"]["stringValue"], "u7");
    }
}

#[test]
fn histogram_buckets_each_keep_their_last_exemplar() {
    let p = provider(None, vec![]);
    let meter = p.meter(&scope()).unwrap();
    let s = InstrumentSpec { boundaries: Some(vec![1.0, 10.0]), ..spec("h.latency") };
    let h = Instrument::<HistogramF64>::new(&meter, &s).unwrap();
    for v in [0.5, 0.7, 5.0, 50.0, 60.0] {
        h.record_in_span(v, &[], &SAMPLED).unwrap();
    }
    let values: Vec<f64> = exemplars(&points(&p, "h.latency")[0])
        .iter()
        .map(|e| e["asDouble"].as_f64().unwrap())
        .collect();
    assert_eq!(values, vec![0.7, 5.0, 60.0]);
}
