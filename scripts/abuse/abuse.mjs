#!/usr/bin/env node
// The bounded abuse run of `raworc-mcp http` (scripts/abuse.sh starts the processes and calls this). For about a
// minute, at once: callers with made-up tokens, and one legitimate user (user A), send the shapes that once crashed,
// hung or flooded a replica; a second user (user B) makes ordinary calls; probes ask /healthz and /readyz. Prints the
// figures and exits 1 when a bound is broken: the process died or stopped answering, peak RSS over --max-rss-mb,
// a probe or one of user B's calls failed, user B's p99 over 1 s, or made-up tokens reached the API more than
// --max-forwarded times. Uses Node's own fetch and net only (no packages).
//   node abuse.mjs --mcp URL --api URL --pid PID --request-log FILE [--seconds 60] [--out FILE.json] [--shapes LIST]
// --shapes runs only some shapes (comma-separated: bodies, completions, idleAndWaits, madeUpTokens, largeAnswers), to
// see what one of them costs; user B, the probes and the RSS samples always run.
import fs from 'node:fs';
import net from 'node:net';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const mcp = args.mcp, api = args.api, pid = Number(args.pid), requestLog = args['request-log'];
const seconds = Number(args.seconds ?? 60);
const maxRssMb = Number(args['max-rss-mb'] ?? 160); // with room under the pod's 256 MiB (268 MB)
const maxForwarded = Number(args['max-forwarded'] ?? 100);
if (!mcp || !api || !pid || !requestLog) { console.error('usage: abuse.mjs --mcp URL --api URL --pid PID --request-log FILE'); process.exit(2); }
const origin = new URL(mcp).origin;
const deadline = Date.now() + seconds * 1000;
const running = () => Date.now() < deadline;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const b64url = (text) => Buffer.from(text).toString('base64url');
const jwt = (claims) => `${b64url('{"typ":"JWT","alg":"HS256"}')}.${b64url(JSON.stringify(claims))}.${b64url(`sig-${Math.random()}`)}`;

