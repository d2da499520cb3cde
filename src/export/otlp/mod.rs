//! The OTLP exporter. Each collection becomes one OTLP request, encoded
//! once; a request larger than the size limit is split into requests that
//! fit (split.rs). Each request is sent over gRPC or HTTP with retries
//! (retry.rs) until the export's deadline, and whatever does not arrive is
//! reported with its number of data points.
//!
//! It is our own rather than the `opentelemetry-otlp` crate's because that
//! exporter cannot split: the SDK's collected metrics cannot be divided
//! outside the SDK, only their OTLP form can.

mod grpc;
mod http;
mod retry;
pub mod split;
mod tls;

use super::exemplars::ExemplarStore;
use super::render;
use super::{error_type, Loss, ResponseStatus, Sent, Sink};
use crate::config::{Protocol, ResolvedOtlp};
use crate::diagnostics;
use crate::error::Result;
use crate::process::runtime;
use bytes::Bytes;
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::Temporality;
use prost::Message;
use retry::{Attempt, Delivered};
use split::{Encoding, Limits};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use tls::validate_tls;

pub const USER_AGENT: &str = concat!("otelmetrics/", env!("CARGO_PKG_VERSION"));

/// The most of a receiver's answer that is read, on either transport (the
/// gRPC default). An OTLP answer is a partial-success count and a message:
/// a few bytes. Past this, reading more would let a broken or hostile
/// collector make the host hold whatever it sends.
const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

enum Transport {
    Grpc(grpc::GrpcTransport),
    Http(http::HttpTransport),
}

impl Transport {
    /// The bytes to put on the wire (gRPC compresses its own frames).
    fn prepare(&self, body: Vec<u8>) -> Bytes {
        match self {
            Transport::Grpc(_) => body.into(),
            Transport::Http(t) => t.prepare(body),
        }
    }

    /// One attempt, and the status of the answer, if one came.
    async fn send(&self, body: Bytes, timeout: Duration) -> (Attempt, Option<ResponseStatus>) {
        match self {
            Transport::Grpc(t) => t.send(body, timeout).await,
            Transport::Http(t) => t.send(body, timeout).await,
        }
    }
}

pub struct OtlpExporter {
    transport: Transport,
    /// Protobuf, or JSON for `http/json`.
    encoding: Encoding,
    /// Longest wait for one request (`OTEL_EXPORTER_OTLP_TIMEOUT`).
    per_request: Duration,
    limits: Limits,
    temporality: Temporality,
    /// Whether the last export needed more than one request.
    split_last_time: AtomicBool,
    exemplars: Arc<ExemplarStore>,
}

/// One request ready to send, and how many data points it carries.
struct Body {
    bytes: Bytes,
    points: u64,
}

pub fn build(
    otlp: &ResolvedOtlp,
    temporality: Temporality,
    exemplars: Arc<ExemplarStore>,
) -> Result<OtlpExporter> {
    let encoding =
        if otlp.protocol == Protocol::HttpJson { Encoding::Json } else { Encoding::Protobuf };
    let transport = match otlp.protocol {
        Protocol::Grpc => {
            // tonic's channel must be created inside the runtime that drives it.
            let _entered = runtime::runtime().enter();
            Transport::Grpc(grpc::GrpcTransport::new(otlp)?)
        }
        Protocol::HttpProtobuf | Protocol::HttpJson => {
            Transport::Http(http::HttpTransport::new(otlp, encoding)?)
        }
    };
    Ok(OtlpExporter {
        transport,
        encoding,
        per_request: otlp.timeout,
        limits: Limits {
            bytes: otlp.max_request_bytes,
            points: otlp.max_export_batch_size.unwrap_or(usize::MAX),
        },
        temporality,
        split_last_time: AtomicBool::new(false),
        exemplars,
    })
}

/// An export ready to send: its requests, and what could not be put in one.
pub struct Prepared {
    bodies: Vec<Body>,
    oversized: Vec<Loss>,
}

impl Sink for OtlpExporter {
    type Batch = Prepared;

    fn prepare(&self, metrics: &ResourceMetrics) -> Prepared {
        let (bodies, oversized) =
            self.encode_within_limit(render::to_request(metrics, &self.exemplars));
        Prepared { bodies, oversized }
    }

