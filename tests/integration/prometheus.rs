//! The Prometheus endpoint from Rust, through the C surface: it serves what
//! was recorded, refuses a port in use with a message, runs beside another
//! reader, and stops listening at shutdown. (Prometheus itself scrapes it in
//! tests/e2e/test_prometheus.py.)

// Test code calls the C API with pointers it has just made, valid for the
// call; a SAFETY comment on each of those blocks would say only that.
#![allow(clippy::undocumented_unsafe_blocks)]

use crate::common::*;
use otelmetrics::ffi::builder::*;
use otelmetrics::ffi::instruments_api::*;
use otelmetrics::ffi::meter::*;
use otelmetrics::ffi::provider::*;
use otelmetrics::ffi::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::ptr::null_mut;
use std::time::Duration;

/// A provider serving Prometheus on 127.0.0.1:`port` (0: any free port).
unsafe fn prometheus_builder(port: u16) -> *mut otelmetrics_provider_builder {
    let mut b = null_mut();
    assert_eq!(otelmetrics_provider_builder_new(&mut b), 0);
    assert_eq!(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_PROMETHEUS), 0);
    assert_eq!(otelmetrics_provider_builder_set_prometheus_endpoint(b, s("127.0.0.1"), port), 0);
    b
}

unsafe fn port_of(p: *mut otelmetrics_provider) -> u16 {
    let mut port = 0u16;
    assert_eq!(otelmetrics_provider_prometheus_port(p, &mut port), 0);
    assert_ne!(port, 0);
    port
}

fn scrape(port: u16, accept: &str) -> String {
    let mut conn = TcpStream::connect(("127.0.0.1", port)).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // Read to the end: ask the server to close after its answer.
    write!(
        conn,
        "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: {accept}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    conn.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn serves_what_was_recorded_in_both_formats() {
    unsafe {
        let b = prometheus_builder(0);
        let mut p = null_mut();
        assert_eq!(otelmetrics_provider_builder_build(b, &mut p), 0);
        otelmetrics_provider_builder_free(b);
        let mut m = null_mut();
        assert_eq!(
            otelmetrics_provider_get_meter(
                p,
                s("shop"),
                s("1.2"),
                s(""),
                std::ptr::null(),
                0,
                &mut m
            ),
            0
        );
        let mut c = null_mut();
        assert_eq!(
            otelmetrics_meter_create_counter_u64(
                m,
                s("orders.placed"),
                s("Orders"),
                s("{order}"),
                &mut c
            ),
            0
        );
        let attrs = [attr_str("region", "eu-west")];
        assert_eq!(otelmetrics_counter_u64_add(c, 41, attrs.as_ptr(), 1), 0);
        assert_eq!(otelmetrics_counter_u64_add(c, 1, attrs.as_ptr(), 1), 0);
        let port = port_of(p);

        let text = scrape(port, "text/plain");
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
        assert!(text.contains("Content-Type: text/plain; version=0.0.4"), "{text}");
        assert!(text.contains("# TYPE orders_placed_total counter\n"), "{text}");
        assert!(text.contains("orders_placed_total{otel_scope_name=\"shop\",otel_scope_version=\"1.2\",region=\"eu-west\"} 42\n"), "{text}");

        let om = scrape(port, "application/openmetrics-text;version=1.0.0");
        assert!(om.contains("# TYPE orders_placed counter\n"), "{om}");
        assert!(om.ends_with("# EOF\n"), "{om}");

        otelmetrics_counter_u64_free(c);
        otelmetrics_meter_free(m);
        assert_eq!(otelmetrics_provider_shutdown(p, 2000), 0);
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "still listening after shutdown");
        otelmetrics_provider_free(p);
    }
}

#[test]
fn a_port_in_use_fails_the_build_with_a_message() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    unsafe {
        let b = prometheus_builder(port);
        let mut p = null_mut();
        assert_eq!(
            otelmetrics_provider_builder_build(b, &mut p),
            OTELMETRICS_STATUS_INVALID_CONFIG
        );
        assert!(p.is_null());
        let message = last_error();
        assert!(
            message.contains(&format!("127.0.0.1:{port}")) && message.contains("already in use"),
            "{message}"
        );
        otelmetrics_provider_builder_free(b);
    }
}

#[test]
fn runs_beside_the_in_memory_reader() {
    unsafe {
        let (p, m) = in_memory_provider(|b| {
            assert_eq!(
                otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_PROMETHEUS),
                0
            );
            assert_eq!(
                otelmetrics_provider_builder_set_prometheus_endpoint(b, s("127.0.0.1"), 0),
                0
            );
        });
        let mut g = null_mut();
        assert_eq!(
            otelmetrics_meter_create_gauge_f64(m, s("room.temperature"), s(""), s("Cel"), &mut g),
            0
        );
        assert_eq!(otelmetrics_gauge_f64_record(g, 21.5, std::ptr::null(), 0), 0);
        let text = scrape(port_of(p), "*/*");
        assert!(text.contains("room_temperature_celsius{otel_scope_name=\"shop\",otel_scope_version=\"1.2\"} 21.5\n"), "{text}");
        let snap = snapshot(p);
        assert_eq!(metrics(&snap)[0]["gauge"]["dataPoints"][0]["asDouble"], 21.5);
        otelmetrics_gauge_f64_free(g);
        close(p, m);
    }
}

/// Two pull readers on port 0 from a configuration file; the second drops
/// unit suffixes, so a scrape tells which reader serves which port.
const TWO_PULL_READERS: &str = r#"file_format: "1.0"
meter_provider:
  readers:
    - pull:
        exporter:
          prometheus/development: {host: 127.0.0.1, port: 0}
    - pull:
        exporter:
          prometheus/development: {host: 127.0.0.1, port: 0, without_units: true}
