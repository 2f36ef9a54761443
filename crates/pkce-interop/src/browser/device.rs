//! The person at oidc-provider's device flow pages (RFC 8628 §3.3): the user-code form, the
//! confirmation (continue or abort), then the same sign-in and consent as a login.

use super::{Browser, Script, Seen, Step, Turn, html, resolve};
use crate::error::HarnessError;

/// What the person answers on the confirmation page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Approve,
    Abort,
}

impl Browser {
    /// Opens `verification_uri_complete` (or the plain verification URI with `user_code`
    /// typed in), confirms the code, signs in and consents; returns once the provider shows
    /// its success page.
    ///
    /// # Errors
    /// [`HarnessError::UnexpectedPage`] on any other page, [`HarnessError::Http`] on
    /// transport errors, [`HarnessError::TooManySteps`].
    pub fn approve_device(
        &self,
        verification_uri: &str,
        user_code: &str,
    ) -> Result<(), HarnessError> {
        self.device(verification_uri, user_code, Answer::Approve)
    }

    /// Opens the verification URI, enters `user_code` and presses its abort button on the
    /// confirmation page: the device's next poll gets `access_denied`.
    ///
    /// # Errors
    /// As [`Browser::approve_device`].
    pub fn abort_device(
        &self,
        verification_uri: &str,
        user_code: &str,
    ) -> Result<(), HarnessError> {
        self.device(verification_uri, user_code, Answer::Abort)
    }

    fn device(&self, start: &str, user_code: &str, answer: Answer) -> Result<(), HarnessError> {
        let mut answered = false;
        self.walk(start, |seen| {
            let (url, body) = match seen {
                Seen::Redirect(next) => return Ok(Turn::Next(Step::Get(next))),
                Seen::Page {
                    url,
                    status: 200,
                    body,
                } => (url, body),
                Seen::Page { .. } => return Ok(Turn::Unexpected),
            };
            let done = if answer == Answer::Approve {
                body.contains("<title>Sign-in Success</title>")
            } else {
                answered && body.contains("interrupted")
            };
            if done {
                return Ok(Turn::Done(()));
            }
            if let Some(next) = device_form(url, body, user_code, answer, &mut answered)? {
                return Ok(Turn::Next(next));
            }
            let mut unused = false;
            Ok(self
                .next_step(url, body, Script::Approve, &mut unused)?
                .map_or(Turn::Unexpected, Turn::Next))
        })
    }
}

/// The device flow's own forms carry an `xsrf` input: the code form (fill `user_code`) or
/// the confirmation form (it has `confirm`; add `abort=yes` to refuse).
fn device_form(
    url: &str,
    body: &str,
    user_code: &str,
    answer: Answer,
    answered: &mut bool,
) -> Result<Option<Step>, HarnessError> {
    let Some(form) = html::forms(body)
        .into_iter()
        .find(|f| f.method == "post" && f.value_of("xsrf").is_some())
    else {
        return Ok(None);
    };
    let action = resolve(url, form.action.as_deref().unwrap_or(url))?;
    let mut fields: Vec<(String, String)> = form
        .inputs
        .iter()
        .filter(|i| !i.name.is_empty())
        .map(|i| {
            let value = if i.name == "user_code" && i.value.is_empty() {
                user_code.to_owned()
            } else {
                i.value.clone()
            };
            (i.name.clone(), value)
        })
        .collect();
    if form.value_of("confirm").is_some() {
        *answered = true;
        if answer == Answer::Abort {
            fields.push(("abort".to_owned(), "yes".to_owned()));
        }
    }
    Ok(Some(Step::Post(action, fields)))
}
