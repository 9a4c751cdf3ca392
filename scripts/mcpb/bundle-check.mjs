#!/usr/bin/env node
// Checks the Claude Desktop bundle the way Claude Desktop handles it, with the official tools only:
//   1. `mcpb validate` on the generated manifest (packaging/mcpb/manifest.json);
//   2. `mcpb pack` builds the bundle (scripts/pack-mcpb.sh), unless --bundle gives one; `mcpb info` reads it back;
//   3. `mcpb unpack`, then the mcpb package's own getMcpConfigForManifest (the code that turns the manifest and the
//      user's answers into a command and an environment) for a darwin and a win32 host and this machine: the command
//      runs the bundle's launcher, which finds a binary of that OS and CPU in the bundle, and the environment holds
//      exactly what the form gave;
//   4. with --api-url, on this machine: the resolved command is run with the official TypeScript SDK client, which
//      lists the tools and calls some against the API (the stand-in) with the token from the form; again with every
//      optional field left empty (the token then comes from a Raworc CLI login file); again after every file of the
//      bundle lost its executable bit.
// Prints one line per check and exits 1 if any failed (2 on bad usage).
//
//   node scripts/mcpb/bundle-check.mjs --tools-dir DIR [--bundle FILE] [--api-url URL --username U --password P]
//                                      [--release] [--work DIR]
// --tools-dir  folder whose node_modules holds @anthropic-ai/mcpb and @modelcontextprotocol/sdk (artifacts/e2e)
// --release    every Claude Desktop platform must hold its real binary (no stand-ins), as a published bundle does
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const opts = { toolsDir: path.join(root, 'artifacts', 'e2e'), bundle: null, apiUrl: null, username: null, password: null, release: false, work: null };
function usage(msg) {
  console.error(`bundle-check: ${msg}`);
  console.error('usage: node scripts/mcpb/bundle-check.mjs --tools-dir DIR [--bundle FILE] [--api-url URL --username U --password P] [--release] [--work DIR]');
  process.exit(2);
}
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
  if (a === '--tools-dir') opts.toolsDir = path.resolve(value());
  else if (a === '--bundle') opts.bundle = path.resolve(value());
  else if (a === '--api-url') opts.apiUrl = value();
  else if (a === '--username') opts.username = value();
  else if (a === '--password') opts.password = value();
  else if (a === '--release') opts.release = true;
  else if (a === '--work') opts.work = path.resolve(value());
  else usage(`unknown argument ${a}`);
}
if (opts.apiUrl && !(opts.username && opts.password)) usage('--api-url needs --username and --password (to get a token from the API)');

const toolsRequire = createRequire(path.join(opts.toolsDir, 'package.json'));
const mcpbEntry = toolsRequire.resolve('@anthropic-ai/mcpb');
const { getMcpConfigForManifest } = await import(pathToFileURL(mcpbEntry).href);
const mcpbCli = path.join(opts.toolsDir, 'node_modules', '.bin', 'mcpb');
const { Client } = toolsRequire('@modelcontextprotocol/sdk/client/index.js');
const { StdioClientTransport } = toolsRequire('@modelcontextprotocol/sdk/client/stdio.js');
const require = createRequire(import.meta.url);
const { sniff } = require(path.join(root, 'npm', 'stage.js'));
const launcher = require(path.join(root, 'packaging', 'mcpb', 'launch.js'));

const version = execFileSync(path.join(root, 'scripts', 'version.sh'), { encoding: 'utf8' }).trim();
const work = opts.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'raworc-mcpb-'));
fs.mkdirSync(work, { recursive: true });

let failed = 0;
function check(cond, msg, detail) {
  console.log(`  ${cond ? 'ok  ' : 'FAIL'} ${msg}`);
  if (!cond) {
    failed++;
    if (detail) console.log(String(detail).replace(/^/gm, '       '));
  }
  return cond;
}
function run(command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 300_000, ...options });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}

// ---- 1. validate --------------------------------------------------------------------------------------------------
console.log('== mcpb validate packaging/mcpb/manifest.json');
const validated = run(mcpbCli, ['validate', path.join(root, 'packaging', 'mcpb', 'manifest.json')]);
check(validated.code === 0 && /Manifest schema validation passes/.test(validated.out), 'the generated manifest passes the schema of @anthropic-ai/mcpb', validated.out);

