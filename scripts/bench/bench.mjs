// Benchmark harness for raworc-mcp and two peer MCP servers (run by scripts/bench.sh, which installs things).
// Speaks raw newline-delimited JSON-RPC over each server's stdio, and Streamable HTTP to each server's HTTP mode
// (./http.mjs); Node built-ins only.
//
//   node scripts/bench/bench.mjs --binary artifacts/bin/raworc-mcp [--npm-project DIR] [--azure-dir DIR]
//        [--everything-dir DIR] [--nginx PATH] [--baseline-binary PATH --baseline-label TEXT] [--quick] [--out FILE]
//
// --nginx           measure the HTTP modes through nginx round robin over 3 replicas too (config: scripts/fleet/nginx.sh)
// --baseline-binary a raworc-mcp of an earlier commit: its stdio initialize is measured in the same run, runs
//                   alternating with ours, for the "no slower than before" ratio
//
// Prints a Markdown report on stdout (and writes it to --out). Every wait is bounded; every child process is
// started in its own process group and the group is killed on exit, error or signal.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { measureHttp } from './http.mjs';

// ---------------------------------------------------------------- options
const argv = process.argv.slice(2);
const opt = { quick: false };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const next = () => { if (i + 1 >= argv.length) die(`${a} needs a value`); return argv[++i]; };
  if (a === '--binary') opt.binary = path.resolve(next());
  else if (a === '--npm-project') opt.npmProject = path.resolve(next());
  else if (a === '--azure-dir') opt.azureDir = path.resolve(next());
  else if (a === '--everything-dir') opt.everythingDir = path.resolve(next());
  else if (a === '--out') opt.out = path.resolve(next());
  else if (a === '--note') (opt.notes ??= []).push(next());
  else if (a === '--nginx') opt.nginx = path.resolve(next());
  else if (a === '--baseline-binary') opt.baselineBinary = path.resolve(next());
  else if (a === '--baseline-label') opt.baselineLabel = next();
  else if (a === '--quick') opt.quick = true;
  else die(`unknown argument ${a}`);
}
if (!opt.binary) die('--binary is required');

const P = opt.quick
  ? { initRuns: 5, seqCalls: 1000, tputCalls: 500 }
  : { initRuns: 20, seqCalls: 2000, tputCalls: 5000 };
P.warmupInit = 1;       // initialize runs discarded before the measured ones (page cache, first exec)
P.warmupCalls = 50;     // tool calls (and direct GETs) discarded before the latency samples
P.rssAfter = 1000;      // VmHWM is read once this many tool calls have been answered
P.inflight = 64;
P.phaseCapMs = 120_000; // a latency or throughput phase stops early (and says so) after this long
P.initTimeoutMs = 60_000;
P.callTimeoutMs = 30_000;
// HTTP modes: start-up runs, then `calls` tools/call from `clients` concurrent clients (one replica, then nginx).
const H = opt.quick
  ? { startRuns: 3, clients: 8, calls: 300 }
  : { startRuns: 10, clients: 16, calls: 2000 };
H.timeoutMs = P.callTimeoutMs;
H.capMs = P.phaseCapMs;
H.startLimitMs = P.initTimeoutMs;

function die(msg) { process.stderr.write(`bench.mjs: ${msg}\n`); process.exit(2); }
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

// ---------------------------------------------------------------- child process bookkeeping
const live = new Set();
function killGroup(child) {
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
  try { child.kill('SIGKILL'); } catch { /* already gone */ }
}
function killAll() { for (const c of live) killGroup(c); live.clear(); }
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { killAll(); process.exit(128 + os.constants.signals[sig]); });
process.on('uncaughtException', (e) => { killAll(); process.stderr.write(`bench.mjs: ${e.stack || e}\n`); process.exit(1); });
process.on('unhandledRejection', (e) => { killAll(); process.stderr.write(`bench.mjs: ${e && e.stack || e}\n`); process.exit(1); });

const INIT_PARAMS = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raworc-bench', version: '1.0.0' } };

