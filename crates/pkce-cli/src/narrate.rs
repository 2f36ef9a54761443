//! `-v` narration: every step and every HTTP exchange on stderr, with every secret redacted.
//!
//! HTTP exchanges are narrated by wrapping the exchange in [`Narrated`], an [`Exchange`]
//! adapter, so the transport stays untouched. Only the method, the URL without its query, header
//! names, and sizes are printed: request bodies and `Authorization` values hold secrets.

use pkce_flow::{Error, Exchange, HttpResponse, Poll};

/// Prints step lines when verbose.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Narrator {
    pub(crate) verbose: bool,
}

impl Narrator {
    /// A step, shown only with `-v`.
    pub(crate) fn step(&self, text: &str) {
        if self.verbose {
            eprintln!("pkce: {text}");
        }
    }

    /// Wraps an exchange so its requests and responses are narrated.
    pub(crate) fn wrap<E: Exchange>(&self, inner: E) -> Narrated<E> {
        Narrated {
            inner,
            verbose: self.verbose,
        }
    }
}

/// An exchange whose HTTP traffic is narrated.
#[derive(Debug)]
pub(crate) struct Narrated<E> {
    inner: E,
    verbose: bool,
}

impl<E: Exchange> Exchange for Narrated<E> {
    type Output = E::Output;

    fn kind(&self) -> &'static str {
        self.inner.kind()
    }

    fn poll_output(&mut self) -> Result<Poll<E::Output>, Error> {
        let out = self.inner.poll_output()?;
        if self.verbose
            && let Poll::Request(r) = &out
        {
            let url = r.url_without_query();
            let names: Vec<&str> = r.headers().map(|(n, _)| n).collect();
            eprintln!(
                "pkce: → {} {url} (headers: {}; body: {} bytes, not shown)",
                r.method().as_str(),
                names.join(", "),
                r.body().len()
            );
        }
        Ok(out)
    }

    fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), Error> {
        if self.verbose {
            eprintln!(
                "pkce: ← HTTP {} ({}, {} bytes, not shown)",
                response.status(),
                response.header("content-type").unwrap_or("no content type"),
                response.body().len()
            );
        }
        self.inner.handle_response(response)
    }
}