    fn points(batch: &Prepared) -> u64 {
        batch.bodies.iter().map(|b| b.points).sum()
    }

    fn send(
        &self,
        batch: Prepared,
        deadline: Instant,
    ) -> impl std::future::Future<Output = Sent> + Send {
        self.send_all(batch.bodies, batch.oversized, deadline)
    }

    fn temporality(&self) -> Temporality {
        self.temporality
    }
}

impl OtlpExporter {
    /// Encodes the request, split into bodies within the size limit and the
    /// point limit. The common case (it fits) costs one encoding and no copy.
    fn encode_within_limit(&self, request: ExportMetricsServiceRequest) -> (Vec<Body>, Vec<Loss>) {
        let Limits { bytes: max, points: max_points } = self.limits;
        let mut bodies = Vec::new();
        let mut oversized = 0u64;
        let mut split_from = None;
        // Exports are alike from one to the next: when the last one had to
        // be split, split this one at once rather than encode it whole first.
        let first = if self.split_last_time.load(Ordering::Relaxed) {
            split_from = Some(split::count_points(&request));
            let pieces = split::split(request, self.limits, self.encoding);
            oversized += pieces.oversized_points;
            pieces.requests
        } else {
            vec![request]
        };
        // Pieces still to encode with the byte limit to split them by, last
        // first (so they are sent in order).
        let mut pending: Vec<_> = first.into_iter().rev().map(|piece| (piece, max)).collect();
        while let Some((request, limit)) = pending.pop() {
            let points = split::count_points(&request);
            if points > max_points as u64 {
                // Too many points: split by count before spending an encoding.
                split_from.get_or_insert(points);
                let pieces = split::split(
                    request,
                    Limits { bytes: limit, points: max_points },
                    self.encoding,
                );
                oversized += pieces.oversized_points;
                pending.extend(pieces.requests.into_iter().rev().map(|piece| (piece, limit)));
                continue;
            }
            let encoded = self.encoding.encode(&request);
            if encoded.len() <= max {
                if points > 0 {
                    bodies.push(Body { bytes: self.transport.prepare(encoded), points });
                }
                continue;
            }
            if points <= 1 {
                oversized += points;
                continue;
            }
            split_from.get_or_insert(points);
            let pieces =
                split::split(request, Limits { bytes: limit, points: max_points }, self.encoding);
            oversized += pieces.oversized_points;
            // Pieces are measured in the encoding sent, so they fit; should
            // one not (a measuring slip), it is split again, smaller.
            let smaller = limit * 9 / 10;
            pending.extend(pieces.requests.into_iter().rev().map(|piece| (piece, smaller)));
        }
        self.split_last_time.store(bodies.len() > 1, Ordering::Relaxed);
        if let Some(points) = split_from {
            let by_count = if max_points < usize::MAX {
                format!(" and {max_points} data points")
            } else {
                String::new()
            };
            diagnostics::emit(
                diagnostics::Level::Debug,
                &format!("an export of {points} data points was split into {} requests of at most {max} bytes{by_count}", bodies.len()),
            );
        }
        let losses = if oversized > 0 {
            vec![Loss {
                error_type: error_type::TOO_LARGE.into(),
                points: oversized,
                why: format!("failed: {oversized} data point(s) are each larger than the request size limit ({max} bytes) on their own"),
            }]
        } else {
            Vec::new()
        };
        (bodies, losses)
    }

