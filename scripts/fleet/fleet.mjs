#!/usr/bin/env node
// Client side of scripts/test-fleet.sh: the official TypeScript MCP SDK client (StreamableHTTPClientTransport) against
// raworc-mcp's HTTP mode, each caller with its own Raworc token in `Authorization: Bearer`. Tokens come from the
// API's login (--api-url, accounts of the stand-in) and stay in memory: nothing here prints one.
//
//   node fleet.mjs job   --url U --api-url A [--account admin]
//        a whole job through the balancer: space, secret, agent, build, session, message, the agent's reply
//   node fleet.mjs users --url U --api-url A --calls 500 --concurrency 32 --request-log FILE
//        admin and operator interleave CALLS concurrent calls; every whoami must name its caller, and in the API's
//        request log every marked API call (GET /spaces/<account>-<n>) must have been authenticated as its caller
//   node fleet.mjs load  --url U --api-url A --calls 400 --concurrency 16 --midway-after 100 --midway-cmd CMD
//        a steady load; after MIDWAY-AFTER answers, runs CMD (e.g. kill a replica) and records when it returned;
//        every call started after that must succeed (calls in flight at that moment may fail, and are counted)
//   node fleet.mjs drain --url U --api-url A --signal-cmd CMD --again-url B
//        starts a build and a wait_for_build on it at U (one replica), runs CMD (SIGTERM that replica) while the
//        call is in flight; the call must answer still_waiting (the replica is shutting down) within 10 s of the
//        signal, and the same wait called again at B (the balancer: another replica) must end with the completed build
// Common: --sdk-dir DIR (node_modules with @modelcontextprotocol/sdk; default artifacts/e2e), --timeout-ms N.
// Exit 0 on success, 1 on a failed check (with a clear message), 2 on bad usage.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { call, check, loadSdk, runJob, textOf } from './job.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const [mode, ...rest] = process.argv.slice(2);
const opts = {
  url: null, apiUrl: null, account: 'admin', calls: 500, concurrency: 32, requestLog: null,
  midwayAfter: 100, midwayCmd: null, signalCmd: null, timeoutMs: 120000,
  sdkDir: path.resolve(here, '..', '..', 'artifacts', 'e2e'),
};
function usage(msg) {
  console.error(`fleet: ${msg}`);
  console.error('usage: node fleet.mjs job|users|load|drain --url URL --api-url URL [options] (see the head of this file)');
  process.exit(2);
}
for (let i = 0; i < rest.length; i++) {
  const a = rest[i];
  const value = () => (i + 1 < rest.length ? rest[++i] : usage(`${a} needs a value`));
  const number = () => { const n = Number(value()); if (!Number.isInteger(n) || n <= 0) usage(`${a} needs a positive whole number`); return n; };
  switch (a) {
    case '--url': opts.url = value(); break;
    case '--api-url': opts.apiUrl = value(); break;
    case '--account': opts.account = value(); break;
    case '--calls': opts.calls = number(); break;
    case '--concurrency': opts.concurrency = number(); break;
    case '--request-log': opts.requestLog = value(); break;
    case '--midway-after': opts.midwayAfter = number(); break;
    case '--midway-cmd': opts.midwayCmd = value(); break;
    case '--signal-cmd': opts.signalCmd = value(); break;
    case '--again-url': opts.againUrl = value(); break;
    case '--timeout-ms': opts.timeoutMs = number(); break;
    case '--sdk-dir': opts.sdkDir = path.resolve(value()); break;
    default: usage(`unknown argument ${a}`);
  }
}
if (!['job', 'users', 'load', 'drain'].includes(mode)) usage(`unknown mode ${mode ?? '(none)'}`);
if (!opts.url || !opts.apiUrl) usage('--url and --api-url are required');
if (mode === 'users' && !opts.requestLog) usage('users needs --request-log');
if (mode === 'load' && !opts.midwayCmd) usage('load needs --midway-cmd');
if (mode === 'drain' && (!opts.signalCmd || !opts.againUrl)) usage('drain needs --signal-cmd and --again-url');