// ---- the Raworc stand-in: two users, and a session with a page of ~875 KB of messages -------------------------------
async function apiCall(method, path, token, body) {
  const r = await fetch(`${api}/${path}`, {
    method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : null;
}
const login = async (user, pass) => (await apiCall('POST', 'auth/login', null, { user, pass })).token;
const admin = await login('admin', 'admin');
await apiCall('POST', 'service-accounts', admin, { user: 'second', pass: 'second-password' });
const userA = admin, userB = await login('second', 'second-password');
await apiCall('POST', 'spaces/default/secrets', admin, { key_name: 'ANTHROPIC_API_KEY', value: 'sk-abuse' });
await apiCall('POST', 'spaces/default/build', admin, {});
for (let i = 0; i < 100 && (await apiCall('GET', 'spaces/default/build/latest', admin)).status !== 'completed'; i++) await sleep(100);
const session = (await apiCall('POST', 'sessions', admin, { space: 'default' })).id;
const bigContent = 'x'.repeat(62_000);
for (let i = 0; i < 14; i++) await apiCall('POST', `sessions/${session}/messages`, admin, { role: 'agent', content: bigContent });

// ---- measuring ------------------------------------------------------------------------------------------------------
const figures = { rssPeakMb: 0, rssSamples: 0, probes: 0, probeFailures: 0, probeMaxMs: 0, outcomes: {} };
const count = (shape, outcome) => { const o = (figures.outcomes[shape] ??= {}); o[outcome] = (o[outcome] ?? 0) + 1; };
const rssMb = () => {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
};
const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
async function sampleRss() {
  while (running()) {
    try { figures.rssPeakMb = Math.max(figures.rssPeakMb, rssMb()); figures.rssSamples++; } catch { /* gone: reported below */ }
    await sleep(50);
  }
}
async function probe() {
  while (running()) {
    for (const path of ['/healthz', '/readyz']) {
      const started = performance.now();
      figures.probes++;
      try {
        const r = await fetch(origin + path, { signal: AbortSignal.timeout(2000) });
        await r.text();
        if (r.status !== 200) figures.probeFailures++;
      } catch { figures.probeFailures++; }
      figures.probeMaxMs = Math.max(figures.probeMaxMs, performance.now() - started);
    }
    await sleep(250);
  }
}

let nextId = 1;
async function post(body, token, { scheme = 'Bearer', timeoutMs = 60_000 } = {}) {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  if (token !== undefined) headers.authorization = `${scheme} ${token}`;
  const r = await fetch(mcp, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
  return { status: r.status, text: await r.text() };
}
const call = (name, args) => ({ jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: args } });
async function shape(name, fn) {
  try { count(name, String((await fn()).status)); } catch (e) { count(name, e.name === 'TimeoutError' ? 'timeout' : 'failed'); }
}

// ---- user B: ordinary calls, one after another, all the time --------------------------------------------------------
const latencies = [];
let userBFailures = 0;
async function ordinaryUser() {
  const calls = [call('whoami', {}), call('list_spaces', {}), call('get_version', {}), call('get_session', { session_id: session })];
  for (let i = 0; running(); i++) {
    const started = performance.now();
    try {
      const r = await post(calls[i % calls.length], userB, { timeoutMs: 10_000 });
      if (r.status !== 200 || r.text.includes('"isError":true')) { userBFailures++; if (userBFailures <= 3) console.error(`user B: HTTP ${r.status} ${r.text.slice(0, 300)}`); }
    } catch (e) { userBFailures++; if (userBFailures <= 3) console.error(`user B: ${e.message}`); }
    latencies.push(performance.now() - started);
    await sleep(50);
  }
}

// ---- the shapes -----------------------------------------------------------------------------------------------------
// 1. Bodies that once cost hundreds of MB: 4 MiB of small array elements, create_role rules [{"apiGroups":0},…], a
//    notification of many values; from made-up tokens and from user A.
const manyElements = (bytes) => '[' + '0,'.repeat(Math.floor(bytes / 2) - 1) + '0]';
const fourMiB = `{"jsonrpc":"2.0","method":"notifications/x","params":{"a":${manyElements(4 * 1024 * 1024)}}}`;
const roleRules = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_role","arguments":{"name":"r","rules":[${'{"apiGroups":0},'.repeat(60_000)}{"apiGroups":0}]}}}`;
const nearLimit = `{"jsonrpc":"2.0","method":"notifications/x","params":{"a":${manyElements(900 * 1024)}}}`;
const whoamiBody = (i) => `{"jsonrpc":"2.0","id":${i},"method":"tools/call","params":{"name":"whoami","arguments":{}}}${' '.repeat(3 * 1024 * 1024)}`;
async function bodies() {
  const bodiesOf = [[fourMiB, 'garbage-token'], [fourMiB, userA], [roleRules, userA], [nearLimit, userA], [whoamiBody(1), userA]];
  for (let i = 0; running(); i++) {
    await Promise.all([0, 1, 2, 3].map((k) => { const [b, t] = bodiesOf[(i * 4 + k) % bodiesOf.length]; return shape('1 large bodies', () => post(b, t)); }));
    await sleep(100);
  }
}

// 2. Completions with a space of 3.5 M characters, failing ones, and many distinct spaces.
async function completions() {
  const complete = (space, value = '') => ({ jsonrpc: '2.0', id: nextId++, method: 'completion/complete',
    params: { ref: { type: 'ref/prompt', name: 'diagnose_agent' }, argument: { name: 'agent', value }, context: { arguments: { space } } } });
  for (let i = 0; running() && i < 400; i++) {
    await shape('2 completions', () => post(complete('s'.repeat(3_500_000)), userA));
    await shape('2 completions', () => post(complete(`space-${i}-${'p'.repeat(900)}`), userA));
    await shape('2 completions', () => post(complete('x', 'v'.repeat(5000)), jwt({ sub: 'nobody', exp: 4102444800 })));
  }
}

// 4. Idle connections with no credentials, and waits from user A.
const sockets = [];
async function idleAndWaits() {
  const { port, hostname } = new URL(mcp);
  for (let i = 0; i < 300; i++) {
    const s = net.connect(Number(port), hostname);
    s.on('error', () => {});
    sockets.push(s);
  }
  count('4 idle connections', `${sockets.length} opened`);
  const waits = [];
  for (let i = 0; i < 40 && running(); i++) {
    waits.push(shape('4 waits', () => post(call('wait_for_session', { session_id: session, state: 'closed', timeout_seconds: 20 }), userA)));
    await sleep(100);
  }
  await Promise.all(waits);
}

// 5. 2,000 calls with made-up tokens, in every scheme spelling: not JWTs, expired JWTs, and one well-formed forged
//    JWT repeated (Raworc rejects it once, then it is refused here). Then 200 calls each with a new forged JWT, which
//    only Raworc can tell from a real one: they pass at the new-token rate of their address.
async function madeUpTokens() {
  const repeated = jwt({ sub: 'forger', exp: 4102444800 });
  const schemes = ['Bearer', 'bearer', 'BEARER', 'Bearer  '];
  const tokenOf = (i) => [() => `rsi_${i.toString(16).padStart(64, '0')}`, () => jwt({ sub: 'old', exp: 1_600_000_000 + i }), () => repeated][i % 3]();
  for (let start = 0; start < 2000 && running(); start += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, k) => start + k).map((i) =>
      shape('5 made-up tokens', () => post(call('whoami', {}), tokenOf(i), { scheme: schemes[i % schemes.length] }))));
  }
  for (let start = 0; start < 200 && running(); start += 20) {
    await Promise.all(Array.from({ length: 20 }, (_, k) => start + k).map((i) =>
      shape('5 new forged tokens', () => post(call('whoami', {}), jwt({ sub: `new-${i}`, exp: 4102444800 })))));
    await sleep(500);
  }
}

