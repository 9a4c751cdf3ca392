#!/usr/bin/env node
// Client side of the sign-in stage of scripts/test-fleet.sh: browser sign-in to raworc-mcp replicas started with
// --public-url (the balancer's address), the sign-in page answered by a real headless chromium (browser.mjs). The
// account and password are the API stand-in's; no token is ever printed.
//
//   node signin.mjs checks --url U --api-url A --shots DIR
//        what a client meets before it has a token, through the balancer: 401 with the WWW-Authenticate challenge
//        for no token, for a raw Raworc token and for a forged one; the protected-resource and authorization-server
//        metadata; the sign-in page (screenshots DIR/signin-wide.png 1280x800 and DIR/signin-narrow.png 390x844), a
//        wrong password (the page again, 200), Cancel (redirect with error=access_denied)
//   node signin.mjs job --url U --api-url A --replicas R1,R2,R3 --raworc-token-seconds N
//        the TypeScript SDK's own auth() flow (discovery, dynamic registration, PKCE, token) with the page answered in
//        the browser, then a whole job through the balancer; the access token expires and the SDK's refresh is
//        served by another replica; the Raworc token inside expires and the SDK is sent through sign-in again.
//        Token requests go straight to R1, R2, R3 in turn (everything else through the balancer), which proves
//        which replica served each. With --secrets-file FILE, every access token, refresh token and code it saw is
//        appended to FILE (one a line), so that the caller can prove no log holds one
//   node signin.mjs mcp-remote --url U
//        mcp-remote (what Claude Desktop users run) signs in, its browser step done here, and lists the tools
//   node signin.mjs conformance --url U --output DIR --baseline FILE
//        the conformance suite's authorization-server scenarios against the issuer, the grant's browser step done
//        here, with a client registered for the suite's callback; failures not in FILE's `authorization:` list fail
//   node signin.mjs consent --url U --api-url A
//        the TypeScript SDK v2 client on revision 2026-07-28 signs in, then asks for secret values: with consent
//        (the server's input-required elicitation answered "accept") it gets them, declining it gets none
//        (exit 3 when the server refuses show_values without asking: it has no such consent)
// Common: --sdk-dir DIR (the pinned npm install; default artifacts/e2e), --account NAME (default admin; the stand-in's
// password is admin), --timeout-ms N. Exit 0 on success, 1 on a failed check (with a clear message), 2 on bad usage.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { answerSignInPage, launchBrowser, screenshotPage } from './browser.mjs';
import { call, check, loadSdk, runJob, textOf } from './job.mjs';
import { codeFrom, MemoryOAuthProvider, startLoopback, tokenRoutingFetch } from './oauth.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const [mode, ...rest] = process.argv.slice(2);
const opts = {
  url: null, apiUrl: null, replicas: [], raworcTokenSeconds: null, shots: null, output: null, baseline: null, secretsFile: null,
  account: 'admin', timeoutMs: 240000, sdkDir: path.resolve(here, '..', '..', 'artifacts', 'e2e'),
};
const modes = ['checks', 'job', 'mcp-remote', 'conformance', 'consent'];
function usage(msg) {
  console.error(`signin: ${msg}`);
  console.error(`usage: node signin.mjs ${modes.join('|')} --url URL [options] (see the head of this file)`);
  process.exit(2);
}
const flags = {
  url: 'url', 'api-url': 'apiUrl', replicas: 'replicas', 'raworc-token-seconds': 'raworcTokenSeconds', shots: 'shots',
  output: 'output', baseline: 'baseline', 'secrets-file': 'secretsFile', account: 'account', 'timeout-ms': 'timeoutMs', 'sdk-dir': 'sdkDir',
};
let given;
try {
  given = parseArgs({ args: rest, options: Object.fromEntries(Object.keys(flags).map((f) => [f, { type: 'string' }])) }).values;
} catch (e) {
  usage(e.message);
}
for (const [flag, value] of Object.entries(given)) {
  const key = flags[flag];
  if (key === 'replicas') opts.replicas = value.split(',').filter(Boolean);
  else if (key === 'raworcTokenSeconds' || key === 'timeoutMs') {
    opts[key] = Number(value);
    if (!Number.isInteger(opts[key]) || opts[key] <= 0) usage(`--${flag} needs a positive whole number`);
  } else if (['shots', 'output', 'baseline', 'secretsFile', 'sdkDir'].includes(key)) opts[key] = path.resolve(value);
  else opts[key] = value;
}
if (!modes.includes(mode)) usage(`unknown mode ${mode ?? '(none)'}`);
if (!opts.url) usage('--url is required');
if (['checks', 'job', 'consent'].includes(mode) && !opts.apiUrl) usage(`${mode} needs --api-url`);
if (mode === 'checks' && !opts.shots) usage('checks needs --shots');
if (mode === 'job' && (opts.replicas.length < 2 || !opts.raworcTokenSeconds)) usage('job needs --replicas (at least 2) and --raworc-token-seconds');
if (mode === 'conformance' && (!opts.output || !opts.baseline)) usage('conformance needs --output and --baseline');

