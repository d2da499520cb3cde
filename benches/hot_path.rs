//! The C-ABI hot path against the native Rust SDK, in one run.
//!
//! The C side is reached the way a C, Julia or Python program reaches it: the
//! release `libotelmetrics.so` is loaded with `dlopen` and called through
//! function pointers, so nothing is inlined across the boundary. The native
//! side uses `opentelemetry_sdk` directly with the same reader (a cumulative
//! manual reader) and the same measurements: 3 attributes, two strings and
//! an int.
//!
//! Run: `cargo build --release && cargo bench --bench hot_path`

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::KeyValue;
use opentelemetry_sdk::metrics::{ManualReader, SdkMeterProvider};
use otelmetrics::ffi::*;
use std::ffi::{c_void, CString};
use std::hint::black_box;
use std::time::Instant;

const ITERATIONS: u64 = 2_000_000;
const ROUNDS: usize = 7;

/// Median ns per call over several rounds.
fn measure(mut f: impl FnMut(u64)) -> f64 {
    for i in 0..ITERATIONS / 10 {
        f(i);
    }
    let mut rounds: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            for i in 0..ITERATIONS {
                f(i);
            }
            start.elapsed().as_nanos() as f64 / ITERATIONS as f64
        })
        .collect();
    rounds.sort_by(|a, b| a.partial_cmp(b).unwrap());
    rounds[ROUNDS / 2]
}

/// Throughput with two threads over throughput with one (each thread
/// records `ITERATIONS` calls; best of 3 runs for each).
fn scaling(f: impl Fn(usize, u64) + Send + Sync + Clone + 'static) -> f64 {
    let run = |threads: usize| -> f64 {
        (0..3)
            .map(|_| {
                let start = Instant::now();
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        let f = f.clone();
                        std::thread::spawn(move || (0..ITERATIONS).for_each(|i| f(t, i)))
                    })
                    .collect();
                handles.into_iter().for_each(|h| h.join().unwrap());
                (threads as u64 * ITERATIONS) as f64 / start.elapsed().as_secs_f64()
            })
            .fold(0.0, f64::max)
    };
    let one = run(1);
    run(2) / one
}

struct Lib(*mut c_void);

