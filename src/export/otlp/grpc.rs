//! OTLP over gRPC: the request is encoded once by the exporter (which must
//! know its size to split it) and handed to tonic as bytes. Status codes
//! are classified as the OTLP specification says: UNAVAILABLE, CANCELLED,
//! DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE and DATA_LOSS are transient;
//! RESOURCE_EXHAUSTED only when the server sends `RetryInfo`; the rest
//! permanent. A `RetryInfo` delay is honoured.
//!
//! `error.type` names the cause the way HTTP does, whichever layer noticed
//! it first: a request out of time is `timeout` (tonic's own deadline says
//! CANCELLED, the server's DEADLINE_EXCEEDED, our attempt timer `timeout`:
//! which comes first is a race), a connection that cannot be made or is lost
//! is `transport` (tonic says UNAVAILABLE), an answer larger than
//! `MAX_ANSWER_BYTES` or undecodable is `invalid_response` and not retried
//! (tonic says OUT_OF_RANGE, which from a server would be transient). A
//! status the server sent keeps its code's name.

use super::retry::Attempt;
use super::tls;
use crate::config::{Compression, ResolvedOtlp};
use crate::error::{Error, Result};
use crate::export::{error_type, ResponseStatus};
use bytes::{BufMut, Bytes};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceResponse;
use prost::Message;
use std::time::Duration;
use tonic::codec::{Codec, CompressionEncoding, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::metadata::{MetadataKey, MetadataMap, MetadataValue};
use tonic::transport::Channel;
use tonic::{Code, Status};
use tonic_types::StatusExt;

const EXPORT_PATH: &str = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

pub struct GrpcTransport {
    client: tonic::client::Grpc<Channel>,
    metadata: MetadataMap,
}

impl GrpcTransport {
    /// Must run inside the runtime that will drive the channel.
    pub fn new(otlp: &ResolvedOtlp) -> Result<Self> {
        let build_error = |e: &dyn std::fmt::Display| {
            Error::config(&otlp.endpoint.source, format!("cannot build the OTLP gRPC channel: {e}"))
        };
        let mut metadata = MetadataMap::new();
        for (k, v) in &otlp.headers {
            let key = MetadataKey::from_bytes(k.to_ascii_lowercase().as_bytes()).map_err(|_| {
                Error::config("otlp headers", format!("`{k}` is not a valid gRPC metadata key"))
            })?;
            let value = MetadataValue::try_from(v.as_str()).map_err(|_| {
                Error::config(
                    "otlp headers",
                    format!("the value of `{k}` is not valid gRPC metadata"),
                )
            })?;
            metadata.insert(key, value);
        }
        let mut endpoint = tonic::transport::Endpoint::from_shared(otlp.endpoint.url.clone())
            .map_err(|e| build_error(&e))?
            .user_agent(super::USER_AGENT)
            .map_err(|e| build_error(&e))?;
        if tls::is_tls(otlp) {
            endpoint = endpoint.tls_config(tls::tonic_config(otlp)).map_err(|e| build_error(&e))?;
        }
        // Connects on first use, and reconnects after the collector
        // restarts; a collector that is down at start is not an error.
        let channel = endpoint.connect_lazy();
        let mut client = tonic::client::Grpc::new(channel)
            .max_decoding_message_size(super::MAX_ANSWER_BYTES)
            .accept_compressed(CompressionEncoding::Gzip)
            .accept_compressed(CompressionEncoding::Zstd);
        match otlp.compression {
            Compression::Gzip => client = client.send_compressed(CompressionEncoding::Gzip),
            Compression::Zstd => client = client.send_compressed(CompressionEncoding::Zstd),
            Compression::None => {}
        }
        Ok(GrpcTransport { client, metadata })
    }

    /// One call; the status is the server's, when it sent one.
    pub async fn send(&self, body: Bytes, timeout: Duration) -> (Attempt, Option<ResponseStatus>) {
        let mut client = self.client.clone();
        if let Err(e) = client.ready().await {
            let attempt = Attempt::Transient {
                reason: format!("the channel is not ready: {e}{}", super::causes(&e)),
                after: None,
                error_type: error_type::TRANSPORT.into(),
            };
            return (attempt, None);
        }
        let mut request = tonic::Request::new(body);
        *request.metadata_mut() = self.metadata.clone();
        request.set_timeout(timeout);
        let path = http::uri::PathAndQuery::from_static(EXPORT_PATH);
        match client.unary(request, path, PreEncoded).await {
            Ok(response) => (
                Attempt::Delivered(super::delivered(Some(response.into_inner()))),
                Some(ResponseStatus::Grpc(code_name(Code::Ok))),
            ),
            Err(status) => {
                let sent = local_cause(&status).is_none();
                (classify(&status), sent.then(|| ResponseStatus::Grpc(code_name(status.code()))))
            }
        }
    }
}

const UNREADABLE: &str = "the answer cannot be read, whether the data points were kept is unknown";

fn classify(status: &Status) -> Attempt {
    let after = status.get_details_retry_info().and_then(|info| info.retry_delay);
    let reason = describe(status);
    if super::is_tls_refusal(status) {
        return Attempt::Permanent { reason, error_type: error_type::TLS.into() };
    }
    // Retried or not by the code, as the specification says; named by
    // the cause when it is on this side of the wire.
    let error_type = match local_cause(status) {
        Some(Local::OutOfTime) => error_type::TIMEOUT.into(),
        Some(Local::Transport) => error_type::TRANSPORT.into(),
        Some(Local::BadAnswer) => {
            let reason = format!("{reason}: {UNREADABLE}");
            return Attempt::Permanent { reason, error_type: error_type::INVALID_RESPONSE.into() };
        }
        None => code_name(status.code()).into(),
    };
    match status.code() {
        Code::Unavailable
        | Code::Cancelled
        | Code::DeadlineExceeded
        | Code::Aborted
        | Code::OutOfRange
        | Code::DataLoss => Attempt::Transient { reason, after, error_type },
        Code::ResourceExhausted if after.is_some() => {
            Attempt::Transient { reason, after, error_type }
        }
        _ => Attempt::Permanent { reason, error_type },
    }
}

/// A cause this side of the wire, whatever code tonic gave it.
#[derive(Debug, PartialEq, Eq)]
enum Local {
    OutOfTime,
    Transport,
    BadAnswer,
}

/// Which statuses did not come from the server. tonic marks its own by a
/// source error (a server's status has none), except for the answer limits,
/// which only its messages tell apart (tonic 0.14's wording, checked by the
/// oversized-answer test in tests/e2e/test_hostile_collectors.py).
fn local_cause(status: &Status) -> Option<Local> {
    use std::error::Error as _;
    if status.code() == Code::DeadlineExceeded {
        // The deadline is ours (the grpc-timeout we sent), whoever noticed it.
        return Some(Local::OutOfTime);
    }
    let mut source = status.source();
    while let Some(cause) = source {
        if cause.is::<tonic::TimeoutExpired>() {
            return Some(Local::OutOfTime);
        }
        if cause.is::<UndecodableAnswer>() {
            return Some(Local::BadAnswer);
        }
        source = cause.source();
    }
    let message = status.message();
    let over_limit = (status.code() == Code::OutOfRange
        && message.starts_with("Error, decoded message length too large"))
        || (status.code() == Code::ResourceExhausted
            && message.starts_with("Error decompressing: size limit"));
    if over_limit {
        return Some(Local::BadAnswer);
    }
    status.source().is_some().then_some(Local::Transport)
}

/// Our decoder's refusal of an answer, recognisable in a status's sources.
#[derive(Debug)]
struct UndecodableAnswer(prost::DecodeError);

impl std::fmt::Display for UndecodableAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "undecodable OTLP response: {}", self.0)
    }
}