const mcpUrl = new URL(opts.url);
const issuer = mcpUrl.origin; // the public URL the replicas were started with: the balancer's address
const password = 'admin';
const started = Date.now();
const watchdog = setTimeout(() => fail(`timed out after ${opts.timeoutMs} ms`), opts.timeoutMs);
watchdog.unref();
function fail(msg) {
  console.error(`signin ${mode}: FAIL: ${msg}`);
  process.exit(1);
}
const say = (s) => console.log(`signin ${mode}: ${s}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let sdk;
try {
  sdk = loadSdk(opts.sdkDir);
} catch (err) {
  usage(`cannot load @modelcontextprotocol/sdk from ${opts.sdkDir} (run scripts/e2e/install.sh): ${err.message}`);
}
const sdkRequire = createRequire(path.join(opts.sdkDir, 'package.json'));

// ---- helpers shared by the modes -------------------------------------------------------------------------------

async function raworcLogin(account) {
  const r = await fetch(`${opts.apiUrl}/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: account, pass: password }),
  });
  check(r.ok, `login of ${account} at the API answered HTTP ${r.status}`);
  return (await r.json()).token;
}

/** An MCP request straight to /mcp (tools/list) with the given Authorization header value, or none. */
function postMcp(authorization) {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  if (authorization) headers.authorization = authorization;
  return fetch(mcpUrl, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }) });
}

async function getJson(url) {
  const r = await fetch(url);
  check(r.status === 200, `GET ${url} answered ${r.status}`);
  check((r.headers.get('content-type') ?? '').includes('application/json'), `GET ${url} is not application/json`);
  return r.json();
}

/** Dynamic client registration (RFC 7591) of a public client with one redirect URI; returns its client_id. */
async function registerClient(redirectUri, name) {
  const r = await fetch(`${issuer}/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: name, redirect_uris: [redirectUri], grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'], token_endpoint_auth_method: 'none' }),
  });
  const body = await r.json().catch(() => ({}));
  check(r.status === 201 && typeof body.client_id === 'string', `POST /register answered ${r.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body.client_id;
}

/** An authorization request as a client sends it (PKCE S256 with a throwaway verifier: these never reach /token). */
function authorizationUrl(clientId, redirectUri, state, scope) {
  const u = new URL(`${issuer}/authorize`);
  u.search = new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: redirectUri, state, scope, resource: mcpUrl.href,
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGjSstw-cM', code_challenge_method: 'S256',
  }).toString();
  return u.href;
}

