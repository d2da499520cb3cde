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
use crate::process::fork::inherited;
use std::net::{SocketAddr, TcpListener};
use std::os::fd::AsRawFd;
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
                crate::process::sigpipe::block_in_this_thread();
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
