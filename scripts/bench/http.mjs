// The HTTP part of the benchmark (imported by bench.mjs): MCP servers in their Streamable HTTP modes, measured by
// a client on node:http (keep-alive, one connection per simulated client) so that the client's own cost stays
// small. Figures: time from process start to the first answered request; tools/call requests/s and p50/p99 through
// one replica and through nginx round robin over three; RSS of each replica under that load.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const INIT = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raworc-bench-http', version: '1.0.0' } };

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** One MCP client over Streamable HTTP; a stateful server's session id is kept and sent back. */
class Client {
  constructor(port, urlPath, token, timeoutMs) {
    this.port = port; this.path = urlPath; this.token = token; this.timeoutMs = timeoutMs;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    this.session = null; this.nextId = 1; this.initialized = false;
  }
  post(message) {
    const body = JSON.stringify(message);
    const headers = {
      'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-length': Buffer.byteLength(body),
    };
    if (this.initialized) headers['mcp-protocol-version'] = INIT.protocolVersion;
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (this.session) headers['mcp-session-id'] = this.session;
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: this.port, path: this.path, method: 'POST', agent: this.agent, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
        res.on('error', reject);
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`POST ${this.path} timed out after ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
  /** Sends a request and returns its JSON-RPC response, from a JSON body or from the SSE stream's events. */
  async request(method, params) {
    const id = this.nextId++;
    const r = await this.post({ jsonrpc: '2.0', id, method, params });
    if (r.status !== 200) throw new Error(`${method}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
    if (r.headers['mcp-session-id']) this.session = r.headers['mcp-session-id'];
    const candidates = /text\/event-stream/.test(r.headers['content-type'] || '')
      ? r.text.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim())
      : [r.text];
    for (const c of candidates) {
      let msg;
      try { msg = JSON.parse(c); } catch { continue; }
      if (msg.id === id) {
        if (msg.error) throw new Error(`${method}: ${JSON.stringify(msg.error).slice(0, 200)}`);
        return msg.result;
      }
    }
    throw new Error(`${method}: no response with id ${id} in ${r.text.slice(0, 200)}`);
  }
  async initialize() {
    await this.request('initialize', INIT);
    this.initialized = true;
    const r = await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    if (r.status >= 300) throw new Error(`notifications/initialized: HTTP ${r.status}`);
  }
  close() { this.agent.destroy(); }
}

/** A server process in its own process group, killed with the group. */
export class Replica {
  constructor(spec, port, env, live) {
    this.port = port;
    this.stderrTail = '';
    this.t0 = performance.now();
    this.child = spawn(spec.cmd, spec.args(port), { env: { ...env, ...spec.env(port) }, stdio: ['ignore', 'ignore', 'pipe'], detached: true, cwd: spec.cwd });
    live.add(this.child);
    this.live = live;
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d) => { this.stderrTail = (this.stderrTail + d).slice(-2000); });
    this.exited = new Promise((resolve) => this.child.once('exit', () => { live.delete(this.child); resolve(); }));
  }
  get pid() { return this.child.pid; }
  rss() {
    try {
      const m = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
      return m ? Number(m[1]) * 1024 : NaN;
    } catch { return NaN; }
  }
  async stop() {
    try { process.kill(-this.pid, 'SIGKILL'); } catch { /* gone */ }
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 3000).unref())]);
  }
}