function freePort() {
  return new Promise((resolve) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
}

/** Reads lines of a child's stream until `pattern` matches one; resolves with the match. */
function waitForLine(stream, pattern, what, timeoutMs = 60000) {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not appear in ${timeoutMs} ms; output so far: ${buffer.slice(-800)}`)), timeoutMs);
    stream.on('data', (chunk) => {
      buffer += chunk.toString();
      const m = pattern.exec(buffer);
      if (m) { clearTimeout(timer); resolve(m); }
    });
  });
}

// ---- checks: before a token, and the page itself -----------------------------------------------------------------

async function checks() {
  const prmUrl = `${issuer}/.well-known/oauth-protected-resource/mcp`;
  // No token: 401 with the challenge that starts discovery.
  const none = await postMcp(null);
  const challenge = none.headers.get('www-authenticate') ?? '';
  check(none.status === 401, `POST /mcp without a token answered ${none.status}, expected 401`);
  check(/^Bearer\b/i.test(challenge) && challenge.includes(`resource_metadata="${prmUrl}"`),
    `the 401's WWW-Authenticate is ${JSON.stringify(challenge)}, expected Bearer resource_metadata="${prmUrl}"`);
  const scope = /scope="([^"]*)"/.exec(challenge)?.[1];
  if (scope !== undefined) check(scope.split(' ').every((s) => /^raworc:(read|write|destroy)$/.test(s)), `the challenge asks for scope "${scope}"`);

  // The metadata a client discovers from there (RFC 9728, RFC 8414, OpenID discovery).
  for (const url of [prmUrl, `${issuer}/.well-known/oauth-protected-resource`]) {
    const prm = await getJson(url);
    check(prm.resource === mcpUrl.href, `${url}: resource is ${prm.resource}, expected ${mcpUrl.href}`);
    check(Array.isArray(prm.authorization_servers) && prm.authorization_servers.includes(issuer), `${url}: authorization_servers ${JSON.stringify(prm.authorization_servers)} lacks ${issuer}`);
  }
  for (const url of [`${issuer}/.well-known/oauth-authorization-server`, `${issuer}/.well-known/openid-configuration`]) {
    const as = await getJson(url);
    check(as.issuer === issuer, `${url}: issuer ${as.issuer}, expected ${issuer}`);
    for (const [field, want] of [['authorization_endpoint', '/authorize'], ['token_endpoint', '/token'], ['registration_endpoint', '/register']]) {
      check(as[field] === issuer + want, `${url}: ${field} is ${as[field]}, expected ${issuer}${want}`);
    }
    check(as.code_challenge_methods_supported?.includes('S256'), `${url}: no S256 in code_challenge_methods_supported`);
    check(as.response_types_supported?.includes('code'), `${url}: no "code" in response_types_supported`);
    check(as.token_endpoint_auth_methods_supported?.includes('none'), `${url}: no "none" in token_endpoint_auth_methods_supported`);
    check(['raworc:read', 'raworc:write'].every((s) => as.scopes_supported?.includes(s)), `${url}: scopes_supported ${JSON.stringify(as.scopes_supported)}`);
  }

  // Tokens the server did not issue: a raw Raworc token (no --accept-raworc-tokens) and a forged one.
  for (const [what, bearer] of [['a raw Raworc token', await raworcLogin(opts.account)], ['a forged token', `${'x'.repeat(40)}.${'y'.repeat(40)}`]]) {
    const r = await postMcp(`Bearer ${bearer}`);
    check(r.status === 401, `POST /mcp with ${what} answered ${r.status}, expected 401`);
    check((r.headers.get('www-authenticate') ?? '').includes(`resource_metadata="${prmUrl}"`), `the 401 for ${what} lacks the resource_metadata challenge`);
  }

  // The page, for a real request of a registered client asking for read and write.
  const browser = await launchBrowser(opts.sdkDir);
  const loop = await startLoopback();
  try {
    const clientId = await registerClient(loop.redirectUrl, 'raworc-mcp fleet page check');
    const wide = path.join(opts.shots, 'signin-wide.png');
    const narrow = path.join(opts.shots, 'signin-narrow.png');
    await screenshotPage(browser, authorizationUrl(clientId, loop.redirectUrl, 'shot', 'raworc:read raworc:write'), wide, { width: 1280, height: 800 });
    await screenshotPage(browser, authorizationUrl(clientId, loop.redirectUrl, 'shot', 'raworc:read raworc:write'), narrow, { width: 390, height: 844 });

    const wrong = await answerSignInPage(browser, authorizationUrl(clientId, loop.redirectUrl, 'wrong', 'raworc:read raworc:write'),
      { username: opts.account, password: 'not-the-password' });
    check(wrong.status === 200 && wrong.text.includes('The account name or password is wrong.'),
      `a wrong password got ${wrong.status} and the page ${JSON.stringify(wrong.text.replace(/\s+/g, ' ').slice(0, 200))}`);

    const cancelled = await answerSignInPage(browser, authorizationUrl(clientId, loop.redirectUrl, 'cancel-state', 'raworc:read raworc:write'),
      { username: opts.account, password, decision: 'cancel' });
    const back = await loop.next();
    check(cancelled.status === 302 || cancelled.status === 303, `Cancel answered ${cancelled.status}, expected a redirect`);
    check(back.searchParams.get('error') === 'access_denied' && back.searchParams.get('state') === 'cancel-state' && !back.searchParams.has('code'),
      `Cancel came back as ${back.search.replace(/code=[^&]*/, 'code=…')}, expected error=access_denied with the state and no code`);
    say(`OK: no token, a raw Raworc token and a forged one get 401 with resource_metadata="${prmUrl}"${scope ? ` scope="${scope}"` : ''}; ` +
      'metadata at both well-known paths agrees; a wrong password shows the page again (200); Cancel redirects with error=access_denied; ' +
      `screenshots ${path.basename(wide)} and ${path.basename(narrow)} (${Date.now() - started} ms)`);
  } finally {
    loop.close();
    await browser.close();
  }
}

