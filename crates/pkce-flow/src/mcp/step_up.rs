//! Scope step-up: a 403 `insufficient_scope` challenge leads to a new authorization for the
//! union of the held and the challenged scopes, a bounded number of times.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::bearer::{BearerChallenge, BearerErrorCode};
use crate::endpoint::is_scope_token;

/// Why no step-up follows a 403.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StepUpError {
    /// The challenge is not `insufficient_scope`.
    NotInsufficientScope,
    /// The challenge names no scope, or one that is not valid scope syntax.
    NoUsableScope,
    /// The bound on step-ups for this resource is reached.
    TooManyAttempts,
}

impl fmt::Display for StepUpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotInsufficientScope => "the 403 is not an insufficient_scope challenge",
            Self::NoUsableScope => "the insufficient_scope challenge names no usable scope",
            Self::TooManyAttempts => "too many scope step-ups for this resource",
        })
    }
}

impl core::error::Error for StepUpError {}

/// The scopes held for one resource, and how many step-ups are left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeStepUp {
    held: Vec<String>,
    left: u8,
}

impl ScopeStepUp {
    /// Starts from the scope held now (space-separated), allowing `max_attempts` step-ups.
    #[must_use]
    pub fn new(held: &str, max_attempts: u8) -> Self {
        Self {
            held: split(held),
            left: max_attempts,
        }
    }

    /// The scope to authorize for after a 403 with `challenge`: the held scopes, then each
    /// challenged one not yet held, space-separated. It becomes the held scope.
    ///
    /// # Errors
    /// [`StepUpError`] when the challenge does not call for a step-up, or the bound is
    /// reached (then stop and report the 403).
    pub fn on_forbidden(&mut self, challenge: &BearerChallenge) -> Result<String, StepUpError> {
        if challenge.error != Some(BearerErrorCode::InsufficientScope) {
            return Err(StepUpError::NotInsufficientScope);
        }
        if challenge.scope.is_empty() || !challenge.scope.iter().all(|s| is_scope_token(s)) {
            return Err(StepUpError::NoUsableScope);
        }
        self.left = self
            .left
            .checked_sub(1)
            .ok_or(StepUpError::TooManyAttempts)?;
        for s in &challenge.scope {
            if !self.held.contains(s) {
                self.held.push(s.clone());
            }
        }
        Ok(self.held.join(" "))
    }

    /// The held scope, space-separated.
    #[must_use]
    pub fn scope(&self) -> String {
        self.held.join(" ")
    }
}

fn split(scope: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in scope.split(' ').filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == s) {
            out.push(String::from(s));
        }
    }
    out
}
