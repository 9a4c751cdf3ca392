// The client's half of browser sign-in, for signin.mjs: the loopback redirect listener (RFC 8252: http on 127.0.0.1,
// an ephemeral port), an in-memory OAuthClientProvider for the TypeScript SDK's own auth() flow, and a fetch that
// sends each token request straight to a chosen replica so that a test can prove which replica served it.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { check } from './job.mjs';

/**
 * Listens on 127.0.0.1:<ephemeral>/callback. next() resolves with the URL of the next redirect that arrives (the
 * browser lands there after Allow or Cancel), or rejects after timeoutMs.
 */
export async function startLoopback(path = '/callback') {
  const waiting = [];
  const arrived = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, `http://${req.headers.host}`);
    if (url.pathname !== path) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('Back at the client: you can close this page.');
    const w = waiting.shift();
    if (w) w(url); else arrived.push(url);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    redirectUrl: `http://127.0.0.1:${server.address().port}${path}`,
    next(timeoutMs = 30000) {
      if (arrived.length) return Promise.resolve(arrived.shift());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no redirect reached the loopback listener in ${timeoutMs} ms`)), timeoutMs);
        waiting.push((url) => { clearTimeout(timer); resolve(url); });
      });
    },
    close() { server.closeAllConnections?.(); server.close(); },
  };
}

/**
 * An OAuthClientProvider (TypeScript SDK 1.x) that keeps everything in memory, as a desktop client would keep it in
 * its own store. redirectToAuthorization only records the URL: the test hands it to the browser.
 */
export class MemoryOAuthProvider {
  constructor(redirectUrl, clientName) {
    this._redirectUrl = redirectUrl;
    this._clientName = clientName;
    this._client = undefined;
    this._tokens = undefined;
    this._verifier = undefined;
    this._discovery = undefined;      // what discovery found, so that a callback is checked against that issuer
    this.pendingAuthorization = null; // the URL the client wants the user to open, with the state it sent
    this.savedTokens = [];            // every token response saved, in order (what a test may inspect)
  }
  get redirectUrl() { return this._redirectUrl; }
  get clientMetadata() {
    return {
      client_name: this._clientName, redirect_uris: [this._redirectUrl], grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'], token_endpoint_auth_method: 'none',
    };
  }
  state() { return randomBytes(16).toString('base64url'); }
  clientInformation() { return this._client; }
  saveClientInformation(info) { this._client = info; }
  tokens() { return this._tokens; }
  saveTokens(tokens) { this._tokens = tokens; this.savedTokens.push({ at: Date.now(), tokens }); }
  redirectToAuthorization(url) { this.pendingAuthorization = new URL(url); }
  saveDiscoveryState(state) { this._discovery = state; }
  discoveryState() { return this._discovery; }
  saveCodeVerifier(v) { this._verifier = v; }
  codeVerifier() { return this._verifier; }
  invalidateCredentials(scope) {
    if (scope === 'all' || scope === 'client') this._client = undefined;
    if (scope === 'all' || scope === 'tokens') this._tokens = undefined;
    if (scope === 'all' || scope === 'verifier') this._verifier = undefined;
    if (scope === 'all' || scope === 'discovery') this._discovery = undefined;
  }
}

/**
 * Checks the redirect the browser brought back for the pending authorization: same state, the issuer in `iss`
 * (RFC 9207) when present, a code and no error. Returns the code.
 */
export function codeFrom(redirect, pending, issuer) {
  const p = redirect.searchParams;
  check(!p.has('error'), `the sign-in redirect carries error=${p.get('error')} (${p.get('error_description') ?? 'no description'})`);
  check(p.getAll('state').length === 1 && p.get('state') === pending.searchParams.get('state'),
    `the redirect's state ${JSON.stringify(p.getAll('state'))} is not the one sent`);
  if (p.has('iss')) check(p.get('iss') === issuer, `the redirect's iss is ${p.get('iss')}, expected ${issuer}`);
  check(p.getAll('code').length === 1 && p.get('code') !== '', 'the redirect carries no code');
  return p.get('code');
}

/**
 * A fetch for the SDK transport: requests to PUBLIC_ORIGIN/token go straight to the next replica of REPLICAS in
 * turn (instead of through the balancer); everything else passes unchanged. Each token request is recorded in
 * `log` as { replica, grant, status, error }.
 */
export function tokenRoutingFetch(publicOrigin, replicas, log) {
  let next = 0;
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin !== publicOrigin || url.pathname !== '/token') return fetch(input, init);
    const replica = replicas[next++ % replicas.length];
    const body = init?.body instanceof URLSearchParams ? init.body : new URLSearchParams(String(init?.body ?? ''));
    const response = await fetch(new URL(url.pathname + url.search, replica), init);
    let error = null;
    if (!response.ok) error = (await response.clone().json().catch(() => ({}))).error ?? null;
    log.push({ replica, grant: body.get('grant_type'), status: response.status, error });
    return response;
  };
}