// ---- job: the SDK's own sign-in, a whole job, refresh on another replica, sign-in again --------------------------

async function job() {
  const browser = await launchBrowser(opts.sdkDir);
  const loop = await startLoopback();
  const provider = new MemoryOAuthProvider(loop.redirectUrl, 'raworc-mcp fleet sign-in test');
  const tokenLog = [];
  const routed = tokenRoutingFetch(issuer, opts.replicas, tokenLog);
  const newTransport = () => new sdk.StreamableHTTPClientTransport(mcpUrl, { authProvider: provider, fetch: routed });
  let transport = newTransport();
  let client = new sdk.Client({ name: 'raworc-mcp-fleet-signin', version: '1.0.0' });
  const signIns = [];
  const codes = [];

  // The user at the page: the browser answers the URL the SDK asked to open; returns the code for finishAuth.
  async function signInAtPage() {
    const pending = provider.pendingAuthorization;
    check(pending, 'the SDK asked for sign-in but gave no authorization URL');
    check(pending.origin === issuer && pending.pathname === '/authorize', `the SDK opens ${pending.origin}${pending.pathname}, expected ${issuer}/authorize`);
    check(pending.searchParams.get('code_challenge_method') === 'S256' && pending.searchParams.get('resource') === mcpUrl.href,
      `the authorization request lacks PKCE S256 or resource=${mcpUrl.href}`);
    provider.pendingAuthorization = null;
    const at = Date.now();
    const answered = await answerSignInPage(browser, pending.href, { username: opts.account, password });
    check(answered.status === 302 || answered.status === 303, `Allow answered ${answered.status}: ${answered.text.replace(/\s+/g, ' ').slice(0, 200)}`);
    // The Raworc login happens between opening the page and the form's answer: its token expires between
    // opened + lifetime and answered + lifetime.
    signIns.push({ opened: at, answered: Date.now() });
    const code = codeFrom(await loop.next(), pending, issuer);
    codes.push(code);
    return code;
  }
  // Runs ACTION; when the SDK answers UnauthorizedError (it needs the user), signs in and runs it once more.
  async function withSignIn(action) {
    try {
      return await action();
    } catch (e) {
      if (!(e instanceof sdk.UnauthorizedError)) throw e;
      await transport.finishAuth(await signInAtPage());
      return action();
    }
  }

  try {
    // 1. Connect: 401, discovery, registration, the page, the token. A failed connect closes its client, so the
    //    second attempt gets a new transport (the provider keeps the tokens), as the SDK's own example does.
    try {
      await client.connect(transport, { timeout: 20000 });
    } catch (e) {
      if (!(e instanceof sdk.UnauthorizedError)) throw e;
      await transport.finishAuth(await signInAtPage());
      transport = newTransport();
      client = new sdk.Client({ name: 'raworc-mcp-fleet-signin', version: '1.0.0' });
      await client.connect(transport, { timeout: 20000 });
    }
    check(signIns.length === 1, `expected one sign-in to connect, saw ${signIns.length}`);
    const first = provider.savedTokens.at(-1).tokens;
    check(typeof first.refresh_token === 'string' && first.refresh_token.length > 0, 'the token response has no refresh_token');
    check(Number.isInteger(first.expires_in) && first.expires_in > 0, `the token response's expires_in is ${first.expires_in}`);
    const accessSeconds = first.expires_in;
    const { tools } = await client.listTools();
    const { summary } = await runJob(client, opts.account);
    say(`signed in through the page (${opts.replicas.length} replicas, token requests to each in turn); ${tools.length} tools; job: ${summary}`);

    // 2. The access token expires (the Raworc token inside does not yet): the next call gets 401, the SDK refreshes.
    const issuedBy = tokenLog.at(-1).replica;
    const tokensBefore = provider.savedTokens.length;
    const requestsBefore = tokenLog.length;
    await sleep(Math.max(0, provider.savedTokens.at(-1).at + accessSeconds * 1000 + 1500 - Date.now()));
    check(Date.now() < signIns[0].opened + opts.raworcTokenSeconds * 1000, 'the job outlasted the Raworc token: raise --token-lifetime-seconds');
    const me = await withSignIn(() => call(client, 'whoami'));
    check(me.user === opts.account, `whoami after the refresh answered ${JSON.stringify(me.user)}`);
    check(signIns.length === 1, 'the expired access token sent the client through sign-in instead of a refresh');
    const refresh = tokenLog[requestsBefore];
    check(tokenLog.length === requestsBefore + 1 && refresh.grant === 'refresh_token' && refresh.status === 200
      && provider.savedTokens.length === tokensBefore + 1,
    `the expired access token was not refreshed once: token requests since ${JSON.stringify(tokenLog.slice(requestsBefore))}`);
    check(refresh.replica !== issuedBy, `the refresh went to ${refresh.replica}, the replica that issued the token`);
    check(provider.savedTokens.at(-1).tokens.refresh_token !== first.refresh_token, 'the refresh token was not rotated');
    say(`access token (${accessSeconds} s) expired; the SDK refreshed it at ${refresh.replica} (issued by ${issuedBy}); whoami answered ${me.user}`);

    // 3. The Raworc token inside expires: refreshing fails with invalid_grant and the SDK sends the user to the page.
    const latest = provider.savedTokens.at(-1);
    const raworcGone = signIns[0].answered + opts.raworcTokenSeconds * 1000 + 1500;
    await sleep(Math.max(0, Math.max(raworcGone, latest.at + latest.tokens.expires_in * 1000 + 1500) - Date.now()));
    const before = tokenLog.length;
    const again = await withSignIn(() => call(client, 'whoami'));
    check(again.user === opts.account, `whoami after signing in again answered ${JSON.stringify(again.user)}`);
    const attempts = tokenLog.slice(before);
    const refused = attempts.find((t) => t.grant === 'refresh_token');
    const fresh = attempts.find((t) => t.grant === 'authorization_code' && t.status === 200);
    check(signIns.length === 2, `after the Raworc token expired the client signed in ${signIns.length - 1} more times, expected once; ` +
      `token requests since: ${JSON.stringify(attempts)}`);
    check(refused && refused.status === 400 && refused.error === 'invalid_grant',
      `the refresh after the Raworc token expired was ${JSON.stringify(refused ?? 'not attempted')}, expected 400 invalid_grant`);
    check(fresh, `no new token after signing in again: ${JSON.stringify(attempts)}`);
    await call(client, 'list_spaces');
    await client.close();
    say(`OK: the Raworc token (${opts.raworcTokenSeconds} s) expired; the refresh got invalid_grant at ${refused.replica}, the SDK re-ran ` +
      `auth() and the page, the new token came from ${fresh.replica}; token requests: ` +
      `${tokenLog.map((t) => `${t.grant}@${new URL(t.replica).port}=${t.status}`).join(' ')} (${Date.now() - started} ms)`);
  } finally {
    if (opts.secretsFile) {
      const seen = [...codes, ...provider.savedTokens.flatMap(({ tokens }) => [tokens.access_token, tokens.refresh_token])];
      appendFileSync(opts.secretsFile, seen.filter(Boolean).map((s) => `${s}\n`).join(''), { mode: 0o600 });
    }
    loop.close();
    await browser.close();
  }
}

