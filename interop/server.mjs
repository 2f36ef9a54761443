// Runs panva's oidc-provider on 127.0.0.1 for the pkce interop tests.
//
//   node server.mjs --port 0
//
// Prints exactly one line, `listening on http://127.0.0.1:PORT`, to stdout once the server
// accepts connections; everything else goes to stderr. The issuer is that URL (no trailing
// slash). Exits when stdin closes, on SIGTERM or on SIGINT. See README.md for the
// configuration and the reasons behind it.

import { parseArgs } from 'node:util';

import Provider, { errors } from 'oidc-provider';

import { integerArg, log, serveOnLoopback } from './loopback.mjs';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
  },
  strict: true,
});

const port = integerArg('server.mjs', 'port', args.port, 65535);

// Everything the Rust side relies on. Keep in sync with crates/pkce-interop/src/lib.rs.
const REDIRECT_URI = 'http://127.0.0.1/callback';
const API_RESOURCE = 'urn:pkce:api';
const API_SCOPES = 'api:read api:write';
const SHORT_REFRESH_TOKEN_TTL = 2; // seconds, for the client `interop-short-rt`

const common = {
  // `native` lets a loopback http redirect URI use any port (RFC 8252 §7.3): the registered
  // `http://127.0.0.1/callback` matches `http://127.0.0.1:<any>/callback`.
  application_type: 'native',
  redirect_uris: [REDIRECT_URI],
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  response_types: ['code'],
};

const clients = [
  { ...common, client_id: 'interop-public', token_endpoint_auth_method: 'none' },
  {
    ...common,
    client_id: 'interop-basic',
    client_secret: 'interop-basic-secret-0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    ...common,
    client_id: 'interop-post',
    client_secret: 'interop-post-secret-0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_post',
  },
  // Public, like interop-public, but its refresh tokens live SHORT_REFRESH_TOKEN_TTL seconds.
  { ...common, client_id: 'interop-short-rt', token_endpoint_auth_method: 'none' },
];

function accountFor(id) {
  return {
    accountId: id,
    async claims(_use, _scope, _claims, _rejected) {
      return {
        sub: id,
        name: `Interop User ${id}`,
        email: `${id}@interop.test`,
        email_verified: true,
      };
    },
  };
}

const configuration = {
  clients,
  // adapter: left undefined, so the built-in in-memory adapter is used (dev only, by design).
  claims: {
    openid: ['sub'],
    profile: ['name'],
    email: ['email', 'email_verified'],
  },
  scopes: ['openid', 'offline_access', 'profile', 'email'],
  // Only the code flow: no implicit/hybrid, so discovery does not advertise them.
  responseTypes: ['code'],
  cookies: {
    // Fixed test-only keys so cookies are signed (and the dev warning about it is silenced).
    keys: ['pkce-interop-cookie-key-not-a-secret'],
  },
  // Called for every login, whatever the login name: the login becomes the `sub`.
  async findAccount(_ctx, id) {
    return accountFor(id);
  },
  features: {
    devInteractions: { enabled: true },
    // RFC 8628, with the default user-code pages (driven by the harness's scripted browser).
    deviceFlow: { enabled: true },
    pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
    revocation: { enabled: true },
    introspection: { enabled: true },
    userinfo: { enabled: true },
    // DPoP (RFC 9449) for the clients that send proofs; every proof must carry the server's
    // nonce, so each client answers a use_dpop_nonce challenge first.
    dPoP: {
      enabled: true,
      // Fixed test-only secret for the server's nonces.
      nonceSecret: Buffer.alloc(32, 7),
      requireNonce: () => true,
    },
    resourceIndicators: {
      enabled: true,
      // No `resource` asked for: no resource, so an openid token is an opaque userinfo token.
      async defaultResource(_ctx, _client, oneOf) {
        return oneOf;
      },
      // At the token endpoint `resource` must be named again to get a token for the API;
      // without it a code/refresh token that has `openid` yields a userinfo token.
      async useGrantedResource(_ctx, _model) {
        return false;
      },
      async getResourceServerInfo(_ctx, resourceIndicator, _client) {
        if (resourceIndicator === API_RESOURCE) {
          return {
            scope: API_SCOPES,
            audience: API_RESOURCE,
            accessTokenTTL: 300,
            accessTokenFormat: 'opaque',
          };
        }
        throw new errors.InvalidTarget();
      },
    },
  },
  pkce: {
    methods: ['S256'],
    required: () => true,
  },
  // Refresh tokens for every code grant of a client allowed the refresh_token grant, without
  // the `offline_access` scope (which oidc-provider only honours together with prompt=consent).
  async issueRefreshToken(_ctx, client, _code) {
    return client.grantTypeAllowed('refresh_token');
  },
  // Tokens are not tied to the login session (they would otherwise be, without offline_access).
  async expiresWithSession() {
    return false;
  },
  // Every use of a refresh token consumes it and issues a new one; reusing a consumed one
  // is refused (invalid_grant) and revokes the whole grant.
  rotateRefreshToken: true,
  ttl: {
    AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 300,
    AuthorizationCode: 60,
    IdToken: 300,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
    RefreshToken: (_ctx, _token, client) => (client.clientId === 'interop-short-rt' ? SHORT_REFRESH_TOKEN_TTL : 3600),
  },
  clientBasedCORS: () => false,
};

// The issuer contains the port: the provider is built once the socket is bound.
serveOnLoopback(port, (issuer) => {
  let provider;
  try {
    provider = new Provider(issuer, configuration);
  } catch (err) {
    log(`provider configuration error: ${err.stack ?? err}`);
    process.exit(1);
  }
  provider.on('server_error', (_ctx, err) => log(`server_error: ${err.stack ?? err}`));
  for (const event of [
    'authorization.error',
    'grant.error',
    'introspection.error',
    'revocation.error',
    'userinfo.error',
    'pushed_authorization_request.error',
  ]) {
    provider.on(event, (_ctx, err) => {
      const detail = err.error_detail ? ` (detail: ${err.error_detail})` : '';
      log(`${event}: ${err.error ?? err.name}: ${err.error_description ?? err.message}${detail}`);
    });
  }
  provider.use(async (ctx, next) => {
    await next();
    log(`${ctx.method} ${ctx.path} -> ${ctx.status}`);
  });
  return { handler: provider.callback(), url: issuer };
});