    /// Sends the bodies in order. A request refused for good is reported
    /// and the rest still go; once the receiver stays unavailable past the
    /// deadline, the requests not yet sent are reported together.
    async fn send_all(&self, bodies: Vec<Body>, mut losses: Vec<Loss>, deadline: Instant) -> Sent {
        let last_status = std::sync::Mutex::new(None);
        let mut bodies = bodies.into_iter();
        while let Some(body) = bodies.next() {
            let sent = retry::with_retries(deadline, self.per_request, |budget| {
                let bytes = body.bytes.clone();
                let last_status = &last_status;
                async move {
                    let (attempt, status) = self.transport.send(bytes, budget).await;
                    *last_status.lock().unwrap_or_else(|e| e.into_inner()) = status;
                    attempt
                }
            })
            .await;
            match sent {
                Ok(Delivered { rejected_points, message }) => {
                    // The receiver's count is its word only: it cannot have
                    // rejected more points than this request carried.
                    let rejected = rejected_points.min(body.points);
                    if rejected > 0 {
                        let claimed = if rejected_points > body.points {
                            format!(
                                " (it claimed {rejected_points} rejected of the {} sent)",
                                body.points
                            )
                        } else {
                            String::new()
                        };
                        losses.push(Loss {
                            error_type: error_type::REJECTED.into(),
                            points: rejected,
                            why: format!(
                                "was partly rejected by the receiver{claimed}: {}",
                                shorten(&message)
                            ),
                        });
                    } else if !message.is_empty() {
                        diagnostics::warn(&format!(
                            "the OTLP receiver accepted an export with a warning: {}",
                            shorten(&message)
                        ));
                    }
                }
                Err(failure) => {
                    losses.push(Loss {
                        points: body.points,
                        why: failure.why,
                        error_type: failure.error_type.clone(),
                    });
                    if !failure.permanent {
                        let rest: Vec<Body> = bodies.collect();
                        if !rest.is_empty() {
                            losses.push(Loss {
                                error_type: failure.error_type,
                                points: rest.iter().map(|b| b.points).sum(),
                                why: format!("left {} more request(s) of this export unsent (the receiver is unavailable)", rest.len()),
                            });
                        }
                        break;
                    }
                }
            }
        }
        Sent { losses, last_status: last_status.into_inner().unwrap_or_else(|e| e.into_inner()) }
    }
}

/// What a receiver's answer says arrived (no answer body: everything).
fn delivered(response: Option<ExportMetricsServiceResponse>) -> Delivered {
    let partial = response.and_then(|r| r.partial_success).unwrap_or_default();
    Delivered {
        rejected_points: partial.rejected_data_points.max(0) as u64,
        message: partial.error_message,
    }
}

/// What an OTLP/HTTP answer body says arrived (`json`: OTLP/JSON, else
/// protobuf), or why it cannot be read. An empty body is a full success.
/// `rejectedDataPoints` is an int64, which the protobuf JSON mapping writes
/// as a string (`"2"`) and other encoders as a number: both are read.
fn parse_answer(body: &[u8], json: bool) -> std::result::Result<Delivered, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Delivered::default());
    }
    if !json {
        let answer = ExportMetricsServiceResponse::decode(body)
            .map_err(|e| format!("not an OTLP protobuf answer: {e}"))?;
        return Ok(delivered(Some(answer)));
    }
    use serde_json::Value;
    let doc: Value =
        serde_json::from_slice(body).map_err(|e| format!("not an OTLP/JSON answer: {e}"))?;
    let field = |object: &serde_json::Map<String, Value>, camel: &str, snake: &str| {
        object.get(camel).or_else(|| object.get(snake)).filter(|v| !v.is_null()).cloned()
    };
    let answer = doc.as_object().ok_or("the OTLP/JSON answer is not an object")?;
    let Some(partial) = field(answer, "partialSuccess", "partial_success") else {
        return Ok(Delivered::default());
    };
    let partial = partial.as_object().ok_or("`partialSuccess` is not an object")?;
    let rejected_points = match field(partial, "rejectedDataPoints", "rejected_data_points") {
        None => 0,
        Some(Value::Number(n)) => n.as_u64().ok_or("`rejectedDataPoints` is not a count")?,
        Some(Value::String(s)) => {
            s.trim().parse::<u64>().map_err(|_| "`rejectedDataPoints` is not a count")?
        }
        Some(_) => return Err("`rejectedDataPoints` is not a count".into()),
    };
    let message = match field(partial, "errorMessage", "error_message") {
        None => String::new(),
        Some(Value::String(s)) => s,
        Some(_) => return Err("`errorMessage` is not a string".into()),
    };
    Ok(Delivered { rejected_points, message })
}

