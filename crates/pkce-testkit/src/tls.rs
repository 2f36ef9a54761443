//! The TLS side of `ServerConfig::tls`: a committed certificate that no client trusts.
//!
//! `tls-cert.pem` is a self-signed P-256 certificate for `127.0.0.1`, `::1` and
//! `localhost`, valid from 2000 to 2100, made once with the `openssl` CLI; `tls-key.pem` is
//! its key. Both are public test material: the key protects nothing. Still, the key is
//! compiled in only with the `tls` feature, so that the `pkce` binary (which runs the
//! testkit for `pkce demo`, over plain loopback http) ships no private key at all.

use std::io;
#[cfg(feature = "tls")]
use std::sync::Arc;

#[cfg(feature = "tls")]
use rustls::pki_types::pem::PemObject;
#[cfg(feature = "tls")]
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// The server certificate, PEM. A client that trusts it (and only such a client) can talk
/// to a TLS-mode server; see [`UserAgent`](crate::UserAgent).
pub const TLS_CERT_PEM: &str = include_str!("tls-cert.pem");
#[cfg(feature = "tls")]
const TLS_KEY_PEM: &str = include_str!("tls-key.pem");

/// Without the `tls` feature there is no key to serve TLS with.
#[cfg(not(feature = "tls"))]
pub(crate) fn acceptor() -> io::Result<TlsAcceptor> {
    Err(io::Error::other(
        "ServerConfig::tls needs pkce-testkit's `tls` feature",
    ))
}

/// A TLS acceptor for the committed certificate, using the *ring* provider explicitly so
/// that no process-wide default provider is needed.
#[cfg(feature = "tls")]
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
