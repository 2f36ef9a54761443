//! Tidy tests: the invariants of ARCHITECTURE.md and the house rules, checked mechanically
//! over the source tree (as rust-analyzer's `xtask/src/tidy.rs` does). Each check is a pure
//! function over file text, unit-tested on a planted violation, and run on the real tree by
//! an ordinary `#[test]`, so `cargo test --workspace` (and `cargo xtask ci`) runs them all.

use std::fs;
use std::path::{Path, PathBuf};

/// Status codes a transport must never compare against: what a status means is the flow's
/// decision.
const STATUS_LITERALS: &[&str] = &[
    "200", "201", "202", "204", "301", "302", "303", "304", "307", "308", "400", "401", "403",
    "404", "405", "429", "500", "502", "503", "504",
];

/// OAuth vocabulary that has no business in a transport: parameter and member names, error
/// codes, and the headers the flow reads or writes.
const OAUTH_WORDS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "token_type",
    "expires_in",
    "grant_type",
    "authorization_code",
    "client_id",
    "client_secret",
    "code_verifier",
    "code_challenge",
    "redirect_uri",
    "request_uri",
    "response_type",
    "scope",
    "state",
    "code",
    "iss",
    "error",
    "error_description",
    "invalid_grant",
    "invalid_token",
    "invalid_client",
    "invalid_request",
    "insufficient_scope",
    "bearer",
    "www-authenticate",
    "www_authenticate",
    "authorization",
];

/// Identifiers (as they appear in code) for the same headers.
const OAUTH_IDENTS: &[&str] = &["AUTHORIZATION", "WWW_AUTHENTICATE"];

/// The code of a Rust file with its comments removed: every `//` to the end of the line,
/// outside string literals. Block comments are not used in this tree.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_str = false;
        let mut escaped = false;
        let mut cut = line.len();
        let bytes = line.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if in_str {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_str = false;
                }
            } else if b == b'"' {
                in_str = true;
            } else if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
                cut = i;
                break;
            }
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}

/// The comment text of a Rust file: what follows `//` (doc comments included) on each line.
fn comments_only(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .filter_map(|(n, line)| {
            let code = code_only(line);
            let at = code.trim_end_matches('\n').len();
            line.get(at..)
                .filter(|c| c.starts_with("//"))
                .map(|c| (n + 1, c))
        })
        .collect()
}

/// The words of `text` split on anything that cannot be part of an identifier or number.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// String literals of the code (no raw strings in the transports), without their quotes.
fn string_literals(code: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(start) = rest.find('"') {
        let after = &rest[start + 1..];
        let mut end = None;
        let mut escaped = false;
        for (i, b) in after.bytes().enumerate() {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                end = Some(i);
                break;
            }
        }
        let Some(end) = end else { break };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    out
}

/// A transport's source: no status literal, no OAuth word in a string, no OAuth header
/// constant. Comments may explain; code may not decide.
fn transport_vocabulary(text: &str) -> Vec<String> {
    let code = code_only(text);
    let mut found = Vec::new();
    for w in words(&code) {
        if STATUS_LITERALS.contains(&w) {
            found.push(format!("status literal {w}"));
        }
        if OAUTH_IDENTS.contains(&w) {
            found.push(format!("header constant {w}"));
        }
    }
    for literal in string_literals(&code) {
        let lower = literal.to_ascii_lowercase();
        let mut parts = lower
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .filter(|w| !w.is_empty());
        let first = parts.clone().next();
        // A compound name (`access_token`, `www-authenticate`) is OAuth wherever it appears;
        // a plain word (`error`, `code`) only as the whole string, or first (`Bearer x`):
        // English messages may say "an I/O error".
        let hits = parts.by_ref().filter(|w| {
            OAUTH_WORDS.contains(w)
                && (w.contains(['_', '-']) || lower.trim() == *w || first == Some(*w))
        });
        found.extend(hits.map(|w| format!("OAuth word {w:?} in a string")));
    }
    found
}

