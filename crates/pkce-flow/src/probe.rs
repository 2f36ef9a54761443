//! Fetching one JSON document from the first of several well-known URLs that has it: the
//! next URL is asked only after a 404, any other answer is final.

use alloc::string::String;
use alloc::vec::Vec;

use crate::endpoint::LoopbackHttp;
use crate::error::{Error, ResponseError};
use crate::exchange::OneShot;
use crate::http::{HttpRequest, HttpResponse, Method, Poll, RequestPolicy};

/// Parses and validates a document fetched for an expected identifier (the issuer, the
/// resource), which the document must name exactly.
pub(crate) type ParseDocument<T> = fn(&str, &[u8], LoopbackHttp) -> Result<T, Error>;

/// The GETs of a well-known document, in order, and the parser of the one found.
pub(crate) struct Probe<T> {
    /// URLs still to try after the current one answers 404, the next last.
    fallbacks: Vec<String>,
    policy: RequestPolicy,
    machine: OneShot<T>,
    expected: String,
    loopback: LoopbackHttp,
    parse: ParseDocument<T>,
}

impl<T: core::fmt::Debug> core::fmt::Debug for Probe<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Probe")
            .field("fallbacks", &self.fallbacks)
            .field("machine", &self.machine)
            .field("expected", &self.expected)
            .finish_non_exhaustive()
    }
}

impl<T> Probe<T> {
    /// Asks `urls` in order (at least one) for the document of `expected`, read by `parse`.
    pub(crate) fn new(
        mut urls: Vec<String>,
        expected: &str,
        loopback: LoopbackHttp,
        parse: ParseDocument<T>,
    ) -> Self {
        urls.reverse();
        let policy = RequestPolicy::default();
        let first = urls.pop().unwrap_or_default();
        Self {
            fallbacks: urls,
            policy,
            machine: OneShot::new(HttpRequest::new(Method::Get, first.into(), policy)),
            expected: String::from(expected),
            loopback,
            parse,
        }
    }

    pub(crate) fn set_policy(&mut self, policy: RequestPolicy) {
        self.policy = policy;
        self.machine.set_policy(policy);
    }

    pub(crate) fn poll(&mut self) -> Result<Poll<T>, Error> {
        self.machine.poll()
    }

    /// A 200 JSON body goes to the parser; a 404 moves to the next URL if there is one.
    pub(crate) fn handle(&mut self, response: &HttpResponse<'_>) -> Result<(), Error> {
        let more = !self.fallbacks.is_empty();
        let mut next = false;
        let (expected, loopback, parse) = (&self.expected, self.loopback, self.parse);
        self.machine.handle(response, |r| match r.status() {
            200 if r.is_json() => parse(expected, r.body(), loopback).map(Some),
            200 => Err(ResponseError::UnexpectedContentType.into()),
            404 if more => {
                next = true;
                Ok(None)
            }
            status => Err(ResponseError::UnexpectedStatus {
                status,
                retry_after: r.retry_after(),
            }
            .into()),
        })?;
        if next && let Some(url) = self.fallbacks.pop() {
            self.machine
                .rearm(HttpRequest::new(Method::Get, url.into(), self.policy));
        }
        Ok(())
    }
}
