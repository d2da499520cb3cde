//! TLS material for the OTLP transports: certificate files parsed once,
//! verification always on for `https://` endpoints (with the system's roots
//! unless a CA file is given), and the crypto provider passed explicitly.

use crate::config::{Pem, ResolvedOtlp};
use crate::error::{Error, Result};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;

pub fn is_tls(otlp: &ResolvedOtlp) -> bool {
    otlp.endpoint.url.starts_with("https://")
}

/// tonic's TLS settings for a gRPC channel to an `https://` endpoint.
pub fn tonic_config(otlp: &ResolvedOtlp) -> tonic::transport::ClientTlsConfig {
    use tonic::transport::{Certificate, ClientTlsConfig, Identity};
    let mut tls = ClientTlsConfig::new();
    tls = match &otlp.ca_pem {
        Some(ca) => tls.ca_certificate(Certificate::from_pem(&ca.bytes)),
        None => tls.with_native_roots(),
    };
    if let Some((cert, key)) = &otlp.client_identity_pem {
        tls = tls.identity(Identity::from_pem(&cert.bytes, &key.bytes));
    }
    tls
}

/// rustls with the ring provider passed explicitly: installing a
/// process-wide default provider could clash with the host application's.
pub fn rustls_config(otlp: &ResolvedOtlp) -> Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    match &otlp.ca_pem {
        Some(pem) => {
            for cert in parse_certs(pem)? {
                roots.add(cert).map_err(|e| {
                    Error::config(&pem.source, format!("unusable CA certificate: {e}"))
                })?;
            }
        }
        // The system's roots are only read when TLS will be used.
        None if is_tls(otlp) => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
        None => {}
    }
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| Error::config("otlp TLS", e))?
    .with_root_certificates(roots);
    match &otlp.client_identity_pem {
        Some((cert, key)) => {
            let certs = parse_certs(cert)?;
            builder
                .with_client_auth_cert(certs, parse_key(key)?)
                .map_err(|e| Error::config(&cert.source, e))
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
    PrivateKeyDer::from_pem_slice(&pem.bytes)
        .map_err(|e| Error::config(&pem.source, format!("no usable private key: {e}")))
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