/** One server process, driven over newline-delimited JSON-RPC. */
class Session {
  constructor(spec, env) {
    this.spec = spec;
    this.t0 = performance.now();
    this.child = spawn(spec.cmd, spec.args, {
      cwd: spec.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true,
    });
    live.add(this.child);
    this.pending = new Map();
    this.nextId = 1;
    this.buf = '';
    this.stderrTail = '';
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => {
      live.delete(this.child);
      this.exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
      for (const [, p] of this.pending) { clearTimeout(p.timer); p.reject(new Error(`server ended (${this.exitInfo}) before answering ${p.method}; stderr: ${this.stderrTail.trim().slice(-400)}`)); }
      this.pending.clear();
      resolve();
    }));
    this.child.once('error', (e) => { this.spawnError = e; });
    this.child.stdin.on('error', () => { /* EPIPE when the server is gone: reported via exit */ });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d) => { this.stderrTail = (this.stderrTail + d).slice(-4000); });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (d) => this.onData(d));
  }
  onData(chunk) {
    const now = performance.now();
    this.buf += chunk;
    let nl;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      if (!line.trim()) continue;
      let msg;
      try { msg = JSON.parse(line); } catch { continue; } // not JSON-RPC: ignore (counted as noise)
      if (msg.id === undefined || msg.id === null || !('result' in msg || 'error' in msg)) continue; // notifications, server requests
      const p = this.pending.get(msg.id);
      if (!p) continue;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      p.resolve({ msg, line: p.keepLine ? line : undefined, at: now });
    }
  }
  request(method, params, { timeoutMs = P.callTimeoutMs, keepLine = false } = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.pending.delete(id); reject(new Error(`${method} timed out after ${timeoutMs} ms`)); }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, method, keepLine });
      this.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    });
  }
  notify(method, params) { this.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method, ...(params ? { params } : {}) }) + '\n'); }
  async initialize() {
    const r = await this.request('initialize', INIT_PARAMS, { timeoutMs: P.initTimeoutMs });
    if (r.msg.error) throw new Error(`initialize failed: ${JSON.stringify(r.msg.error)}`);
    this.notify('notifications/initialized');
    return { ms: r.at - this.t0, result: r.msg.result };
  }
  async close() {
    if (!live.has(this.child)) return;
    try { this.child.stdin.end(); } catch { /* ignore */ }
    const gone = await Promise.race([this.exited.then(() => true), sleep(3000).then(() => false)]);
    killGroup(this.child); // also any grandchild a launcher left behind
    if (!gone) await Promise.race([this.exited, sleep(2000)]);
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms).unref());

// ---------------------------------------------------------------- statistics and formatting
function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, min: s[0], max: s[s.length - 1], p10: quantile(s, 0.1), p50: quantile(s, 0.5), p90: quantile(s, 0.9), p99: quantile(s, 0.99) };
}
const fmt = (v, d = 1) => (v === undefined || v === null || Number.isNaN(v)) ? 'n/a' : v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const fmtInt = (v) => fmt(v, 0);
const MB = (bytes) => bytes / (1024 * 1024);

