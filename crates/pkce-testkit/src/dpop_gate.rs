//! Where the endpoints meet DPoP (RFC 9449): the proof of a request checked with
//! [`crate::dpop::DpopVerifier`], the server nonce required and rotated on demand, and the
//! refusals in the form each kind of endpoint uses.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use http::header::WWW_AUTHENTICATE;
use http::{HeaderName, StatusCode};

use crate::context::Ctx;
use crate::dpop::{DpopVerifier, ExpectedProof};
use crate::request::Req;
use crate::respond::{self, Resp, oauth_error};
use crate::store::random;

const DPOP: HeaderName = HeaderName::from_static("dpop");
const DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");

/// One server's DPoP memory: the verifier (with its `jti` replay cache) and the current
/// nonce.
pub(crate) struct DpopState {
    verifier: DpopVerifier,
    nonce: Mutex<String>,
}

impl DpopState {
    pub(crate) fn new() -> Self {
        Self {
            verifier: DpopVerifier::default(),
            nonce: Mutex::new(random().unwrap_or_default()),
        }
    }

    pub(crate) fn nonce(&self) -> String {
        self.nonce
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// A new nonce: proofs with the old one are refused with `use_dpop_nonce` from now on.
    pub(crate) fn rotate(&self) {
        if let Ok(fresh) = random() {
            *self
                .nonce
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
        }
    }
}

/// Who refuses, and so in which form (RFC 9449 §7.1 for a resource, §5 for the AS).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    AuthorizationServer,
    Resource,
}

/// The `jkt` of the request's valid DPoP proof, `None` without a `DPoP` header, or the
/// refusal to send. `access_token` is the token a resource request presents (`ath`).
pub(crate) fn check(
    ctx: &Ctx,
    req: &Req,
    role: Role,
    access_token: Option<&str>,
) -> Result<Option<String>, Resp> {
    let mut values = req.headers.get_all(DPOP).iter();
    let (first, second) = (values.next(), values.next());
    let proof = match (first, second) {
        (None, _) if ctx.config.dpop_required => {
            return Err(refuse(
                ctx,
                role,
                "invalid_dpop_proof",
                "a DPoP proof is required",
            ));
        }
        (None, _) => return Ok(None),
        (Some(_), Some(_)) => {
            return Err(refuse(
                ctx,
                role,
                "invalid_dpop_proof",
                "more than one DPoP header",
            ));
        }
        (Some(v), None) => v.to_str().map_err(|_| {
            refuse(
                ctx,
                role,
                "invalid_dpop_proof",
                "the DPoP header is not ASCII",
            )
        })?,
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let nonce = ctx.config.dpop_nonce_required.then(|| ctx.dpop.nonce());
    let url = format!("{}{}", ctx.issuer, req.path);
    let expected = ExpectedProof {
        method: req.method.as_str(),
        url: &url,
        now,
        nonce: nonce.as_deref(),
        access_token,
    };
    match ctx.dpop.verifier.verify(proof, &expected) {
        Ok(verified) => Ok(Some(verified.jkt)),
        Err(why) => Err(refuse(ctx, role, why.error_code(), &why.to_string())),
    }
}

/// A refusal: `400` with a JSON error at the authorization server, `401` with a `DPoP`
/// challenge at a resource; the current nonce attached when nonces are required.
pub(crate) fn refuse(ctx: &Ctx, role: Role, code: &str, description: &str) -> Resp {
    let resp = match role {
        Role::AuthorizationServer => oauth_error(StatusCode::BAD_REQUEST, code, description),
        Role::Resource => {
            let resp = respond::oauth_error(StatusCode::UNAUTHORIZED, code, description);
            let challenge = format!(
                "DPoP algs=\"ES256\", error=\"{code}\", error_description=\"{description}\""
            );
            respond::with_header(resp, WWW_AUTHENTICATE, &challenge)
        }
    };
    with_nonce(ctx, resp)
}

/// Attaches the current nonce (RFC 9449 §8.2: any response may carry the next one) when
/// nonces are required.
pub(crate) fn with_nonce(ctx: &Ctx, resp: Resp) -> Resp {
    if ctx.config.dpop_nonce_required {
        respond::with_header(resp, DPOP_NONCE, &ctx.dpop.nonce())
    } else {
        resp
    }
}