/// pkce-core: `#![no_std]`, and `alloc` only behind its feature.
fn core_is_no_std(lib_rs: &str) -> Vec<String> {
    let mut found = Vec::new();
    if !lib_rs.lines().any(|l| l.trim() == "#![no_std]") {
        found.push("no #![no_std]".to_owned());
    }
    let lines: Vec<&str> = lib_rs.lines().map(str::trim).collect();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("extern crate std") {
            found.push("links std".to_owned());
        }
        if line.starts_with("extern crate alloc")
            && (i == 0 || lines[i - 1] != "#[cfg(feature = \"alloc\")]")
        {
            found.push("alloc is not behind the `alloc` feature".to_owned());
        }
    }
    found
}

/// Library code: no `unwrap`, `expect`, `panic!`, `todo!` or `unimplemented!` outside the
/// `#[cfg(test)]` module (which by this tree's convention ends the file).
fn no_panics(text: &str) -> Vec<String> {
    let code = code_only(text);
    let library = code.split("#[cfg(test)]").next().unwrap_or("");
    let mut found = Vec::new();
    for (n, line) in library.lines().enumerate() {
        for bad in [
            ".unwrap()",
            ".expect(",
            "panic!(",
            "todo!(",
            "unimplemented!(",
        ] {
            if line.contains(bad) {
                found.push(format!("line {}: {bad}", n + 1));
            }
        }
    }
    found
}

/// Every `.rs` file opens with a `//!` line saying what it is.
fn opens_with_doc(text: &str) -> bool {
    text.lines().next().is_some_and(|l| l.starts_with("//!"))
}

/// Every cargo feature (but `default`) has a comment line right above it in Cargo.toml, and
/// its name in backticks in the crate docs.
fn features_documented(cargo_toml: &str, crate_docs: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_features = false;
    let mut previous = "";
    for line in cargo_toml.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_features = t == "[features]";
        } else if in_features && let Some((name, _)) = t.split_once('=') {
            let name = name.trim();
            if name != "default" && !t.starts_with('#') {
                if !previous.starts_with('#') {
                    found.push(format!("feature `{name}` has no comment in Cargo.toml"));
                }
                if !crate_docs.contains(&format!("`{name}`")) {
                    found.push(format!("feature `{name}` is not in the crate docs"));
                }
            }
        }
        previous = t;
    }
    found
}

/// Words that look like an ID (`UTF-8`) but name a standard.
const NOT_IDS: &[&str] = &["UTF", "SHA", "ISO", "AES", "HMAC", "CVE", "X", "RFC", "TLS"];

/// Whole names that look like an ID but name an elliptic curve.
const NOT_ID_NAMES: &[&str] = &["P-256", "P-384", "P-521"];

