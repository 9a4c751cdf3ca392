#!/usr/bin/env node
// MCP smoke test with the official TypeScript SDK client: spawns a server over stdio, checks `initialize`
// (serverInfo.name == "raworc-mcp"), `tools/list` (contains health_check and get_version) and calls
// `get_version` against a stub of the Raworc API that this script serves on 127.0.0.1. Any mismatch,
// a non-JSON line on the server's stdout, or a timeout exits non-zero.
//
//   node scripts/mcp-smoke.mjs [--sdk-dir DIR] [--expect-version V] [--timeout-ms N] -- COMMAND [ARGS...]
//
// --sdk-dir: a folder where @modelcontextprotocol/sdk is installed (default: the current directory).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';

function usage(msg) {
  if (msg) console.error(`mcp-smoke: ${msg}`);
  console.error('usage: node mcp-smoke.mjs [--sdk-dir DIR] [--expect-version V] [--timeout-ms N] -- COMMAND [ARGS...]');
  process.exit(2);
}

const opts = { sdkDir: process.cwd(), expectVersion: null, timeoutMs: 60000 };
const argv = process.argv.slice(2);
let command = null;
let commandArgs = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--') {
    [command, ...commandArgs] = argv.slice(i + 1);
    break;
  } else if (a === '--sdk-dir') opts.sdkDir = argv[++i];
  else if (a === '--expect-version') opts.expectVersion = argv[++i];
  else if (a === '--timeout-ms') opts.timeoutMs = Number(argv[++i]);
  else usage(`unknown argument ${a}`);
}
if (!command) usage('no server command given');
if (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0) usage('--timeout-ms must be a positive number');

const sdkRequire = createRequire(path.join(path.resolve(opts.sdkDir), 'package.json'));
let Client, StdioClientTransport, sdkVersion;
try {
  ({ Client } = sdkRequire('@modelcontextprotocol/sdk/client/index.js'));
  ({ StdioClientTransport } = sdkRequire('@modelcontextprotocol/sdk/client/stdio.js'));
  const clientFile = sdkRequire.resolve('@modelcontextprotocol/sdk/client/index.js'); // <sdk>/dist/cjs/client/index.js
  sdkVersion = JSON.parse(readFileSync(path.join(path.dirname(clientFile), '..', '..', '..', 'package.json'), 'utf8')).version;
} catch (err) {
  console.error(`mcp-smoke: cannot load @modelcontextprotocol/sdk from ${opts.sdkDir}: ${err.message}`);
  process.exit(2);
}

const started = Date.now();
const elapsed = () => `${Date.now() - started} ms`;
const log = (msg) => console.log(`mcp-smoke: ${msg}`);
let serverStderr = '';
const transportErrors = [];
let transport = null;
let apiServer = null;

let finishing = false;
async function finish(code, msg) {
  if (finishing) return;
  finishing = true;
  if (msg) console.error(`mcp-smoke: FAIL: ${msg}`);
  if (code !== 0 && serverStderr.trim()) {
    console.error('mcp-smoke: server stderr (last 4000 chars):');
    console.error(serverStderr.slice(-4000));
  }
  try {
    if (transport) await transport.close();
  } catch (_) {}
  if (apiServer) apiServer.close();
  process.exit(code);
}

const watchdog = setTimeout(() => {
  finish(1, `timed out after ${opts.timeoutMs} ms`);
}, opts.timeoutMs);

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

// The Raworc API stub: public routes of server 0.3.0.
const apiHits = [];
apiServer = http.createServer((req, res) => {
  apiHits.push(`${req.method} ${req.url}`);
  const url = new URL(req.url, 'http://127.0.0.1');
  const send = (status, body) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  req.resume();
  req.on('end', () => {
    if (req.method === 'GET' && url.pathname === '/api/v0/version') send(200, { version: '0.3.0', api: 'v0' });
    else if (req.method === 'GET' && url.pathname === '/api/v0/health') send(200);
    else if (req.method === 'POST' && url.pathname === '/api/v0/auth/login') {
      send(200, { token: 'smoke-token', token_type: 'Bearer', expires_at: '2099-01-01T00:00:00.000Z' });
    } else send(404, { error: { code: 'NOT_FOUND', message: `no route ${req.method} ${url.pathname}` } });
  });
});