impl Lib {
    fn open() -> Lib {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/target/release/libotelmetrics.so");
        let c = CString::new(path).unwrap();
        let handle = unsafe { libc::dlopen(c.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        assert!(!handle.is_null(), "build the library first: cargo build --release ({path})");
        Lib(handle)
    }
    unsafe fn sym<T: Copy>(&self, name: &str) -> T {
        let c = CString::new(name).unwrap();
        let p = libc::dlsym(self.0, c.as_ptr());
        assert!(!p.is_null(), "missing symbol {name}");
        std::mem::transmute_copy(&p)
    }
}

fn s(text: &'static str) -> otelmetrics_str {
    otelmetrics_str { ptr: text.as_ptr() as *const _, len: text.len() }
}

fn attr_str(key: &'static str, value: &'static str) -> otelmetrics_attribute {
    otelmetrics_attribute { key: s(key), value_type: OTELMETRICS_VALUE_STRING, value: otelmetrics_value { string: s(value) } }
}

fn attr_i64(key: &'static str, value: i64) -> otelmetrics_attribute {
    otelmetrics_attribute { key: s(key), value_type: OTELMETRICS_VALUE_INT64, value: otelmetrics_value { int64: value } }
}

type Status = u32;
type P = *mut c_void;

fn check(status: Status, what: &str) {
    assert_eq!(status, 0, "{what} failed with status {status}");
}

fn main() {
    let lib = Lib::open();
    unsafe {
        let builder_new: unsafe extern "C" fn(*mut P) -> Status = lib.sym("otelmetrics_provider_builder_new");
        let add_exporter: unsafe extern "C" fn(P, u32) -> Status = lib.sym("otelmetrics_provider_builder_add_exporter");
        let in_memory: unsafe extern "C" fn(P) -> Status = lib.sym("otelmetrics_provider_builder_enable_in_memory_reader");
        let build: unsafe extern "C" fn(P, *mut P) -> Status = lib.sym("otelmetrics_provider_builder_build");
        let get_meter: unsafe extern "C" fn(P, otelmetrics_str, otelmetrics_str, otelmetrics_str, *const otelmetrics_attribute, usize, *mut P) -> Status =
            lib.sym("otelmetrics_provider_get_meter");
        let create_counter: unsafe extern "C" fn(P, otelmetrics_str, otelmetrics_str, otelmetrics_str, *mut P) -> Status =
            lib.sym("otelmetrics_meter_create_counter_u64");
        let create_histogram: unsafe extern "C" fn(P, otelmetrics_str, otelmetrics_str, otelmetrics_str, *const f64, usize, *mut P) -> Status =
            lib.sym("otelmetrics_meter_create_histogram_f64");
        let counter_add: unsafe extern "C" fn(P, u64, *const otelmetrics_attribute, usize) -> Status = lib.sym("otelmetrics_counter_u64_add");
        let histogram_record: unsafe extern "C" fn(P, f64, *const otelmetrics_attribute, usize) -> Status =
            lib.sym("otelmetrics_histogram_f64_record");
        let attributes_new: unsafe extern "C" fn(*const otelmetrics_attribute, usize, *mut P) -> Status = lib.sym("otelmetrics_attributes_new");
        let counter_bind: unsafe extern "C" fn(P, P, *mut P) -> Status = lib.sym("otelmetrics_counter_u64_bind");
        let bound_counter_add: unsafe extern "C" fn(P, u64) -> Status = lib.sym("otelmetrics_bound_counter_u64_add");
        let histogram_bind: unsafe extern "C" fn(P, P, *mut P) -> Status = lib.sym("otelmetrics_histogram_f64_bind");
        let bound_histogram_record: unsafe extern "C" fn(P, f64) -> Status = lib.sym("otelmetrics_bound_histogram_f64_record");

        let (mut builder, mut provider, mut meter, mut counter, mut histogram) = (P::default(), P::default(), P::default(), P::default(), P::default());
        check(builder_new(&mut builder), "builder");
        check(add_exporter(builder, OTELMETRICS_EXPORTER_NONE), "exporter none");
        check(in_memory(builder), "in-memory reader");
        check(build(builder, &mut provider), "build");
        check(get_meter(provider, s("bench"), s(""), s(""), std::ptr::null(), 0, &mut meter), "meter");
        check(create_counter(meter, s("requests"), s(""), s(""), &mut counter), "counter");
        check(create_histogram(meter, s("latency"), s(""), s(""), std::ptr::null(), 0, &mut histogram), "histogram");

        let native_provider = SdkMeterProvider::builder().with_reader(ManualReader::builder().build()).build();
        let native_meter = native_provider.meter("bench");
        let native_counter = native_meter.u64_counter("requests").build();
        let native_histogram = native_meter.f64_histogram("latency").build();

        let native_attrs = || [KeyValue::new("method", "GET"), KeyValue::new("route", "/api/v1/users"), KeyValue::new("status", 200i64)];
        let c_attrs = || [attr_str("method", "GET"), attr_str("route", "/api/v1/users"), attr_i64("status", 200)];

        let mut set = P::default();
        let attrs = c_attrs();
        check(attributes_new(attrs.as_ptr(), 3, &mut set), "attribute set");
        let (mut bound_counter, mut bound_histogram) = (P::default(), P::default());
        check(counter_bind(counter, set, &mut bound_counter), "bind counter");
        check(histogram_bind(histogram, set, &mut bound_histogram), "bind histogram");
        let native_bound_counter = native_counter.bind(&native_attrs());
        let native_bound_histogram = native_histogram.bind(&native_attrs());

        let rows = [
            (
                "counter add, 3 attributes per call",
                measure(|_| native_counter.add(1, black_box(&native_attrs()))),
                measure(|_| {
                    let a = c_attrs();
                    black_box(counter_add(counter, 1, black_box(a.as_ptr()), 3));
                }),
                1.3,
            ),
            (
                "bound counter add",
                measure(|_| native_bound_counter.add(black_box(1))),
                measure(|_| {
                    black_box(bound_counter_add(bound_counter, black_box(1)));
                }),
                2.0,
            ),
            (
                "histogram record, 3 attributes per call",
                measure(|i| native_histogram.record((i % 1000) as f64, black_box(&native_attrs()))),
                measure(|i| {
                    let a = c_attrs();
                    black_box(histogram_record(histogram, (i % 1000) as f64, black_box(a.as_ptr()), 3));
                }),
                f64::NAN,
            ),
            (
                "bound histogram record",
                measure(|i| native_bound_histogram.record((i % 1000) as f64)),
                measure(|i| {
                    black_box(bound_histogram_record(bound_histogram, (i % 1000) as f64));
                }),
                1.5,
            ),
        ];

        // Two threads, each on its own series of the same counter: how much
        // more work two threads get done than one (per-call attributes).
        let c_addr = counter as usize;
        let c_add_addr = counter_add as usize;
        let scaling_ours = scaling(move |thread, i| {
            let add: unsafe extern "C" fn(P, u64, *const otelmetrics_attribute, usize) -> Status = std::mem::transmute(c_add_addr);
            let a = [attr_str("method", if thread == 0 { "GET" } else { "PUT" }), attr_str("route", "/api/v1/users"), attr_i64("status", (i % 4) as i64)];
            black_box(add(c_addr as P, 1, black_box(a.as_ptr()), 3));
        });
        let native_counter_2 = native_counter.clone();
        let scaling_native = scaling(move |thread, i| {
            let a = [KeyValue::new("method", if thread == 0 { "GET" } else { "PUT" }), KeyValue::new("route", "/api/v1/users"), KeyValue::new("status", (i % 4) as i64)];
            native_counter_2.add(1, black_box(&a));
        });

        println!("| measurement | native Rust SDK (ns) | otelmetrics C ABI (ns) | ratio | target |");
        println!("|---|---:|---:|---:|---:|");
        for (name, native, ours, target) in rows {
            let ratio = ours / native;
            let verdict = if target.is_nan() { "-".to_owned() } else if ratio <= target { format!("<= {target}x met") } else { format!("<= {target}x MISSED") };
            println!("| {name} | {native:.1} | {ours:.1} | {ratio:.2}x | {verdict} |");
        }
        println!();
        println!("| 2 threads, distinct series, per-call attributes | native Rust SDK | otelmetrics C ABI | target |");
        println!("|---|---:|---:|---:|");
        let verdict = if scaling_ours >= 1.6 { "met" } else { "MISSED" };
        println!("| throughput of 2 threads / 1 thread | {scaling_native:.2}x | {scaling_ours:.2}x | >= 1.6x {verdict} |");
    }
}
