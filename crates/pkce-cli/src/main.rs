//! `pkce`: OAuth 2.0 Authorization Code + PKCE login from a terminal (RFC 8252 loopback
//! redirect), token refresh and revocation, and `pkce demo`, the whole flow against a
//! built-in authorization server.

use std::process::ExitCode;

use clap::Parser;

mod cli;
mod demo;
mod demo_sessions;
mod device;
mod failure;
mod login;
mod narrate;
mod output;
mod session;
mod tokens;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match &cli.command {
        cli::Command::Login(args) => login::run(args),
        cli::Command::Refresh(args) => tokens::refresh(args),
        cli::Command::Revoke(args) => tokens::revoke(args),
        cli::Command::Demo(args) => demo::run(args),
        cli::Command::DemoSessionWorker(args) => demo_sessions::worker(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("pkce: error: {failure}");
            ExitCode::from(failure.code())
        }
    }
}