async function main() {
  await new Promise((resolve, reject) => {
    apiServer.once('error', reject);
    apiServer.listen(0, '127.0.0.1', resolve);
  });
  const apiUrl = `http://127.0.0.1:${apiServer.address().port}/api/v0`;

  // The caller's environment, without any real Raworc credentials, pointed at the stub.
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !(k.startsWith('RAWORC_') && k !== 'RAWORC_MCP_BINARY')) env[k] = v;
  }
  Object.assign(env, { RAWORC_API_URL: apiUrl, RAWORC_AUTH_TOKEN: 'smoke-token', RAWORC_TIMEOUT: '10' });

  transport = new StdioClientTransport({ command, args: commandArgs, env, stderr: 'pipe' });
  transport.stderr.on('data', (chunk) => {
    serverStderr += chunk.toString();
  });
  transport.onerror = (err) => transportErrors.push(err);
  const client = new Client({ name: 'raworc-mcp-smoke', version: '1.0.0' });
  log(`SDK ${sdkVersion}; spawning ${[command, ...commandArgs].join(' ')}; API stub at ${apiUrl}`);

  const t0 = Date.now();
  await client.connect(transport, { timeout: 30000 });
  const info = client.getServerVersion();
  log(`initialize ok in ${Date.now() - t0} ms: ${JSON.stringify(info)}`);
  check(info && info.name === 'raworc-mcp', `serverInfo.name is ${JSON.stringify(info && info.name)}, expected "raworc-mcp"`);
  if (opts.expectVersion) {
    check(info.version === opts.expectVersion || String(info.version).startsWith(`${opts.expectVersion}+`),
      `serverInfo.version is ${JSON.stringify(info.version)}, expected ${opts.expectVersion}`);
  }
  check(client.getServerCapabilities()?.tools, 'server does not declare the tools capability');

  const tools = [];
  let cursor;
  for (let page = 0; page < 50; page++) {
    const res = await client.listTools(cursor ? { cursor } : {}, { timeout: 15000 });
    tools.push(...res.tools);
    cursor = res.nextCursor;
    if (!cursor) break;
  }
  const names = tools.map((t) => t.name);
  log(`tools/list ok: ${names.length} tools`);
  check(names.length > 0, 'tools/list returned no tools');
  for (const want of ['health_check', 'get_version']) check(names.includes(want), `tools/list lacks ${want}`);
  for (const t of tools) {
    check(t.inputSchema && t.inputSchema.type === 'object', `tool ${t.name} has no object inputSchema`);
  }

  const t1 = Date.now();
  const result = await client.callTool({ name: 'get_version', arguments: {} }, undefined, { timeout: 30000 });
  const text = (result.content || []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
  log(`tools/call get_version in ${Date.now() - t1} ms: ${text.replace(/\s+/g, ' ').slice(0, 200)}`);
  check(!result.isError, `get_version returned isError: ${text}`);
  check(text.includes('0.3.0'), `get_version result does not contain "0.3.0": ${text}`);
  check(apiHits.some((h) => h.startsWith('GET /api/v0/version')), `the server never called GET /api/v0/version (hits: ${apiHits.join(', ') || 'none'})`);

  check(transportErrors.length === 0,
    `the client saw transport errors (non-JSON on stdout?): ${transportErrors.map((e) => e.message).join('; ')}`);

  // Closing stdin must end the server (the SDK sends SIGTERM only after 2 s).
  const proc = transport._process;
  const exited = proc ? new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal }))) : null;
  const t2 = Date.now();
  await client.close();
  transport = null;
  if (exited) {
    const { code, signal } = await exited;
    const ms = Date.now() - t2;
    log(`server exited ${signal ? `by ${signal}` : `with code ${code}`} ${ms} ms after stdin closed`);
    check(ms < 2000 && !signal, 'the server did not exit by itself when stdin closed');
  }
  log(`OK (${elapsed()})`);
}

main().then(
  () => {
    clearTimeout(watchdog);
    finish(0);
  },
  (err) => {
    clearTimeout(watchdog);
    finish(1, err && err.message ? err.message : String(err));
  },
);
