//! What `pkce token --format` prints: the bare token, an `Authorization` header line, JSON,
//! or a kubectl client-go `ExecCredential`; and `KUBERNETES_EXEC_INFO`, read from kubectl.

use serde_json::{Value, json};

use crate::cli::Format;
use crate::failure::Failure;

/// The environment variable kubectl sets for an exec credential plugin.
pub(crate) const EXEC_INFO_ENV: &str = "KUBERNETES_EXEC_INFO";
const V1: &str = "client.authentication.k8s.io/v1";
const V1BETA1: &str = "client.authentication.k8s.io/v1beta1";

/// A token to print and what is known about it.
pub(crate) struct Issued<'a> {
    pub(crate) token: &'a str,
    /// `Bearer`, or `DPoP` for a token bound to the session's DPoP key.
    pub(crate) token_type: &'static str,
    /// Seconds since the Unix epoch.
    pub(crate) expires_at: Option<u64>,
    pub(crate) scope: Option<&'a str>,
}

/// What kubectl said in `KUBERNETES_EXEC_INFO`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ExecInfo {
    pub(crate) api_version: &'static str,
    pub(crate) interactive: bool,
}

impl ExecInfo {
    /// Reads `KUBERNETES_EXEC_INFO`; absent means v1, not interactive.
    pub(crate) fn from_env() -> Result<Self, Failure> {
        match std::env::var(EXEC_INFO_ENV) {
            Ok(text) => Self::parse(&text)
                .map_err(|why| Failure::config(format!("{EXEC_INFO_ENV} is not usable: {why}"))),
            Err(std::env::VarError::NotPresent) => Ok(Self {
                api_version: V1,
                interactive: false,
            }),
            Err(std::env::VarError::NotUnicode(_)) => Err(Failure::config(format!(
                "{EXEC_INFO_ENV} is not usable: not UTF-8"
            ))),
        }
    }

    /// Parses kubectl's `ExecCredential` with its `spec`.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON (column {})", e.column()))?;
        if value.get("kind").and_then(Value::as_str) != Some("ExecCredential") {
            return Err("`kind` is not \"ExecCredential\"".to_owned());
        }
        let api_version = match value.get("apiVersion").and_then(Value::as_str) {
            Some(V1) => V1,
            Some(V1BETA1) => V1BETA1,
            _ => return Err(format!("`apiVersion` is neither {V1} nor {V1BETA1}")),
        };
        let interactive = match value.get("spec").and_then(|s| s.get("interactive")) {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err("`spec.interactive` is not a boolean".to_owned()),
        };
        Ok(Self {
            api_version,
            interactive,
        })
    }
}

/// The text printed on stdout for `format`.
pub(crate) fn render(format: Format, issued: &Issued<'_>, exec: Option<&ExecInfo>) -> String {
    match format {
        Format::Token => issued.token.to_owned(),
        Format::Header => format!("Authorization: Bearer {}", issued.token),
        Format::Json => {
            let mut object =
                json!({ "access_token": issued.token, "token_type": issued.token_type });
            if let Some(at) = issued.expires_at {
                object["expires_at"] = json!(at);
            }
            if let Some(scope) = issued.scope {
                object["scope"] = json!(scope);
            }
            object.to_string()
        }
        // Printed by `dpop::request_headers`: it needs the session's key, not only a token.
        Format::Dpop => String::new(),
        Format::ExecCredential => {
            let api_version = exec.map_or(V1, |e| e.api_version);
            let mut status = json!({ "token": issued.token });
            if let Some(at) = issued.expires_at {
                status["expirationTimestamp"] = json!(rfc3339(at));
            }
            json!({
                "kind": "ExecCredential",
                "apiVersion": api_version,
                "spec": { "interactive": exec.is_some_and(|e| e.interactive) },
                "status": status,
            })
            .to_string()
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the Unix epoch (UTC).
pub(crate) fn rfc3339(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_798_761_599), "2026-12-31T23:59:59Z");
    }

    #[test]
    fn exec_info_versions_and_interactive() {
        let v1beta1 = r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":true}}"#;
        assert_eq!(
            ExecInfo::parse(v1beta1).unwrap(),
            ExecInfo {
                api_version: V1BETA1,
                interactive: true
            }
        );
        let v1 =
            r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{}}"#;
        assert!(!ExecInfo::parse(v1).unwrap().interactive);
    }

    #[test]
    fn exec_info_garbage_is_refused() {
        for bad in [
            "{",
            "[]",
            r#"{"kind":"Pod","apiVersion":"client.authentication.k8s.io/v1"}"#,
            r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v2"}"#,
            r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":"yes"}}"#,
        ] {
            assert!(ExecInfo::parse(bad).is_err(), "{bad}");
        }
    }
}
