//! `pkce-testkit-serve --cors-origin ORIGIN...`: starts test servers for a browser's tests
//! and prints their URLs, one `NAME=URL` line each, then an empty line; they run until
//! stdin closes (the parent exits or closes the pipe).
//!
//! `cargo xtask spa` starts it and compiles the URLs into pkce-fetch's `wasm-bindgen-test`s
//! (read with `env!`), so xtask needs no dependency on the testkit. Servers, each answering
//! CORS for the given origins:
//! - `PKCE_TESTKIT_URL`: a normal server (auto-approve);
//! - `PKCE_TESTKIT_REDIRECT_URL`: metadata and token endpoints answer `307` to the normal
//!   server's token endpoint;
//! - `PKCE_TESTKIT_HUGE_URL`: the metadata is a 2 MiB body without `Content-Length`;
//! - `PKCE_TESTKIT_STALL_URL`: the metadata answers after 30 s;
//! - `PKCE_TESTKIT_NO_CORS_URL`: a normal server that allows no origin.
#![allow(clippy::print_stdout)]

use std::io::{self, Read, Write};
use std::process::ExitCode;

use pkce_testkit::{AuthServer, Endpoint, Misbehavior, ServerConfig};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pkce-testkit-serve: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> io::Result<()> {
    let mut origins = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--cors-origin", Some(origin)) => origins.push(origin),
            _ => {
                return Err(io::Error::other(
                    "usage: pkce-testkit-serve --cors-origin ORIGIN [--cors-origin ORIGIN]...",
                ));
            }
        }
    }
    let start = || {
        AuthServer::start_with(ServerConfig {
            auto_approve: true,
            cors_allowed_origins: origins.clone(),
            ..ServerConfig::default()
        })
    };
    let normal = start()?;
    let redirect = start()?;
    for endpoint in [Endpoint::Metadata, Endpoint::Token] {
        redirect.set_misbehavior(
            endpoint,
            Some(Misbehavior::Redirect {
                status: 307,
                location: normal.url("/token"),
            }),
        );
    }
    let huge = start()?;
    huge.set_misbehavior(
        Endpoint::Metadata,
        Some(Misbehavior::HugeBody {
            bytes: 2 * 1024 * 1024,
        }),
    );
    let stall = start()?;
    stall.set_misbehavior(Endpoint::Metadata, Some(Misbehavior::Stall { secs: 30 }));

    let no_cors = AuthServer::start()?;

    let mut out = io::stdout().lock();
    for (name, server) in [
        ("PKCE_TESTKIT_URL", &normal),
        ("PKCE_TESTKIT_REDIRECT_URL", &redirect),
        ("PKCE_TESTKIT_HUGE_URL", &huge),
        ("PKCE_TESTKIT_STALL_URL", &stall),
        ("PKCE_TESTKIT_NO_CORS_URL", &no_cors),
    ] {
        writeln!(out, "{name}={}", server.issuer())?;
    }
    writeln!(out)?;
    out.flush()?;
    drop(out);
    // Serve until the parent closes stdin.
    let mut sink = Vec::new();
    io::stdin().read_to_end(&mut sink)?;
    Ok(())
}
