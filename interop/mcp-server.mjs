// An MCP server with its own authorization server, built from the official MCP TypeScript
// SDK's pieces, on 127.0.0.1 for the pkce interop tests.
//
//   node mcp-server.mjs --port 0 [--access-token-ttl SECONDS]
//
// Prints exactly one line, `listening on http://127.0.0.1:PORT/mcp` (the resource URL), to
// stdout once the server accepts connections; everything else goes to stderr. Exits when
// stdin closes, on SIGTERM or on SIGINT.
//
// The SDK provides: the authorization server endpoints and their RFC 8414 metadata
// (`mcpAuthRouter`: /authorize, /token, /register, /revoke), the protected resource metadata
// of RFC 9728 at /.well-known/oauth-protected-resource/mcp (served by the same router through
// `mcpAuthMetadataRouter`), the bearer middleware whose 401 names that metadata
// (`requireBearerAuth` with `resourceMetadataUrl`) and the Streamable HTTP transport. Ours:
// the in-memory `OAuthServerProvider` below (registered clients, codes, tokens; the
// authorization step approves at once), one tool, and GET /test/observed, which reports what
// the provider saw (`resource` at each step, the registration's `application_type`) so the
// tests can assert on the server side.

import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { mcpAuthRouter, getOAuthProtectedResourceMetadataUrl } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import {
  InvalidGrantError,
  InvalidTargetError,
  InvalidTokenError,
} from '@modelcontextprotocol/sdk/server/auth/errors.js';

import { integerArg, log, serveOnLoopback } from './loopback.mjs';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'access-token-ttl': { type: 'string', default: '3600' },
  },
  strict: true,
});

const port = integerArg('mcp-server.mjs', 'port', args.port, 65535);
const accessTokenTtl = integerArg('mcp-server.mjs', 'access-token-ttl', args['access-token-ttl'], 86400);

// Keep in sync with crates/pkce-interop/src/mcp_server.rs.
const TOOLS_SCOPE = 'mcp:tools';
const ADMIN_SCOPE = 'mcp:admin';
const ADMIN_TOOL = 'admin';

/** What the provider saw, in order, for GET /test/observed. Never a token or a code. */
const observed = { registrations: [], authorizations: [], code_exchanges: [], refreshes: [] };

/** An in-memory authorization server behind the SDK's router. */
class InMemoryProvider {
  constructor(resource) {
    this.resource = resource;
    this.clients = new Map();
    this.codes = new Map();
    this.accessTokens = new Map();
    this.refreshTokens = new Map();
    const clients = this.clients;
    this.clientsStore = {
      async getClient(clientId) {
        return clients.get(clientId);
      },
      async registerClient(client) {
        clients.set(client.client_id, client);
        return client;
      },
    };
  }

  /** RFC 8707: a `resource` that is sent must be this server's resource URL. */
  checkResource(resource) {
    if (resource !== undefined && resource.href !== this.resource.href) {
      throw new InvalidTargetError(`unknown resource ${resource.href}`);
    }
  }

  // The user approves at once: the redirect carries the code, the state and `iss` (RFC 9207).
  async authorize(client, params, res) {
    observed.authorizations.push({ client_id: client.client_id, resource: params.resource?.href ?? null, scopes: params.scopes ?? [] });
    this.checkResource(params.resource);
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, { clientId: client.client_id, params });
    const target = new URL(params.redirectUri);
    target.searchParams.set('code', code);
    if (params.state !== undefined) {
      target.searchParams.set('state', params.state);
    }
    target.searchParams.set('iss', issuer);
    res.redirect(302, target.href);
  }

  async challengeForAuthorizationCode(client, code) {
    const grant = this.codes.get(code);
    if (!grant || grant.clientId !== client.client_id) {
      throw new InvalidGrantError('unknown authorization code');
    }
    return grant.params.codeChallenge;
  }

  async exchangeAuthorizationCode(client, code, _verifier, redirectUri, resource) {
    observed.code_exchanges.push({ client_id: client.client_id, resource: resource?.href ?? null });
    const grant = this.codes.get(code);
    this.codes.delete(code);
    if (!grant || grant.clientId !== client.client_id) {
      throw new InvalidGrantError('unknown authorization code');
    }
    if (redirectUri !== undefined && redirectUri !== grant.params.redirectUri) {
      throw new InvalidGrantError('redirect_uri differs from the authorization request');
    }
    this.checkResource(resource);
    return this.issue(client.client_id, grant.params.scopes ?? [], resource ?? grant.params.resource);
  }

  async exchangeRefreshToken(client, refreshToken, scopes, resource) {
    observed.refreshes.push({ client_id: client.client_id, resource: resource?.href ?? null });
    const grant = this.refreshTokens.get(refreshToken);
    if (!grant || grant.clientId !== client.client_id) {
      throw new InvalidGrantError('unknown refresh token');
    }
    this.checkResource(resource);
    // Rotation: the old refresh token is spent.
    this.refreshTokens.delete(refreshToken);
    const narrowed = scopes?.length ? scopes.filter((s) => grant.scopes.includes(s)) : grant.scopes;
    return this.issue(client.client_id, narrowed, resource ?? grant.resource);
  }

  issue(clientId, scopes, resource) {
    const accessToken = randomBytes(32).toString('base64url');
    const refreshToken = randomBytes(32).toString('base64url');
    const expiresAt = Math.floor(Date.now() / 1000) + accessTokenTtl;
    this.accessTokens.set(accessToken, { clientId, scopes, expiresAt, resource });
    this.refreshTokens.set(refreshToken, { clientId, scopes, resource });
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: accessTokenTtl,
      refresh_token: refreshToken,
      scope: scopes.join(' '),
    };
  }

  async verifyAccessToken(token) {
    const grant = this.accessTokens.get(token);
    if (!grant) {
      throw new InvalidTokenError('unknown access token');
    }
    return { token, clientId: grant.clientId, scopes: grant.scopes, expiresAt: grant.expiresAt, resource: grant.resource };
  }

  async revokeToken(_client, request) {
    this.accessTokens.delete(request.token);
    this.refreshTokens.delete(request.token);
  }
}

