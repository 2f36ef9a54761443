//! `pkce-axum-login`: serves the login app; prints `listening on <url>` once bound.

use std::process::ExitCode;

use clap::Parser;
use pkce_axum_login::{App, Config};

#[tokio::main]
async fn main() -> ExitCode {
    let mut config = Config::parse();
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("pkce-axum-login: cannot listen on {}: {e}", config.listen);
            return ExitCode::from(2);
        }
    };
    // The bound address, so that `--listen 127.0.0.1:0` gets a usable default public URL.
    if let Ok(addr) = listener.local_addr() {
        config.listen = addr;
    }
    let app = match App::new(&config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("pkce-axum-login: {e}");
            return ExitCode::from(2);
        }
    };
    println!("listening on http://{}", config.listen);
    if let Err(e) = pkce_axum_login::serve(app, listener).await {
        eprintln!("pkce-axum-login: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