impl std::error::Error for UndecodableAnswer {}

fn undecodable(e: prost::DecodeError) -> Status {
    Status::from_error(Box::new(UndecodableAnswer(e)))
}

/// A status code as gRPC names it (`UNAVAILABLE`), the form
/// `rpc.grpc.status_code` values take in the semantic conventions.
fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

/// The status code and message, with the causes of a transport error.
fn describe(status: &Status) -> String {
    let mut text = format!("gRPC status {:?}", status.code());
    if !status.message().is_empty() {
        text.push_str(": ");
        text.push_str(&super::shorten(status.message()));
    }
    text + &super::causes(status)
}

/// Sends bytes the exporter already encoded; decodes the OTLP response.
#[derive(Clone, Copy)]
struct PreEncoded;

impl Codec for PreEncoded {
    type Encode = Bytes;
    type Decode = ExportMetricsServiceResponse;
    type Encoder = PreEncoded;
    type Decoder = PreEncoded;

    fn encoder(&mut self) -> Self::Encoder {
        PreEncoded
    }

    fn decoder(&mut self) -> Self::Decoder {
        PreEncoded
    }
}

impl Encoder for PreEncoded {
    type Item = Bytes;
    type Error = Status;

    fn encode(&mut self, item: Bytes, dst: &mut EncodeBuf<'_>) -> std::result::Result<(), Status> {
        dst.put(item);
        Ok(())
    }
}

