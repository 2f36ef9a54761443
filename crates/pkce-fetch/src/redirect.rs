//! The redirect round trip of a single-page app: the pending authorization kept in this
//! tab's `sessionStorage` across the full-page redirect to the authorization server, taken
//! out (and removed) by the callback, and the callback's query wiped from the address bar.
//!
//! Every OAuth decision stays in `pkce-flow`: [`Client::resume`] checks that the stored
//! authorization belongs to the client, [`PendingAuthorization::callback_url`] validates the
//! callback (state, `iss`, errors; a fragment carrying OAuth parameters is refused, which is
//! why no fragment quirk exists: the code flow answers in the query). This module only moves
//! the authorization in and out of storage and reads and cleans the location.
//!
//! [`PendingAuthorization::callback_url`]: pkce_flow::PendingAuthorization::callback_url

use pkce_flow::{AuthorizationUrl, Client, StoredAuthorization, TokenExchange};
use wasm_bindgen::JsValue;
use web_sys::{Storage, Window};

use crate::Error;

/// The `sessionStorage` key [`RedirectLogin::new`] uses.
pub const DEFAULT_STORAGE_KEY: &str = "pkce-fetch.pending-authorization";

/// Starts a login in this tab and finishes it when the authorization server sends the user
/// back.
///
/// The pending authorization (verifier, state, nonce, and the client it was made for) is
/// kept in `sessionStorage`: it survives the full-page redirect, belongs to this tab only
/// (another tab, or the same callback opened twice, finds none), and is gone when the tab
/// closes. The callback removes it whatever the outcome, except after a callback with a
/// foreign `state`, which `pkce-flow` answers by keeping the authorization waiting.
///
/// ```no_run
/// # async fn run(client: pkce_flow::Client) -> Result<(), pkce_fetch::Error> {
/// use pkce_fetch::{RedirectLogin, Transport};
///
/// let login = RedirectLogin::new();
/// match login.finish(&client)? {
///     // Back from the authorization server: the code is already gone from the URL.
///     Some(exchange) => {
///         let tokens = Transport::new()?.exchange(exchange).await?;
///         # drop(tokens);
///     }
///     // An ordinary page load: send the user to log in.
///     None => login.redirect(&client)?,
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct RedirectLogin {
    key: String,
}

impl Default for RedirectLogin {
    fn default() -> Self {
        Self::new()
    }
}

impl RedirectLogin {
    /// Keeps the pending authorization under [`DEFAULT_STORAGE_KEY`].
    #[must_use]
    pub fn new() -> Self {
        Self::with_storage_key(DEFAULT_STORAGE_KEY)
    }

    /// Keeps it under `key` (one per client, if a page logs in to several servers).
    #[must_use]
    pub fn with_storage_key(key: &str) -> Self {
        Self {
            key: key.to_owned(),
        }
    }

    /// Starts an authorization (verifier and state from the browser's CSPRNG), stores the
    /// pending authorization in this tab, and returns the URL to send the user to.
    ///
    /// # Errors
    /// [`Error::Flow`] (a client without redirect URI, a failed generator, PAR required);
    /// [`Error::Storage`] when `sessionStorage` refuses the write.
    pub fn start(&self, client: &Client) -> Result<AuthorizationUrl, Error> {
        let (url, pending) = client.authorize_with_os_rng()?;
        self.store(&pending.into_stored())?;
        Ok(url)
    }

    /// [`Self::start`], then a full-page navigation to the authorization URL.
    ///
    /// # Errors
    /// As [`Self::start`]; [`Error::ClientSetup`] outside a window.
    pub fn redirect(&self, client: &Client) -> Result<(), Error> {
        let url = self.start(client)?;
        window()?
            .location()
            .assign(url.as_str())
            .map_err(|_| Error::ClientSetup {
                reason: "the browser refused to navigate to the authorization URL",
            })
    }

    /// Reads the page's location. `Ok(None)` unless it is the client's redirect URI with a
    /// query or a fragment. Otherwise it is a callback: the query and fragment are removed
    /// from the address bar and the history entry (`history.replaceState`) before anything
    /// else, the pending authorization is taken out of `sessionStorage`, re-bound to `client`
    /// and handed the whole URL; the result is the code exchange to drive. An answer in the
    /// fragment (`response_mode=fragment`) is refused by the flow as ambiguous, and its code
    /// is wiped from the address bar all the same; the redirect URI's page should not use
    /// fragment routes.
    ///
    /// # Errors
    /// [`Error::NoPendingAuthorization`] when this tab holds none;
    /// [`Error::StoredAuthorizationUnreadable`] when the stored one is not valid;
    /// [`Error::Flow`] when it was made for another client, or the callback is refused
    /// (foreign `state`, the server's error answer, …). In every case nothing was exchanged.
    pub fn finish(&self, client: &Client) -> Result<Option<TokenExchange>, Error> {
        let window = window()?;
        let location = window.location();
        let unreadable = |_| Error::ClientSetup {
            reason: "the browser refused to read the page's location",
        };
        let href = location.href().map_err(unreadable)?;
        let Some(redirect_uri) = client.redirect_uri() else {
            return Ok(None);
        };
        let (page, query, fragment) = split_url(&href);
        if (query.is_empty() && fragment.is_empty()) || page != split_url(redirect_uri).0 {
            return Ok(None);
        }
        // The code leaves the address bar (and this history entry) at once, whatever follows.
        let path = location.pathname().map_err(unreadable)?;
        window
            .history()
            .and_then(|history| history.replace_state_with_url(&JsValue::NULL, "", Some(&path)))
            .map_err(|_| Error::ClientSetup {
                reason: "the browser refused to replace the history entry",
            })?;

        let stored = self.take()?.ok_or(Error::NoPendingAuthorization)?;
        let stored: StoredAuthorization =
            serde_json::from_str(&stored).map_err(|_| Error::StoredAuthorizationUnreadable)?;
        let pending = client.resume(stored)?;
        match pending.callback_url(&href) {
            Ok(exchange) => Ok(Some(exchange)),
            Err(rejected) => {
                let (error, pending) = rejected.into_parts();
                // A forged callback leaves the real one possible: the flow keeps it waiting.
                if let Some(pending) = pending {
                    self.store(&pending.into_stored())?;
                }
                Err(error.into())
            }
        }
    }

    /// Writes the stored authorization under this login's key.
    fn store(&self, stored: &StoredAuthorization) -> Result<(), Error> {
        let text = serde_json::to_string(stored).map_err(|_| Error::Storage)?;
        session_storage()?
            .set_item(&self.key, &text)
            .map_err(|_| Error::Storage)
    }

    /// Reads and removes the stored authorization: a callback consumes it.
    fn take(&self) -> Result<Option<String>, Error> {
        let storage = session_storage()?;
        let text = storage.get_item(&self.key).map_err(|_| Error::Storage)?;
        storage.remove_item(&self.key).map_err(|_| Error::Storage)?;
        Ok(text)
    }
}

/// The URL before its query and fragment, the query, and the fragment.
fn split_url(url: &str) -> (&str, &str, &str) {
    let (before_fragment, fragment) = url.split_once('#').unwrap_or((url, ""));
    let (page, query) = before_fragment
        .split_once('?')
        .unwrap_or((before_fragment, ""));
    (page, query, fragment)
}

fn window() -> Result<Window, Error> {
    web_sys::window().ok_or(Error::ClientSetup {
        reason: "the redirect round trip needs a window (not a worker)",
    })
}

fn session_storage() -> Result<Storage, Error> {
    window()?
        .session_storage()
        .ok()
        .flatten()
        .ok_or(Error::Storage)
}
