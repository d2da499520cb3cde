//! The Prometheus pull endpoint: a small HTTP server on its own thread that
//! collects from the provider's cumulative reader on every scrape of
//! `/metrics` and renders the Prometheus text format or OpenMetrics
//! (exposition.rs, names per naming.rs).
//!
//! Bounded everywhere: each connection gets its own short-lived thread (at
//! most `MAX_CONNECTIONS` at once; more are answered 503 at once), reads and
//! writes time out (http.rs), and `stop` waits at most `STOP_WAIT` for the
//! accept loop before leaving it to finish on its own.

mod exposition;
mod http;
mod naming;

use super::snapshot::SnapshotReader;
use crate::diagnostics;
use crate::error::{status, Error, Result};
use exposition::Format;
use http::{Request, Response};
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// Scrapes served at the same time; a scraper needs one.
const MAX_CONNECTIONS: usize = 4;
/// How long `stop` waits for the accept loop to notice.
const STOP_WAIT: Duration = Duration::from_secs(1);
/// Bodies larger than this are gzip-compressed when the scraper accepts it.
const GZIP_FROM: usize = 1024;

pub struct Server {
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    finished: mpsc::Receiver<()>,
    fd_slot: Option<usize>,
}

impl Server {
    /// Binds `addr` (failing with a message when it is taken) and starts
    /// serving `reader` on it.
    pub fn start(reader: SnapshotReader, addr: SocketAddr) -> Result<Server> {
        let listener = TcpListener::bind(addr).map_err(|e| {
            let why = if e.kind() == std::io::ErrorKind::AddrInUse {
                format!("{addr} is already in use ({e}); pick another port (port 0 picks a free one)")
            } else {
                format!("cannot listen on {addr}: {e}")
            };
            Error::config("prometheus endpoint (OTEL_EXPORTER_PROMETHEUS_HOST/_PORT)", why)
        })?;
        let local = listener.local_addr().map_err(|e| Error::new(status::INTERNAL, format!("prometheus endpoint: {e}")))?;
        let fd_slot = inherited::register(listener.as_raw_fd());
        let stopping = Arc::new(AtomicBool::new(false));
        let (done, finished) = mpsc::channel();
        let flag = stopping.clone();
        std::thread::Builder::new()
            .name("otelmetrics-prometheus".into())
            .spawn(move || {
                // Scrape threads inherit this thread's mask.
                super::sigpipe::block_in_this_thread();
                serve(listener, reader, &flag);
                let _ = done.send(());
            })
            .map_err(|e| Error::new(status::INTERNAL, format!("cannot start the Prometheus endpoint's thread: {e}")))?;
        diagnostics::debug(&format!("prometheus endpoint listening on http://{local}/metrics"));
        Ok(Server { addr: local, stopping, finished, fd_slot })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting; returns within `STOP_WAIT` whatever clients do.
    pub fn stop(self) {
        self.stopping.store(true, Ordering::SeqCst);
        if let Some(slot) = self.fd_slot {
            inherited::unregister(slot);
        }
        // Wake the blocked accept with a connection of our own.
        let _ = TcpStream::connect_timeout(&reachable(self.addr), Duration::from_millis(200));
        if self.finished.recv_timeout(STOP_WAIT).is_err() {
            diagnostics::warn("prometheus endpoint: the server thread did not stop in time; it stops on its own");
        }
    }
}

/// Where to connect to reach a listener bound to `addr` (the unspecified
/// address is reached through loopback).
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::new(Ipv4Addr::LOCALHOST.into(), addr.port()),
        IpAddr::V6(ip) if ip.is_unspecified() => SocketAddr::new(Ipv6Addr::LOCALHOST.into(), addr.port()),
        _ => addr,
    }
}