impl Decoder for PreEncoded {
    type Item = ExportMetricsServiceResponse;
    type Error = Status;

    fn decode(
        &mut self,
        src: &mut DecodeBuf<'_>,
    ) -> std::result::Result<Option<Self::Item>, Status> {
        ExportMetricsServiceResponse::decode(src).map(Some).map_err(undecodable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic_types::{ErrorDetails, StatusExt};

    fn with_retry_info(code: Code, delay: Option<Duration>) -> Status {
        let mut details = ErrorDetails::new();
        if let Some(d) = delay {
            details.set_retry_info(Some(d));
        }
        Status::with_error_details(code, "busy", details)
    }

    #[test]
    fn the_specification_s_retryable_codes_are_transient() {
        for code in [
            Code::Unavailable,
            Code::Cancelled,
            Code::DeadlineExceeded,
            Code::Aborted,
            Code::OutOfRange,
            Code::DataLoss,
        ] {
            assert!(
                matches!(classify(&Status::new(code, "x")), Attempt::Transient { after: None, .. }),
                "{code:?}"
            );
        }
        for code in [
            Code::InvalidArgument,
            Code::Unauthenticated,
            Code::PermissionDenied,
            Code::Unimplemented,
            Code::Internal,
            Code::Unknown,
        ] {
            assert!(
                matches!(classify(&Status::new(code, "x")), Attempt::Permanent { .. }),
                "{code:?}"
            );
        }
    }

    fn error_type_of(status: &Status) -> String {
        match classify(status) {
            Attempt::Transient { error_type, .. } | Attempt::Permanent { error_type, .. } => {
                error_type.to_string()
            }
            Attempt::Delivered(_) => unreachable!(),
        }
    }

    #[test]
    fn causes_this_side_of_the_wire_are_named_as_over_http() {
        let deadline = Status::from_error(Box::new(tonic::TimeoutExpired(())));
        assert_eq!(deadline.code(), Code::Cancelled, "tonic's own name for its deadline");
        assert_eq!(error_type_of(&deadline), "timeout");
        assert_eq!(error_type_of(&Status::deadline_exceeded("late")), "timeout");
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let refused = Status::from_error(Box::new(tonic::ConnectError(Box::new(refused))));
        assert_eq!(refused.code(), Code::Unavailable, "tonic's own name for a refused connection");
        assert_eq!(error_type_of(&refused), "transport");
        // The same codes sent by a server keep their names.
        assert_eq!(error_type_of(&Status::unavailable("busy")), "UNAVAILABLE");
        assert_eq!(error_type_of(&Status::cancelled("gone")), "CANCELLED");
    }

    #[test]
    fn an_answer_over_the_limit_or_undecodable_is_not_retried() {
        let too_large = Status::out_of_range(
            "Error, decoded message length too large: found 5242880 bytes, the limit is: 4194304 bytes",
        );
        let undecodable =
            undecodable(ExportMetricsServiceResponse::decode(&b"\xff\xff"[..]).unwrap_err());
        for status in [too_large, undecodable] {
            assert!(
                matches!(classify(&status), Attempt::Permanent { ref error_type, .. } if error_type == "invalid_response"),
                "{status:?}"
            );
        }
        // OUT_OF_RANGE from a server is transient, as the specification says.
        assert!(matches!(classify(&Status::out_of_range("x")), Attempt::Transient { .. }));
    }

    #[test]
    fn resource_exhausted_is_transient_only_with_retry_info() {
        assert!(matches!(
            classify(&with_retry_info(Code::ResourceExhausted, None)),
            Attempt::Permanent { .. }
        ));
        let throttled =
            classify(&with_retry_info(Code::ResourceExhausted, Some(Duration::from_millis(1500))));
        assert_eq!(
            throttled,
            Attempt::Transient {
                reason: "gRPC status ResourceExhausted: busy".into(),
                after: Some(Duration::from_millis(1500)),
                error_type: "RESOURCE_EXHAUSTED".into()
            }
        );
        let unavailable =
            classify(&with_retry_info(Code::Unavailable, Some(Duration::from_secs(2))));
        assert!(
            matches!(unavailable, Attempt::Transient { after: Some(d), .. } if d == Duration::from_secs(2))
        );
    }
}
