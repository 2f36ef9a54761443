//! Printing tokens on stdout: one JSON object, or `key: value` lines.

use pkce_flow::TokenResponse;
use serde_json::{Map, Value};

use crate::cli::Output;

/// Prints the token response. `requested_scope` stands in when the server stated none
/// (an absent `scope` means "as requested", RFC 6749 §5.1).
pub(crate) fn print_tokens(tokens: &TokenResponse, requested_scope: Option<&str>, format: Output) {
    let mut fields: Vec<(&str, Value)> = vec![
        (
            "access_token",
            Value::from(tokens.access_token().expose_secret()),
        ),
        ("token_type", Value::from(tokens.token_type())),
    ];
    if let Some(e) = tokens.expires_in() {
        fields.push(("expires_in", Value::from(e)));
    }
    if let Some(r) = tokens.refresh_token() {
        fields.push(("refresh_token", Value::from(r.expose_secret())));
    }
    if let Some(s) = tokens.granted_scope().or(requested_scope) {
        fields.push(("scope", Value::from(s)));
    }
    match format {
        Output::Json => {
            let object: Map<String, Value> =
                fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            println!("{}", Value::Object(object));
        }
        Output::Text | Output::Summary => {
            for (k, v) in fields {
                match v {
                    Value::String(s) => println!("{k}: {s}"),
                    other => println!("{k}: {other}"),
                }
            }
        }
    }
}
