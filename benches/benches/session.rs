//! pkce-session's fast path beside its floor: a fresh token from a `FileStore` (no lock, no
//! request) against reading the same file and parsing the same bytes with serde.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pkce_flow::{AccessToken, Client, RefreshToken};
use pkce_session::{
    Begin, FORMAT_VERSION, FileStore, SessionKey, SessionLock, SessionStore, Sessions,
    StoredSession,
};

const TOKEN_ENDPOINT: &str = "https://as.example/token";

fn bench(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("pkce-bench-session-{}", std::process::id()));
    let Ok(store) = FileStore::open(&dir) else {
        eprintln!("cannot open a file store in {}", dir.display());
        return;
    };
    let Ok(client) = Client::builder("bench-client")
        .issuer("https://as.example")
        .authorization_endpoint("https://as.example/authorize")
        .token_endpoint(TOKEN_ENDPOINT)
        .redirect_uri("http://127.0.0.1/callback")
        .build()
    else {
        eprintln!("invalid client configuration");
        return;
    };
    let Ok(key) = SessionKey::new("bench") else {
        return;
    };
    let session = StoredSession {
        version: FORMAT_VERSION,
        issuer: Some("https://as.example".into()),
        client_id: "bench-client".into(),
        token_endpoint: TOKEN_ENDPOINT.into(),
        // Typical sizes: a 43-character opaque access token, a 43-character refresh token.
        access_token: AccessToken::new("2YotnFZFEjr1zCsicMWpAA-SplxlOBeZQQYbYS6WxSb".into()),
        expires_at: Some(u64::MAX / 2),
        refresh_token: Some(RefreshToken::new(
            "tGzv3JOkF0XG5Qx2TlKWIA-8Vr5h2Xp0ZkLmNq1aTsB".into(),
        )),
        scope: Some("openid profile offline_access".into()),
        resources: vec!["https://api.example/".into()],
        id_token: None,
        identity: None,
        stale: false,
        dpop_key: None,
    };
    let written = store
        .lock(&key, std::time::Duration::from_secs(1))
        .and_then(|mut lock| lock.write(&session));
    if written.is_err() {
        eprintln!("cannot write the session");
        return;
    }
    let path = store.path(&key);
    let sessions = Sessions::new(store, client, TOKEN_ENDPOINT);
    let now = pkce_session::unix_now();

    let mut group = c.benchmark_group("session fresh token (file store)");
    group.bench_function("ours: Sessions::begin, fresh", |b| {
        b.iter(|| match sessions.begin(black_box(&key), black_box(now)) {
            Ok(Begin::Fresh(token)) => token,
            _ => AccessToken::new(String::new()),
        });
    });
    group.bench_function("floor: fs::read + serde_json parse", |b| {
        b.iter(|| {
            std::fs::read(black_box(&path))
                .ok()
                .and_then(|bytes| serde_json::from_slice::<StoredSession>(&bytes).ok())
                .map(|s| s.access_token)
        });
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
