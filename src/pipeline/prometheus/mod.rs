//! The Prometheus pull endpoint: hyper serves `/metrics` on the endpoint's
//! own thread (http.rs: transport, deadlines; slots.rs: which connections
//! stay open), and every scrape collects from the provider's cumulative
//! reader and renders the Prometheus text format or OpenMetrics
//! (scrape.rs, negotiate.rs, exposition.rs, names per naming.rs).
//!
//! `stop` waits at most `STOP_WAIT` for the server thread before leaving it
//! to finish on its own.

mod exposition;
mod http;
mod naming;
mod negotiate;
mod scrape;
mod slots;

use super::snapshot::SnapshotReader;
use crate::diagnostics;
use crate::error::{status, Error, Result};
use std::net::{SocketAddr, TcpListener};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc;
use std::time::Duration;
use tokio::sync::oneshot;

/// How long `stop` waits for the server thread to notice.
const STOP_WAIT: Duration = Duration::from_secs(1);

pub struct Server {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    finished: mpsc::Receiver<()>,
    fd_slot: Option<usize>,
}

impl Server {
    /// Binds `addr` (failing with a message when it is taken) and starts
    /// serving `reader` on it.
    pub fn start(reader: SnapshotReader, addr: SocketAddr) -> Result<Server> {
        let listener = TcpListener::bind(addr).map_err(|e| {
            let why = if e.kind() == std::io::ErrorKind::AddrInUse {
                format!(
                    "{addr} is already in use ({e}); pick another port (port 0 picks a free one)"
                )
            } else {
                format!("cannot listen on {addr}: {e}")
            };
            Error::config("prometheus endpoint (OTEL_EXPORTER_PROMETHEUS_HOST/_PORT)", why)
        })?;
        let internal =
            |e: std::io::Error| Error::new(status::INTERNAL, format!("prometheus endpoint: {e}"));
        let local = listener.local_addr().map_err(internal)?;
        listener.set_nonblocking(true).map_err(internal)?;
        let runtime = http::runtime().map_err(internal)?;
        let fd_slot = inherited::register(listener.as_raw_fd());
        let (stop, stopped) = oneshot::channel::<()>();
        let (done, finished) = mpsc::channel();
        let spawned =
            std::thread::Builder::new().name("otelmetrics-prometheus".into()).spawn(move || {
                // The blocking pool's threads get the same mask (http::runtime).
                super::sigpipe::block_in_this_thread();
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => {
                            let handle = move |request| scrape::answer(reader.clone(), request);
                            http::serve(listener, handle, async move {
                                let _ = stopped.await;
                            })
                            .await;
                        }
                        Err(e) => diagnostics::error(&format!(
                            "prometheus endpoint: cannot serve {local}: {e}"
                        )),
                    }
                });
                // Open connections and renders still running are abandoned,
                // not waited for: a render may be inside a slow user callback.
                runtime.shutdown_background();
                let _ = done.send(());
            });
        if let Err(e) = spawned {
            if let Some(slot) = fd_slot {
                inherited::unregister(slot);
            }
            return Err(Error::new(
                status::INTERNAL,
                format!("cannot start the Prometheus endpoint's thread: {e}"),
            ));
        }
        diagnostics::debug(&format!("prometheus endpoint listening on http://{local}/metrics"));
        Ok(Server { addr: local, stop, finished, fd_slot })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting and closes every connection; returns within
    /// `STOP_WAIT` whatever clients do.
    pub fn stop(self) {
        if let Some(slot) = self.fd_slot {
            inherited::unregister(slot);
        }
        let _ = self.stop.send(());
        if self.finished.recv_timeout(STOP_WAIT).is_err() {
            diagnostics::warn(
                "prometheus endpoint: the server thread did not stop in time; it stops on its own",
            );
        }
    }
}

/// Sockets a forked child inherits but will never serve (the listening
/// socket and open connections): the child's fork handler closes them, so
/// that a scraper reaching the port after the parent is gone gets a refusal
/// rather than a hang, and a connection the parent closes is closed. Fixed
/// slots of atomics, because a fork handler may not take locks; a socket
/// that finds no free slot is left open in a child.
pub mod inherited {
    use super::{AtomicI32, Ordering};

    const SLOTS: usize = 16 + 2 * super::http::MAX_CONNECTIONS;
    static FDS: [AtomicI32; SLOTS] = [const { AtomicI32::new(-1) }; SLOTS];

    pub(super) fn register(fd: i32) -> Option<usize> {
        (0..SLOTS)
            .find(|&i| FDS[i].compare_exchange(-1, fd, Ordering::SeqCst, Ordering::SeqCst).is_ok())
    }

    pub(super) fn unregister(slot: usize) {
        FDS[slot].store(-1, Ordering::SeqCst);
    }

    /// Called in a forked child: closes the parent's endpoint sockets.
    pub fn close_in_child() {
        for slot in &FDS {
            let fd = slot.swap(-1, Ordering::SeqCst);
            if fd >= 0 {
                // SAFETY: the descriptor is the child's copy of a socket
                // whose owner (the parent's server thread) does not exist in
                // the child, so nothing else will close or use it.
                unsafe { libc::close(fd) };
            }
        }
    }
}