// ---- 2. pack and info ---------------------------------------------------------------------------------------------
let bundle = opts.bundle;
if (!bundle) {
  console.log('== mcpb pack (scripts/pack-mcpb.sh)');
  const packed = run('bash', [path.join(root, 'scripts', 'pack-mcpb.sh'), '--out', path.join(work, 'out')]);
  bundle = path.join(work, 'out', `raworc-mcp-${version}.mcpb`);
  check(packed.code === 0 && fs.existsSync(bundle), `packed ${path.basename(bundle)}`, packed.out);
}
if (!fs.existsSync(bundle)) {
  console.log(`bundle-check: no bundle at ${bundle}`);
  process.exit(1);
}
const size = fs.statSync(bundle).size;
console.log(`== mcpb info ${path.basename(bundle)} (${(size / 1048576).toFixed(1)} MiB)`);
const info = run(mcpbCli, ['info', bundle]);
check(info.code === 0 && info.out.includes(`File: ${path.basename(bundle)}`) && /Size: /.test(info.out), 'mcpb info reads the bundle back', info.out);

// ---- 3. unpack and resolve as Claude Desktop does --------------------------------------------------------------------
console.log('== mcpb unpack, then getMcpConfigForManifest for darwin, win32 and this machine');
const unpacked = path.join(work, 'unpacked');
fs.rmSync(unpacked, { recursive: true, force: true });
const unpack = run(mcpbCli, ['unpack', bundle, unpacked]);
check(unpack.code === 0 && fs.existsSync(path.join(unpacked, 'manifest.json')), 'mcpb unpack extracts it', unpack.out);
const manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'manifest.json'), 'utf8'));
check(manifest.manifest_version === '0.2', `manifest_version ${manifest.manifest_version} (0.2: accepted by every Claude Desktop that installs bundles)`);
check(manifest.version === version && manifest.name === 'raworc-mcp', `raworc-mcp ${manifest.version}`);
check(manifest.server.type === 'node' && !manifest.server.mcp_config.platform_overrides, 'server type node (Claude Desktop\'s own Node runs the launcher), no platform overrides');
const platforms = manifest.compatibility.platforms;
const here = `${process.platform}-${process.arch}`;
const held = fs.readdirSync(path.join(unpacked, 'server', 'bin'));
const expectedOses = [...new Set(['darwin', 'win32', ...held.map((p) => p.split('-')[0])])];
check(JSON.stringify([...platforms].sort()) === JSON.stringify(expectedOses.sort()), `compatibility.platforms ${platforms.join(', ')}: the OSes it holds binaries for`);
if (opts.release) check(JSON.stringify(platforms) === '["darwin","win32"]', 'a release bundle is for macOS and Windows');
// The icon is what packaging/mcpb/make-icon.js draws (compared as pixels: zlib versions may compress differently).
const pixels = (file) => {
  const png = fs.readFileSync(file);
  const parts = [];
  for (let at = 8; at < png.length; at += 12 + png.readUInt32BE(at)) {
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') parts.push(png.subarray(at + 8, at + 8 + png.readUInt32BE(at)));
  }
  return png.subarray(1, 4).toString('latin1') === 'PNG' ? zlib.inflateSync(Buffer.concat(parts)) : null;
};
const drawn = path.join(work, 'icon.png');
run(process.execPath, [path.join(root, 'packaging', 'mcpb', 'make-icon.js'), drawn]);
const iconPixels = pixels(path.join(unpacked, manifest.icon));
check(iconPixels !== null && fs.existsSync(drawn) && iconPixels.equals(pixels(drawn)), `${manifest.icon} is a PNG, the one packaging/mcpb/make-icon.js draws`);

const fields = Object.keys(manifest.user_config);
check(JSON.stringify(fields) === JSON.stringify(['api_url', 'auth_token', 'username', 'password', 'default_space', 'read_only', 'toolsets', 'allow_destructive']),
  `the form asks: ${fields.map((k) => manifest.user_config[k].title).join(', ')}`);
check(fields.filter((k) => manifest.user_config[k].sensitive).join() === 'auth_token,password', 'the token and the password are sensitive (kept in the OS keychain)');
check(fields.every((k) => !manifest.user_config[k].required), 'no field is required (a required field with a default still blocks the start)');

// What a user fills in, what Claude Desktop passes for it, and the variables the form maps.
const fullForm = { api_url: 'http://127.0.0.1:9/api/v0', auth_token: 'form-token', username: 'assistant', password: 'pa$$w$&rd', default_space: 'team-a',
  read_only: true, toolsets: 'system,spaces', allow_destructive: false };
const variableOf = Object.fromEntries(Object.entries(manifest.server.mcp_config.env).map(([name, value]) => [/^\$\{user_config\.(\w+)\}$/.exec(value)?.[1], name]));
check(fields.every((k) => variableOf[k]), 'every field sets one variable of the server');