/** One MCP server per request (stateless Streamable HTTP), with its tools. */
function mcpServer() {
  const server = new McpServer({ name: 'pkce-interop-mcp', version: '1.0.0' });
  server.registerTool('whoami', { description: 'The client the access token was issued to' }, async (extra) => ({
    content: [{ type: 'text', text: `client ${extra.authInfo?.clientId}` }],
  }));
  server.registerTool(ADMIN_TOOL, { description: `Needs the ${ADMIN_SCOPE} scope` }, async () => ({
    content: [{ type: 'text', text: 'admin done' }],
  }));
  return server;
}

/** The issuer, known once the socket is bound. */
let issuer;

serveOnLoopback(port, (origin) => {
  const issuerUrl = new URL(origin);
  // The SDK's metadata names the issuer as `URL.href`, with the trailing slash.
  issuer = issuerUrl.href;
  const resource = new URL(`${origin}/mcp`);
  const provider = new InMemoryProvider(resource);
  const resourceMetadataUrl = getOAuthProtectedResourceMetadataUrl(resource);

  const app = express();
  app.use((req, _res, next) => {
    log(`${req.method} ${req.path}`);
    next();
  });
  // Records the registration's `application_type` before the SDK's schema strips it; the
  // SDK's own JSON parser sees the body already parsed and leaves it.
  app.post('/register', express.json(), (req, _res, next) => {
    observed.registrations.push({
      application_type: req.body?.application_type ?? null,
      token_endpoint_auth_method: req.body?.token_endpoint_auth_method ?? null,
      redirect_uris: req.body?.redirect_uris ?? null,
    });
    next();
  });
  app.use(
    mcpAuthRouter({
      provider,
      issuerUrl,
      resourceServerUrl: resource,
      scopesSupported: [TOOLS_SCOPE],
      resourceName: 'pkce interop MCP server',
    }),
  );
  app.get('/test/observed', (_req, res) => res.json(observed));

  const bearer = (requiredScopes) =>
    requireBearerAuth({ verifier: provider, requiredScopes, resourceMetadataUrl, expectedResource: resource });
  const toolsAuth = bearer([TOOLS_SCOPE]);
  const adminAuth = bearer([TOOLS_SCOPE, ADMIN_SCOPE]);
  const isAdminCall = (body) => body?.method === 'tools/call' && body?.params?.name === ADMIN_TOOL;

  app.post('/mcp', express.json(), toolsAuth, (req, res, next) => (isAdminCall(req.body) ? adminAuth(req, res, next) : next()), async (req, res) => {
    const server = mcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      transport.close();
      server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (err) {
      log(`MCP request failed: ${err.stack ?? err}`);
      if (!res.headersSent) {
        res.status(500).json({ jsonrpc: '2.0', error: { code: -32603, message: 'internal error' }, id: null });
      }
    }
  });
  // Stateless: no server-initiated stream and no session to end, but a token is still asked first.
  const notAllowed = (_req, res) =>
    res.status(405).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null });
  app.get('/mcp', toolsAuth, notAllowed);
  app.delete('/mcp', toolsAuth, notAllowed);

  log(`ready, access tokens live ${accessTokenTtl} s`);
  return { handler: app, url: resource.href };
});
