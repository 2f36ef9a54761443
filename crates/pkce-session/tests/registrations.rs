//! Registered clients kept per issuer in real files: given back only for exactly their
//! issuer, private, and never mixed between two authorization servers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::TempDir;
use pkce_flow::{ClientSecret, RegisteredClient};
use pkce_session::{FileStore, Registrations, SessionError};

fn registered(issuer: &str, id: &str) -> RegisteredClient {
    RegisteredClient {
        issuer: issuer.to_owned(),
        client_id: id.to_owned(),
        client_secret: Some(ClientSecret::new("s3cr3t-value".into())),
        client_secret_expires_at: Some(0),
    }
}

#[test]
fn a_registration_is_given_back_for_its_issuer_only() {
    let dir = TempDir::new("registrations");
    let book = Registrations::in_store(&FileStore::open(dir.path()).unwrap());
    book.put(&registered("https://as.example", "one")).unwrap();
    book.put(&registered("https://as.example/", "two")).unwrap();
    assert_eq!(
        book.get("https://as.example").unwrap().unwrap().client_id,
        "one"
    );
    assert_eq!(
        book.get("https://as.example/").unwrap().unwrap().client_id,
        "two"
    );
    assert_eq!(book.get("https://other.example").unwrap(), None);
    book.put(&registered("https://as.example", "three"))
        .unwrap();
    assert_eq!(
        book.get("https://as.example").unwrap().unwrap().client_id,
        "three"
    );
}

#[test]
fn a_file_naming_another_issuer_is_refused() {
    let dir = TempDir::new("registrations-moved");
    let book = Registrations::in_store(&FileStore::open(dir.path()).unwrap());
    book.put(&registered("https://evil.example", "planted"))
        .unwrap();
    let hex = |s: &str| s.bytes().map(|b| format!("{b:02x}")).collect::<String>();
    let from = dir
        .path()
        .join(format!("registration-{}.json", hex("https://evil.example")));
    let to = dir
        .path()
        .join(format!("registration-{}.json", hex("https://as.example")));
    std::fs::rename(from, to).unwrap();
    assert!(matches!(
        book.get("https://as.example"),
        Err(SessionError::Corrupt)
    ));
}

#[cfg(unix)]
#[test]
fn registrations_are_private_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("registrations-mode");
    let book = Registrations::in_store(&FileStore::open(dir.path()).unwrap());
    book.put(&registered("https://as.example", "one")).unwrap();
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("registration-"))
        .unwrap();
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
    assert!(matches!(
        book.get("https://as.example"),
        Err(SessionError::InsecurePermissions)
    ));
    assert!(matches!(book.get(""), Err(SessionError::InvalidKey)));
}

/// A registration stored for one issuer is not given back for any other, however close:
/// a trailing slash added or removed, another case, path, port or scheme.
#[test]
fn a_registration_is_not_given_back_for_an_issuer_differing_by_a_trailing_slash() {
    let dir = TempDir::new("registrations-near");
    let book = Registrations::in_store(&FileStore::open(dir.path()).unwrap());
    book.put(&registered("https://as.example", "bare")).unwrap();
    book.put(&registered("https://as.example/tenant/", "slashed"))
        .unwrap();
    for near in [
        "https://as.example/",
        "https://as.example//",
        "https://AS.example",
        "https://as.example:443",
        "http://as.example",
        "https://as.example/tenant",
        "https://as.example/tenant//",
    ] {
        assert_eq!(book.get(near).unwrap(), None, "{near}");
    }
    assert_eq!(
        book.get("https://as.example").unwrap().unwrap().client_id,
        "bare"
    );
    assert_eq!(
        book.get("https://as.example/tenant/")
            .unwrap()
            .unwrap()
            .client_id,
        "slashed"
    );
}