/// The IDs cited in one comment line: capitals, a dash, a number, with up to two more
/// capital groups between (a policy, a finding, a test vector).
fn cited_ids(comment: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = comment.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let boundary = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'-');
        if boundary && bytes[i].is_ascii_uppercase() {
            // UPPER+ ( '-' UPPER+ )* '-' DIGIT+
            let mut j = i;
            let mut groups = 0;
            loop {
                let start = j;
                while j < bytes.len() && bytes[j].is_ascii_uppercase() {
                    j += 1;
                }
                if j == start || j >= bytes.len() || bytes[j] != b'-' {
                    break;
                }
                groups += 1;
                j += 1;
                let digits = j;
                while j < bytes.len() && bytes[j].is_ascii_digit() {
                    j += 1;
                }
                if j > digits {
                    let end_ok = j == bytes.len() || !bytes[j].is_ascii_alphanumeric();
                    let first = &comment[i..comment[i..].find('-').map_or(j, |k| i + k)];
                    let name = &comment[i..j];
                    if end_ok
                        && groups <= 3
                        && !NOT_IDS.contains(&first)
                        && !NOT_ID_NAMES.contains(&name)
                    {
                        out.push(comment[i..j].to_owned());
                    }
                    break;
                }
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// The Markdown documents named in one comment line (a word ending in `.md`).
fn cited_documents(comment: &str) -> Vec<&str> {
    comment
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')))
        .filter(|w| w.ends_with(".md") && w.len() > 3)
        .map(|w| w.rsplit('/').next().unwrap_or(w))
        .collect()
}

/// Cited IDs that ARCHITECTURE.md does not define, and documents the repository lacks.
fn undefined_citations(text: &str, architecture: &str, documents: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for (n, comment) in comments_only(text) {
        for id in cited_ids(comment) {
            if !architecture.contains(&format!("| {id} |")) {
                found.push(format!("line {n}: {id} is not defined in ARCHITECTURE.md"));
            }
        }
        for doc in cited_documents(comment) {
            if !documents.iter().any(|d| d == doc) {
                found.push(format!("line {n}: {doc} is not in the repository"));
            }
        }
    }
    found
}

/// The shipped binary's manifest: pkce-testkit (run by `pkce demo`) without its `tls`
/// feature, which would compile the test certificate's private key into the binary.
fn cli_carries_no_key(cli_manifest: &str) -> Vec<String> {
    cli_manifest
        .lines()
        .filter(|l| l.trim_start().starts_with("pkce-testkit") && l.contains("tls"))
        .map(|l| format!("pkce-cli enables pkce-testkit's tls: {}", l.trim()))
        .collect()
}

/// Library code that calls `delete_on_logout` outside logout code: a stored session is
/// deleted only by an explicit logout. Allowed in a file named `logout.rs` and inside an
/// implementation of `delete_on_logout` itself (a store forwarding to the store it wraps);
/// the `#[cfg(test)]` module and comments are not looked at.
fn deletes_outside_logout(file_name: &str, text: &str) -> Vec<String> {
    if file_name == "logout.rs" {
        return Vec::new();
    }
    let code = code_only(text);
    let library = code.split("#[cfg(test)]").next().unwrap_or("");
    let mut in_delete = false;
    let mut found = Vec::new();
    for (n, line) in library.lines().enumerate() {
        if let Some((_, after)) = line.split_once("fn ") {
            in_delete = words(after).next() == Some("delete_on_logout");
            continue;
        }
        if line.contains("delete_on_logout(") && !in_delete {
            found.push(format!(
                "line {}: delete_on_logout outside logout code",
                n + 1
            ));
        }
    }
    found
}

/// Library code that builds a refreshed session (`decide::refreshed`) in a function that has
/// not first checked the refresh response's ID token (`refreshed_id::check`): a refresh is
/// stored only once its ID token, if any, names the login's user. Comments and the
/// `#[cfg(test)]` module are not looked at.
fn refreshes_stored_unchecked(text: &str) -> Vec<String> {
    let code = code_only(text);
    let library = code.split("#[cfg(test)]").next().unwrap_or("");
    let mut checked = false;
    let mut found = Vec::new();
    for (n, line) in library.lines().enumerate() {
        if line.contains("fn ") {
            checked = false;
        }
        if line.contains("refreshed_id::check(") {
            checked = true;
        }
        if line.contains("decide::refreshed(") && !checked {
            found.push(format!(
                "line {}: a refreshed session built before its ID token is checked",
                n + 1
            ));
        }
    }
    found
}

// ---- the tree ----------------------------------------------------------------------------

/// The calls that start a refresh exchange, found in `text`'s library code (comments and
/// the `#[cfg(test)]` module aside): in pkce-session only `signed_refresh.rs` may make them,
/// so a stored session's refresh is always signed as that file decides (a DPoP-bound
/// session with its stored key).
fn refresh_starts(text: &str) -> Vec<String> {
    let code = code_only(text);
    let library = code.split("#[cfg(test)]").next().unwrap_or("");
    [".refresh(", ".refresh_bound_to(", ".refresh_with_scope("]
        .into_iter()
        .filter(|call| library.contains(call))
        .map(|call| format!("starts a refresh ({call}…) outside signed_refresh.rs"))
        .collect()
}

/// Browser storage APIs that keep data beyond the page: a token written there outlives it.
const BROWSER_STORAGE: &[&str] = &[
    "local_storage",
    "session_storage",
    "indexed_db",
    "set_cookie",
];

/// Where browser code (pkce-fetch, the SPA) reaches persistent storage: only the pending
/// authorization may be stored, and only `pkce-fetch/src/redirect.rs` stores it.
fn browser_storage_uses(text: &str) -> Vec<String> {
    let code = code_only(text);
    BROWSER_STORAGE
        .iter()
        .filter(|api| code.contains(*api))
        .map(|api| format!("uses {api}"))
        .collect()
}

fn root() -> PathBuf {
    crate::root()
}

/// Every file under `dir` whose name ends with `suffix`, skipping build output and vendored
/// packages.
fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !matches!(name.as_ref(), "target" | "node_modules" | ".git" | "corpus") {
                out.extend(files(&path, suffix));
            }
        } else if name.ends_with(suffix) {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The crates of the workspace: every folder of `crates/` and `examples/`.
fn crate_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = ["crates", "examples"]
        .iter()
        .filter_map(|d| fs::read_dir(root().join(d)).ok())
        .flat_map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.join("Cargo.toml").exists())
        })
        .collect();
    dirs.sort();
    dirs
}

