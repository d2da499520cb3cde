//! The native Rust SDK exporting 10,000 series over OTLP HTTP/protobuf, as a
//! Rust program configures it by default (periodic reader thread, blocking
//! reqwest client). Same work as ../ours.c; prints the same lines.
//! Usage: native-export ENDPOINT_URL SERIES EXPORTS

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::KeyValue;
use opentelemetry_otlp::{MetricExporter, Protocol, WithExportConfig};
use opentelemetry_sdk::metrics::{Instrument, PeriodicReader, SdkMeterProvider, Stream};
use std::time::{Duration, Instant};

fn cpu_seconds() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(usage.ru_utime) + t(usage.ru_stime)
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (endpoint, series, exports) = (&args[1], args[2].parse::<u64>().unwrap(), args[3].parse::<usize>().unwrap());
    let start = Instant::now();
    let exporter = MetricExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(endpoint.as_str())
        .with_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter).with_interval(Duration::from_secs(3600)).build())
        // Room for every series (the default limit is 2000), as ours.c sets.
        .with_view(move |_: &Instrument| Stream::builder().with_cardinality_limit(series as usize + 100).build().ok())
        .build();
    println!("startup_ms {:.2}", start.elapsed().as_secs_f64() * 1e3);
    let counter = provider.meter("bench").u64_counter("requests").build();
    let before = rss_kib();
    for i in 0..series {
        counter.add(1, &[KeyValue::new("method", "GET"), KeyValue::new("route", format!("/api/v1/items/{i}")), KeyValue::new("status", 200)]);
    }
    provider.force_flush().unwrap(); // the first export sizes every buffer
    println!("rss_per_series_bytes {:.0}", (rss_kib() - before) as f64 * 1024.0 / series as f64);
    let mut cpu: Vec<f64> = (0..exports)
        .map(|_| {
            let c = cpu_seconds();
            provider.force_flush().unwrap();
            cpu_seconds() - c
        })
        .collect();
    cpu.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("export_cpu_ms {:.2}", cpu[exports / 2] * 1e3);
    // Idle: the provider holds its series and waits for the next interval.
    let idle = Duration::from_secs(std::env::var("IDLE_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(5));
    let c = cpu_seconds();
    std::thread::sleep(idle);
    println!("idle_cpu_pct {:.4}", (cpu_seconds() - c) / idle.as_secs_f64() * 100.0);
    provider.shutdown().unwrap();
}
