//! The transports behind one interface, for the scenarios each test file runs through both.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pkce_flow::{AccessToken, Error, Exchange};

/// One transport, blocking or async (driven on its own runtime), behind one interface.
pub(crate) trait Driver {
    fn name(&self) -> &'static str;
    fn drive<E: Exchange>(&self, exchange: E) -> Result<E::Output, String>;
    /// The OAuth error of a failed drive, if it was one.
    fn drive_err<E: Exchange>(&self, exchange: E) -> Option<Error>;
    fn userinfo(&self, url: &str, token: &AccessToken) -> (u16, bool);
}

pub(crate) struct Ureq(pkce_ureq::Transport);

impl Driver for Ureq {
    fn name(&self) -> &'static str {
        "ureq"
    }
    fn drive<E: Exchange>(&self, e: E) -> Result<E::Output, String> {
        self.0.drive(e).map_err(|e| e.to_string())
    }
    fn drive_err<E: Exchange>(&self, e: E) -> Option<Error> {
        match self.0.drive(e) {
            Err(pkce_ureq::Error::Flow(e)) => Some(e),
            _ => None,
        }
    }
    fn userinfo(&self, url: &str, token: &AccessToken) -> (u16, bool) {
        let r = self.0.bearer_get(url, token).unwrap();
        (r.status, r.challenge.and_then(|c| c.error).is_some())
    }
}

pub(crate) struct Reqwest(pkce_reqwest::Transport, tokio::runtime::Runtime);

impl Driver for Reqwest {
    fn name(&self) -> &'static str {
        "reqwest"
    }
    fn drive<E: Exchange>(&self, e: E) -> Result<E::Output, String> {
        self.1.block_on(self.0.drive(e)).map_err(|e| e.to_string())
    }
    fn drive_err<E: Exchange>(&self, e: E) -> Option<Error> {
        match self.1.block_on(self.0.drive(e)) {
            Err(pkce_reqwest::Error::Flow(e)) => Some(e),
            _ => None,
        }
    }
    fn userinfo(&self, url: &str, token: &AccessToken) -> (u16, bool) {
        let r = self.1.block_on(self.0.bearer_get(url, token)).unwrap();
        (r.status, r.challenge.and_then(|c| c.error).is_some())
    }
}

pub(crate) fn ureq() -> Ureq {
    Ureq(pkce_ureq::Transport::new().unwrap())
}

pub(crate) fn reqwest() -> Reqwest {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    Reqwest(pkce_reqwest::Transport::new().unwrap(), rt)
}