// ---- mcp-remote: the stdio bridge Claude Desktop users run ---------------------------------------------------------

async function mcpRemote() {
  const bin = sdkRequire.resolve('mcp-remote/dist/proxy.js');
  const version = JSON.parse(readFileSync(sdkRequire.resolve('mcp-remote/package.json'), 'utf8')).version;
  const config = mkdtempSync(path.join(os.tmpdir(), 'raworc-mcp-remote-'));
  const browser = await launchBrowser(opts.sdkDir);
  // BROWSER=true: the opener it runs "succeeds" without a window; the URL it prints goes to chromium here.
  const transport = new sdk.StdioClientTransport({
    command: process.execPath, args: [bin, mcpUrl.href], stderr: 'pipe',
    env: { ...process.env, MCP_REMOTE_CONFIG_DIR: config, BROWSER: 'true', DISPLAY: '' },
  });
  const client = new sdk.Client({ name: 'raworc-mcp-fleet-mcp-remote', version: '1.0.0' });
  const stderr = [];
  transport.stderr.on('data', (c) => stderr.push(c.toString()));
  try {
    const printed = waitForLine(transport.stderr, /Please authorize this client by visiting:\s*\n(\S+)/, 'mcp-remote\'s authorization URL');
    const connected = client.connect(transport, { timeout: 90000 });
    connected.catch(() => {});
    const url = new URL((await printed)[1]);
    check(url.origin === issuer && url.pathname === '/authorize', `mcp-remote opens ${url.origin}${url.pathname}`);
    const answered = await answerSignInPage(browser, url.href, { username: opts.account, password });
    check(answered.status === 302 || answered.status === 303, `Allow answered ${answered.status}: ${answered.text.replace(/\s+/g, ' ').slice(0, 200)}`);
    await connected;
    const { tools } = await client.listTools();
    check(tools.some((t) => t.name === 'whoami'), `mcp-remote listed ${tools.length} tools, without whoami`);
    const me = await call(client, 'whoami');
    check(me.user === opts.account, `whoami through mcp-remote answered ${JSON.stringify(me.user)}`);
    say(`OK: mcp-remote ${version} signed in (redirect ${url.searchParams.get('redirect_uri')}) and listed ${tools.length} tools over stdio; ` +
      `whoami answered ${me.user} (${Date.now() - started} ms)`);
  } catch (e) {
    throw new Error(`${e.message}\n---- mcp-remote stderr ----\n${stderr.join('').replace(/(code|token)=[^&\s]+/g, '$1=…').slice(-3000)}`);
  } finally {
    await client.close().catch(() => {});
    await browser.close();
    rmSync(config, { recursive: true, force: true });
  }
}