const hostArch = { darwin: ['arm64', 'x64'], win32: ['x64', 'arm64'], linux: [process.arch] };
async function resolveFor(platform, form) {
  const real = Object.getOwnPropertyDescriptor(process, 'platform');
  Object.defineProperty(process, 'platform', { value: platform }); // the loader reads process.platform
  try {
    return await getMcpConfigForManifest({ manifest, extensionPath: unpacked, systemDirs: { HOME: os.homedir() },
      userConfig: form, pathSeparator: platform === 'win32' ? '\\' : '/' });
  } finally {
    Object.defineProperty(process, 'platform', real);
  }
}
// macOS and Windows always (Claude Desktop's platforms), and what else the bundle is for (a local bundle: this machine).
const hosts = [...new Set(['darwin', 'win32', ...platforms])];
for (const host of hosts) {
  const config = await resolveFor(host, fullForm);
  if (!check(!!config, `${host}: the loader resolves a configuration`)) continue;
  const script = config.args?.[0];
  check(config.command === 'node' && config.args.length === 1 && script === path.join(unpacked, 'server', 'launch.js') && fs.existsSync(script),
    `${host}: command "node ${path.relative(unpacked, script ?? '')}" (Claude Desktop's Node, the bundle's launcher)`);
  for (const arch of host === process.platform && !opts.release ? [process.arch] : hostArch[host]) {
    const slot = launcher.candidates(host, arch)[0];
    const file = path.join(unpacked, 'server', slot);
    const kind = fs.existsSync(file) ? sniff(file) : null;
    const standIn = fs.existsSync(file) && fs.readFileSync(file, 'latin1').startsWith(launcher.STAND_IN_MARK);
    const real = kind && `${kind.os}-${kind.cpu}` === `${host}-${arch}`;
    if (opts.release || `${host}-${arch}` === here) check(real, `${host}-${arch}: the launcher runs ${slot}, a ${host}-${arch} executable in the bundle`);
    else check(real || (standIn && launcher.binaryFor(path.join(unpacked, 'server'), host, arch) === null),
      `${host}-${arch}: the launcher picks ${slot}, in the bundle (${real ? 'the real binary' : 'a stand-in, which the launcher refuses: local bundles hold this machine\'s binary only'})`);
    if (real) check(launcher.binaryFor(path.join(unpacked, 'server'), host, arch) === slot, `${host}-${arch}: launch.js chooses it`);
  }
  const expected = Object.fromEntries(fields.map((k) => [variableOf[k], String(fullForm[k])]));
  expected.RAWORC_PASSWORD = 'pa$w${user_config.password}rd'; // the loader's String.replace reads $$ and $& as patterns
  check(JSON.stringify(config.env) === JSON.stringify(expected), `${host}: the environment holds what the form gave (and the password changed as the README warns)`,
    `${JSON.stringify(config.env)}\nexpected ${JSON.stringify(expected)}`);
}
const emptyConfig = await resolveFor(process.platform, {});
const emptyEnv = emptyConfig?.env ?? {};
check(emptyEnv.RAWORC_AUTH_TOKEN === '${user_config.auth_token}' && emptyEnv.RAWORC_API_URL === '${user_config.api_url}' &&
  emptyEnv.RAWORC_DEFAULT_SPACE === 'default' && emptyEnv.RAWORC_READ_ONLY === 'false' && emptyEnv.RAWORC_ALLOW_DESTRUCTIVE === 'false',
  'an empty form: defaults where the form has one, the literal ${user_config.…} where it has none', JSON.stringify(emptyEnv));

// A bundle without a binary for the machine it runs on: the launcher says so, on stderr, and exits 1.
const bare = path.join(work, 'bare', 'server');
fs.mkdirSync(path.join(bare, path.dirname(launcher.candidates(process.platform, process.arch)[0])), { recursive: true });
fs.copyFileSync(path.join(unpacked, 'server', 'launch.js'), path.join(bare, 'launch.js'));
fs.writeFileSync(path.join(bare, launcher.candidates(process.platform, process.arch)[0]), `${launcher.STAND_IN_MARK}: test\n`);
const refused = spawnSync(process.execPath, [path.join(bare, 'launch.js')], { encoding: 'utf8', input: '' });
check(refused.status === 1 && refused.stdout === '' && refused.stderr.includes(`this bundle holds no binary for ${here}`),
  'a bundle without this machine\'s binary: the launcher names the platform on stderr and exits 1', refused.stderr);

