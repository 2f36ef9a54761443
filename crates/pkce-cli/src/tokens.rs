//! `pkce refresh` and `pkce revoke`.

use pkce_flow::{AccessToken, RefreshToken};

use crate::cli::{RefreshArgs, RevokeArgs, TokenKind};
use crate::failure::Failure;
use crate::output::print_tokens;
use crate::session::{Session, secret_input};

pub(crate) fn refresh(args: &RefreshArgs) -> Result<(), Failure> {
    let token = RefreshToken::new(secret_input(
        args.refresh_token_env.as_deref(),
        "refresh token",
    )?);
    let session = Session::open(&args.server)?;
    let client = session.builder(&args.server)?.build_for_tokens()?;
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
    print_tokens(&tokens, args.scope.as_deref(), args.server.output);
    Ok(())
}

pub(crate) fn revoke(args: &RevokeArgs) -> Result<(), Failure> {
    let token = secret_input(args.token_env.as_deref(), "token")?;
    let session = Session::open(&args.server)?;
    let client = session.builder(&args.server)?.build_for_tokens()?;
    let revocation = match args.token_type {
        TokenKind::Refresh => client.revoke_refresh_token(&RefreshToken::new(token))?,
        TokenKind::Access => client.revoke_access_token(&AccessToken::new(token))?,
    };
    session.transport.drive(session.narrator.wrap(revocation))?;
    eprintln!("pkce: revoked (or the token was already invalid, RFC 7009 §2.2)");
    Ok(())
}