// ---- conformance: the suite's authorization-server scenarios --------------------------------------------------------

async function conformance() {
  const bin = sdkRequire.resolve('conformance-authorization/dist/index.js');
  const version = JSON.parse(readFileSync(sdkRequire.resolve('conformance-authorization/package.json'), 'utf8')).version;
  const port = await freePort();
  const clientId = await registerClient(`http://127.0.0.1:${port}/callback`, 'MCP conformance suite');
  const expected = (sdkRequire('yaml').parse(readFileSync(opts.baseline, 'utf8'))?.authorization ?? []).map(String);
  const browser = await launchBrowser(opts.sdkDir);
  rmSync(opts.output, { recursive: true, force: true });
  const child = spawn(process.execPath, [bin, 'authorization', '--url', issuer, '--client-id', clientId, '--resource', mcpUrl.href,
    '-p', String(port), '-o', opts.output], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  child.stdout.on('data', (c) => output.push(c.toString()));
  child.stderr.on('data', (c) => output.push(c.toString()));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const printed = waitForLine(child.stdout, /Access the following URL in your browser[^\n]*\n(\S+)/, 'the suite\'s authorization URL');
    const url = new URL((await Promise.race([printed, exited.then(() => { throw new Error('the suite exited before asking for the browser'); })]))[1]);
    const answered = await answerSignInPage(browser, url.href, { username: opts.account, password });
    check(answered.status === 302 || answered.status === 303, `Allow answered ${answered.status}`);
    const code = await exited;
    // One folder per scenario (authorization-server-<scenario>-<time>/checks.json); a scenario fails on a FAILURE check.
    const scenarios = ['authorization-server-metadata-endpoint', 'authorization-code-grant'];
    const results = {};
    for (const dir of readdirSync(opts.output)) {
      const scenario = scenarios.find((s) => dir.startsWith(`authorization-server-${s}-`));
      if (scenario) results[scenario] = JSON.parse(readFileSync(path.join(opts.output, dir, 'checks.json'), 'utf8'));
    }
    const failed = Object.keys(results).filter((s) => results[s].some((c) => c.status === 'FAILURE'));
    const warned = Object.values(results).flat().filter((c) => c.status === 'WARNING').map((c) => `${c.id} (${c.errorMessage ?? c.description})`);
    const unexpected = failed.filter((s) => !expected.includes(s));
    const stale = expected.filter((s) => !failed.includes(s));
    check(scenarios.every((s) => results[s]), `the suite ran ${Object.keys(results).join(', ') || 'nothing'}; expected ${scenarios.join(', ')}`);
    check(unexpected.length === 0, `failed scenarios not in the baseline: ${unexpected.join(', ')}`);
    check(stale.length === 0, `baseline entries that now pass (remove them): ${stale.join(', ')}`);
    check(code === 0 || failed.length > 0, `the suite exited ${code} with no failed check`);
    say(`OK: conformance ${version} authorization-server scenarios ${scenarios.join(', ')}: ` +
      `${Object.values(results).flat().filter((c) => c.status === 'SUCCESS').length} checks passed` +
      `${warned.length ? `, warnings: ${warned.join(', ')}` : ''}${failed.length ? `, expected failures: ${failed.join(', ')}` : ''} (${Date.now() - started} ms)`);
  } catch (e) {
    child.kill();
    throw new Error(`${e.message}\n---- conformance output ----\n${output.join('').replace(/(code|access_token|refresh_token)[=:]\s*"?[^&\s"]+/g, '$1=…').slice(-3000)}`);
  } finally {
    await browser.close();
  }
}