// ---- 4. run it on this machine with the SDK client ----------------------------------------------------------------------
if (!opts.apiUrl) {
  console.log('== (no --api-url: the bundle is not run)');
} else if (!launcher.binaryFor(path.join(unpacked, 'server'), process.platform, process.arch)) {
  check(false, `the bundle holds no binary for this machine (${here}) to run`);
} else {
  const login = await fetch(`${opts.apiUrl.replace(/\/+$/, '')}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: opts.username, pass: opts.password }) });
  const token = (await login.json()).token;
  check(login.ok && typeof token === 'string', `a token from ${opts.apiUrl} for ${opts.username}`);

  // HOME without a login file, and one with the Raworc CLI's: what a user who ran `raworc auth` has.
  const emptyHome = fs.mkdtempSync(path.join(work, 'home-'));
  const cliHome = fs.mkdtempSync(path.join(work, 'home-cli-'));
  fs.mkdirSync(path.join(cliHome, '.raworc'));
  fs.writeFileSync(path.join(cliHome, '.raworc', 'auth.yaml'), `server: ${opts.apiUrl.replace(/\/api\/v0\/?$/, '')}\ntoken: ${token}\n`, { mode: 0o600 });

  async function session(label, form, home, expectTools) {
    const config = await resolveFor(process.platform, form);
    let stderr = '';
    const transport = new StdioClientTransport({ command: config.command, args: config.args,
      env: { PATH: process.env.PATH, HOME: home, USERPROFILE: home, ...config.env }, stderr: 'pipe' });
    transport.stderr?.on('data', (d) => { stderr += d; });
    const client = new Client({ name: 'claude-desktop-stand-in', version: '1.0.0' });
    const t0 = Date.now();
    try {
      await client.connect(transport);
      const tools = (await client.listTools()).tools.map((t) => t.name);
      check(expectTools(tools), `${label}: initialize and tools/list through the launcher (${tools.length} tools, ${Date.now() - t0} ms)`, tools.join(', '));
      const me = await client.callTool({ name: 'whoami', arguments: {} });
      const text = me.content?.[0]?.text ?? '';
      check(!me.isError && text.includes(`"user":"${opts.username}"`), `${label}: whoami answers ${opts.username} with the token`, text);
      const spaces = await client.callTool({ name: 'list_spaces', arguments: {} });
      check(!spaces.isError && (spaces.content?.[0]?.text ?? '').includes('"name":"default"'), `${label}: list_spaces against the stand-in`, spaces.content?.[0]?.text);
      return stderr;
    } catch (e) {
      check(false, `${label}: ${e.message}`, stderr.slice(-3000));
      return stderr;
    } finally {
      await client.close().catch(() => {});
    }
  }

  const binaryFile = path.join(unpacked, 'server', launcher.binaryFor(path.join(unpacked, 'server'), process.platform, process.arch));
  const filled = { api_url: opts.apiUrl, auth_token: token, default_space: 'default', read_only: true, toolsets: 'system,spaces', allow_destructive: false };
  let stderr = await session('the form filled in', filled, emptyHome,
    (tools) => JSON.stringify([...tools].sort()) === JSON.stringify(['get_space', 'get_version', 'health_check', 'list_spaces', 'whoami']));
  check(/credentials from RAWORC_AUTH_TOKEN/.test(stderr) && /Modes: read-only on/.test(stderr), 'the server used the form\'s token and modes', stderr.slice(-1500));

  stderr = await session('every optional field left empty', {}, cliHome, (tools) => tools.length === 49);
  check(stderr.includes(`API ${opts.apiUrl}`) && stderr.includes(`credentials from ${path.join(cliHome, '.raworc', 'auth.yaml')}`) &&
    stderr.includes("default space 'default'") && !stderr.includes('${user_config'),
    'empty fields read as unset: the API and the token of the CLI login file, the default space', stderr.slice(-1500));

  const account = { api_url: opts.apiUrl, username: opts.username, password: opts.password };
  stderr = await session('an account name and password instead of a token', account, emptyHome, (tools) => tools.length === 49);
  check(stderr.includes('credentials from RAWORC_USERNAME/RAWORC_PASSWORD'), 'the server logged in with the form\'s account', stderr.slice(-1500));

  // What some Claude Desktop builds do: every file unpacked without its executable bit.
  const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  for (const file of walk(unpacked)) fs.chmodSync(file, 0o644);
  const direct = spawnSync(binaryFile, ['--version']);
  check((fs.statSync(binaryFile).mode & 0o111) === 0 && direct.error?.code === 'EACCES',
    `${path.relative(unpacked, binaryFile)} is now mode 644: run directly (a "binary" bundle), it fails with ${direct.error?.code ?? 'no error'}`);
  await session('after the executable bits were lost', filled, emptyHome, (tools) => tools.length === 5);
  check((fs.statSync(binaryFile).mode & 0o755) === 0o755, 'the launcher restored the executable bit');
}

if (!opts.work) fs.rmSync(work, { recursive: true, force: true });
console.log(`bundle-check: ${failed ? `${failed} check(s) FAILED` : 'all checks passed'} (${path.basename(bundle)}, ${size} bytes)`);
process.exit(failed ? 1 : 0);
