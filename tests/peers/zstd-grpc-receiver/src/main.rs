//! Serves OTLP `MetricsService/Export` on 127.0.0.1 (a free port), accepting
//! gzip and zstd (or gzip only with `--no-zstd`). Prints `listening PORT`,
//! then for every request one line `request ENCODING BASE64`: the
//! `grpc-encoding` it arrived with and the request tonic decoded, encoded
//! again as protobuf for the test to read with opentelemetry-proto.

use base64::Engine;
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{MetricsService, MetricsServiceServer};
use opentelemetry_proto::tonic::collector::metrics::v1::{ExportMetricsServiceRequest, ExportMetricsServiceResponse};
use prost::Message;
use std::io::Write;
use tonic::codec::CompressionEncoding;
use tonic::{Request, Response, Status};

struct Report;

#[tonic::async_trait]
impl MetricsService for Report {
    async fn export(&self, request: Request<ExportMetricsServiceRequest>) -> Result<Response<ExportMetricsServiceResponse>, Status> {
        let encoding = request.metadata().get("grpc-encoding").and_then(|v| v.to_str().ok()).unwrap_or("identity").to_owned();
        let body = base64::engine::general_purpose::STANDARD.encode(request.into_inner().encode_to_vec());
        let mut out = std::io::stdout().lock();
        // A test that stopped reading is gone: nothing to report to.
        let _ = writeln!(out, "request {encoding} {body}").and_then(|_| out.flush());
        Ok(Response::new(ExportMetricsServiceResponse::default()))
    }
}

fn main() {
    let zstd = !std::env::args().any(|a| a == "--no-zstd");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port on 127.0.0.1");
        println!("listening {}", listener.local_addr().expect("bound").port());
        let mut service = MetricsServiceServer::new(Report).accept_compressed(CompressionEncoding::Gzip);
        if zstd {
            service = service.accept_compressed(CompressionEncoding::Zstd);
        }
        tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener))
            .await
            .expect("the server runs until killed");
    });
}