/// Every Rust file of the project (crates, examples, xtask, benches, fuzz).
fn rust_files() -> Vec<PathBuf> {
    ["crates", "examples", "xtask", "benches", "fuzz"]
        .iter()
        .flat_map(|d| files(&root().join(d), ".rs"))
        .collect()
}

fn report(problems: Vec<String>) {
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn transports_hold_no_oauth_vocabulary_or_status_literal() {
    let mut problems = Vec::new();
    for dir in crate_dirs() {
        let is_transport = dir
            .file_name()
            .is_some_and(|n| n == "pkce-ureq" || n == "pkce-reqwest" || n == "pkce-fetch");
        if !is_transport {
            continue;
        }
        for file in files(&dir.join("src"), ".rs") {
            for p in transport_vocabulary(&read(&file)) {
                problems.push(format!("{}: {p}", relative(&file)));
            }
        }
    }
    report(problems);
}

#[test]
fn stored_session_refreshes_start_only_where_their_signing_is_decided() {
    let mut problems = Vec::new();
    for file in files(&root().join("crates/pkce-session/src"), ".rs") {
        if file.file_name().is_some_and(|n| n == "signed_refresh.rs") {
            continue;
        }
        for p in refresh_starts(&read(&file)) {
            problems.push(format!("{}: {p}", relative(&file)));
        }
    }
    report(problems);
}

#[test]
fn a_refreshed_session_is_built_only_after_its_id_token_is_checked() {
    let mut problems = Vec::new();
    for file in files(&root().join("crates/pkce-session/src"), ".rs") {
        for p in refreshes_stored_unchecked(&read(&file)) {
            problems.push(format!("{}: {p}", relative(&file)));
        }
    }
    report(problems);
}

#[test]
fn unchecked_refresh_check_finds_a_refresh_stored_without_the_id_token_check() {
    let unchecked = "fn finish() {\n    let new = decide::refreshed(&s, &r, now);\n}\n";
    assert_eq!(
        refreshes_stored_unchecked(unchecked),
        ["line 2: a refreshed session built before its ID token is checked"]
    );
    let checked = "fn finish() {\n    refreshed_id::check(c, v, &s, &r, now)?;\n    let new = decide::refreshed(&s, &r, now);\n}\n";
    assert!(refreshes_stored_unchecked(checked).is_empty());
    let other_fn = "fn a() {\n    refreshed_id::check(c, v, &s, &r, now)?;\n}\nfn b() {\n    decide::refreshed(&s, &r, now);\n}\n";
    assert_eq!(refreshes_stored_unchecked(other_fn).len(), 1);
    assert!(refreshes_stored_unchecked("// decide::refreshed(&s, &r, now)").is_empty());
}

#[test]
fn refresh_start_check_finds_a_call_in_code_only() {
    assert_eq!(
        refresh_starts("let e = self.client.refresh(&used);").len(),
        1
    );
    assert_eq!(refresh_starts("client.refresh_bound_to(&t, &k)").len(), 1);
    assert!(refresh_starts("// the client.refresh(&used) of a plan").is_empty());
    assert!(refresh_starts("plan.exchange()?").is_empty());
    assert!(refresh_starts("#[cfg(test)]\nmod tests { client.refresh(&rt); }").is_empty());
}

#[test]
fn core_builds_without_std_and_alloc_is_optional() {
    report(core_is_no_std(&read(
        &root().join("crates/pkce-core/src/lib.rs"),
    )));
}

/// A test-suite crate (`pkce-transport-tests`): its library is assertions, which panic.
fn is_test_suite(dir: &Path) -> bool {
    dir.file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with("-tests"))
}