// ---- consent: a 2026-07-28 client gets secret values only after consenting ----------------------------------------

async function consent() {
  const v2 = await import(sdkRequire.resolve('@modelcontextprotocol/client'));
  const version = JSON.parse(readFileSync(path.join(opts.sdkDir, 'node_modules', '@modelcontextprotocol', 'client', 'package.json'), 'utf8')).version;
  const browser = await launchBrowser(opts.sdkDir);
  const loop = await startLoopback();
  const provider = new MemoryOAuthProvider(loop.redirectUrl, 'raworc-mcp fleet consent test');
  let answer = 'accept';
  const asked = [];
  let transport;
  const connect = async () => {
    transport = new v2.StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    const client = new v2.Client({ name: 'raworc-mcp-fleet-consent', version: '1.0.0' },
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } });
    client.setRequestHandler('elicitation/create', async (request) => { asked.push(request.params.message); return { action: answer }; });
    await client.connect(transport, { timeout: 20000 });
    return client;
  };
  try {
    let client;
    try {
      client = await connect();
    } catch (e) {
      if (!(e instanceof v2.UnauthorizedError)) throw e;
      const pending = provider.pendingAuthorization;
      check(pending, 'the v2 client asked for sign-in but gave no authorization URL');
      const answered = await answerSignInPage(browser, pending.href, { username: opts.account, password });
      check(answered.status === 302 || answered.status === 303, `Allow answered ${answered.status}`);
      const back = await loop.next();
      codeFrom(back, pending, issuer);
      // v2's finishAuth takes the whole redirect so that it can check iss (RFC 9207) against the issuer it recorded.
      await transport.finishAuth(back.searchParams);
      client = await connect();
    }
    const space = `consent-${Date.now().toString(36)}`;
    const value = 'sk-ant-consent-not-a-real-key';
    await call(client, 'create_space', { name: space, description: 'raworc-mcp consent test' });
    await call(client, 'create_secret', { space, key_name: 'ANTHROPIC_API_KEY', value });
    const secret = async () => {
      const result = await client.callTool({ name: 'get_secret', arguments: { space, key_name: 'ANTHROPIC_API_KEY', show_values: true } });
      return { isError: result.isError === true, text: textOf(result) };
    };
    answer = 'accept';
    const accepted = await secret();
    // A server without consent over input-required results refuses show_values on a stateless HTTP mode, naming
    // the operator's switch: nothing to test here (the caller records a skip), unlike any other answer.
    if (asked.length === 0 && accepted.isError && accepted.text.includes('--allow-secret-values')) {
      await client.close();
      console.log(`signin ${mode}: SKIP: TypeScript SDK v2 ${version} on 2026-07-28 signed in, but this server refuses show_values ` +
        'without asking (no consent over input-required results in it)');
      process.exit(3);
    }
    check(asked.length === 1, `the server asked for consent ${asked.length} times on the first show_values call, expected once`);
    check(!accepted.isError && accepted.text.includes(value), `after consenting, get_secret answered ${accepted.text.slice(0, 200)}`);
    answer = 'decline';
    const declined = await secret();
    check(asked.length === 2, `the server asked for consent ${asked.length - 1} times on the second call, expected once`);
    check(!declined.text.includes(value), 'after declining, get_secret still returned the value');
    await client.close();
    say(`OK: TypeScript SDK v2 ${version} on 2026-07-28 signed in; get_secret with show_values asked for consent ` +
      `("${asked[0].slice(0, 80)}"): accept returned the value, decline did not (${Date.now() - started} ms)`);
  } finally {
    loop.close();
    await browser.close();
  }
}

try {
  await { checks, job, 'mcp-remote': mcpRemote, conformance, consent }[mode]();
  process.exit(0);
} catch (e) {
  fail(e?.message ?? String(e));
}
