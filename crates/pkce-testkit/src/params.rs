//! Request parameters from a query or form body, decoded strictly, plus the scope grammar.

use pkce_core::form::Pairs;

/// Why a parameter set is unusable. The name is kept so that `/authorize` can tell a broken
/// `client_id` or `redirect_uri` (no redirect allowed) from any other (error redirect).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Problem {
    /// A parameter appears more than once (RFC 6749 §3.1, §3.2).
    Duplicate(String),
    /// A value (or name, then `None`) has a malformed `%` escape or is not UTF-8.
    Malformed(Option<String>),
}

impl Problem {
    /// Whether the problem concerns parameter `name`.
    pub(crate) fn concerns(&self, name: &str) -> bool {
        match self {
            Self::Duplicate(n) | Self::Malformed(Some(n)) => n == name,
            Self::Malformed(None) => false,
        }
    }

    /// A description for an error response (only names, never values, are quoted).
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Duplicate(n) => format!("parameter {n} appears more than once"),
            Self::Malformed(Some(n)) => format!("parameter {n} is not valid form-encoded UTF-8"),
            Self::Malformed(None) => "a parameter name is not valid form-encoded UTF-8".to_owned(),
        }
    }
}

/// Decoded `name=value` pairs in order, plus the first problem found.
#[derive(Debug, Default)]
pub(crate) struct Params {
    pairs: Vec<(String, String)>,
    problem: Option<Problem>,
}

impl Params {
    /// Splits first, decodes each component strictly next (RFC 6749 App. B).
    pub(crate) fn parse(input: &[u8]) -> Self {
        let mut out = Self::default();
        for (name, value) in Pairs::new(input) {
            let Ok(name) = name.decode_string() else {
                out.note(Problem::Malformed(None));
                continue;
            };
            if out.pairs.iter().any(|(n, _)| *n == name) {
                out.note(Problem::Duplicate(name.clone()));
            }
            match value.decode_string() {
                Ok(value) => out.pairs.push((name, value)),
                Err(_) => out.note(Problem::Malformed(Some(name))),
            }
        }
        out
    }

    fn note(&mut self, problem: Problem) {
        self.problem.get_or_insert(problem);
    }

    /// The first problem, if any.
    pub(crate) fn problem(&self) -> Option<&Problem> {
        self.problem.as_ref()
    }

    /// The value of `name`. An empty value counts as absent (RFC 6749 §3.1).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Whether `name` was sent with a non-empty value.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The names sent with a non-empty value.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(n, _)| n.as_str())
    }

    /// Fails with the problem's description, for endpoints where every problem is an error.
    pub(crate) fn require_clean(&self) -> Result<(), String> {
        self.problem.as_ref().map_or(Ok(()), |p| Err(p.describe()))
    }
}

/// The scopes this server knows.
pub(crate) const SCOPES: [&str; 6] = [
    "openid",
    "profile",
    "email",
    "offline_access",
    "read",
    "write",
];
/// The scope granted when a request names none (RFC 6749 §3.3 lets the server pick).
pub(crate) const DEFAULT_SCOPE: &str = "openid";

/// RFC 6749 §3.3 / App. A.4: `scope-token *( SP scope-token )` with NQCHAR tokens, and each
/// token known here. The error is the `error_description`.
pub(crate) fn check_scope(scope: &str) -> Result<(), &'static str> {
    for token in scope.split(' ') {
        let nqchar = |b: u8| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b);
        if token.is_empty() || !token.bytes().all(nqchar) {
            return Err("scope is malformed (RFC 6749 section 3.3)");
        }
        if !SCOPES.contains(&token) {
            return Err("scope names an unknown scope");
        }
    }
    Ok(())
}

/// Whether every token of `requested` is in `granted`.
pub(crate) fn scope_within(requested: &str, granted: &str) -> bool {
    requested
        .split(' ')
        .all(|t| granted.split(' ').any(|g| g == t))
}

#[cfg(test)]
mod tests {
    use super::{Params, Problem, check_scope, scope_within};

    #[test]
    fn duplicates_and_malformed_values_are_reported_by_name() {
        let p = Params::parse(b"a=1&%62=2&b=3&c=%zz");
        assert_eq!(p.problem(), Some(&Problem::Duplicate("b".to_owned())));
        assert_eq!(p.get("a"), Some("1"));
        let p = Params::parse(b"a=1&c=%zz");
        assert_eq!(p.problem(), Some(&Problem::Malformed(Some("c".to_owned()))));
        assert_eq!(Params::parse(b"a=&b=x").get("a"), None);
        assert_eq!(Params::parse(b"s=a+b%2B%26").get("s"), Some("a b+&"));
    }

    #[test]
    fn scope_grammar() {
        assert!(check_scope("openid profile").is_ok());
        for bad in [
            "",
            "openid  profile",
            " openid",
            "openid ",
            "open\"id",
            "admin",
            "openid\tprofile",
        ] {
            assert!(check_scope(bad).is_err(), "{bad:?}");
        }
        assert!(scope_within("read", "openid read"));
        assert!(!scope_within("write", "openid read"));
    }
}
