//! `pkce refresh` and `pkce revoke`.

use pkce_flow::{AccessToken, RefreshToken};

use crate::cli::Output;
use crate::cli::{RefreshArgs, RevokeArgs, TokenKind};
use crate::failure::Failure;
use crate::output::print_tokens;
use crate::session::{Session, secret_input};
use crate::settings::Settings;

pub(crate) fn refresh(args: &RefreshArgs) -> Result<(), Failure> {
    let token = RefreshToken::new(secret_input(
        args.refresh_token_env.as_deref(),
        "refresh token",
    )?);
    let settings = Settings::server(&args.server)?;
    let session = Session::open(&settings)?;
    let client = session.back_channel_client(&settings)?;
    let exchange = match &args.scope {
        Some(scope) => client.refresh_with_scope(&token, scope)?,
        None => client.refresh(&token),
    };
    let tokens = session.transport.drive(session.narrator.wrap(exchange))?;
    if tokens.rotated() {
        eprintln!(
            "pkce: the refresh token was rotated: store the new one, the old one is no longer valid"
        );
    }
    print_tokens(
        &tokens,
        args.scope.as_deref(),
        settings.output.unwrap_or(Output::Json),
    );
    Ok(())
}

pub(crate) fn revoke(args: &RevokeArgs) -> Result<(), Failure> {
    let token = secret_input(args.token_env.as_deref(), "token")?;
    let settings = Settings::server(&args.server)?;
    let session = Session::open(&settings)?;
    let client = session.back_channel_client(&settings)?;
    let revocation = match args.token_type {
        TokenKind::Refresh => client.revoke_refresh_token(&RefreshToken::new(token))?,
        TokenKind::Access => client.revoke_access_token(&AccessToken::new(token))?,
    };
    session.transport.drive(session.narrator.wrap(revocation))?;
    eprintln!("pkce: revoked (or the token was already invalid, RFC 7009 §2.2)");
    Ok(())
}