// 6. 100 concurrent get_messages of ~875 KB from user A, again and again.
async function largeAnswers() {
  while (running()) {
    await Promise.all(Array.from({ length: 100 }, () => shape('6 large answers', () => post(call('get_messages', { session_id: session, limit: 14 }), userA))));
    await sleep(200);
  }
}

const apiLinesBefore = fs.readFileSync(requestLog, 'utf8').split('\n').filter(Boolean).length;
const started = Date.now();
const shapes = { bodies, completions, idleAndWaits, madeUpTokens, largeAnswers };
const chosen = args.shapes ? args.shapes.split(',') : Object.keys(shapes);
for (const name of chosen) if (!shapes[name]) { console.error(`abuse: unknown shape '${name}' (known: ${Object.keys(shapes).join(', ')})`); process.exit(2); }
await Promise.all([sampleRss(), probe(), ordinaryUser(), ...chosen.map((name) => shapes[name]())]);
for (const s of sockets) s.destroy();
const elapsed = (Date.now() - started) / 1000;

// Made-up tokens that reached the API: calls the stand-in answered 401 (no account) during the run.
const apiLines = fs.readFileSync(requestLog, 'utf8').split('\n').filter(Boolean).slice(apiLinesBefore);
const forwarded = apiLines.filter((l) => / 401 account=-$/.test(l)).length; // user A and B are never rejected
latencies.sort((a, b) => a - b);
const pct = (p) => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : NaN;
const result = {
  seconds: Math.round(elapsed), alive: alive(), rssPeakMb: Math.round(figures.rssPeakMb), rssSamples: figures.rssSamples,
  probes: figures.probes, probeFailures: figures.probeFailures, probeMaxMs: Math.round(figures.probeMaxMs),
  userB: { calls: latencies.length, failures: userBFailures, p50Ms: Math.round(pct(0.5)), p99Ms: Math.round(pct(0.99)), maxMs: Math.round(latencies.at(-1) ?? NaN) },
  madeUpTokenCallsForwarded: forwarded, apiCalls: apiLines.length, outcomes: figures.outcomes,
};
if (args.out) fs.writeFileSync(args.out, JSON.stringify(result, null, 2) + '\n');

const checks = [
  ['process alive at the end', result.alive],
  [`peak RSS ${result.rssPeakMb} MB <= ${maxRssMb} MB (the pod's limit: 268 MB)`, result.rssPeakMb <= maxRssMb],
  [`probes: ${result.probes - result.probeFailures}/${result.probes} answered 200 within 2 s (slowest ${result.probeMaxMs} ms)`, result.probeFailures === 0],
  [`user B: ${result.userB.calls - userBFailures}/${result.userB.calls} calls succeeded`, userBFailures === 0 && result.userB.calls > 0],
  [`user B: p50 ${result.userB.p50Ms} ms, p99 ${result.userB.p99Ms} ms (< 1000 ms)`, result.userB.p99Ms < 1000],
  [`made-up tokens reached the API ${forwarded} times (<= ${maxForwarded})`, forwarded <= maxForwarded],
];
console.log(`abuse run: ${result.seconds} s against pid ${pid}`);
for (const [shapeName, outcomes] of Object.entries(result.outcomes))
  console.log(`  ${shapeName.padEnd(20)} ${Object.entries(outcomes).map(([k, v]) => `${k}: ${v}`).join(', ')}`);
let ok = true;
for (const [text, passed] of checks) { console.log(`  ${passed ? 'ok  ' : 'FAIL'} ${text}`); ok &&= passed; }
process.exit(ok ? 0 : 1);