#[test]
fn library_code_never_panics() {
    let mut problems = Vec::new();
    for dir in crate_dirs().into_iter().filter(|d| !is_test_suite(d)) {
        for file in files(&dir.join("src"), ".rs") {
            for p in no_panics(&read(&file)) {
                problems.push(format!("{}: {p}", relative(&file)));
            }
        }
    }
    report(problems);
}

#[test]
fn only_logout_code_deletes_a_stored_session() {
    let mut problems = Vec::new();
    for dir in crate_dirs() {
        for file in files(&dir.join("src"), ".rs") {
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
            for p in deletes_outside_logout(name.as_deref().unwrap_or(""), &read(&file)) {
                problems.push(format!("{}: {p}", relative(&file)));
            }
        }
    }
    report(problems);
}

#[test]
fn delete_check_finds_a_call_outside_logout_code_only() {
    let refresh = "fn finish() {\n    lock.delete_on_logout()?;\n}\n";
    assert_eq!(
        deletes_outside_logout("protocol.rs", refresh),
        ["line 2: delete_on_logout outside logout code"]
    );
    assert!(deletes_outside_logout("logout.rs", refresh).is_empty());
    let forward = "fn delete_on_logout(&mut self) -> R {\n    self.0.delete_on_logout()\n}\n// x.delete_on_logout() in a comment\n#[cfg(test)]\nfn t() { l.delete_on_logout(); }";
    assert!(deletes_outside_logout("store.rs", forward).is_empty());
}

#[test]
fn the_cli_carries_no_private_key() {
    report(cli_carries_no_key(&read(
        &root().join("crates/pkce-cli/Cargo.toml"),
    )));
}

#[test]
fn every_rust_file_opens_with_a_doc_line() {
    let problems = rust_files()
        .into_iter()
        .filter(|f| !opens_with_doc(&read(f)))
        .map(|f| format!("{}: does not open with `//!`", relative(&f)))
        .collect();
    report(problems);
}

#[test]
fn every_feature_is_commented_and_documented() {
    let mut problems = Vec::new();
    for dir in crate_dirs() {
        let manifest = read(&dir.join("Cargo.toml"));
        let mut docs = String::new();
        for entry in ["src/lib.rs", "src/main.rs", "README.md"] {
            if let Ok(text) = fs::read_to_string(dir.join(entry)) {
                docs.push_str(&text);
            }
        }
        for p in features_documented(&manifest, &docs) {
            problems.push(format!("{}: {p}", relative(&dir)));
        }
    }
    report(problems);
}

#[test]
fn every_cited_id_and_document_is_in_the_repository() {
    let architecture = read(&root().join("ARCHITECTURE.md"));
    let documents: Vec<String> = ["", "crates", "xtask", "benches", "fuzz", "interop"]
        .iter()
        .flat_map(|d| files(&root().join(d), ".md"))
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let mut problems = Vec::new();
    for file in rust_files() {
        for p in undefined_citations(&read(&file), &architecture, &documents) {
            problems.push(format!("{}: {p}", relative(&file)));
        }
    }
    report(problems);
}