// ---------------------------------------------------------------- the API stub and the direct GET
const STUB_BODIES = { '/api/v0/version': '{"version":"0.3.0","api":"v0"}', '/api/v0/spaces': '[]' };
async function startStub() {
  const server = http.createServer((req, res) => {
    const body = req.method === 'GET' ? STUB_BODIES[req.url] : undefined;
    if (body === undefined) { res.writeHead(404, { 'content-type': 'application/json' }); res.end('{"error":{"code":"NOT_FOUND","message":"not found"}}'); return; }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 120_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
function directGet(agent, port, urlPath) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent, headers: { accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${urlPath}: HTTP ${res.statusCode}`))));
    });
    req.setTimeout(P.callTimeoutMs, () => req.destroy(new Error(`GET ${urlPath} timed out`)));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------- measurements
function vmStatus(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => { const m = s.match(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm')); return m ? Number(m[1]) * 1024 : NaN; };
    return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
  } catch { return { hwm: NaN, rss: NaN }; }
}

/** Initialize times of each spec; with several specs, their runs alternate so that drift affects them alike. */
async function measureInitialize(spec, env, runs, ...others) {
  const specs = [spec, ...others];
  const times = specs.map(() => []);
  for (let i = 0; i < P.warmupInit + runs; i++) {
    for (const [k, sp] of specs.entries()) {
      const s = new Session(sp, env);
      try {
        const { ms } = await s.initialize();
        if (i >= P.warmupInit) times[k].push(ms);
      } finally { await s.close(); }
    }
  }
  return others.length ? times.map(stats) : stats(times[0]);
}

function callText(msg) {
  const c = msg.result && msg.result.content;
  return Array.isArray(c) ? c.map((x) => x.text ?? '').join('') : '';
}
function callFailed(msg) { return !!(msg.error || (msg.result && msg.result.isError)); }

async function listTools(session) {
  const tools = []; let cursor; let wireBytes = 0; let pages = 0; const results = [];
  do {
    const r = await session.request('tools/list', cursor ? { cursor } : {}, { keepLine: true });
    if (r.msg.error) throw new Error(`tools/list failed: ${JSON.stringify(r.msg.error)}`);
    wireBytes += Buffer.byteLength(r.line);
    results.push(r.msg.result);
    tools.push(...r.msg.result.tools);
    cursor = r.msg.result.nextCursor;
    pages++;
  } while (cursor && pages < 50);
  // Size = the result object(s) as compact JSON (what a client re-serializes for the model), independent of
  // each server's escaping choices on the wire.
  const json = results.map((r) => JSON.stringify(r)).join('');
  return { count: tools.length, chars: json.length, bytes: Buffer.byteLength(json), tokens: Math.round(Buffer.byteLength(json) / 4), wireBytes, names: tools.map((t) => t.name) };
}

/** The long session: tools/list, sequential latency (+ direct GET), RSS after 1,000 calls, 64-in-flight throughput. */
async function measureSession(subject, env, stubPort) {
  const out = { notes: [] };
  const s = new Session(subject.direct, env);
  try {
    await s.initialize();
    out.list = await listTools(s);
    const pid = s.child.pid;
    out.rssStart = vmStatus(pid);
    const call = subject.call;
    if (!call) { out.notes.push(subject.callSkipReason); }
    let calls = 0, errors = 0, firstError;
    const one = async () => {
      const r = await s.request('tools/call', call);
      calls++;
      if (callFailed(r.msg)) { errors++; firstError ??= JSON.stringify(r.msg.error || callText(r.msg)).slice(0, 300); }
      if (calls === P.rssAfter) out.rss1000 = vmStatus(pid);
      return r;
    };
    if (call) {
      // Check the call works before timing anything.
      const first = await one();
      if (callFailed(first.msg)) throw new Error(`${call.name} failed: ${firstError}`);
      if (subject.expect && !callText(first.msg).includes(subject.expect)) throw new Error(`${call.name} answered ${callText(first.msg).slice(0, 200)}`);

      const agent = subject.directGet ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : null;
      for (let i = 1; i < P.warmupCalls; i++) { await one(); if (agent) await directGet(agent, stubPort, subject.directGet); }
      const lat = [], get = [];
      const tStart = performance.now();
      for (let i = 0; i < P.seqCalls; i++) {
        let t = performance.now();
        await one();
        lat.push(performance.now() - t);
        if (agent) {
          t = performance.now();
          await directGet(agent, stubPort, subject.directGet);
          get.push(performance.now() - t);
        }
        if (performance.now() - tStart > P.phaseCapMs) { out.notes.push(`sequential phase stopped at the ${P.phaseCapMs / 1000} s cap after ${lat.length} calls`); break; }
      }
      if (agent) agent.destroy();
      out.lat = stats(lat);
      if (get.length) out.get = stats(get);
      // Top up to 1,000 calls for the RSS reading if the sequential phase was shorter.
      while (calls < P.rssAfter) await one();

      // JSON-RPC ping: the transport alone (stdio, framing, dispatch), comparable across servers.
      const pings = [];
      for (let i = 0; i < P.warmupCalls + P.seqCalls; i++) {
        const t = performance.now();
        const r = await s.request('ping', {});
        if (r.msg.error) { out.notes.push(`ping: ${JSON.stringify(r.msg.error)}`); break; }
        if (i >= P.warmupCalls) pings.push(performance.now() - t);
      }
      if (pings.length) out.ping = stats(pings);

      // Throughput: keep 64 requests outstanding until tputCalls have been answered.
      out.tput = await new Promise((resolve, reject) => {
        let sent = 0, done = 0, stopped = false;
        const t0 = performance.now();
        const finish = () => resolve({ calls: done, ms: performance.now() - t0, perSec: done / ((performance.now() - t0) / 1000), capped: stopped });
        const send = () => {
          sent++;
          one().then(() => {
            done++;
            if (!stopped && performance.now() - t0 > P.phaseCapMs) stopped = true;
            if (sent < P.tputCalls && !stopped) send();
            else if (done === sent) finish();
          }, reject);
        };
        for (let k = 0; k < Math.min(P.inflight, P.tputCalls); k++) send();
      });
      if (out.tput.capped) out.notes.push(`throughput phase stopped at the ${P.phaseCapMs / 1000} s cap after ${out.tput.calls} calls`);
      out.calls = calls;
      out.errors = errors;
      if (errors) out.notes.push(`${errors} of ${calls} calls returned an error (first: ${firstError})`);
    }
    out.rssEnd = vmStatus(pid);
  } finally { await s.close(); }
  return out;
}

function diskBytes(p) {
  let total = 0;
  const walk = (q) => {
    const st = fs.lstatSync(q);
    if (st.isDirectory()) for (const e of fs.readdirSync(q)) walk(path.join(q, e));
    else total += st.size;
  };
  try { walk(p); } catch { return NaN; }
  return total;
}

// ---------------------------------------------------------------- subjects
const tStart = performance.now();
const loadAtStart = os.loadavg()[0];
const stub = await startStub();
const stubPort = stub.address().port;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'raworc-bench-home-'));
process.on('exit', () => { try { fs.rmSync(home, { recursive: true, force: true }); } catch { /* ignore */ } });

const baseEnv = { ...process.env, HOME: home };
for (const k of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY']) delete baseEnv[k];
baseEnv.NO_PROXY = baseEnv.no_proxy = '127.0.0.1,localhost';

const ourVersion = (spawnSync(opt.binary, ['--version'], { encoding: 'utf8', timeout: 30_000 }).stdout || '').trim().replace(/^raworc-mcp\s*/, '') || '?';
const ourHelp = spawnSync(opt.binary, ['--help'], { encoding: 'utf8', timeout: 30_000 }).stdout || '';
// A bearer shaped like a Raworc token (an HS256 JWT): the HTTP mode refuses anything that could not be one.
const b64url = (text) => Buffer.from(text).toString('base64url');
const benchToken = `${b64url('{"typ":"JWT","alg":"HS256"}')}.${b64url('{"sub":"bench","exp":4102444800}')}.${b64url('bench-signature')}`;
const subjects = [];
subjects.push({
  key: 'ours', label: `raworc-mcp ${ourVersion}`,
  direct: { cmd: opt.binary, args: [] },
  launcher: opt.npmProject ? { cmd: path.join(opt.npmProject, 'node_modules', '.bin', 'raworc-mcp'), args: [] } : null,
  npx: opt.npmProject ? { cmd: 'npx', args: ['--offline', 'raworc-mcp'], cwd: opt.npmProject } : null,
  env: { ...baseEnv, RAWORC_API_URL: `http://127.0.0.1:${stubPort}/api/v0`, RAWORC_AUTH_TOKEN: 'bench-token', LOG_LEVEL: 'off' },
  call: { name: 'get_version', arguments: {} }, expect: '0.3.0', directGet: '/api/v0/version',
  // Every request carries a bearer token (the stub accepts any); no rate limit and no cap on requests in flight,
  // which would throttle one caller.
  http: /(^|\s)raworc-mcp http\b/m.test(ourHelp) ? {
    cmd: opt.binary, args: (port) => ['http', '--port', String(port), '--rate-limit', '0', '--requests-per-caller', '100000'], env: () => ({}),
    path: '/mcp', token: benchToken, started: 'raworc-mcp http --rate-limit 0 --requests-per-caller 100000',
  } : null,
  callDesc: '`get_version` → GET /api/v0/version on the harness\'s stub',
  exeBytes: fs.statSync(opt.binary).size, exeDesc: 'Native AOT binary',
  footprint: opt.npmProject ? diskBytes(path.join(opt.npmProject, 'node_modules')) : NaN,
});
function pkgVersion(dir, name) { try { return JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')).version; } catch { return null; } }
if (opt.azureDir) {
  const v = pkgVersion(opt.azureDir, '@azure/mcp');
  const plat = `@azure/mcp-${process.platform}-${process.arch}`;
  const exe = path.join(opt.azureDir, 'node_modules', plat, 'dist', process.platform === 'win32' ? 'azmcp.exe' : 'azmcp');
  if (v && fs.existsSync(exe)) subjects.push({
    key: 'azure', label: `@azure/mcp ${v}`,
    direct: { cmd: exe, args: ['server', 'start'] },
    launcher: { cmd: path.join(opt.azureDir, 'node_modules', '.bin', 'azmcp'), args: ['server', 'start'] },
    npx: { cmd: 'npx', args: ['--offline', 'azmcp', 'server', 'start'], cwd: opt.azureDir },
    env: { ...baseEnv, AZURE_MCP_COLLECT_TELEMETRY: 'false' },
    // Its stateful Streamable HTTP mode, without its own incoming auth; per-request logs at Warning like ours.
    http: {
      cmd: exe, args: () => ['server', 'start', '--transport', 'http', '--dangerously-disable-http-incoming-auth'],
      env: (port) => ({ ASPNETCORE_URLS: `http://127.0.0.1:${port}`, Logging__LogLevel__Default: 'Warning' }),
      path: '/', started: 'azmcp server start --transport http --dangerously-disable-http-incoming-auth (ASPNETCORE_URLS)',
    },
    // Every Azure-backed tool needs Azure credentials; this one returns built-in guidance text without any network call.
    call: { name: 'azureterraformbestpractices', arguments: { intent: 'terraform best practices', command: 'azureterraformbestpractices_get', parameters: {} } },
    expect: 'azurerm',
    callDesc: '`azureterraformbestpractices` (command `azureterraformbestpractices_get`): built-in text, no network — every Azure-backed tool needs Azure credentials',
    exeBytes: fs.statSync(exe).size, exeDesc: `trimmed self-contained .NET single-file (${plat})`,
    footprint: diskBytes(path.join(opt.azureDir, 'node_modules')),
  });
  else log(`@azure/mcp not found under ${opt.azureDir}: skipped`);
}
if (opt.everythingDir) {
  const name = '@modelcontextprotocol/server-everything';
  const v = pkgVersion(opt.everythingDir, name);
  const entry = path.join(opt.everythingDir, 'node_modules', name, 'dist', 'index.js');
  if (v && fs.existsSync(entry)) subjects.push({
    key: 'everything', label: `server-everything ${v}`,
    direct: { cmd: process.execPath, args: [entry, 'stdio'] },
    launcher: { cmd: path.join(opt.everythingDir, 'node_modules', '.bin', 'mcp-server-everything'), args: ['stdio'] },
    npx: { cmd: 'npx', args: ['--offline', 'mcp-server-everything', 'stdio'], cwd: opt.everythingDir },
    env: { ...baseEnv },
    // Its stateful Streamable HTTP mode (listens on every interface: it has no host setting).
    http: {
      cmd: process.execPath, args: () => [entry, 'streamableHttp'], env: (port) => ({ PORT: String(port) }),
      path: '/mcp', started: 'node dist/index.js streamableHttp (PORT)',
    },
    call: { name: 'echo', arguments: { message: 'hello' } }, expect: 'hello',
    callDesc: '`echo` {"message":"hello"} (no I/O)',
    exeBytes: NaN, exeDesc: `JavaScript on Node ${process.version}`,
    footprint: diskBytes(path.join(opt.everythingDir, 'node_modules')),
  });
  else log(`${name} not found under ${opt.everythingDir}: skipped`);
}

// ---------------------------------------------------------------- run
const R = {};
for (const sub of subjects) {
  const r = (R[sub.key] = { notes: [] });
  const attempt = async (what, fn) => {
    try { return await fn(); } catch (e) { r.notes.push(`${what}: ${e.message}`); log(`${sub.label}: ${what} failed: ${e.message}`); return null; }
  };
  log(`${sub.label}: initialize ×${P.initRuns} (binary)`);
  if (sub.key === 'ours' && opt.baselineBinary) {
    log(`${sub.label}: ... alternating with ${opt.baselineLabel || opt.baselineBinary}`);
    const both = await attempt('initialize (direct, with the baseline)', () =>
      measureInitialize(sub.direct, sub.env, P.initRuns, { cmd: opt.baselineBinary, args: [] }));
    if (both) [r.initDirect, r.initBaseline] = both;
  } else {
    r.initDirect = await attempt('initialize (direct)', () => measureInitialize(sub.direct, sub.env, P.initRuns));
  }
  if (sub.launcher) {
    log(`${sub.label}: initialize ×${P.initRuns} (npm launcher)`);
    r.initLauncher = await attempt('initialize (npm launcher)', () => measureInitialize(sub.launcher, sub.env, P.initRuns));
    log(`${sub.label}: initialize ×${P.initRuns} (npx --offline)`);
    r.initNpx = await attempt('initialize (npx)', () => measureInitialize(sub.npx, sub.env, P.initRuns));
  }
  log(`${sub.label}: tools/list, ${P.seqCalls} sequential calls, ${P.tputCalls} calls at ${P.inflight} in flight`);
  r.session = await attempt('session', () => measureSession(sub, sub.env, stubPort));
  if (r.session) r.notes.push(...r.session.notes);
  if (sub.http) {
    log(`${sub.label}: HTTP mode, start-up ×${H.startRuns}`);
    const spec = { ...sub.http, call: sub.call, expect: sub.expect };
    r.http = await attempt('HTTP mode', () => measureHttp(spec, sub.env, H, {
      nginx: opt.nginx, nginxScript: path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fleet', 'nginx.sh'),
      live, log, label: sub.label,
    }));
    if (r.http) r.notes.push(...r.http.notes);
  }
}

// Tool surfaces of our server: default plus the filtering flags the binary advertises in --help.
const has = (flag) => new RegExp(`(^|\\s)${flag.replace(/[-]/g, '\\-')}(\\s|=|,|$)`, 'm').test(ourHelp);
let toolset = process.env.BENCH_TOOLSET || '';
if (!toolset) {
  try {
    const m = JSON.parse(spawnSync(opt.binary, ['--manifest'], { encoding: 'utf8', timeout: 30_000 }).stdout);
    const sets = [...new Set(m.tools.map((t) => t.toolset).filter(Boolean))];
    toolset = sets.includes('sessions') && sets.includes('messages') ? 'sessions,messages' : (sets[0] || 'spaces');
  } catch { toolset = 'sessions,messages'; }
}
const modes = [
  { label: 'default', flag: null, args: [] },
  { label: 'read-only', flag: '--read-only', args: ['--read-only'] },
  { label: 'allow destructive', flag: '--allow-destructive', args: ['--allow-destructive'] },
  { label: `toolsets=${toolset}`, flag: '--toolsets', args: ['--toolsets', toolset] },
];
const ours = subjects[0];
for (const m of modes) {
  if (m.flag && !has(m.flag)) { m.skip = `the binary has no ${m.flag} (not in --help)`; continue; }
  if (!m.flag && R.ours.session) { m.list = R.ours.session.list; continue; }
  const s = new Session({ ...ours.direct, args: m.args }, ours.env);
  try { await s.initialize(); m.list = await listTools(s); } catch (e) { m.skip = `failed: ${e.message.slice(0, 300)}`; } finally { await s.close(); }
}
stub.close();

// Hostile responses: each shape is served by its own stub route to a fresh server process, so that its peak RSS
// (VmHWM) is that shape's alone. The stub counts the API calls each shape causes.
const SESSION_ID = '6f3c2a9e-8d1b-4c55-9a0e-2b7d4f1e0c11';
const T0 = '2025-08-30T18:00:00+00:00';
const space = (description) => `{"name":"big","description":"${description}","settings":{},"active":true,"created_at":"${T0}","updated_at":"${T0}","created_by":"admin"}`;
// 20 pages of 200 messages of 25 KB (5 MB a page), served as asked: limit and offset are honoured.
const TRANSCRIPT_MESSAGES = 20 * 200;
const transcriptMessage = (i) => `{"id":"m${i}","session_id":"${SESSION_ID}","role":"agent","content":"${'w'.repeat(25 * 1024)}","created_at":"${T0}"}`;
function transcriptPage(url) {
  const q = new URL(url, 'http://stub').searchParams;
  const offset = Number(q.get('offset') || 0), limit = Number(q.get('limit') || 100);
  const count = Math.max(0, Math.min(limit, TRANSCRIPT_MESSAGES - offset));
  return Buffer.from('[' + Array.from({ length: count }, (_, i) => transcriptMessage(offset + i)).join(',') + ']');
}
const HOSTILE = [
  { label: '31 MB JSON string (get_space)', body: () => Buffer.from(space('x'.repeat(31 * 1024 * 1024))), call: ['tools/call', { name: 'get_space', arguments: { name: 'big' } }] },
  { label: '15M escaped quotes, 30 MB (get_space)', body: () => Buffer.from(space('\\"'.repeat(15 * 1024 * 1024))), call: ['tools/call', { name: 'get_space', arguments: { name: 'big' } }] },
  { label: '30 MB whitespace body (list_spaces)', body: () => Buffer.from('[' + ' '.repeat(30 * 1024 * 1024) + ']'), call: ['tools/call', { name: 'list_spaces', arguments: {} }] },
  { label: 'gzip bomb, 64 MB in 64 KB (list_spaces)', gzip: true, body: () => zlib.gzipSync(Buffer.from('[' + ' '.repeat(64 * 1024 * 1024) + ']'), { level: 9 }), call: ['tools/call', { name: 'list_spaces', arguments: {} }] },
  { label: '1.9 MB JSON string, under the read limit (get_space)', body: () => Buffer.from(space('x'.repeat(1.9 * 1024 * 1024))), call: ['tools/call', { name: 'get_space', arguments: { name: 'big' } }] },
  { label: '0.95M escaped quotes, 1.9 MB, under the read limit (get_space)', body: () => Buffer.from(space('\\"'.repeat(0.95 * 1024 * 1024))), call: ['tools/call', { name: 'get_space', arguments: { name: 'big' } }] },
  { label: '8 calls at once, each 0.95M escaped quotes (get_space)', concurrent: 8, body: () => Buffer.from(space('\\"'.repeat(0.95 * 1024 * 1024))), call: ['tools/call', { name: 'get_space', arguments: { name: 'big' } }] },
  { label: 'transcript resource, 20 pages of 5 MB available', transcript: true, call: ['resources/read', { uri: `raworc://sessions/${SESSION_ID}/transcript` }] },
];
async function measureHostile() {
  const results = [];
  for (const shape of HOSTILE) {
    const body = shape.transcript ? null : shape.body();
    let calls = 0;
    const server = http.createServer((req, res) => {
      calls++;
      let payload = body;
      if (shape.transcript) {
        if (req.url.startsWith(`/api/v0/sessions/${SESSION_ID}/messages`)) payload = transcriptPage(req.url);
        else payload = Buffer.from(`{"id":"${SESSION_ID}","space":"default","state":"idle","created_at":"${T0}","updated_at":"${T0}"}`);
      }
      const headers = { 'content-type': 'application/json' };
      if (shape.gzip) headers['content-encoding'] = 'gzip';
      res.writeHead(200, headers);
      res.on('error', () => { /* the server may stop reading: that is the point */ });
      res.end(payload);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const env = { ...ours.env, RAWORC_API_URL: `http://127.0.0.1:${server.address().port}/api/v0`, RAWORC_TIMEOUT: '60' };
    const s = new Session(ours.direct, env);
    const r = { label: shape.label };
    try {
      await s.initialize();
      const t = performance.now();
      const answers = await Promise.all(Array.from({ length: shape.concurrent || 1 },
        () => s.request(shape.call[0], shape.call[1], { keepLine: true, timeoutMs: 120_000 })));
      const answer = answers[answers.length - 1];
      r.ms = Math.max(...answers.map((a) => a.at)) - t;
      r.lineBytes = Math.max(...answers.map((a) => Buffer.byteLength(a.line)));
      r.hwm = vmStatus(s.child.pid).hwm;
      r.calls = calls;
      const text = shape.call[0] === 'tools/call' ? callText(answer.msg) : (answer.msg.result?.contents?.[0]?.text ?? '');
      const code = (text.match(/\b(RESPONSE_TOO_LARGE|NETWORK_ERROR|TIMEOUT|INVALID_RESPONSE)\b/) || [])[0];
      r.outcome = answer.msg.error ? `JSON-RPC error ${answer.msg.error.code}`
        : callFailed(answer.msg) ? (code ? `error ${code}` : 'error')
        : text.includes('[raworc-mcp: cut here.') ? 'cut to the 256 KB budget' : 'whole';
    } catch (e) {
      r.outcome = `failed: ${e.message.slice(0, 200)}`;
    } finally {
      await s.close();
      server.closeAllConnections?.();
      server.close();
    }
    log(`hostile: ${shape.label}: ${r.outcome}, ${fmt(MB(r.hwm))} MB peak, ${fmtInt(r.ms)} ms`);
    results.push(r);
  }
  return results;
}
log('hostile responses: one fresh server per shape');
const hostile = await measureHostile();
const elapsedS = (performance.now() - tStart) / 1000;

// ---------------------------------------------------------------- report
const peers = subjects.slice(1);
const cols = ['Metric', ours.label, 'Target', 'Pass', ...peers.flatMap((p) => [p.label, `ours / ${p.key}`])];
const rows = [];
const pass = (ok) => (ok === undefined ? '' : ok ? 'pass' : '**FAIL**');
/** row(label, getter(key) -> number|undefined, fmt, target, check, ratio?) */
function row(label, get, f, target = '', check, ratio = true) {
  const v = (k) => { try { return get(k); } catch { return undefined; } };
  const ov = v('ours');
  const cells = [label, typeof ov === 'string' ? ov : f(ov), target, check && ov !== undefined && !Number.isNaN(ov) ? pass(check(ov)) : ''];
  for (const p of peers) {
    const pv = v(p.key);
    cells.push(typeof pv === 'string' ? pv : f(pv));
    cells.push(ratio && typeof ov === 'number' && typeof pv === 'number' && pv > 0 && !Number.isNaN(ov) ? `${fmt(ov / pv, 2)}×` : '—');
  }
  rows.push(cells);
}
const S = (k) => R[k];
const pair = (a, b, d = 1) => (a === undefined || b === undefined ? undefined : `${fmt(a, d)} / ${fmt(b, d)}`);
const initRows = (name, key, target, check) => {
  row(`initialize ${name}: median (ms)`, (k) => S(k)[key]?.p50, fmt, target, check);
  row(`initialize ${name}: p10 / p90 (ms)`, (k) => pair(S(k)[key]?.p10, S(k)[key]?.p90), fmt);
  row(`initialize ${name}: min / max (ms)`, (k) => pair(S(k)[key]?.min, S(k)[key]?.max), fmt);
};
initRows('— binary direct', 'initDirect', '≤ 30 ms', (v) => v <= 30);
if (R.ours.initBaseline) {
  const label = opt.baselineLabel || path.basename(opt.baselineBinary);
  row(`initialize — binary direct, ${label} (same run): median (ms)`, (k) => (k === 'ours' ? R.ours.initBaseline.p50 : 'n/a'), fmt, '', undefined, false);
  row(`initialize — binary direct: ours ÷ ${label}, medians`, (k) => (k === 'ours' ? `${fmt(R.ours.initDirect.p50 / R.ours.initBaseline.p50, 2)}×` : 'n/a'),
    fmt, '≤ 1.10×', undefined, false);
}
if (peers.length || ours.launcher) {
  initRows('— via npm launcher', 'initLauncher');
  initRows('— via `npx --offline`', 'initNpx');
}
row('peak RSS after initialize + tools/list (MB)', (k) => MB(S(k).session?.rssStart?.hwm), fmt);
row('peak RSS after 1,000 calls (MB)', (k) => MB(S(k).session?.rss1000?.hwm), fmt, '≤ 30 MB', (v) => v <= 30);
row('peak RSS at the end of the run (MB)', (k) => MB(S(k).session?.rssEnd?.hwm), fmt);
row('ping round trip p50 / p99 (ms)', (k) => pair(S(k).session?.ping?.p50, S(k).session?.ping?.p99, 3), fmt);
row('tools/call latency p50 (ms)', (k) => S(k).session?.lat?.p50, (v) => fmt(v, 3));
row('tools/call latency p99 (ms)', (k) => S(k).session?.lat?.p99, (v) => fmt(v, 3));
row('direct HTTP GET p50 / p99 (ms)', (k) => (k === 'ours' ? pair(S(k).session?.get?.p50, S(k).session?.get?.p99, 3) : 'n/a (no HTTP)'), fmt, '', undefined, false);
row('server overhead per call, p50 (ms)', (k) => (k === 'ours' ? S(k).session.lat.p50 - S(k).session.get.p50 : 'n/a (no HTTP)'), (v) => fmt(v, 3), '≤ 0.3 ms', (v) => v <= 0.3, false);
row(`throughput, ${P.inflight} in flight (calls/s)`, (k) => S(k).session?.tput?.perSec, fmtInt);
row('tools/list: tools (default)', (k) => S(k).session?.list?.count, fmtInt);
row('tools/list: size (chars)', (k) => S(k).session?.list?.chars, fmtInt, '≤ 18,000', (v) => v <= 18000);
row('tools/list: est. tokens (bytes/4)', (k) => S(k).session?.list?.tokens, fmtInt);
row('executable size (MB)', (k) => (k === 'everything' ? 'n/a (JS)' : MB(subjects.find((x) => x.key === k).exeBytes)), fmt, '≤ 25 MB', (v) => v <= 25);
row('npm install footprint, node_modules (MB)', (k) => MB(subjects.find((x) => x.key === k).footprint), fmt);

const cpu = os.cpus();
const lines = [];
const when = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace('T', ' ');
lines.push(`# raworc-mcp benchmark — ${when}${opt.quick ? ' (quick)' : ''}`, '');
lines.push(`Machine: ${cpu.length} × ${cpu[0]?.model?.trim() || 'cpu'}, ${fmt(os.totalmem() / 2 ** 30, 1)} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}; load average ${fmt(loadAtStart, 2)} at start, ${fmt(os.loadavg()[0], 2)} at end (1 min).`);
lines.push(`Runs: initialize ×${P.initRuns} per variant (after ${P.warmupInit} warm-up), ${fmtInt(P.seqCalls)} sequential calls (after ${P.warmupCalls} warm-up), ${fmtInt(P.tputCalls)} calls at ${P.inflight} in flight; took ${fmt(elapsedS, 0)} s.`, '');
lines.push(`| ${cols.join(' | ')} |`);
lines.push(`|${cols.map((c, i) => (i === 0 || c === 'Target' || c === 'Pass' ? '---' : '---:')).join('|')}|`);
for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
lines.push('');
lines.push(`Tool surfaces of ${ours.label} (\`tools/list\` result as compact JSON; tokens ≈ bytes/4):`, '');
lines.push('| Surface | Flags | Tools | Chars | Bytes | Est. tokens | Wire bytes | Target | Pass |', '|---|---|---:|---:|---:|---:|---:|---|---|');
for (const m of modes) {
  const flags = m.args.length ? `\`${m.args.join(' ')}\`` : '(none)';
  if (m.skip) { lines.push(`| ${m.label} | ${flags} | n/a: ${m.skip} | | | | | | |`); continue; }
  const l = m.list, t = m.flag ? '' : '≤ 18,000 chars';
  lines.push(`| ${m.label} | ${flags} | ${l.count} | ${fmtInt(l.chars)} | ${fmtInt(l.bytes)} | ${fmtInt(l.tokens)} | ${fmtInt(l.wireBytes)} | ${t} | ${m.flag ? '' : pass(l.chars <= 18000)} |`);
}
const httpSubs = subjects.filter((x) => R[x.key].http);
if (httpSubs.length) {
  const hc = ['Metric', ...httpSubs.map((x) => x.label)];
  const hv = (f) => httpSubs.map((x) => { try { return f(R[x.key].http) ?? 'n/a'; } catch { return 'n/a'; } });
  const range = (o) => `${fmt(o.p50)} (${fmt(o.min)}–${fmt(o.max)})`;
  const phase = (name, o) => [
    [`${name}: tools/call per second`, (h) => (h[o]?.failed ? `failed: ${h[o].failed.slice(0, 120)}` : fmtInt(h[o].perSec))],
    [`${name}: latency p50 / p99 (ms)`, (h) => (h[o].failed ? null : `${fmt(h[o].p50, 2)} / ${fmt(h[o].p99, 2)}`)],
    [`${name}: failed calls`, (h) => (h[o].failed ? null : `${h[o].errors} of ${h[o].calls}${h[o].firstError ? ` (first: ${h[o].firstError.slice(0, 120)})` : ''}`)],
    [`${name}: RSS per replica under load (MB)`, (h) => (h[o].failed ? null : h[o].rss.map((b) => fmt(MB(b))).join(' / '))],
  ];
  const hrows = [
    [`process start → first answered request, median (min–max) of ${H.startRuns} (ms)`, (h) => range(h.start)],
    ...phase('one replica', 'one'),
    ...(opt.nginx ? phase('nginx round robin over 3 replicas', 'lb') : []),
  ];
  lines.push('', `HTTP modes (Streamable HTTP; ${fmtInt(H.calls)} tools/call from ${H.clients} concurrent clients, each with its own keep-alive connection; the same tools as above):`, '');
  lines.push(`| ${hc.join(' | ')} |`, `|---|${httpSubs.map(() => '---:').join('|')}|`);
  for (const [label, f] of hrows) lines.push(`| ${label} | ${hv(f).join(' | ')} |`);
}
lines.push('', `Hostile API responses (one fresh ${ours.label} per shape; peak RSS is the process's VmHWM after answering):`, '');
lines.push('| Response shape | API calls | Time to answer (ms) | Peak RSS (MB) | Answer line (bytes) | Outcome | Target | Pass |', '|---|---:|---:|---:|---:|---|---|---|');
for (const h of hostile) {
  const mb = MB(h.hwm);
  lines.push(`| ${h.label} | ${h.calls ?? 'n/a'} | ${fmtInt(h.ms)} | ${fmt(mb)} | ${fmtInt(h.lineBytes)} | ${h.outcome} | ≤ 100 MB | ${Number.isNaN(mb) || mb === undefined ? '' : pass(mb <= 100)} |`);
}
lines.push('', 'Notes:', '');
for (const sub of subjects) {
  if (sub.http) lines.push(`- ${sub.label}, HTTP mode: started as \`${sub.http.started}\`, endpoint \`${sub.http.path}\`.`);
  lines.push(`- ${sub.label}: ${sub.exeDesc}; server started as \`${[path.basename(sub.direct.cmd), ...sub.direct.args.map((a) => (a.includes('/') ? path.basename(a) : a))].join(' ')}\`; measured call: ${sub.callDesc}.`);
  for (const n of R[sub.key].notes) lines.push(`  - ${n}`);
}
if (!peers.length) lines.push('- Peers not measured (--quick or --no-peers).');
if (!ours.launcher) lines.push('- npm launcher and npx not measured (--quick).');
if (httpSubs.length) lines.push('- HTTP: stateful servers (session id per client) cannot be balanced round robin without affinity: a session made on one replica is unknown to the next, which is what the "nginx" rows of such servers show. raworc-mcp\'s HTTP mode is stateless. RSS per replica is the highest VmRSS sampled every 50 ms during that phase.');
for (const n of opt.notes || []) lines.push(`- ${n}`);
lines.push('- Ratios are ours ÷ peer: below 1 means smaller or faster, except throughput (above 1 is better). Our tools/call does a real HTTP round trip to the stub; the peers\' measured tools do no I/O, so compare latency and throughput with that in mind (ping is the like-for-like transport figure).');
lines.push('- "server overhead" = tools/call p50 − direct GET p50: JSON-RPC over stdio, argument binding, the HTTP client and result formatting. The stub runs in the harness\'s own event loop.');
lines.push('- Peak RSS is VmHWM of the server process itself (not the launcher), from /proc/<pid>/status. Timings vary from run to run by roughly ±10–20 %.');
const md = lines.join('\n') + '\n';
if (opt.out) fs.writeFileSync(opt.out, md);
process.stdout.write(md);
killAll();
process.exit(0);
