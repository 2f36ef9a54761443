//! The server's memory: pending requests, codes, grants and tokens, with their lifetimes.
//!
//! A *grant* is what one authorization produced: the access and refresh tokens of a code
//! and of every refresh that follows. Revoking the grant (code replay, refresh token replay,
//! refresh token revocation) kills all of them at once.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use pkce_core::{CodeChallenge, RngError, State};

/// A validated authorization request, waiting for consent, a pushed request, or the request
/// behind a code.
#[derive(Clone, Debug)]
pub(crate) struct AuthRequest {
    pub(crate) client_id: String,
    /// Exactly as the client sent it (decoded once), for the byte-wise token-time check.
    pub(crate) redirect_uri: String,
    pub(crate) scope: String,
    /// Exactly as received, echoed in the redirect.
    pub(crate) state: Option<String>,
    pub(crate) challenge: CodeChallenge,
    /// `dpop_jkt` (RFC 9449 §10): the key the code must be redeemed with.
    pub(crate) dpop_jkt: Option<String>,
    /// `nonce` (OpenID Connect Core §3.1.2.1), echoed in the ID token.
    pub(crate) nonce: Option<String>,
}

/// Tokens issued by one token response.
#[derive(Clone, Debug)]
pub(crate) struct Issued {
    pub(crate) access_token: String,
    pub(crate) expires_in: u64,
    pub(crate) refresh_token: Option<String>,
    pub(crate) scope: String,
    /// Bound to a DPoP key: `token_type` `DPoP`.
    pub(crate) bound: bool,
    /// The ID token of a code exchange for `openid` (`ServerConfig::id_tokens`).
    pub(crate) id_token: Option<String>,
}

/// Consent pages and pushed requests live this long.
const INTERACTION_TTL: Duration = Duration::from_secs(600);
/// A pushed request's `expires_in` (RFC 9126 §2.2).
pub(crate) const PAR_TTL_SECS: u64 = 60;
/// Past this many entries, expired codes, pushed requests and interactions are swept, so a
/// long-running demo server does not grow without bound.
const SWEEP_AT: usize = 256;

struct Code {
    req: AuthRequest,
    expires: Option<Instant>,
    redeemed: bool,
    /// The grant this code produced, revoked if the code is replayed.
    grant: Option<usize>,
}

struct Grant {
    client_id: String,
    scope: String,
    revoked: bool,
    /// The DPoP key thumbprint every token of the grant is bound to (RFC 9449 §6.1).
    jkt: Option<String>,
}

struct Access {
    grant: usize,
    scope: String,
    expires: Option<Instant>,
    revoked: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RefreshStatus {
    Active,
    /// Replaced by rotation; presenting it again is a replay.
    Rotated,
}

struct Refresh {
    grant: usize,
    status: RefreshStatus,
    expired: bool,
}

struct Pending {
    req: AuthRequest,
    expires: Option<Instant>,
}

/// What the server counted about refresh-token rotation, for tests of refresh single-flight.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RotationCounters {
    /// Refresh requests answered with new tokens.
    pub refreshes_served: usize,
    /// Rotated-out refresh tokens presented again (each one revokes its grant).
    pub reuse_detections: usize,
    /// Grants (token families) revoked, for any reason, counted once each.
    pub families_revoked: usize,
}

/// Everything the server remembers. One per server: nothing is shared between servers.
#[derive(Default)]
pub(crate) struct Store {
    counters: RotationCounters,
    codes: HashMap<String, Code>,
    grants: Vec<Grant>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
    pushed: HashMap<String, Pending>,
    interactions: HashMap<String, Pending>,
}

/// 256 bits from the OS generator, base64url: codes, tokens, ids.
pub(crate) fn random() -> Result<String, RngError> {
    State::generate(&mut getrandom::SysRng).map(|s| s.expose_secret().to_owned())
}

/// `secs` from now; `None` (never) if that overflows the clock.
fn deadline(secs: u64) -> Option<Instant> {
    Instant::now().checked_add(Duration::from_secs(secs))
}

fn expired(deadline: Option<Instant>) -> bool {
    deadline.is_some_and(|d| Instant::now() >= d)
}

fn sweep(map: &mut HashMap<String, Pending>) {
    if map.len() >= SWEEP_AT {
        map.retain(|_, p| !expired(p.expires));
    }
}