// ---- each check on a planted violation ---------------------------------------------------

#[test]
fn vocabulary_check_finds_a_status_a_parameter_and_a_header() {
    let planted = r#"
        // 401 explained in a comment is fine, as is "code" here.
        if matches!(status, 401 | 403) {}
        let v = headers.get(WWW_AUTHENTICATE);
        let p = ("grant_type", x);
        let ok = "pkce-ureq/1.0";
        let message = "an I/O error";
        let bearer = "Bearer x";
    "#;
    let found = transport_vocabulary(planted);
    assert_eq!(found.len(), 5, "{found:?}");
    assert!(transport_vocabulary("let port = 443; // https").is_empty());
}

#[test]
fn browser_code_stores_only_the_pending_authorization() {
    let mut problems = Vec::new();
    for dir in ["crates/pkce-fetch", "examples/spa"] {
        for file in files(&root().join(dir), ".rs") {
            if relative(&file) == "crates/pkce-fetch/src/redirect.rs" {
                continue;
            }
            for p in browser_storage_uses(&read(&file)) {
                problems.push(format!("{}: {p}", relative(&file)));
            }
        }
    }
    report(problems);
}

#[test]
fn storage_check_finds_local_storage_in_code_not_in_comments() {
    let planted = "// local_storage would outlive the page\nlet s = w.local_storage();";
    assert_eq!(browser_storage_uses(planted), ["uses local_storage"]);
    assert!(browser_storage_uses("// session_storage, explained").is_empty());
}

#[test]
fn no_std_check_finds_std_and_an_unconditional_alloc() {
    assert!(
        core_is_no_std("#![no_std]\n#[cfg(feature = \"alloc\")]\nextern crate alloc;").is_empty()
    );
    assert_eq!(core_is_no_std("//! x\nextern crate alloc;").len(), 2);
}

#[test]
fn panic_check_finds_unwrap_outside_tests_only() {
    let planted = "fn f() { x.unwrap(); }\n// y.unwrap() in a comment\n#[cfg(test)]\nmod tests { fn g() { z.expect(\"\"); } }";
    assert_eq!(no_panics(planted), ["line 1: .unwrap()"]);
    assert_eq!(no_panics("fn f() { panic!(\"no\") }").len(), 1);
}

#[test]
fn key_check_finds_the_tls_feature_on_the_cli() {
    assert!(cli_carries_no_key("pkce-testkit = { workspace = true, optional = true }").is_empty());
    assert_eq!(
        cli_carries_no_key("pkce-testkit = { workspace = true, features = [\"tls\"] }").len(),
        1
    );
}

#[test]
fn doc_line_check_finds_a_file_without_one() {
    assert!(opens_with_doc("//! What this is.\nfn f() {}"));
    assert!(!opens_with_doc("/// A function.\nfn f() {}"));
    assert!(!opens_with_doc(""));
}

#[test]
fn feature_check_finds_an_uncommented_and_an_undocumented_feature() {
    let manifest =
        "[features]\ndefault = []\n# Says why.\nserde = []\nfast = []\n[dependencies]\nx = \"1\"";
    let found = features_documented(manifest, "| `serde` | … |");
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|p| p.contains("`fast`")));
}

#[test]
fn citation_check_finds_undefined_ids_and_missing_documents() {
    assert_eq!(
        cited_ids("// policy P-2 and RF-4, TV-MD-3 (F-1)"),
        ["P-2", "RF-4", "TV-MD-3", "F-1"]
    );
    assert!(cited_ids("// UTF-8 and SHA-256 on P-256, RFC 6749 §4.1, pkce-core").is_empty());
    let architecture = "| F-1 | a finding |";
    let docs = vec!["README.md".to_owned()];
    let text = "//! See README.md.\n// fixed F-1; P-8 per standards.md\nlet s = \"P-9\";";
    let found = undefined_citations(text, architecture, &docs);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("P-8") && found[1].contains("standards.md"));
}