"#;

#[test]
fn every_pull_reader_reports_its_port_in_the_order_of_the_readers() {
    unsafe {
        let mut b = null_mut();
        assert_eq!(otelmetrics_provider_builder_new(&mut b), 0);
        assert_eq!(otelmetrics_provider_builder_set_config_yaml(b, s(TWO_PULL_READERS)), 0);
        let mut p = null_mut();
        assert_eq!(otelmetrics_provider_builder_build(b, &mut p), 0, "{}", last_error());
        otelmetrics_provider_builder_free(b);
        let mut m = null_mut();
        assert_eq!(
            otelmetrics_provider_get_meter(p, s("shop"), s(""), s(""), std::ptr::null(), 0, &mut m),
            0
        );
        let mut c = null_mut();
        assert_eq!(
            otelmetrics_meter_create_counter_f64(m, s("energy.used"), s(""), s("J"), &mut c),
            0
        );
        assert_eq!(otelmetrics_counter_f64_add(c, 1.5, std::ptr::null(), 0), 0);

        // Capacity 0 asks for the number (the buffer may be NULL).
        let mut count = usize::MAX;
        assert_eq!(otelmetrics_provider_prometheus_ports(p, null_mut(), 0, &mut count), 0);
        assert_eq!(count, 2);
        // Room for more: the rest of the buffer is left alone.
        let mut ports = [7u16; 3];
        count = usize::MAX;
        assert_eq!(otelmetrics_provider_prometheus_ports(p, ports.as_mut_ptr(), 3, &mut count), 0);
        assert_eq!(count, 2);
        assert_eq!(ports[2], 7);
        let (first, second) = (ports[0], ports[1]);
        assert!(first != 0 && second != 0 && first != second, "{ports:?}");
        assert_eq!(first, port_of(p), "the first is the one the single-port call reports");
        // Each port is its own reader's, in order: the first with units,
        // the second without.
        let (a, b2) = (scrape(first, "text/plain"), scrape(second, "text/plain"));
        assert!(
            a.contains("energy_used_joules_total{") && !a.contains("energy_used_total{"),
            "{a}"
        );
        assert!(b2.contains("energy_used_total{") && !b2.contains("joules"), "{b2}");

        // Too small a buffer: nothing written, the message gives the number.
        let mut one = [7u16; 1];
        count = 99;
        assert_eq!(
            otelmetrics_provider_prometheus_ports(p, one.as_mut_ptr(), 1, &mut count),
            OTELMETRICS_STATUS_INVALID_ARGUMENT
        );
        assert_eq!((one[0], count), (7, 99));
        let message = last_error();
        assert!(message.contains("room for 1 ports") && message.contains("has 2"), "{message}");
        // A capacity no array can have.
        assert_eq!(
            otelmetrics_provider_prometheus_ports(p, one.as_mut_ptr(), usize::MAX, &mut count),
            OTELMETRICS_STATUS_INVALID_ARGUMENT
        );
        assert!(last_error().contains("no object can have"), "{}", last_error());
        // NULLs and a handle of another type.
        assert_eq!(
            otelmetrics_provider_prometheus_ports(p, null_mut(), 2, &mut count),
            OTELMETRICS_STATUS_NULL_POINTER
        );
        assert!(last_error().contains("out_ports"), "{}", last_error());
        assert_eq!(
            otelmetrics_provider_prometheus_ports(p, ports.as_mut_ptr(), 3, null_mut()),
            OTELMETRICS_STATUS_NULL_POINTER
        );
        assert!(last_error().contains("out_count"), "{}", last_error());
        assert_eq!(
            otelmetrics_provider_prometheus_ports(
                std::ptr::null(),
                ports.as_mut_ptr(),
                3,
                &mut count
            ),
            OTELMETRICS_STATUS_NULL_POINTER
        );
        assert!(last_error().contains("handle is NULL"), "{}", last_error());
        assert_eq!(
            otelmetrics_provider_prometheus_ports(
                m as *const otelmetrics_provider,
                ports.as_mut_ptr(),
                3,
                &mut count
            ),
            OTELMETRICS_STATUS_WRONG_HANDLE
        );
        assert_eq!(count, 99, "no failure wrote the count");

        // After shutdown: SHUTDOWN, and neither port answers any more.
        otelmetrics_counter_f64_free(c);
        otelmetrics_meter_free(m);
        assert_eq!(otelmetrics_provider_shutdown(p, 2000), 0);
        assert_eq!(
            otelmetrics_provider_prometheus_ports(p, ports.as_mut_ptr(), 3, &mut count),
            OTELMETRICS_STATUS_SHUTDOWN
        );
        assert!(last_error().contains("shut down"), "{}", last_error());
        assert_eq!(count, 99);
        for port in [first, second] {
            assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "{port} still listening");
        }
        otelmetrics_provider_free(p);
    }
}

#[test]
fn a_provider_without_pull_readers_has_no_ports() {
    unsafe {
        let (p, m) = in_memory_provider(|_| {});
        let mut ports = [7u16; 2];
        let mut count = 99;
        assert_eq!(otelmetrics_provider_prometheus_ports(p, ports.as_mut_ptr(), 2, &mut count), 0);
        assert_eq!((count, ports), (0, [7, 7]));
        count = 99;
        assert_eq!(otelmetrics_provider_prometheus_ports(p, null_mut(), 0, &mut count), 0);
        assert_eq!(count, 0);
        close(p, m);
    }
}