impl Store {
    /// Remembers a request until the user decides; returns the interaction id.
    pub(crate) fn begin_interaction(&mut self, req: AuthRequest) -> Result<String, RngError> {
        sweep(&mut self.interactions);
        let id = random()?;
        let expires = Instant::now().checked_add(INTERACTION_TTL);
        self.interactions
            .insert(id.clone(), Pending { req, expires });
        Ok(id)
    }

    /// The request behind an interaction id, once.
    pub(crate) fn take_interaction(&mut self, id: &str) -> Option<AuthRequest> {
        self.interactions
            .remove(id)
            .filter(|p| !expired(p.expires))
            .map(|p| p.req)
    }

    /// Stores a pushed request; returns the random part of its `request_uri`.
    pub(crate) fn push(&mut self, req: AuthRequest) -> Result<String, RngError> {
        sweep(&mut self.pushed);
        let id = random()?;
        self.pushed.insert(
            id.clone(),
            Pending {
                req,
                expires: deadline(PAR_TTL_SECS),
            },
        );
        Ok(id)
    }

    /// The pushed request `id` for `client_id`. It is single-use (RFC 9126 §4): whatever the
    /// outcome, the id is gone afterwards.
    pub(crate) fn take_pushed(
        &mut self,
        id: &str,
        client_id: &str,
    ) -> Result<AuthRequest, &'static str> {
        let pending = self
            .pushed
            .remove(id)
            .ok_or("request_uri is unknown or was already used")?;
        if expired(pending.expires) {
            return Err("request_uri has expired");
        }
        if pending.req.client_id != client_id {
            return Err("request_uri was pushed by another client");
        }
        Ok(pending.req)
    }

    /// Issues a code for an approved request.
    pub(crate) fn issue_code(
        &mut self,
        req: AuthRequest,
        ttl_secs: u64,
    ) -> Result<String, RngError> {
        if self.codes.len() >= SWEEP_AT {
            // Redeemed codes stay while unexpired: their replay must still be recognised.
            self.codes.retain(|_, c| !expired(c.expires));
        }
        let code = random()?;
        let entry = Code {
            req,
            expires: deadline(ttl_secs),
            redeemed: false,
            grant: None,
        };
        self.codes.insert(code.clone(), entry);
        Ok(code)
    }

    /// Redeems `code` for `client_id`: the request it was issued for, once.
    ///
    /// The first attempt consumes the code whatever happens next (a wrong verifier included),
    /// so a code is never worth a second try. A second attempt is a replay: it fails and
    /// revokes every token issued from the code (RFC 6749 §4.1.2, RFC 9700 §4.2.4).
    pub(crate) fn redeem_code(
        &mut self,
        code: &str,
        client_id: &str,
    ) -> Result<AuthRequest, &'static str> {
        let entry = self
            .codes
            .get_mut(code)
            .ok_or("authorization code is unknown")?;
        if entry.req.client_id != client_id {
            return Err("authorization code was issued to another client");
        }
        if entry.redeemed {
            let grant = entry.grant;
            if let Some(grant) = grant {
                self.revoke_grant(grant);
            }
            return Err("authorization code was already used; its tokens are revoked");
        }
        entry.redeemed = true;
        if expired(entry.expires) {
            return Err("authorization code has expired");
        }
        Ok(entry.req.clone())
    }

    /// Starts a grant for `client_id` (from `code`, if any) and issues its first tokens.
    /// Every grant gets a refresh token, whatever its scope: simpler for tests.
    pub(crate) fn start_grant(
        &mut self,
        client_id: &str,
        scope: &str,
        code: Option<&str>,
        access_ttl: u64,
        jkt: Option<String>,
    ) -> Result<Issued, RngError> {
        let grant = self.grants.len();
        self.grants.push(Grant {
            client_id: client_id.to_owned(),
            scope: scope.to_owned(),
            revoked: false,
            jkt,
        });
        if let Some(entry) = code.and_then(|c| self.codes.get_mut(c)) {
            entry.grant = Some(grant);
        }
        self.issue(grant, scope, access_ttl, true)
    }

    fn issue(
        &mut self,
        grant: usize,
        scope: &str,
        access_ttl: u64,
        with_refresh: bool,
    ) -> Result<Issued, RngError> {
        let access_token = random()?;
        let refresh_token = if with_refresh { Some(random()?) } else { None };
        let access = Access {
            grant,
            scope: scope.to_owned(),
            expires: deadline(access_ttl),
            revoked: false,
        };
        self.access.insert(access_token.clone(), access);
        if let Some(rt) = &refresh_token {
            let refresh = Refresh {
                grant,
                status: RefreshStatus::Active,
                expired: false,
            };
            self.refresh.insert(rt.clone(), refresh);
        }
        Ok(Issued {
            access_token,
            expires_in: access_ttl,
            refresh_token,
            scope: scope.to_owned(),
            bound: self.grants.get(grant).is_some_and(|g| g.jkt.is_some()),
            id_token: None,
        })
    }

    /// Checks refresh token `rt` for `client_id` and returns its grant and that grant's
    /// scope. A
    /// rotated-out token is a replay: it fails and revokes the whole grant (RFC 9700
    /// §4.14.2).
    pub(crate) fn check_refresh(
        &mut self,
        rt: &str,
        client_id: &str,
    ) -> Result<(usize, String), &'static str> {
        let entry = self.refresh.get(rt).ok_or("refresh token is unknown")?;
        let grant_id = entry.grant;
        let grant = self
            .grants
            .get(grant_id)
            .ok_or("refresh token is unknown")?;
        if grant.client_id != client_id {
            return Err("refresh token was issued to another client");
        }
        if entry.status == RefreshStatus::Rotated {
            self.counters.reuse_detections += 1;
            self.revoke_grant(grant_id);
            return Err("refresh token was already used (rotated); the grant is revoked");
        }
        if grant.revoked {
            return Err("refresh token is revoked");
        }
        if entry.expired {
            return Err("refresh token has expired");
        }
        Ok((grant_id, grant.scope.clone()))
    }

    /// Refreshes `grant` with `rt` (both checked) for `scope`: a new access token, and with
    /// `rotate` a new refresh token replacing the old one.
    pub(crate) fn refresh(
        &mut self,
        rt: &str,
        grant: usize,
        scope: &str,
        rotate: bool,
        access_ttl: u64,
    ) -> Result<Issued, RngError> {
        let issued = self.issue(grant, scope, access_ttl, rotate)?;
        self.counters.refreshes_served += 1;
        if rotate && let Some(old) = self.refresh.get_mut(rt) {
            old.status = RefreshStatus::Rotated;
        }
        Ok(issued)
    }

    /// The DPoP key thumbprint a grant's tokens are bound to.
    pub(crate) fn grant_jkt(&self, grant: usize) -> Option<String> {
        self.grants.get(grant).and_then(|g| g.jkt.clone())
    }

    /// The DPoP key thumbprint an access token is bound to.
    pub(crate) fn access_jkt(&self, token: &str) -> Option<String> {
        let grant = self.access.get(token)?.grant;
        self.grant_jkt(grant)
    }

    /// The scope of a usable access token, or why it is not usable.
    pub(crate) fn access_scope(&self, token: &str) -> Result<String, &'static str> {
        let entry = self
            .access
            .get(token)
            .ok_or("the access token is unknown")?;
        let grant_revoked = self.grants.get(entry.grant).is_none_or(|g| g.revoked);
        if entry.revoked || grant_revoked {
            return Err("the access token is revoked");
        }
        if expired(entry.expires) {
            return Err("the access token has expired");
        }
        Ok(entry.scope.clone())
    }

    /// RFC 7009 revocation by `client_id`. A refresh token takes its whole grant with it
    /// (§2.1 SHOULD); an access token only itself. Tokens that are unknown or belong to
    /// another client are left alone (the caller answers 200 either way).
    pub(crate) fn revoke(&mut self, token: &str, client_id: &str) {
        let owns =
            |grants: &[Grant], g: usize| grants.get(g).is_some_and(|g| g.client_id == client_id);
        if let Some(grant) = self.refresh.get(token).map(|r| r.grant) {
            if owns(&self.grants, grant) {
                self.revoke_grant(grant);
            }
        } else if let Some(entry) = self.access.get_mut(token)
            && owns(&self.grants, entry.grant)
        {
            entry.revoked = true;
        }
    }

    fn revoke_grant(&mut self, grant: usize) {
        if let Some(g) = self.grants.get_mut(grant) {
            if !g.revoked {
                self.counters.families_revoked += 1;
            }
            g.revoked = true;
        }
    }

    /// The rotation counters so far.
    pub(crate) fn counters(&self) -> RotationCounters {
        self.counters
    }

    /// Marks every refresh token issued so far as expired.
    pub(crate) fn expire_refresh_tokens(&mut self) {
        for entry in self.refresh.values_mut() {
            entry.expired = true;
        }
    }
}
