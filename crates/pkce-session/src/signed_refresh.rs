//! Which key signs a stored session's refresh, decided here and nowhere else: a session
//! bound to a DPoP key (RFC 9449) is refreshed with that key's proofs, always; a session
//! without one is refreshed as the client is configured. A transport only drives the
//! resulting [`SessionRefresh`].

use pkce_flow::dpop::{DpopExchange, DpopKey, MaybeDpop, NonceMemory};
use pkce_flow::{Client, Exchange, HttpResponse, OsRng, Poll, RefreshExchange, RefreshToken};
use pkce_flow::{Error, TokenResponse};

use crate::error::SessionError;
use crate::session::StoredSession;

/// What signs a refresh: the key, the servers' nonces and the generator of each proof's
/// `jti`.
pub(crate) struct Signing {
    key: DpopKey,
    pub(crate) nonces: NonceMemory,
    rng: OsRng,
}

/// The refresh of `session` with `used`, and what signs it. The stored key wins over the
/// client's: the tokens are bound to it, and the server refuses a proof of any other key.
/// A session without a key is signed with the client's key, if the client has one.
///
/// # Errors
/// [`SessionError::DpopKeyUnusable`] when the stored key cannot sign (nothing is sent).
pub(crate) fn plan_refresh(
    client: &Client,
    session: &StoredSession,
    used: &RefreshToken,
) -> Result<(RefreshExchange, Option<Signing>), SessionError> {
    let signing = |key: DpopKey, nonces| Signing {
        key,
        nonces,
        rng: OsRng::default(),
    };
    Ok(match (&session.dpop_key, client.dpop_key()) {
        (Some(stored), _) => {
            let key = stored.to_dpop_key()?;
            let exchange = client.refresh_bound_to(used, &key);
            (exchange, Some(signing(key, stored.nonce_memory())))
        }
        (None, Some(key)) => (
            client.refresh(used),
            Some(signing(key.clone(), NonceMemory::new())),
        ),
        (None, None) => (client.refresh(used), None),
    })
}

/// A stored session's refresh as a transport drives it: a plain `RefreshExchange`, or one
/// signed with the session's DPoP key (a proof on every request, the one nonce retry). The
/// only way to have the refresh of a stored session ([`crate::RefreshPlan::exchange`]), so a
/// DPoP-bound refresh token never leaves without a proof of its key. pkce-flow's
/// [`MaybeDpop`] does the sending; this type only keeps its making here.
#[derive(Debug)]
pub struct SessionRefresh<'p>(MaybeDpop<'p, RefreshExchange, OsRng>);

impl SessionRefresh<'_> {
    /// Whether the requests carry a DPoP proof.
    #[must_use]
    pub fn is_dpop(&self) -> bool {
        self.0.is_dpop()
    }
}

/// Wraps `exchange` for sending, signed when `signing` says so; `now` is each proof's
/// `iat`.
pub(crate) fn session_refresh(
    exchange: RefreshExchange,
    signing: Option<&mut Signing>,
    now: u64,
) -> Result<SessionRefresh<'_>, SessionError> {
    let Some(s) = signing else {
        return Ok(SessionRefresh(MaybeDpop::plain(exchange)));
    };
    let signed = DpopExchange::new(exchange, &s.key, &mut s.nonces, &mut s.rng, now)
        .map_err(SessionError::RefreshFailed)?;
    Ok(SessionRefresh(MaybeDpop::signed(signed)))
}

impl Exchange for SessionRefresh<'_> {
    type Output = TokenResponse;

    fn kind(&self) -> &'static str {
        self.0.kind()
    }

    fn poll_output(&mut self) -> Result<Poll<TokenResponse>, Error> {
        self.0.poll_output()
    }

    fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), Error> {
        self.0.handle_response(response)
    }
}