/// A receiver's message, cut to a length fit for a diagnostic line, its
/// control characters escaped (`\n`, `\u{1b}`): a collector's text must
/// not start lines of its own in the host's log or drive its terminal.
fn shorten(message: &str) -> String {
    const MAX_CHARS: usize = 300;
    let mut out = String::with_capacity(message.len().min(4 * MAX_CHARS));
    for (i, c) in message.chars().enumerate() {
        if i == MAX_CHARS {
            out.push_str("...");
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// ": cause: cause of cause ..." for an error's chain of sources.
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = String::new();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Whether an error's chain holds a refused TLS handshake: the server's
/// certificate failed verification, or the server refused ours (or the
/// handshake). Retrying cannot help until the configuration changes.
fn is_tls_refusal(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return matches!(
                tls,
                rustls::Error::InvalidCertificate(_)
                    | rustls::Error::AlertReceived(_)
                    | rustls::Error::NoCertificatesPresented
            );
        }
        // An io::Error hides what it wraps from `source()`: look inside.
        current = match e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    false
}

/// The message of a `google.rpc.Status` error body (protobuf or JSON).
fn status_message(body: &[u8], json: bool) -> Option<String> {
    let message = if json {
        serde_json::from_slice::<serde_json::Value>(body).ok()?.get("message")?.as_str()?.to_owned()
    } else {
        tonic_types::pb::Status::decode(body).ok()?.message
    };
    (!message.is_empty()).then(|| shorten(&message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_success_counts_in_both_json_forms_and_protobuf() {
        let rejected = |body: &str| parse_answer(body.as_bytes(), true).map(|d| d.rejected_points);
        assert_eq!(rejected(r#"{"partialSuccess":{"rejectedDataPoints":"2"}}"#), Ok(2));
        assert_eq!(rejected(r#"{"partialSuccess":{"rejectedDataPoints":3}}"#), Ok(3));
        assert_eq!(rejected(r#"{"partial_success":{"rejected_data_points":"4"}}"#), Ok(4));
        assert_eq!(rejected(r#"{"partialSuccess":{}}"#), Ok(0));
        assert_eq!(rejected("{}"), Ok(0));
        assert_eq!(rejected(""), Ok(0));
        for bad in [
            r#"{"partialSuccess":{"rejectedDataPoints":"lots"}}"#,
            r#"{"partialSuccess":{"rejectedDataPoints":-1}}"#,
            r#"{"partialSuccess":{"rejectedDataPoints":1.5}}"#,
            r#"{"partialSuccess":7}"#,
            "[]",
            "<html>ok</html>",
        ] {
            assert!(rejected(bad).is_err(), "{bad}");
        }
        let pb = ExportMetricsServiceResponse {
            partial_success: Some(
                opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsPartialSuccess {
                    rejected_data_points: 5,
                    error_message: "no".into(),
                },
            ),
        }
        .encode_to_vec();
        assert_eq!(
            parse_answer(&pb, false),
            Ok(Delivered { rejected_points: 5, message: "no".into() })
        );
        assert!(parse_answer(b"<html>ok</html>", false).is_err());
    }

    #[test]
    fn long_receiver_messages_are_cut() {
        assert_eq!(shorten("short"), "short");
        let long = "é".repeat(1000);
        let cut = shorten(&long);
        assert_eq!(cut.chars().count(), 303);
        assert!(cut.ends_with("..."));
    }

    #[test]
    fn a_receiver_message_cannot_start_a_line_or_drive_a_terminal() {
        let shown = shorten("bad\r\notelmetrics: [info] all fine\u{1b}[2J\u{7}");
        assert_eq!(shown, "bad\\r\\notelmetrics: [info] all fine\\u{1b}[2J\\u{7}");
        assert!(!shown.chars().any(char::is_control));
    }

    #[test]
    fn status_bodies_in_both_encodings() {
        let pb = tonic_types::pb::Status { code: 3, message: "bad data".into(), details: vec![] }
            .encode_to_vec();
        assert_eq!(status_message(&pb, false).as_deref(), Some("bad data"));
        assert_eq!(
            status_message(br#"{"code":3,"message":"bad json"}"#, true).as_deref(),
            Some("bad json")
        );
        assert_eq!(status_message(b"<html>oops</html>", true), None);
        assert_eq!(status_message(b"", false), None);
    }
}
