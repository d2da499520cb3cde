//! Views and cardinality through the C surface, read back from the
//! in-memory snapshot.

// Test code calls the C API with pointers it has just made, valid for the
// call; a SAFETY comment on each of those blocks would say only that.
#![allow(clippy::undocumented_unsafe_blocks)]

use crate::common::*;
use otelmetrics::ffi::builder::*;
use otelmetrics::ffi::instruments_api::*;
use otelmetrics::ffi::meter::*;
use otelmetrics::ffi::provider::*;
use otelmetrics::ffi::views::*;
use otelmetrics::ffi::*;
use serde_json::Value;
use std::ptr::null_mut;

unsafe fn view(configure: impl FnOnce(*mut otelmetrics_view)) -> *mut otelmetrics_view {
    let mut v = null_mut();
    assert_eq!(otelmetrics_view_new(&mut v), 0);
    configure(v);
    v
}

unsafe fn provider_with(
    views: &[*mut otelmetrics_view],
    limit: Option<usize>,
) -> (*mut otelmetrics_provider, *mut otelmetrics_meter) {
    in_memory_provider(|b| {
        if let Some(l) = limit {
            assert_eq!(otelmetrics_provider_builder_set_cardinality_limit(b, l), 0);
        }
        for v in views {
            assert_eq!(otelmetrics_provider_builder_add_view(b, *v), 0);
            otelmetrics_view_free(*v);
        }
    })
}

