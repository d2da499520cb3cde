//! The C-ABI hot path against the native Rust SDK, in one program, two ways.
//!
//! The C side is reached the way a C, Julia or Python program reaches it: the
//! release `libotelmetrics.so` is loaded with `dlopen` and called through
//! function pointers, so nothing is inlined across the boundary. The native
//! side uses `opentelemetry_sdk` directly with the same reader (a cumulative
//! manual reader, never collected during the measurement), the same values
//! (counters add 1, histograms record `i % 1000`) and the same attributes
//! (`method=GET`, `route=/api/v1/users`, `status=200`), built the same way on
//! both sides: "per call" rows build the 3-element array inside the loop
//! (C: `otelmetrics_attribute`s, native: `KeyValue`s, static strings both),
//! "prebuilt" rows build it once (the "attribute set" row passes an
//! `otelmetrics_attributes` made once; the native SDK has no such thing and
//! passes its prebuilt slice again), bound rows bind once before the loop.
//!
//!     cargo build --release && cargo bench --bench hot_path
//!         min / median / max ns per call over rounds that alternate
//!         between the two sides, by the wall clock and by the thread's CPU
//!         time (which leaves out time other processes had the core), then
//!         2-thread scaling
//!     cargo build --release && cargo bench --bench hot_path -- --instructions
//!         instructions per call, counted by `valgrind --tool=callgrind`:
//!         the same on any x86-64 machine, whatever its load
//!
//! Instruction counts: each (case, side) runs in its own process under
//! callgrind, collecting only inside `otelmetrics_bench_measured` (after a
//! warm-up outside it); an empty closure's count per call (the loop and the
//! closure call, identical for both sides) is subtracted.

// Test code calls the C API with pointers it has just made, valid for the
// call; a SAFETY comment on each of those blocks would say only that.
#![allow(clippy::undocumented_unsafe_blocks)]

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::KeyValue;
use opentelemetry_sdk::metrics::{ManualReader, SdkMeterProvider};
use otelmetrics::ffi::span::otelmetrics_span_context;
use otelmetrics::ffi::*;
use std::ffi::{c_void, CString};
use std::hint::black_box;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Wall clock: calls per round, rounds per side.
const ITERATIONS: u64 = 1_000_000;
const ROUNDS: usize = 11;
/// Under callgrind: calls counted (after `INSTRUCTION_WARMUP` uncounted).
const INSTRUCTION_CALLS: u64 = 200_000;
const INSTRUCTION_WARMUP: u64 = 20_000;

/// The only code callgrind counts in `--instructions` mode (by this name).
#[no_mangle]
#[inline(never)]
pub fn otelmetrics_bench_measured(f: &mut dyn FnMut(u64), calls: u64) {
    for i in 0..calls {
        f(i);
    }
}

/// The same loop under another name: warm-up and wall-clock rounds.
#[inline(never)]
fn run_calls(f: &mut dyn FnMut(u64), calls: u64) {
    for i in 0..calls {
        f(i);
    }
}

struct Lib(*mut c_void);

