//! Conversions to and from the `http` crate's types (feature `http`), for programs that drive
//! an exchange with hyper, axum, tower or any other library built on them.
//!
//! [`HttpRequest::to_http`] gives an `http::Request<Vec<u8>>` with the method, URL, headers
//! (the `authorization` value marked sensitive, so the `http` crate's `Debug` hides it) and
//! body, and the request's [`RequestPolicy`] in its extensions. The policy is the driver's
//! to enforce: cap the body at `max_response_bytes`, apply both timeouts, never follow a
//! redirect, never resend. `HttpResponse::from(&response)` borrows a response whose body
//! has been read (capped) into anything that is `AsRef<[u8]>` (`Vec<u8>`, `Bytes`, …);
//! header values pass as bytes, so a value with obs-text reaches the flow as sent.

use alloc::vec::Vec;

use crate::http::{HttpRequest, HttpResponse};

impl HttpRequest {
    /// The request as an `http::Request`, ready for hyper or a tower service, with its
    /// [`RequestPolicy`](crate::RequestPolicy) in the extensions for the driver to enforce.
    /// The body and the `authorization` value (marked sensitive) are copied: they may hold
    /// secrets, and unlike this request's (with the `zeroize` feature) the copies are not
    /// wiped on drop. The response goes back through `HttpResponse::from(&response)`.
    ///
    /// ```
    /// use pkce_flow::{Client, Exchange, HttpResponse, Poll, RefreshToken, RequestPolicy};
    ///
    /// let client = Client::builder("cli")
    ///     .authorization_endpoint("https://as.example/authorize")
    ///     .token_endpoint("https://as.example/token")
    ///     .build_for_tokens()?;
    /// let mut refresh = client.refresh(&RefreshToken::new("a refresh token".into()));
    /// let Poll::Request(request) = refresh.poll_output()? else {
    ///     return Err("a refresh starts with a request".into());
    /// };
    /// let request: http::Request<Vec<u8>> = request.to_http()?;
    /// assert_eq!(request.uri(), "https://as.example/token");
    /// assert!(request.extensions().get::<RequestPolicy>().is_some());
    ///
    /// // … send it with your HTTP library, read at most `max_response_bytes` of the body …
    /// let response = http::Response::builder()
    ///     .status(200)
    ///     .header("content-type", "application/json")
    ///     .body(br#"{"access_token":"at","token_type":"Bearer"}"#.to_vec())?;
    /// refresh.handle_response(HttpResponse::from(&response))?;
    /// let Poll::Done(tokens) = refresh.poll_output()? else {
    ///     return Err("one response finishes a refresh".into());
    /// };
    /// assert_eq!(tokens.access_token().expose_secret(), "at");
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// `http::Error` if the `http` crate refuses the URL or a header value; a validated
    /// configuration gives neither, so this is the `http` crate's verdict, not ours.
    pub fn to_http(&self) -> Result<::http::Request<Vec<u8>>, ::http::Error> {
        let mut builder = ::http::Request::builder()
            .method(self.method().as_str())
            .uri(self.url())
            .extension(*self.policy());
        for (name, value) in self.headers() {
            let mut value = ::http::HeaderValue::from_str(value)?;
            value.set_sensitive(Self::is_secret_header(name));
            builder = builder.header(name, value);
        }
        builder.body(self.body().to_vec())
    }
}

impl TryFrom<&HttpRequest> for ::http::Request<Vec<u8>> {
    type Error = ::http::Error;

    fn try_from(request: &HttpRequest) -> Result<Self, Self::Error> {
        request.to_http()
    }
}

impl TryFrom<HttpRequest> for ::http::Request<Vec<u8>> {
    type Error = ::http::Error;

    /// As [`HttpRequest::to_http`]; the original is dropped (and, with `zeroize`, wiped).
    fn try_from(request: HttpRequest) -> Result<Self, Self::Error> {
        request.to_http()
    }
}

impl<'a, B: AsRef<[u8]>> From<&'a ::http::Response<B>> for HttpResponse<'a> {
    /// Borrows the status, every header (as bytes, none dropped by the conversion) and the
    /// body, which the caller has read within the request's `max_response_bytes`.
    fn from(response: &'a ::http::Response<B>) -> Self {
        let mut converted = HttpResponse::new(response.status().as_u16(), response.body().as_ref());
        for (name, value) in response.headers() {
            converted.push_header_bytes(name.as_str(), value.as_bytes());
        }
        converted
    }
}