fn attribute_keys(point: &Value) -> Vec<String> {
    let mut keys: Vec<String> = point["attributes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|kv| kv["key"].as_str().unwrap().to_owned())
        .collect();
    keys.sort();
    keys
}

unsafe fn counter(m: *mut otelmetrics_meter, name: &str) -> *mut otelmetrics_counter_u64 {
    let mut c = null_mut();
    assert_eq!(otelmetrics_meter_create_counter_u64(m, s(name), s("original"), s("1"), &mut c), 0);
    c
}

#[test]
fn rename_describe_and_filter_attribute_keys() {
    unsafe {
        let rename = view(|v| {
            otelmetrics_view_select_instrument_name(v, s("orders"));
            otelmetrics_view_set_name(v, s("orders.placed"));
            otelmetrics_view_set_description(v, s("renamed by a view"));
            let keys = [s("region")];
            otelmetrics_view_allow_attribute_keys(v, keys.as_ptr(), 1);
        });
        let deny = view(|v| {
            otelmetrics_view_select_instrument_name(v, s("pay*"));
            let keys = [s("card")];
            otelmetrics_view_deny_attribute_keys(v, keys.as_ptr(), 1);
        });
        let (p, m) = provider_with(&[rename, deny], None);
        let (orders, payments) = (counter(m, "orders"), counter(m, "payments"));
        let attrs = [attr_str("region", "eu"), attr_str("card", "visa"), attr_str("user", "u1")];
        assert_eq!(otelmetrics_counter_u64_add(orders, 2, attrs.as_ptr(), 3), 0);
        assert_eq!(otelmetrics_counter_u64_add(payments, 3, attrs.as_ptr(), 3), 0);
        let all = metrics(&snapshot(p));
        let o = all.iter().find(|m| m["name"] == "orders.placed").expect("renamed stream");
        assert_eq!(o["description"], "renamed by a view");
        assert_eq!(attribute_keys(&o["sum"]["dataPoints"][0]), vec!["region"]);
        let pay = all.iter().find(|m| m["name"] == "payments").unwrap();
        assert_eq!(attribute_keys(&pay["sum"]["dataPoints"][0]), vec!["region", "user"]);
        assert!(all.iter().all(|m| m["name"] != "orders"), "the original stream is replaced");
        close(p, m);
    }
}

#[test]
fn aggregations_drop_histogram_buckets_and_exponential_and_two_views_on_one_instrument() {
    unsafe {
        let drop = view(|v| {
            otelmetrics_view_select_instrument_name(v, s("noise"));
            otelmetrics_view_set_aggregation_drop(v);
        });
        let buckets = view(|v| {
            otelmetrics_view_select_instrument_kind(v, OTELMETRICS_INSTRUMENT_KIND_HISTOGRAM);
            otelmetrics_view_select_meter(v, s("shop"), s("1.2"));
            let b = [10.0, 100.0];
            otelmetrics_view_set_aggregation_explicit_buckets(v, b.as_ptr(), 2, false);
        });
        let expo = view(|v| {
            otelmetrics_view_select_instrument_name(v, s("latency"));
            otelmetrics_view_set_name(v, s("latency.exp"));
            otelmetrics_view_set_aggregation_exponential(v, 20, 5, true);
        });
        let (p, m) = provider_with(&[drop, buckets, expo], None);
        let noise = counter(m, "noise");
        assert_eq!(otelmetrics_counter_u64_add(noise, 1, std::ptr::null(), 0), 0);
        let mut h = null_mut();
        assert_eq!(
            otelmetrics_meter_create_histogram_f64(
                m,
                s("latency"),
                s(""),
                s("ms"),
                std::ptr::null(),
                0,
                &mut h
            ),
            0
        );
        for v in [5.0, 50.0, 500.0] {
            assert_eq!(otelmetrics_histogram_f64_record(h, v, std::ptr::null(), 0), 0);
        }
        let all = metrics(&snapshot(p));
        assert!(all.iter().all(|m| m["name"] != "noise"), "dropped");
        let explicit =
            all.iter().find(|m| m["name"] == "latency" && m.get("histogram").is_some()).unwrap();
        let point = &explicit["histogram"]["dataPoints"][0];
        assert_eq!(point["explicitBounds"], serde_json::json!([10.0, 100.0]));
        assert!(point.get("min").is_none_or(Value::is_null), "min/max off: {point}");
        let exp = all
            .iter()
            .find(|m| m["name"] == "latency.exp")
            .expect("second stream from a second view");
        assert!(exp.get("exponentialHistogram").is_some(), "{exp}");
        close(p, m);
    }
}

#[test]
fn invalid_views_fail_when_added_with_a_message() {
    unsafe {
        let mut b = null_mut();
        assert_eq!(otelmetrics_provider_builder_new(&mut b), 0);
        let wild_rename = view(|v| {
            otelmetrics_view_select_instrument_name(v, s("http.*"));
            otelmetrics_view_set_name(v, s("x"));
        });
        assert_eq!(
            otelmetrics_provider_builder_add_view(b, wild_rename),
            OTELMETRICS_STATUS_INVALID_CONFIG
        );
        let msg = last_error();
        assert!(msg.contains("wildcard"), "{msg:?}");
        let unsorted = view(|v| {
            otelmetrics_view_select_instrument_name(v, s("h"));
            let b = [5.0, 1.0];
            otelmetrics_view_set_aggregation_explicit_buckets(v, b.as_ptr(), 2, true);
        });
        assert_eq!(
            otelmetrics_provider_builder_add_view(b, unsorted),
            OTELMETRICS_STATUS_INVALID_CONFIG
        );
        otelmetrics_view_free(wild_rename);
        otelmetrics_view_free(unsorted);
        otelmetrics_provider_builder_free(b);
    }
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn a_million_distinct_attribute_sets_stay_bounded_by_the_cardinality_limit() {
    unsafe {
        let (p, m) = provider_with(&[], Some(1000));
        let c = counter(m, "requests");
        let before = peak_rss_kib();
        for i in 0..1_000_000u32 {
            let id = i.to_string();
            let a = [attr_str("user", &id)];
            assert_eq!(otelmetrics_counter_u64_add(c, 1, a.as_ptr(), 1), 0);
        }
        let growth_kib = peak_rss_kib() - before;
        let growth_mib = growth_kib / 1024;
        eprintln!(
            "peak resident memory grew by {growth_kib} KiB over 1,000,000 distinct attribute sets"
        );
        let snap = snapshot(p);
        let points = metrics(&snap)[0]["sum"]["dataPoints"].as_array().unwrap().clone();
        assert!(
            points.len() <= 1001,
            "{} points: the limit plus the overflow point at most",
            points.len()
        );
        let overflow = points
            .iter()
            .find(|p| p["attributes"][0]["key"] == "otel.metric.overflow")
            .expect("measurements past the limit go to the overflow point");
        let total: i64 = points
            .iter()
            .map(|p| {
                p["asInt"]
                    .as_str()
                    .map_or_else(|| p["asInt"].as_i64().unwrap(), |s| s.parse().unwrap())
            })
            .sum();
        assert_eq!(total, 1_000_000, "nothing is lost: {overflow}");
        assert!(growth_mib < 64, "memory grew by {growth_mib} MiB");
        close(p, m);
    }
}
