//! The TLS side of `ServerConfig::tls`: a committed certificate that no client trusts.
//!
//! `tls-cert.pem` is a self-signed P-256 certificate for `127.0.0.1`, `::1` and
//! `localhost`, valid from 2000 to 2100, made once with the `openssl` CLI; `tls-key.pem` is
//! its key. Both are public test material: the key protects nothing.

use std::io;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// The server certificate, PEM. A client that trusts it (and only such a client) can talk
/// to a TLS-mode server; see [`UserAgent`](crate::UserAgent).
pub const TLS_CERT_PEM: &str = include_str!("tls-cert.pem");
const TLS_KEY_PEM: &str = include_str!("tls-key.pem");

/// A TLS acceptor for the committed certificate, using the *ring* provider explicitly so
/// that no process-wide default provider is needed.
pub(crate) fn acceptor() -> io::Result<TlsAcceptor> {
    let certs = CertificateDer::pem_slice_iter(TLS_CERT_PEM.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(io::Error::other)?;
    let key = PrivateKeyDer::from_pem_slice(TLS_KEY_PEM.as_bytes()).map_err(io::Error::other)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(io::Error::other)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