let Client, StreamableHTTPClientTransport, sdkVersion;
try {
  ({ Client, StreamableHTTPClientTransport, version: sdkVersion } = loadSdk(opts.sdkDir));
} catch (err) {
  usage(`cannot load @modelcontextprotocol/sdk from ${opts.sdkDir}: ${err.message}`);
}

const started = Date.now();
const watchdog = setTimeout(() => fail(`timed out after ${opts.timeoutMs} ms`), opts.timeoutMs);
watchdog.unref();
function fail(msg) {
  console.error(`fleet ${mode}: FAIL: ${msg}`);
  process.exit(1);
}
const say = (s) => console.log(`fleet ${mode}: ${s}`);

// ---- Raworc logins (stand-in accounts; the password of both is admin) -------------------------------------------
async function login(account) {
  const r = await fetch(`${opts.apiUrl}/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: account, pass: 'admin' }),
  });
  check(r.ok, `login of ${account} at the API answered HTTP ${r.status}`);
  return (await r.json()).token;
}

// ---- MCP clients -------------------------------------------------------------------------------------------------
async function connect(token, name, url = opts.url) {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(transport, { timeout: 20000 });
  return client;
}
// Runs `count` tasks with at most `width` in flight; task(i) gets its index.
async function pool(count, width, task) {
  let next = 0;
  const worker = async () => { while (next < count) { const i = next++; await task(i); } };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}

function runCommand(cmd) {
  const r = spawnSync('bash', ['-c', cmd], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 30000 });
  check(r.status === 0, `command failed (status ${r.status}): ${cmd}`);
}

// ---- modes -------------------------------------------------------------------------------------------------------
async function job() {
  const client = await connect(await login(opts.account), 'raworc-mcp-fleet-job');
  const server = client.getServerVersion();
  check(server?.name === 'raworc-mcp', `serverInfo.name is ${JSON.stringify(server?.name)}`);
  const { tools } = await client.listTools();
  say(`TypeScript SDK ${sdkVersion} over Streamable HTTP: ${server.name} ${server.version}, ${tools.length} tools`);
  const { summary } = await runJob(client, opts.account);
  await client.close();
  say(`OK: ${summary} (${Date.now() - started} ms)`);
}

async function users() {
  const accounts = ['admin', 'operator'];
  const clients = {};
  for (const account of accounts) clients[account] = await connect(await login(account), `raworc-mcp-fleet-${account}`);
  const marked = { admin: 0, operator: 0 };
  // Calls alternate between the two users; even-numbered ones of each user are whoami (the answer names the
  // account), odd-numbered ones ask for a space named after the caller and the call's number, which the API
  // does not have (404) but logs with the account that authenticated the request.
  await pool(opts.calls, opts.concurrency, async (i) => {
    const account = accounts[i % 2];
    const n = Math.floor(i / 2);
    if (n % 2 === 0) {
      const me = await call(clients[account], 'whoami');
      check(me.user === account, `call ${i}: whoami for ${account} answered ${JSON.stringify(me.user)}`);
    } else {
      const result = await clients[account].callTool({ name: 'get_space', arguments: { name: `${account}-${n}` } }, undefined, { timeout: 20000 });
      check(result.isError === true && /404|not found/i.test(textOf(result)), `call ${i}: get_space ${account}-${n} should be "not found": ${textOf(result).slice(0, 200)}`);
      marked[account]++;
    }
  });
  for (const c of Object.values(clients)) await c.close();

  const lines = readFileSync(opts.requestLog, 'utf8').split('\n');
  const seen = { admin: 0, operator: 0 };
  for (const line of lines) {
    const m = /^GET \/api\/v0\/spaces\/(admin|operator)-(\d+) (\d+) account=(\S+)$/.exec(line);
    if (!m) continue;
    check(m[4] === m[1], `the API call for ${m[1]}-${m[2]} was authenticated as ${m[4]}: ${line}`);
    seen[m[1]]++;
  }
  for (const account of accounts) {
    check(seen[account] === marked[account], `the request log holds ${seen[account]} marked calls of ${account}, expected ${marked[account]}`);
  }
  say(`OK: ${opts.calls} calls (${opts.concurrency} in flight, 2 users interleaved); every whoami named its caller; ` +
    `request log: ${seen.admin} marked calls as admin, ${seen.operator} as operator, none crossed (${Date.now() - started} ms)`);
}

async function load() {
  const client = await connect(await login(opts.account), 'raworc-mcp-fleet-load');
  const calls = [];
  let answered = 0;
  let midwayAt = null;
  let midway = null;
  await pool(opts.calls, opts.concurrency, async () => {
    const entry = { start: Date.now(), ok: false, error: null };
    calls.push(entry);
    try {
      const result = await client.callTool({ name: 'whoami', arguments: {} }, undefined, { timeout: 20000 });
      entry.ok = !result.isError && JSON.parse(textOf(result)).user === opts.account;
      if (!entry.ok) entry.error = textOf(result).slice(0, 200);
    } catch (e) {
      entry.error = e?.message ?? String(e);
    }
    answered++;
    // The command runs once, synchronously, so no call starts while it runs; its end is the reference time.
    if (answered === opts.midwayAfter && !midway) {
      midway = true;
      runCommand(opts.midwayCmd);
      midwayAt = Date.now();
    }
  });
  await client.close().catch(() => {});
  check(midwayAt !== null, 'the midway command never ran');
  const after = calls.filter((c) => c.start >= midwayAt);
  const before = calls.filter((c) => c.start < midwayAt);
  const failedAfter = after.filter((c) => !c.ok);
  const failedBefore = before.filter((c) => !c.ok);
  check(after.length > 0, 'no call started after the midway command');
  check(failedAfter.length === 0, `${failedAfter.length} of ${after.length} calls started after the midway command failed; first: ${failedAfter[0]?.error}`);
  say(`OK: ${calls.length} calls; ${after.length} started after the midway command, all succeeded; ` +
    `${failedBefore.length} of the ${before.length} earlier ones failed (in flight at that moment) (${Date.now() - started} ms)`);
}

async function drain() {
  const token = await login(opts.account);
  const client = await connect(token, 'raworc-mcp-fleet-drain');
  const build = await call(client, 'create_build', {});
  const t0 = Date.now();
  const waiting = call(client, 'wait_for_build', { build_id: build.build_id, timeout_seconds: 50 }, 60000);
  // Let the request reach the server and start polling before the signal.
  await new Promise((r) => setTimeout(r, 500));
  const signalledAt = Date.now();
  runCommand(opts.signalCmd);
  const first = await waiting;
  const answeredAfter = Date.now() - signalledAt;
  check(first.status === 'completed' || (first.still_waiting === true && /shutting down/.test(first.note ?? '')),
    `wait_for_build answered ${JSON.stringify(first).slice(0, 300)}, not still_waiting with a shutdown note`);
  check(answeredAfter <= 10000, `wait_for_build answered ${answeredAfter} ms after SIGTERM, more than 10 s`);
  let built = first;
  if (first.status !== 'completed') {
    const again = await connect(token, 'raworc-mcp-fleet-drain-again', opts.againUrl);
    built = await call(again, 'wait_for_build', { build_id: build.build_id, timeout_seconds: 50 }, 60000);
  }
  check(built.status === 'completed', `wait_for_build ended with ${JSON.stringify(built.status)}`);
  say(`OK: wait_for_build in flight when the replica got SIGTERM (${signalledAt - t0} ms in) answered ` +
    `${first.status === 'completed' ? 'the completed build' : 'still_waiting'} ${answeredAfter} ms after the signal; ` +
    `called again through the balancer, it ended with the completed build after ${Date.now() - t0} ms`);
}

try {
  await { job, users, load, drain }[mode]();
  process.exit(0);
} catch (e) {
  fail(e?.message ?? String(e));
}