fn serve(listener: TcpListener, reader: SnapshotReader, stopping: &AtomicBool) {
    let active = Arc::new(AtomicUsize::new(0));
    for conn in listener.incoming() {
        if stopping.load(Ordering::SeqCst) {
            break;
        }
        let mut stream = match conn {
            Ok(s) => s,
            Err(e) => {
                diagnostics::warn(&format!("prometheus endpoint: accept failed: {e}"));
                // Back off so a persistent error (out of descriptors) does
                // not spin this thread.
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
            let _ = Response::plain("503 Service Unavailable", "too many concurrent scrapes\n").write(&mut stream, false);
            continue;
        }
        let (reader, slot) = (reader.clone(), active.clone());
        let spawned = std::thread::Builder::new().name("otelmetrics-scrape".into()).spawn(move || {
            handle(&mut stream, &reader);
            let _ = stream.flush();
            slot.fetch_sub(1, Ordering::SeqCst);
        });
        if spawned.is_err() {
            active.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

fn handle(stream: &mut TcpStream, reader: &SnapshotReader) {
    let request = match http::read_request(stream) {
        Ok(r) => r,
        Err(e) => {
            diagnostics::debug(&format!("prometheus endpoint: unreadable request: {e}"));
            let _ = Response::plain("400 Bad Request", "bad request\n").write(stream, false);
            return;
        }
    };
    let head_only = request.method == "HEAD";
    let result = match (request.method.as_str(), request.path.as_str()) {
        ("GET" | "HEAD", "/metrics") => scrape(stream, reader, &request, head_only),
        ("GET" | "HEAD", "/") => Response::plain("200 OK", "otelmetrics: metrics at /metrics\n").write(stream, head_only),
        ("GET" | "HEAD", _) => Response::plain("404 Not Found", "not found; metrics are at /metrics\n").write(stream, head_only),
        _ => Response::plain("405 Method Not Allowed", "only GET and HEAD\n").write(stream, false),
    };
    if let Err(e) = result {
        diagnostics::debug(&format!("prometheus endpoint: cannot answer the scraper: {e}"));
    }
}

fn scrape(stream: &mut TcpStream, reader: &SnapshotReader, request: &Request, head_only: bool) -> std::io::Result<()> {
    let format = Format::negotiate(request.accept.as_deref());
    let rendered = catch_unwind(AssertUnwindSafe(|| reader.request().map(|r| exposition::render(&r, format))));
    let body = match rendered {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => {
            return Response::plain("503 Service Unavailable", &format!("{}\n", e.message)).write(stream, head_only);
        }
        Err(_) => {
            diagnostics::error("prometheus endpoint: rendering panicked; answered 500");
            return Response::plain("500 Internal Server Error", "internal error\n").write(stream, head_only);
        }
    };
    let wants_gzip = request.accept_encoding.as_deref().is_some_and(|e| e.contains("gzip"));
    let compressed = (wants_gzip && body.len() >= GZIP_FROM).then(|| crate::pipeline::compress::gzip(body.as_bytes()));
    let (bytes, encoding) = match &compressed {
        Some(gz) => (gz.as_slice(), Some("gzip")),
        None => (body.as_bytes(), None),
    };
    Response { status: "200 OK", content_type: format.content_type(), content_encoding: encoding, body: bytes }.write(stream, head_only)
}

/// Listening sockets a forked child inherits but will never serve: the
/// child's fork handler closes them, so that a scraper reaching the port
/// after the parent is gone gets a refusal rather than a hang. Fixed slots
/// of atomics, because a fork handler may not take locks.
pub mod inherited {
    use super::{AtomicI32, Ordering};

    const SLOTS: usize = 16;
    static FDS: [AtomicI32; SLOTS] = [const { AtomicI32::new(-1) }; SLOTS];

    pub(super) fn register(fd: i32) -> Option<usize> {
        (0..SLOTS).find(|&i| FDS[i].compare_exchange(-1, fd, Ordering::SeqCst, Ordering::SeqCst).is_ok())
    }

    pub(super) fn unregister(slot: usize) {
        FDS[slot].store(-1, Ordering::SeqCst);
    }

    /// Called in a forked child: closes the parent's listening sockets.
    pub fn close_in_child() {
        for slot in &FDS {
            let fd = slot.swap(-1, Ordering::SeqCst);
            if fd >= 0 {
                // SAFETY: the descriptor is the child's copy of a listener
                // whose owner (the parent's server thread) does not exist in
                // the child, so nothing else will close or use it.
                unsafe { libc::close(fd) };
            }
        }
    }
}
