//! `pkce`: OAuth 2.0 Authorization Code + PKCE login from a terminal (RFC 8252 loopback
//! redirect, or a pasted redirect URL), stored sessions per profile, `pkce token` as a daily
//! credential source (bare, header, JSON, kubectl `ExecCredential`, git credential helper),
//! logging in to an MCP server from its URL alone (`--resource` without an issuer),
//! DPoP-bound sessions (`login --dpop`, `token --format dpop`), token refresh and
//! revocation, and `pkce demo`, the whole flow against a built-in
//! authorization server.

use std::process::ExitCode;

use clap::Parser;

mod browser;
mod cli;
mod config;
mod demo;
mod demo_dpop;
mod demo_sessions;
mod device;
mod dpop;
mod failure;
mod formats;
mod fresh_token;
mod git_credential;
mod id_token;
mod login;
mod logout;
mod manual;
mod narrate;
mod output;
mod resource_login;
mod session;
mod settings;
mod tokens;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match &cli.command {
        cli::Command::Login(args) => login::run(args),
        cli::Command::Token(args) => fresh_token::run(args),
        cli::Command::Logout(args) => logout::logout(args),
        cli::Command::Status(args) => logout::status(args),
        cli::Command::GitCredential(args) => git_credential::run(args),
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
