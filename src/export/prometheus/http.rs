//! The endpoint's HTTP/1.1 transport: hyper's server connections on a
//! single-threaded tokio runtime that belongs to the endpoint's own thread
//! (not the library's I/O runtime: clients of the scrape port, hostile
//! ones included, never share a thread with OTLP exports). Rendering runs
//! on the runtime's blocking pool, since it collects from the SDK and runs
//! observable callbacks, which are user code.
//!
//! Bounds: a complete request head must arrive within `HEAD_DEADLINE` of a
//! connection's accept or of its previous response (hyper's header read
//! timeout), which is also the keep-alive idle timeout; a head larger than
//! `MAX_HEAD` is refused (431); at most `MAX_CONNECTIONS` connections are
//! open, the longest-waiting one giving up its slot to a new one
//! (slots.rs).

use super::slots::{Marker, Slots};
use crate::process::fork::inherited;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::os::fd::AsRawFd;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// How long a connection may take to deliver a whole request head, counted
/// from its accept or from the end of its previous response.
const HEAD_DEADLINE: Duration = Duration::from_secs(5);
/// The largest request head; a scrape's is a few hundred bytes (hyper's
/// smallest allowed buffer is 8 KiB).
const MAX_HEAD: usize = 16 * 1024;
/// Open connections at most (each is a file descriptor of the host's).
pub(super) const MAX_CONNECTIONS: usize = 64;
/// Renders running at once; more scrapes wait for one to finish.
const MAX_RENDERS: usize = 4;

/// The answer to one request; built by the caller's handler.
pub type Answer = Response<Full<Bytes>>;

/// Accepts connections on `listener` until `stop` resolves, answering each
/// request with `handle`. Runs on the endpoint's runtime.
pub async fn serve<H, F>(listener: TcpListener, handle: H, stop: impl Future<Output = ()>)
where
    H: Fn(Request<Incoming>) -> F + Clone + Send + 'static,
    F: Future<Output = Answer> + Send + 'static,
{
    let slots = Slots::new(MAX_CONNECTIONS);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_DEADLINE)
        .max_buf_size(MAX_HEAD)
        .keep_alive(true)
        // Header names as most servers write them (some scripts grep them).
        .title_case_headers(true);
    let mut stop = std::pin::pin!(stop);
    loop {
        let accepted = tokio::select! {
            biased;
            () = &mut stop => return,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                crate::diagnostics::warn(&format!("prometheus endpoint: accept failed: {e}"));
                // Back off so a persistent error (out of descriptors) does
                // not spin this thread.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(admitted) = slots.admit() else {
            crate::diagnostics::debug(
                "prometheus endpoint: every connection is answering a scrape; closed a new one",
            );
            continue;
        };
        let (builder, handle) = (builder.clone(), handle.clone());
        tokio::spawn(async move {
            let marker = admitted.marker().clone();
            let service = hyper::service::service_fn(move |request| {
                marker.answering();
                let (answer, marker) = (handle(request), marker.clone());
                async move { Ok::<_, Infallible>(answer.await.map(|body| MarkedBody { body, marker })) }
            });
            let conn =
                builder.serve_connection(TokioIo::new(ChildSafeStream::new(stream)), service);
            let mut conn = std::pin::pin!(conn);
            let result = tokio::select! {
                biased;
                result = conn.as_mut() => result,
                () = admitted.evicted() => {
                    if !admitted.is_answering() {
                        return; // dropped: closed without a word, as idle keep-alive connections are
                    }
                    // Evicted as its request arrived: answer it, then close.
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                crate::diagnostics::debug(&format!("prometheus endpoint: connection ended: {e}"));
            }
        });
    }
}

/// A response body that marks its connection waiting again once hyper has
/// taken all of it (hyper drops the body then).
struct MarkedBody {
    body: Full<Bytes>,
    marker: Marker,
}

impl Drop for MarkedBody {
    fn drop(&mut self) {
        self.marker.waiting();
    }
}

impl Body for MarkedBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// An accepted connection whose descriptor a forked child closes (see
/// `inherited`): with keep-alive, the child's copy would otherwise hold the
/// connection open after the parent closed it, and the scraper would send
/// its next request to a socket nobody reads.
struct ChildSafeStream {
    stream: TcpStream,
    registered: Option<usize>,
}

impl ChildSafeStream {
    fn new(stream: TcpStream) -> Self {
        let registered = inherited::register(stream.as_raw_fd());
        ChildSafeStream { stream, registered }
    }
}

impl Drop for ChildSafeStream {
    fn drop(&mut self) {
        // Before the descriptor closes (the field drops after this), so a
        // child never closes a number reused by someone else.
        if let Some(slot) = self.registered.take() {
            inherited::unregister(slot);
        }
    }
}

impl AsyncRead for ChildSafeStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ChildSafeStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// The endpoint's runtime: one thread (the caller's, through `block_on`)
/// plus a blocking pool of `MAX_RENDERS` threads, each blocking SIGPIPE.
pub fn runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .max_blocking_threads(MAX_RENDERS)
        .thread_name("otelmetrics-scrape")
        .on_thread_start(crate::process::sigpipe::block_in_this_thread)
        .build()
}
