//! `pkce-axum-login`: serves the login app; prints `listening on <url>` once bound.

use std::process::ExitCode;

use clap::Parser;
use pkce_axum_login::{App, Config};

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    let app = match App::new(&config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("pkce-axum-login: {e}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("pkce-axum-login: cannot listen on {}: {e}", config.listen);
            return ExitCode::from(2);
        }
    };
    match listener.local_addr() {
        Ok(addr) => println!("listening on http://{addr}"),
        Err(e) => eprintln!("pkce-axum-login: {e}"),
    }
    if let Err(e) = pkce_axum_login::serve(app, listener).await {
        eprintln!("pkce-axum-login: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
