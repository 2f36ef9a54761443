//! Fetching one JSON document from the first of several well-known URLs that has it: the
//! next URL is asked only after a 404, any other answer is final.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, ResponseError};
use crate::exchange::OneShot;
use crate::http::{HttpRequest, HttpResponse, Method, Poll, RequestPolicy};

/// The GETs of a well-known document, in order.
#[derive(Debug)]
pub(crate) struct Probe<T> {
    /// URLs still to try after the current one answers 404, the next last.
    fallbacks: Vec<String>,
    policy: RequestPolicy,
    machine: OneShot<T>,
}

impl<T> Probe<T> {
    /// Asks `urls` in order (at least one).
    pub(crate) fn new(mut urls: Vec<String>) -> Self {
        urls.reverse();
        let policy = RequestPolicy::default();
        let first = urls.pop().unwrap_or_default();
        Self {
            fallbacks: urls,
            policy,
            machine: OneShot::new(HttpRequest::new(Method::Get, first.into(), policy)),
        }
    }

    pub(crate) fn set_policy(&mut self, policy: RequestPolicy) {
        self.policy = policy;
        self.machine.set_policy(policy);
    }

    pub(crate) fn poll(&mut self) -> Result<Poll<T>, Error> {
        self.machine.poll()
    }

    /// A 200 JSON body goes to `parse`; a 404 moves to the next URL if there is one.
    pub(crate) fn handle(
        &mut self,
        response: &HttpResponse<'_>,
        parse: impl FnOnce(&[u8]) -> Result<T, Error>,
    ) -> Result<(), Error> {
        let more = !self.fallbacks.is_empty();
        let mut next = false;
        self.machine.handle(response, |r| match r.status() {
            200 if r.is_json() => parse(r.body()).map(Some),
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
