//! Builds the OTLP exporter for the resolved protocol, endpoint, headers,
//! compression and TLS settings. Every value is passed explicitly, so the
//! exporter crate's own environment lookups never override ours.

use super::runtime::runtime;
use crate::config::{Compression, Pem, Protocol, ResolvedOtlp};
use crate::error::{Error, Result};
use opentelemetry_otlp::{MetricExporter, WithExportConfig, WithHttpConfig, WithTonicConfig};
use opentelemetry_sdk::metrics::Temporality;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::collections::HashMap;
use std::sync::Arc;

pub fn build(otlp: &ResolvedOtlp, temporality: Temporality) -> Result<MetricExporter> {
    let built = match otlp.protocol {
        Protocol::Grpc => build_grpc(otlp, temporality)?,
        Protocol::HttpProtobuf | Protocol::HttpJson => build_http(otlp, temporality)?,
    };
    Ok(built)
}

fn exporter_error(otlp: &ResolvedOtlp, e: impl std::fmt::Display) -> Error {
    Error::config(&otlp.endpoint.source, format!("cannot build the OTLP exporter: {e}"))
}

fn build_grpc(otlp: &ResolvedOtlp, temporality: Temporality) -> Result<MetricExporter> {
    use tonic::metadata::{MetadataKey, MetadataMap, MetadataValue};
    use opentelemetry_otlp::tonic_types::transport::{Certificate, ClientTlsConfig, Identity};

    let mut metadata = MetadataMap::new();
    for (k, v) in &otlp.headers {
        let key = MetadataKey::from_bytes(k.to_ascii_lowercase().as_bytes())
            .map_err(|_| Error::config("otlp headers", format!("`{k}` is not a valid gRPC metadata key")))?;
        let value = MetadataValue::try_from(v.as_str())
            .map_err(|_| Error::config("otlp headers", format!("the value of `{k}` is not valid gRPC metadata")))?;
        metadata.insert(key, value);
    }
    let mut builder = MetricExporter::builder()
        .with_tonic()
        .with_endpoint(otlp.endpoint.url.clone())
        .with_timeout(otlp.timeout)
        .with_metadata(metadata);
    if otlp.compression == Compression::Gzip {
        builder = builder.with_compression(opentelemetry_otlp::Compression::Gzip);
    }
    if otlp.endpoint.url.starts_with("https://") {
        let mut tls = ClientTlsConfig::new();
        tls = match &otlp.ca_pem {
            Some(ca) => tls.ca_certificate(Certificate::from_pem(&ca.bytes)),
            None => tls.with_native_roots(),
        };
        if let Some((cert, key)) = &otlp.client_identity_pem {
            tls = tls.identity(Identity::from_pem(&cert.bytes, &key.bytes));
        }
        builder = builder.with_tls_config(tls);
    }
    // tonic's channel must be created inside the runtime that drives it.
    let _entered = runtime().enter();
    builder.with_temporality(temporality).build().map_err(|e| exporter_error(otlp, e))
}

fn build_http(otlp: &ResolvedOtlp, temporality: Temporality) -> Result<MetricExporter> {
    let protocol = match otlp.protocol {
        Protocol::HttpJson => opentelemetry_otlp::Protocol::HttpJson,
        _ => opentelemetry_otlp::Protocol::HttpBinary,
    };
    // reqwest needs a TLS backend even for plain http (it has no default
    // crypto provider in this build, by design: see tls_client_config).
    let client = reqwest::Client::builder()
        .timeout(otlp.timeout)
        .no_proxy()
        .tls_backend_preconfigured(tls_client_config(otlp)?)
        .build()
        .map_err(|e| exporter_error(otlp, e))?;
    let headers: HashMap<String, String> = otlp.headers.iter().cloned().collect();
    let mut builder = MetricExporter::builder()
        .with_http()
        .with_http_client(client)
        .with_endpoint(otlp.endpoint.url.clone())
        .with_protocol(protocol)
        .with_timeout(otlp.timeout)
        .with_headers(headers);
    if otlp.compression == Compression::Gzip {
        builder = builder.with_compression(opentelemetry_otlp::Compression::Gzip);
    }
    builder.with_temporality(temporality).build().map_err(|e| exporter_error(otlp, e))
}

/// rustls with the ring provider passed explicitly: installing a
/// process-wide default provider could clash with the host application's.
fn tls_client_config(otlp: &ResolvedOtlp) -> Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    match &otlp.ca_pem {
        Some(pem) => {
            for cert in parse_certs(pem)? {
                roots.add(cert).map_err(|e| Error::config(&pem.source, format!("unusable CA certificate: {e}")))?;
            }
        }
        // The system's roots are only read when TLS will be used.
        None if otlp.endpoint.url.starts_with("https://") => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
        None => {}
    }
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::config("otlp TLS", e))?
        .with_root_certificates(roots);
    match &otlp.client_identity_pem {
        Some((cert, key)) => {
            let certs = parse_certs(cert)?;
            builder.with_client_auth_cert(certs, parse_key(key)?).map_err(|e| Error::config(&cert.source, e))
        }
        None => Ok(builder.with_no_client_auth()),
    }
}

fn parse_certs(pem: &Pem) -> Result<Vec<CertificateDer<'static>>> {
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&pem.bytes)
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| Error::config(&pem.source, format!("not a PEM certificate file: {e}")))?;
    if certs.is_empty() {
        return Err(Error::config(&pem.source, "the file holds no PEM certificate"));
    }
    Ok(certs)
}

fn parse_key(pem: &Pem) -> Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_slice(&pem.bytes).map_err(|e| Error::config(&pem.source, format!("no usable private key: {e}")))
}

/// Checks the certificate files parse, so bad TLS material fails the build
/// rather than every export.
pub fn validate_tls(otlp: &ResolvedOtlp) -> Result<()> {
    if let Some(ca) = &otlp.ca_pem {
        parse_certs(ca)?;
    }
    if let Some((cert, key)) = &otlp.client_identity_pem {
        parse_certs(cert)?;
        parse_key(key)?;
    }
    Ok(())
}