/** Polls with initialize until the server answers; returns ms since the process was spawned. */
async function firstAnswer(replica, urlPath, token, limitMs) {
  while (performance.now() - replica.t0 < limitMs) {
    const c = new Client(replica.port, urlPath, token, 2000);
    try {
      await c.request('initialize', INIT);
      return performance.now() - replica.t0;
    } catch { /* not listening yet */ } finally { c.close(); }
    if (replica.child.exitCode !== null) throw new Error(`exited before answering: ${replica.stderrTail.trim().slice(-300)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no answer within ${limitMs} ms: ${replica.stderrTail.trim().slice(-300)}`);
}

function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * `clients` clients, each initialized (a session on stateful servers), share `calls` tools/call requests, one at a
 * time per client. Calls that fail are counted, not retried. Samples each replica's RSS while the load runs.
 */
async function load(port, urlPath, token, call, expect, { clients, calls, timeoutMs, capMs }, replicas) {
  const peak = new Map(replicas.map((r) => [r, 0]));
  const sampler = setInterval(() => { for (const r of replicas) peak.set(r, Math.max(peak.get(r), r.rss() || 0)); }, 50);
  const pool = [];
  try {
    for (let i = 0; i < clients; i++) {
      const c = new Client(port, urlPath, token, timeoutMs);
      await c.initialize();
      pool.push(c);
    }
    const lat = [];
    let next = 0, errors = 0, firstError = null, capped = false;
    const t0 = performance.now();
    await Promise.all(pool.map(async (c) => {
      while (next < calls) {
        if (performance.now() - t0 > capMs) { capped = true; return; }
        next++;
        const t = performance.now();
        try {
          const result = await c.request('tools/call', call);
          const text = (result.content || []).map((x) => x.text || '').join('');
          if (result.isError || !text.includes(expect)) throw new Error(`tool answered ${text.slice(0, 150)}`);
          lat.push(performance.now() - t);
        } catch (e) {
          errors++;
          firstError ??= e.message;
        }
      }
    }));
    const ms = performance.now() - t0;
    lat.sort((a, b) => a - b);
    for (const r of replicas) peak.set(r, Math.max(peak.get(r), r.rss() || 0));
    return { calls: lat.length + errors, ok: lat.length, errors, firstError, capped, perSec: lat.length / (ms / 1000), p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), rss: replicas.map((r) => peak.get(r)) };
  } finally {
    clearInterval(sampler);
    for (const c of pool) c.close();
  }
}

function startNginx(nginx, nginxScript, ports, live) {
  return (async () => {
    const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR || '/tmp'), 'raworc-bench-nginx-'));
    const lbPort = await freePort();
    const gen = spawnSync('bash', [nginxScript, dir, String(lbPort), ...ports.map(String)], { encoding: 'utf8' });
    if (gen.status !== 0) throw new Error(`nginx.sh failed: ${gen.stderr}`);
    const child = spawn(nginx, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore', detached: true });
    live.add(child);
    const exited = new Promise((resolve) => child.once('exit', () => { live.delete(child); resolve(); }));
    for (let i = 0; i < 200; i++) {
      const up = await new Promise((resolve) => {
        const s = net.connect(lbPort, '127.0.0.1', () => { s.destroy(); resolve(true); });
        s.on('error', () => resolve(false));
      });
      if (up) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    return {
      port: lbPort,
      async stop() {
        try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000).unref())]);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  })();
}

/**
 * Measures one subject's HTTP mode. spec: { cmd, args(port), env(port), path, token?, call, expect }.
 * P: { startRuns, clients, calls, timeoutMs, capMs, startLimitMs }; nginx: path of nginx or null.
 */
export async function measureHttp(spec, env, P, { nginx, nginxScript, live, log, label }) {
  const out = { notes: [] };
  const starts = [];
  for (let i = 0; i < P.startRuns; i++) {
    const r = new Replica(spec, await freePort(), env, live);
    try { starts.push(await firstAnswer(r, spec.path, spec.token, P.startLimitMs)); } finally { await r.stop(); }
  }
  starts.sort((a, b) => a - b);
  out.start = { p50: quantile(starts, 0.5), min: starts[0], max: starts[starts.length - 1], n: starts.length };

  const replicas = [];
  try {
    log(`${label}: HTTP, ${P.calls} calls from ${P.clients} clients, one replica`);
    replicas.push(new Replica(spec, await freePort(), env, live));
    await firstAnswer(replicas[0], spec.path, spec.token, P.startLimitMs);
    out.one = await load(replicas[0].port, spec.path, spec.token, spec.call, spec.expect, P, replicas);
    if (!nginx) { out.notes.push('nginx not found: no figures through the balancer'); return out; }
    for (let i = 1; i < 3; i++) {
      replicas.push(new Replica(spec, await freePort(), env, live));
      await firstAnswer(replicas[i], spec.path, spec.token, P.startLimitMs);
    }
    log(`${label}: HTTP, ${P.calls} calls from ${P.clients} clients, nginx round robin over 3 replicas`);
    const lb = await startNginx(nginx, nginxScript, replicas.map((r) => r.port), live);
    try {
      out.lb = await load(lb.port, spec.path, spec.token, spec.call, spec.expect, P, replicas);
    } catch (e) {
      // A stateful server loses its session on the next replica, often already at initialize.
      out.lb = { failed: e.message };
    } finally { await lb.stop(); }
  } finally {
    for (const r of replicas) await r.stop();
  }
  return out;
}
