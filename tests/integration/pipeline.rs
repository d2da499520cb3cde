//! The Rust core end to end, without C: recording through the bound-series
//! cache, reading the in-memory snapshot, and flush/shutdown deadlines
//! against a peer that accepts connections and never answers.

use opentelemetry::KeyValue;
use otelmetrics::config::{ExporterKind, MapEnv, Protocol, Settings};
use otelmetrics::instruments::{CounterU64, HistogramF64, Instrument, InstrumentSpec};
use otelmetrics::provider::{MeterScope, Provider};
use serde_json::Value;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn in_memory() -> Settings {
    Settings { exporters: Some(vec![]), in_memory_reader: true, ..Default::default() }
}

fn spec(name: &str) -> InstrumentSpec {
    InstrumentSpec { name: name.into(), ..Default::default() }
}

fn scope() -> MeterScope {
    MeterScope { name: "test".into(), ..Default::default() }
}

fn metric<'a>(snapshot: &'a Value, name: &str) -> &'a Value {
    snapshot["resourceMetrics"][0]["scopeMetrics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["metrics"].as_array().unwrap())
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("metric {name} not in snapshot: {snapshot}"))
}

fn as_i64(v: &Value) -> i64 {
    match v {
        Value::String(s) => s.parse().unwrap(),
        other => other.as_i64().unwrap(),
    }
}

#[test]
fn keyed_recording_aggregates_per_series_and_attribute_order_does_not_matter() {
    let provider = Provider::build(&in_memory(), &MapEnv::default()).unwrap();
    let meter = provider.meter(&scope()).unwrap();
    let counter = Instrument::<CounterU64>::new(&meter, &spec("requests")).unwrap();
    let ab = vec![KeyValue::new("a", "1"), KeyValue::new("b", 2i64)];
    let ba = vec![KeyValue::new("b", 2i64), KeyValue::new("a", "1")];
    let conversions = std::cell::Cell::new(0);
    for _ in 0..10 {
        counter
            .record_keyed(1, b"ab", || {
                conversions.set(conversions.get() + 1);
                Ok(ab.clone())
            })
            .unwrap();
    }
    counter.record_keyed(5, b"ba", || Ok(ba.clone())).unwrap();
    assert_eq!(conversions.get(), 1, "a cached series converts its attributes once");
    let snapshot: Value = serde_json::from_str(&provider.snapshot_json().unwrap()).unwrap();
    let points = metric(&snapshot, "requests")["sum"]["dataPoints"].as_array().unwrap();
    assert_eq!(points.len(), 1, "both orders are one series: {points:?}");
    assert_eq!(as_i64(&points[0]["asInt"]), 15);
}

#[test]
fn histogram_boundaries_and_counts_reach_the_snapshot() {
    let provider = Provider::build(&in_memory(), &MapEnv::default()).unwrap();
    let meter = provider.meter(&scope()).unwrap();
    let s = InstrumentSpec {
        boundaries: Some(vec![1.0, 10.0]),
        unit: Some("ms".into()),
        ..spec("latency")
    };
    let h = Instrument::<HistogramF64>::new(&meter, &s).unwrap();
    for v in [0.5, 5.0, 50.0, 7.0] {
        h.record(v, &[]).unwrap();
    }
    let snapshot: Value = serde_json::from_str(&provider.snapshot_json().unwrap()).unwrap();
    let m = metric(&snapshot, "latency");
    assert_eq!(m["unit"], "ms");
    let p = &m["histogram"]["dataPoints"][0];
    assert_eq!(p["explicitBounds"], serde_json::json!([1.0, 10.0]));
    let counts: Vec<i64> = p["bucketCounts"].as_array().unwrap().iter().map(as_i64).collect();
    assert_eq!(counts, vec![1, 2, 1]);
    assert_eq!(as_i64(&p["count"]), 4);
}

#[test]
fn recording_after_shutdown_is_refused() {
    let provider = Provider::build(&in_memory(), &MapEnv::default()).unwrap();
    let meter = provider.meter(&scope()).unwrap();
    let counter = Instrument::<CounterU64>::new(&meter, &spec("c")).unwrap();
    counter.record(1, &[]).unwrap();
    provider.shutdown(Duration::from_secs(5)).unwrap();
    assert_eq!(counter.record(1, &[]).unwrap_err().status, 8);
    assert_eq!(provider.shutdown(Duration::from_secs(1)).unwrap_err().status, 8, "second shutdown");
    assert_eq!(provider.force_flush(Duration::from_secs(1)).unwrap_err().status, 8);
}

/// A TCP peer that accepts connections and never answers (a black hole).
fn black_hole() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    (listener, addr)
}

fn hanging_provider(protocol: Protocol, endpoint: &str) -> Arc<Provider> {
    let url = if protocol == Protocol::Grpc {
        endpoint.to_owned()
    } else {
        format!("{endpoint}/v1/metrics")
    };
    let settings = Settings {
        exporters: Some(vec![ExporterKind::Otlp]),
        otlp_protocol: Some(protocol),
        otlp_endpoint: Some(url),
        export_timeout: Some(Duration::from_secs(20)),
        otlp_timeout: Some(Duration::from_secs(20)),
        ..Default::default()
    };
    Provider::build(&settings, &MapEnv::default()).unwrap()
}

#[test]
fn flush_and_shutdown_return_by_their_timeout_when_the_collector_hangs() {
    for protocol in [Protocol::Grpc, Protocol::HttpProtobuf] {
        let (_listener, endpoint) = black_hole();
        let provider = hanging_provider(protocol, &endpoint);
        let meter = provider.meter(&scope()).unwrap();
        let counter = Instrument::<CounterU64>::new(&meter, &spec("c")).unwrap();
        counter.record(1, &[]).unwrap();

        // Bounds, not benchmarks: 300 ms asked, a generous 3 s allowed.
        let started = Instant::now();
        let e = provider.force_flush(Duration::from_millis(300)).unwrap_err();
        assert_eq!(e.status, 9, "{protocol:?}: {e}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{protocol:?}: flush took {:?}",
            started.elapsed()
        );

        let started = Instant::now();
        let e = provider.shutdown(Duration::from_millis(300)).unwrap_err();
        assert_eq!(e.status, 9, "{protocol:?}: {e}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{protocol:?}: shutdown took {:?}",
            started.elapsed()
        );
        assert_eq!(counter.record(1, &[]).unwrap_err().status, 8);
    }
}

#[test]
fn an_invalid_instrument_name_is_refused_with_the_name_in_the_message() {
    let provider = Provider::build(&in_memory(), &MapEnv::default()).unwrap();
    let meter = provider.meter(&scope()).unwrap();
    let e = Instrument::<CounterU64>::new(&meter, &spec("9lives")).err().unwrap();
    assert_eq!(e.status, 4);
    assert!(e.message.contains("9lives"));
}
