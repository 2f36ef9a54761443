//! The built app (`cargo xtask spa` lays it out in `target/spa-dist`) served on
//! 127.0.0.1: `index.html` for every page path, with the issuer and client id filled in,
//! and the module and wasm files. One thread, one request per connection.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;

/// A static server on its own thread; it lives as long as the test process.
pub(crate) struct StaticApp {
    origin: String,
}

impl StaticApp {
    /// Binds a port first, so the origin is known before the authorization server starts
    /// (it must allow that origin); serving starts with [`Self::serve`].
    pub(crate) fn bind() -> (TcpListener, String) {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        (listener, origin)
    }

    pub(crate) fn serve(
        listener: TcpListener,
        origin: String,
        issuer: &str,
        client_id: &str,
    ) -> Self {
        let dist = PathBuf::from(
            std::env::var_os("PKCE_SPA_DIST")
                .expect("PKCE_SPA_DIST is not set: run the browser test through `cargo xtask spa`"),
        );
        let index = std::fs::read_to_string(dist.join("index.html"))
            .unwrap()
            .replace("{{ISSUER}}", issuer)
            .replace("{{CLIENT_ID}}", client_id);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                // Skip the rest of the head.
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let target = request_line.split(' ').nth(1).unwrap_or("/");
                let path = target.split(['?', '#']).next().unwrap_or("/");
                let (status, content_type, body) = match path {
                    "/pkce_spa.js" => file(&dist, "pkce_spa.js", "text/javascript"),
                    "/pkce_spa_bg.wasm" => file(&dist, "pkce_spa_bg.wasm", "application/wasm"),
                    "/favicon.ico" => ("404 Not Found", "text/plain", b"not found".to_vec()),
                    _ => (
                        "200 OK",
                        "text/html; charset=utf-8",
                        index.clone().into_bytes(),
                    ),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        Self { origin }
    }

    pub(crate) fn at(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }
}

fn file(
    dist: &std::path::Path,
    name: &str,
    content_type: &'static str,
) -> (&'static str, &'static str, Vec<u8>) {
    match std::fs::read(dist.join(name)) {
        Ok(bytes) => ("200 OK", content_type, bytes),
        Err(_) => ("404 Not Found", "text/plain", b"not found".to_vec()),
    }
}
