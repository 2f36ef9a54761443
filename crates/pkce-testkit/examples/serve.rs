//! Runs a test server until killed, for poking at it with curl or a browser:
//! `cargo run -p pkce-testkit --example serve [tls] [auto] [misbehave-token=reset|endless|stall]`.

use std::time::Duration;

use pkce_testkit::{AuthServer, Endpoint, Misbehavior, ServerConfig};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    let config = ServerConfig {
        tls: has("tls"),
        auto_approve: has("auto"),
        ..Default::default()
    };
    let server = AuthServer::start_with(config)?;
    let token_misbehavior = args
        .iter()
        .find_map(|a| a.strip_prefix("misbehave-token="))
        .and_then(|m| match m {
            "reset" => Some(Misbehavior::ResetMidBody),
            "endless" => Some(Misbehavior::EndlessBody),
            "stall" => Some(Misbehavior::Stall { secs: 5 }),
            _ => None,
        });
    server.set_misbehavior(Endpoint::Token, token_misbehavior);
    println!("{}", server.issuer());
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
