//! OTLP over gRPC: the request is encoded once by the exporter (which must
//! know its size to split it) and handed to tonic as bytes. Status codes
//! are classified as the OTLP specification says: UNAVAILABLE, CANCELLED,
//! DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE and DATA_LOSS are transient;
//! RESOURCE_EXHAUSTED only when the server sends `RetryInfo`; the rest
//! permanent. A `RetryInfo` delay is honoured.

use super::retry::Attempt;
use super::tls;
use crate::config::{Compression, ResolvedOtlp};
use crate::error::{Error, Result};
use crate::export::error_type;
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
            .accept_compressed(CompressionEncoding::Gzip)
            .accept_compressed(CompressionEncoding::Zstd);
        match otlp.compression {
            Compression::Gzip => client = client.send_compressed(CompressionEncoding::Gzip),
            Compression::Zstd => client = client.send_compressed(CompressionEncoding::Zstd),
            Compression::None => {}
        }
        Ok(GrpcTransport { client, metadata })
    }

    pub async fn send(&self, body: Bytes, timeout: Duration) -> Attempt {
        let mut client = self.client.clone();
        if let Err(e) = client.ready().await {
            return Attempt::Transient {
                reason: format!("the channel is not ready: {e}"),
                after: None,
                error_type: code_name(Code::Unavailable).into(),
            };
        }
        let mut request = tonic::Request::new(body);
        *request.metadata_mut() = self.metadata.clone();
        request.set_timeout(timeout);
        let path = http::uri::PathAndQuery::from_static(EXPORT_PATH);
        match client.unary(request, path, PreEncoded).await {
            Ok(response) => Attempt::Delivered(super::delivered(Some(response.into_inner()))),
            Err(status) => classify(&status),
        }
    }
}

fn classify(status: &Status) -> Attempt {
    let after = status.get_details_retry_info().and_then(|info| info.retry_delay);
    let reason = describe(status);
    if super::is_tls_refusal(status) {
        return Attempt::Permanent { reason, error_type: error_type::TLS.into() };
    }
    let error_type = code_name(status.code()).into();
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
        ExportMetricsServiceResponse::decode(src)
            .map(Some)
            .map_err(|e| Status::internal(format!("undecodable OTLP response: {e}")))
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
