//! The running server: a loopback listener served by hyper on a tokio runtime that lives on
//! its own thread, so blocking tests and async tests can both use it.

use std::convert::Infallible;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};
use tokio_rustls::TlsAcceptor;

use crate::config::ServerConfig;
use crate::context::Ctx;
use crate::misbehavior::{Endpoint, Misbehavior};
use crate::{router, tls};

/// Connections served at once; more wait in the kernel's accept queue. Endless bodies and
/// stalls hold a slot, so this bounds what a misbehaving test can pile up.
const MAX_CONNECTIONS: usize = 64;
/// A client must finish sending its request head within this time.
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);
/// A TLS client must finish its handshake within this time.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Cap on a request head (request line, URI and headers); hyper answers 431/414 past it.
const MAX_HEAD: usize = 64 * 1024;

/// A running authorization server on `127.0.0.1` and an ephemeral port.
///
/// Dropping it stops the server: the listener closes and every connection is cut.
pub struct AuthServer {
    ctx: Arc<Ctx>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for AuthServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthServer")
            .field("issuer", &self.ctx.issuer)
            .finish_non_exhaustive()
    }
}

impl AuthServer {
    /// Starts a server with [`ServerConfig::default`].
    ///
    /// # Errors
    /// When the socket, the runtime or its thread cannot be created.
    pub fn start() -> io::Result<Self> {
        Self::start_with(ServerConfig::default())
    }

    /// Starts a server with `config`.
    ///
    /// # Errors
    /// When the socket, the runtime, its thread or (with `tls`) the TLS configuration cannot
    /// be created.
    pub fn start_with(config: ServerConfig) -> io::Result<Self> {
        let tls = if config.tls {
            Some(tls::acceptor()?)
        } else {
            None
        };
        // Bound here, not on the server thread, so the port is known and errors surface now.
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let ctx = Arc::new(Ctx::new(config, format!("{scheme}://{addr}")));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = {
            let _entered = runtime.enter();
            TcpListener::from_std(listener)?
        };
        let (shutdown, stop) = oneshot::channel();
        let served = Arc::clone(&ctx);
        let thread = std::thread::Builder::new()
            .name(format!("pkce-testkit {addr}"))
            // Dropping the runtime at the end of the thread cancels every connection task.
            .spawn(move || runtime.block_on(accept_loop(listener, served, tls, stop)))?;
        Ok(Self {
            ctx,
            addr,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// Replaces the DPoP nonce: the next proof carrying the old one is refused with
    /// `use_dpop_nonce` and the new one (with `dpop_nonce_required`).
    pub fn rotate_dpop_nonce(&self) {
        self.ctx.dpop.rotate();
    }

    /// The issuer identifier: `http://127.0.0.1:PORT` (`https://` with TLS), no trailing slash.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.ctx.issuer
    }

    /// The listening address.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The issuer followed by `path` (which should start with `/`).
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.ctx.issuer)
    }

    /// Makes `endpoint` misbehave from the next request on (`None` restores it).
    pub fn set_misbehavior(&self, endpoint: Endpoint, m: Option<Misbehavior>) {
        self.ctx.set_misbehavior(endpoint, m);
    }

    /// How many requests `endpoint` has received, misbehaving or not. A test proves that a
    /// client never retried a request by this count.
    #[must_use]
    pub fn hits(&self, endpoint: Endpoint) -> usize {
        self.ctx.hits(endpoint)
    }

    /// Refreshes served, refresh-token reuses detected and grants revoked so far: a test of
    /// refresh single-flight reads these to prove no two clients spent one refresh token.
    #[must_use]
    pub fn rotation_counters(&self) -> crate::store::RotationCounters {
        self.ctx.store().counters()
    }

    /// The user approves the device that shows `user_code` (RFC 8628 §3.3); `false` when
    /// no device waits with that code.
    pub fn approve_device(&self, user_code: &str) -> bool {
        self.ctx.devices().decide(user_code, true)
    }

    /// The user refuses the device that shows `user_code`: its next poll gets
    /// `access_denied`. `false` when no device waits with that code.
    pub fn deny_device(&self, user_code: &str) -> bool {
        self.ctx.devices().decide(user_code, false)
    }

    /// Makes every device code issued so far expired: the next poll gets `expired_token`.
    pub fn expire_device_codes(&self) {
        self.ctx.devices().expire_all();
    }

    /// Answers the next `n` device polls `slow_down` (each adds 5 s to the interval the
    /// server requires from then on).
    pub fn slow_down_device_polls(&self, n: u32) {
        self.ctx.devices().order_slow_downs(n);
    }

    /// When each poll for the device showing `user_code` arrived, in order.
    #[must_use]
    pub fn device_polls(&self, user_code: &str) -> Vec<std::time::Instant> {
        self.ctx.devices().polls(user_code)
    }

    /// Makes every refresh token issued so far expired: using one gives `invalid_grant`.
    pub fn expire_refresh_tokens(&self) {
        self.ctx.store().expire_refresh_tokens();
    }
}

impl Drop for AuthServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // The loop may already have ended; nothing to report either way.
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Accepts connections until told to stop, at most [`MAX_CONNECTIONS`] at a time.
async fn accept_loop(
    listener: TcpListener,
    ctx: Arc<Ctx>,
    tls: Option<TlsAcceptor>,
    mut stop: oneshot::Receiver<()>,
) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let permit = tokio::select! {
            _ = &mut stop => return,
            permit = Arc::clone(&slots).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
        };
        let stream = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Typically out of file descriptors: back off rather than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let (ctx, tls) = (Arc::clone(&ctx), tls.clone());
        tokio::spawn(async move {
            let _permit = permit;
            match tls {
                None => serve(stream, ctx).await,
                Some(acceptor) => {
                    // A refused handshake (the point of TLS mode) just ends the connection.
                    if let Ok(Ok(stream)) =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                    {
                        serve(stream, ctx).await;
                    }
                }
            }
        });
    }
}

/// Serves HTTP/1.1 on one connection until the client closes it.
async fn serve<I>(io: I, ctx: Arc<Ctx>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req| {
        let ctx = Arc::clone(&ctx);
        async move { Ok::<_, Infallible>(router::handle(ctx, req).await) }
    });
    // Errors here are the client's (a reset, a malformed request hyper already answered)
    // or deliberate (an aborted body); the connection is over either way.
    let _ = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(MAX_HEAD)
        .serve_connection(TokioIo::new(io), service)
        .await;
}
