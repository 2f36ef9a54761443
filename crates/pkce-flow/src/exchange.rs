//! The one-request machine behind every exchange, and the response checks they share.

use core::mem;

use crate::error::{Error, Misuse, ResponseError, TokenError, TokenErrorCode};
use crate::http::{HttpRequest, HttpResponse, Poll, RequestPolicy};
use crate::json::{json_members, json_object};
use crate::loose::Loose;
use crate::text::UntrustedText;

/// `Ready → Awaiting → Done → Finished`; any error moves to `Finished`.
#[derive(Debug)]
enum Step<T> {
    Ready(HttpRequest),
    Awaiting,
    Done(T),
    Finished,
}

/// Sends one request and turns its response into `T`.
#[derive(Debug)]
pub(crate) struct OneShot<T> {
    step: Step<T>,
    max_body: usize,
    // An endpoint never redirects, so a 3xx is an error; a protected resource's 3xx is an
    // answer for the caller.
    redirect_is_error: bool,
}

impl<T> OneShot<T> {
    pub(crate) fn new(request: HttpRequest) -> Self {
        let max_body = request.policy().max_response_bytes;
        Self {
            step: Step::Ready(request),
            max_body,
            redirect_is_error: true,
        }
    }

    /// Passes every status, a 3xx included, to the parser.
    pub(crate) fn any_status(mut self) -> Self {
        self.redirect_is_error = false;
        self
    }

    /// Replaces the policy of a request not yet sent.
    pub(crate) fn set_policy(&mut self, policy: RequestPolicy) {
        if let Step::Ready(request) = &mut self.step {
            request.set_policy(policy);
            self.max_body = policy.max_response_bytes;
        }
    }

    /// Re-arms a finished-with-no-result machine with another request (discovery probing).
    pub(crate) fn rearm(&mut self, request: HttpRequest) {
        self.max_body = request.policy().max_response_bytes;
        self.step = Step::Ready(request);
    }

    pub(crate) fn poll(&mut self) -> Result<Poll<T>, Error> {
        match mem::replace(&mut self.step, Step::Finished) {
            Step::Ready(request) => {
                self.step = Step::Awaiting;
                Ok(Poll::Request(request))
            }
            Step::Awaiting => {
                self.step = Step::Awaiting;
                Err(Misuse::ResponseAwaited.into())
            }
            Step::Done(value) => Ok(Poll::Done(value)),
            Step::Finished => Err(Misuse::Finished.into()),
        }
    }

    /// Feeds the response to `parse` if one is awaited. `Ok(None)` from `parse` means
    /// "nothing yet": the caller re-arms (or the machine stays finished).
    pub(crate) fn handle(
        &mut self,
        response: &HttpResponse<'_>,
        parse: impl FnOnce(&HttpResponse<'_>) -> Result<Option<T>, Error>,
    ) -> Result<(), Error> {
        match &self.step {
            Step::Awaiting => {}
            Step::Ready(_) => return Err(Misuse::NoRequestOutstanding.into()),
            Step::Done(_) | Step::Finished => return Err(Misuse::Finished.into()),
        }
        self.step = Step::Finished;
        if response.body().len() > self.max_body {
            return Err(ResponseError::BodyTooLarge.into());
        }
        if self.redirect_is_error && (300..400).contains(&response.status()) {
            return Err(ResponseError::UnexpectedRedirect {
                status: response.status(),
            }
            .into());
        }
        if let Some(value) = parse(response)? {
            self.step = Step::Done(value);
        }
        Ok(())
    }
}

/// An RFC 6749 §5.2 error body.
#[derive(Default)]
struct ErrorBody<'a> {
    error: Option<Loose<'a>>,
    error_description: Option<Loose<'a>>,
    error_uri: Option<Loose<'a>>,
}
json_members!(ErrorBody<'a> { error, error_description, error_uri });

/// Parses an OAuth error body if it is one: `Some` when `error` is a string.
pub(crate) fn oauth_error(status: u16, body: &[u8]) -> Option<TokenError> {
    let parsed: ErrorBody<'_> = json_object(body).ok()?;
    let code = parsed.error?.into_str()?;
    let text = |v: Option<Loose<'_>>| {
        v.and_then(Loose::into_str)
            .map(|s| UntrustedText::new(s.into_owned()))
    };
    Some(TokenError {
        status,
        code: TokenErrorCode::parse(&code),
        description: text(parsed.error_description),
        uri: text(parsed.error_uri),
    })
}

/// The outcome of a non-success status at the token, PAR or revocation endpoint: the OAuth
/// error for 400/401 with a JSON error body, else an unexpected status.
pub(crate) fn error_status(response: &HttpResponse<'_>) -> Error {
    let status = response.status();
    if matches!(status, 400 | 401)
        && response.is_json()
        && let Some(e) = oauth_error(status, response.body())
    {
        return Error::Token(e);
    }
    ResponseError::UnexpectedStatus {
        status,
        retry_after: response.retry_after(),
    }
    .into()
}