impl Lib {
    fn open() -> Lib {
        // OTELMETRICS_BENCH_LIBRARY measures another build of the library,
        // e.g. the C install or the Python package's (BENCHMARKS.md, "What
        // ships"). Otherwise the library of this build, wherever its target
        // directory is (CARGO_TARGET_DIR): the bench runs from
        // <target>/release/deps/, and `cargo build --release` puts the
        // library in <target>/release/.
        let path = match std::env::var_os("OTELMETRICS_BENCH_LIBRARY") {
            Some(path) => PathBuf::from(path),
            None => {
                let exe = std::env::current_exe().expect("the bench binary's path");
                exe.parent()
                    .and_then(Path::parent)
                    .expect("<target>/release")
                    .join("libotelmetrics.so")
            }
        };
        let c = CString::new(path.as_os_str().as_bytes()).unwrap();
        let handle = unsafe { libc::dlopen(c.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        assert!(
            !handle.is_null(),
            "build the library first: cargo build --release ({})",
            path.display()
        );
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
    otelmetrics_attribute {
        key: s(key),
        value_type: OTELMETRICS_VALUE_STRING,
        value: otelmetrics_value { string: s(value) },
    }
}

fn attr_i64(key: &'static str, value: i64) -> otelmetrics_attribute {
    otelmetrics_attribute {
        key: s(key),
        value_type: OTELMETRICS_VALUE_INT64,
        value: otelmetrics_value { int64: value },
    }
}

fn c_attrs() -> [otelmetrics_attribute; 3] {
    [attr_str("method", "GET"), attr_str("route", "/api/v1/users"), attr_i64("status", 200)]
}

fn native_attrs() -> [KeyValue; 3] {
    [
        KeyValue::new("method", "GET"),
        KeyValue::new("route", "/api/v1/users"),
        KeyValue::new("status", 200i64),
    ]
}

type Status = u32;
type P = *mut c_void;
type CounterAdd = unsafe extern "C" fn(P, u64, *const otelmetrics_attribute, usize) -> Status;

fn check(status: Status, what: &str) {
    assert_eq!(status, 0, "{what} failed with status {status}");
}

/// Tests a measured call's status, as a C caller does. (Not `black_box`:
/// storing the 4-byte status into the stack slot that the closure's
/// epilogue then pops as 8 bytes stalls store-to-load forwarding, several
/// ns per call that the native side, which returns nothing, never pays.)
#[inline(always)]
fn ok(status: Status) {
    if status != 0 {
        failed(status);
    }
}

#[cold]
#[inline(never)]
fn failed(status: Status) {
    panic!("a measured call failed with status {status}");
}

/// One measurement, both sides doing the same work.
struct Case {
    name: &'static str,
    native: Box<dyn FnMut(u64)>,
    ours: Box<dyn FnMut(u64)>,
    /// The target for ours / native, if there is one.
    target: Option<f64>,
    /// Measured with a sampled current span set on the measuring thread
    /// (exemplars taken; the native SDK takes none).
    in_span: bool,
}

/// The library's counter (for the 2-thread run) and every case.
struct Setup {
    counter: usize,
    counter_add: CounterAdd,
    native_counter: opentelemetry::metrics::Counter<u64>,
    cases: Vec<Case>,
    set_span: unsafe extern "C" fn(*const otelmetrics_span_context) -> Status,
    clear_span: unsafe extern "C" fn(),
}

/// The sampled span of the "in a sampled span" cases.
const SPAN: otelmetrics_span_context = otelmetrics_span_context {
    trace_id_high: 0x0af7651916cd43dd,
    trace_id_low: 0x8448eb211c80319c,
    span_id: 0xb7ad6b7169203331,
    trace_flags: OTELMETRICS_TRACE_FLAGS_SAMPLED,
};

impl Setup {
    /// Runs `f` with the case's current span set (if it has one).
    fn around<R>(&self, in_span: bool, f: impl FnOnce() -> R) -> R {
        if in_span {
            check(unsafe { (self.set_span)(&SPAN) }, "set the current span");
        }
        let r = f();
        if in_span {
            unsafe { (self.clear_span)() };
        }
        r
    }
}

fn setup() -> Setup {
    let lib = Lib::open();
    unsafe {
        let builder_new: unsafe extern "C" fn(*mut P) -> Status =
            lib.sym("otelmetrics_provider_builder_new");
        let add_exporter: unsafe extern "C" fn(P, u32) -> Status =
            lib.sym("otelmetrics_provider_builder_add_exporter");
        let in_memory: unsafe extern "C" fn(P) -> Status =
            lib.sym("otelmetrics_provider_builder_enable_in_memory_reader");
        let build: unsafe extern "C" fn(P, *mut P) -> Status =
            lib.sym("otelmetrics_provider_builder_build");
        let get_meter: unsafe extern "C" fn(
            P,
            otelmetrics_str,
            otelmetrics_str,
            otelmetrics_str,
            *const otelmetrics_attribute,
            usize,
            *mut P,
        ) -> Status = lib.sym("otelmetrics_provider_get_meter");
        let create_counter: unsafe extern "C" fn(
            P,
            otelmetrics_str,
            otelmetrics_str,
            otelmetrics_str,
            *mut P,
        ) -> Status = lib.sym("otelmetrics_meter_create_counter_u64");
        let create_histogram: unsafe extern "C" fn(
            P,
            otelmetrics_str,
            otelmetrics_str,
            otelmetrics_str,
            *const f64,
            usize,
            *mut P,
        ) -> Status = lib.sym("otelmetrics_meter_create_histogram_f64");
        let counter_add: CounterAdd = lib.sym("otelmetrics_counter_u64_add");
        let counter_add_with_set: unsafe extern "C" fn(P, u64, P) -> Status =
            lib.sym("otelmetrics_counter_u64_add_with_set");
        let histogram_record: unsafe extern "C" fn(
            P,
            f64,
            *const otelmetrics_attribute,
            usize,
        ) -> Status = lib.sym("otelmetrics_histogram_f64_record");
        let attributes_new: unsafe extern "C" fn(
            *const otelmetrics_attribute,
            usize,
            *mut P,
        ) -> Status = lib.sym("otelmetrics_attributes_new");
        let counter_enabled: unsafe extern "C" fn(P) -> bool =
            lib.sym("otelmetrics_counter_u64_enabled");
        let counter_bind: unsafe extern "C" fn(P, P, *mut P) -> Status =
            lib.sym("otelmetrics_counter_u64_bind");
        let bound_counter_add: unsafe extern "C" fn(P, u64) -> Status =
            lib.sym("otelmetrics_bound_counter_u64_add");
        let histogram_bind: unsafe extern "C" fn(P, P, *mut P) -> Status =
            lib.sym("otelmetrics_histogram_f64_bind");
        let bound_histogram_record: unsafe extern "C" fn(P, f64) -> Status =
            lib.sym("otelmetrics_bound_histogram_f64_record");
        let counter_add_in_span: unsafe extern "C" fn(
            P,
            u64,
            *const otelmetrics_attribute,
            usize,
            *const otelmetrics_span_context,
        ) -> Status = lib.sym("otelmetrics_counter_u64_add_in_span");
        let bound_counter_add_in_span: unsafe extern "C" fn(
            P,
            u64,
            *const otelmetrics_span_context,
        ) -> Status = lib.sym("otelmetrics_bound_counter_u64_add_in_span");

        let (mut builder, mut provider, mut meter, mut counter, mut histogram) =
            (P::default(), P::default(), P::default(), P::default(), P::default());
        check(builder_new(&mut builder), "builder");
        check(add_exporter(builder, OTELMETRICS_EXPORTER_NONE), "exporter none");
        check(in_memory(builder), "in-memory reader");
        check(build(builder, &mut provider), "build");
        check(
            get_meter(provider, s("bench"), s(""), s(""), std::ptr::null(), 0, &mut meter),
            "meter",
        );
        check(create_counter(meter, s("requests"), s(""), s(""), &mut counter), "counter");
        check(
            create_histogram(
                meter,
                s("latency"),
                s(""),
                s(""),
                std::ptr::null(),
                0,
                &mut histogram,
            ),
            "histogram",
        );

        let native_provider =
            SdkMeterProvider::builder().with_reader(ManualReader::builder().build()).build();
        let native_meter = native_provider.meter("bench");
        let native_counter = native_meter.u64_counter("requests").build();
        let native_histogram = native_meter.f64_histogram("latency").build();
        // Kept alive for the whole run (the provider would shut down on drop).
        std::mem::forget(native_provider);

        let mut set = P::default();
        let attrs = c_attrs();
        check(attributes_new(attrs.as_ptr(), 3, &mut set), "attribute set");
        let (mut bound_counter, mut bound_histogram) = (P::default(), P::default());
        check(counter_bind(counter, set, &mut bound_counter), "bind counter");
        check(histogram_bind(histogram, set, &mut bound_histogram), "bind histogram");
        let native_bound_counter = native_counter.bind(&native_attrs());
        let native_bound_histogram = native_histogram.bind(&native_attrs());

        let (nc, nh) = (native_counter.clone(), native_histogram.clone());
        let (nc2, nc3) = (native_counter.clone(), native_counter.clone());
        let (nc4, nc5) = (native_counter.clone(), native_counter.clone());
        let native_bound_counter2 = native_counter.bind(&native_attrs());
        let native_bound_counter3 = native_counter.bind(&native_attrs());
        let native_bound_histogram2 = native_histogram.bind(&native_attrs());
        let (prebuilt_native, prebuilt_c) = (native_attrs(), c_attrs());
        let set_native = native_attrs();
        let cases = vec![
            Case {
                name: "counter add, 3 attributes built per call",
                native: Box::new(move |_| nc.add(1, black_box(&native_attrs()))),
                ours: Box::new(move |_| {
                    let a = c_attrs();
                    ok(counter_add(counter, 1, black_box(a.as_ptr()), 3));
                }),
                target: Some(1.3),
                in_span: false,
            },
            Case {
                name: "counter add, 3 attributes prebuilt",
                native: Box::new(move |_| nc2.add(1, black_box(&prebuilt_native))),
                ours: Box::new(move |_| {
                    ok(counter_add(counter, 1, black_box(prebuilt_c.as_ptr()), 3));
                }),
                target: None,
                in_span: false,
            },
            Case {
                name: "counter add, prebuilt attribute set",
                native: Box::new(move |_| nc3.add(1, black_box(&set_native))),
                ours: Box::new(move |_| ok(counter_add_with_set(counter, 1, black_box(set)))),
                target: None,
                in_span: false,
            },
            Case {
                // The native SDK has no Enabled: its side does nothing.
                name: "counter enabled (native: nothing)",
                native: Box::new(move |_| {
                    black_box(true);
                }),
                ours: Box::new(move |_| {
                    assert!(counter_enabled(black_box(counter)));
                }),
                target: None,
                in_span: false,
            },
            Case {
                name: "bound counter add",
                native: Box::new(move |_| native_bound_counter.add(black_box(1))),
                ours: Box::new(move |_| {
                    ok(bound_counter_add(bound_counter, black_box(1)));
                }),
                target: Some(2.0),
                in_span: false,
            },
            Case {
                name: "histogram record, 3 attributes built per call",
                native: Box::new(move |i| nh.record((i % 1000) as f64, black_box(&native_attrs()))),
                ours: Box::new(move |i| {
                    let a = c_attrs();
                    ok(histogram_record(histogram, (i % 1000) as f64, black_box(a.as_ptr()), 3));
                }),
                target: None,
                in_span: false,
            },
            Case {
                name: "bound histogram record",
                native: Box::new(move |i| native_bound_histogram.record((i % 1000) as f64)),
                ours: Box::new(move |i| {
                    ok(bound_histogram_record(bound_histogram, (i % 1000) as f64));
                }),
                target: Some(1.3),
                in_span: false,
            },
            Case {
                name: "counter add, 3 attributes per call, in a sampled current span",
                native: Box::new(move |_| nc4.add(1, black_box(&native_attrs()))),
                ours: Box::new(move |_| {
                    let a = c_attrs();
                    ok(counter_add(counter, 1, black_box(a.as_ptr()), 3));
                }),
                target: None,
                in_span: true,
            },
            Case {
                name: "counter add, 3 attributes per call, span passed per call",
                native: Box::new(move |_| nc5.add(1, black_box(&native_attrs()))),
                ours: Box::new(move |_| {
                    let a = c_attrs();
                    ok(counter_add_in_span(counter, 1, black_box(a.as_ptr()), 3, &SPAN));
                }),
                target: None,
                in_span: false,
            },
            Case {
                name: "bound counter add, in a sampled current span",
                native: Box::new(move |_| native_bound_counter2.add(black_box(1))),
                ours: Box::new(move |_| ok(bound_counter_add(bound_counter, black_box(1)))),
                target: None,
                in_span: true,
            },
            Case {
                name: "bound counter add, span passed per call",
                native: Box::new(move |_| native_bound_counter3.add(black_box(1))),
                ours: Box::new(move |_| {
                    ok(bound_counter_add_in_span(bound_counter, black_box(1), &SPAN))
                }),
                target: None,
                in_span: false,
            },
            Case {
                name: "bound histogram record, in a sampled current span",
                native: Box::new(move |i| native_bound_histogram2.record((i % 1000) as f64)),
                ours: Box::new(move |i| {
                    ok(bound_histogram_record(bound_histogram, (i % 1000) as f64));
                }),
                target: None,
                in_span: true,
            },
        ];
        // `lib` is never dlclosed (`Lib` has no `Drop`): the function
        // pointers in `cases` stay valid after it goes out of scope.
        Setup {
            counter: counter as usize,
            counter_add,
            native_counter,
            cases,
            set_span: lib.sym("otelmetrics_current_span_set"),
            clear_span: lib.sym("otelmetrics_current_span_clear"),
        }
    }
}

fn verdict(ratio: f64, target: Option<f64>) -> String {
    match target {
        None => "-".to_owned(),
        Some(t) if ratio <= t => format!("<= {t}x met"),
        Some(t) => format!("<= {t}x MISSED"),
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// This thread's CPU time in ns: unlike the wall clock, it does not count
/// the time other processes had the core (it still feels their caches).
fn thread_cpu_ns() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1e9 + ts.tv_nsec as f64
}

/// ns per call of one round: (wall clock, thread CPU time).
fn round(f: &mut dyn FnMut(u64)) -> (f64, f64) {
    let (start, cpu) = (Instant::now(), thread_cpu_ns());
    run_calls(f, ITERATIONS);
    let per_call = |ns: f64| ns / ITERATIONS as f64;
    (per_call(start.elapsed().as_nanos() as f64), per_call(thread_cpu_ns() - cpu))
}

/// (min, median, max) of a sorted-in-place list.
fn spread(v: &mut [f64]) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

fn wall_clock() {
    println!("load average before: {}", load_average());
    let mut s = setup();
    // (name, target, native rounds, ours rounds), each round (wall, CPU).
    let mut results = Vec::new();
    let mut cases = std::mem::take(&mut s.cases);
    for case in &mut cases {
        s.around(case.in_span, || {
            run_calls(&mut case.native, ITERATIONS / 10);
            run_calls(&mut case.ours, ITERATIONS / 10);
            let (mut native, mut ours) = (Vec::new(), Vec::new());
            // Alternate which side goes first, so drifting load hits both alike.
            for r in 0..ROUNDS {
                if r % 2 == 0 {
                    native.push(round(&mut case.native));
                    ours.push(round(&mut case.ours));
                } else {
                    ours.push(round(&mut case.ours));
                    native.push(round(&mut case.native));
                }
            }
            results.push((case.name, case.target, native, ours));
        });
    }
    for (clock, pick) in [("wall clock", 0), ("thread CPU time", 1)] {
        println!();
        println!("| measurement, {clock} | native Rust SDK ns (min / median / max) | otelmetrics C ABI ns (min / median / max) | ratio of medians | target |");
        println!("|---|---:|---:|---:|---:|");
        for (name, target, native, ours) in &results {
            let side = |rounds: &Vec<(f64, f64)>| {
                spread(
                    &mut rounds
                        .iter()
                        .map(|r| if pick == 0 { r.0 } else { r.1 })
                        .collect::<Vec<_>>(),
                )
            };
            let (n, o) = (side(native), side(ours));
            let ratio = o.1 / n.1;
            println!(
                "| {name} | {:.1} / {:.1} / {:.1} | {:.1} / {:.1} / {:.1} | {ratio:.2}x | {} |",
                n.0,
                n.1,
                n.2,
                o.0,
                o.1,
                o.2,
                verdict(ratio, *target)
            );
        }
    }

    // Two threads, each on its own series of the same counter: how much
    // more work two threads get done than one (per-call attributes).
    let (c_addr, add) = (s.counter, s.counter_add);
    let scaling_ours = scaling(move |thread, i| {
        let a = [
            attr_str("method", if thread == 0 { "GET" } else { "PUT" }),
            attr_str("route", "/api/v1/users"),
            attr_i64("status", (i % 4) as i64),
        ];
        ok(unsafe { add(c_addr as P, 1, black_box(a.as_ptr()), 3) });
    });
    let native_counter = s.native_counter.clone();
    let scaling_native = scaling(move |thread, i| {
        let a = [
            KeyValue::new("method", if thread == 0 { "GET" } else { "PUT" }),
            KeyValue::new("route", "/api/v1/users"),
            KeyValue::new("status", (i % 4) as i64),
        ];
        native_counter.add(1, black_box(&a));
    });
    println!();
    println!("| 2 threads, distinct series, per-call attributes | native Rust SDK | otelmetrics C ABI | target |");
    println!("|---|---:|---:|---:|");
    let met = if scaling_ours >= 1.6 { "met" } else { "MISSED" };
    println!("| throughput of 2 threads / 1 thread | {scaling_native:.2}x | {scaling_ours:.2}x | >= 1.6x {met} |");
    println!("load average after: {}", load_average());
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

/// In the child process under callgrind: runs one side of one case (or the
/// empty closure, case "empty"). `calls` other than the default serve
/// profilers (`perf record ... hot_path --run-one CASE ours 50000000`).
fn run_one(case: &str, side: &str, calls: u64) {
    let mut empty: Box<dyn FnMut(u64)> = Box::new(|i| {
        black_box(i);
    });
    let s = setup();
    let mut cases = s.cases;
    let (f, in_span) = if case == "empty" {
        (&mut empty, false)
    } else {
        let c = cases.iter_mut().find(|c| c.name == case).expect("unknown case");
        let in_span = c.in_span;
        (if side == "native" { &mut c.native } else { &mut c.ours }, in_span)
    };
    let (set_span, clear_span) = (s.set_span, s.clear_span);
    if in_span && side != "native" {
        check(unsafe { set_span(&SPAN) }, "set the current span");
    }
    run_calls(f, INSTRUCTION_WARMUP);
    otelmetrics_bench_measured(f, calls);
    unsafe { clear_span() };
}

/// Instructions callgrind counted in `otelmetrics_bench_measured` for one run.
fn count(exe: &std::path::Path, case: &str, side: &str) -> u64 {
    let out =
        std::env::temp_dir().join(format!("otelmetrics-callgrind-{}.out", std::process::id()));
    let status = Command::new("valgrind")
        .args(["--tool=callgrind", "--toggle-collect=otelmetrics_bench_measured", "--quiet"])
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(exe)
        .args(["--run-one", case, side])
        .status()
        .expect("valgrind is needed for --instructions (apt-get install valgrind)");
    assert!(status.success(), "callgrind run of {case} ({side}) failed");
    let text = std::fs::read_to_string(&out).expect("callgrind output");
    let _ = std::fs::remove_file(&out);
    text.lines()
        .find_map(|l| l.strip_prefix("summary:").or_else(|| l.strip_prefix("totals:")))
        .and_then(|n| n.trim().parse().ok())
        .expect("no instruction total in callgrind's output")
}

fn instructions() {
    let exe = std::env::current_exe().unwrap();
    let names: Vec<(&'static str, Option<f64>)> =
        setup().cases.iter().map(|c| (c.name, c.target)).collect();
    let per_call =
        |case: &str, side: &str| count(&exe, case, side) as f64 / INSTRUCTION_CALLS as f64;
    let harness = per_call("empty", "-");
    println!("instructions per call (valgrind --tool=callgrind, {INSTRUCTION_CALLS} calls after {INSTRUCTION_WARMUP} uncounted;");
    println!("the loop and closure call, {harness:.1} per call, subtracted from every figure)");
    println!();
    println!("| measurement | native Rust SDK | otelmetrics C ABI | ratio | target |");
    println!("|---|---:|---:|---:|---:|");
    for (name, target) in names {
        let native = per_call(name, "native") - harness;
        let ours = per_call(name, "ours") - harness;
        let ratio = ours / native;
        println!("| {name} | {native:.1} | {ours:.1} | {ratio:.2}x | {} |", verdict(ratio, target));
    }
}

fn main() {
    // `cargo bench` passes `--bench`; everything else is ours.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] => wall_clock(),
        ["--instructions"] => instructions(),
        ["--run-one", case, side] => run_one(case, side, INSTRUCTION_CALLS),
        ["--run-one", case, side, calls] => {
            run_one(case, side, calls.parse().expect("a number of calls"))
        }
        other => panic!("unknown arguments {other:?}: none (wall clock) or --instructions"),
    }
}
