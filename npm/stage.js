#!/usr/bin/env node
// Stages the npm packages into folders ready for `npm pack` (used by scripts/pack-npm.sh).
//
//   node npm/stage.js --version 1.2.3 --out DIR [--wrapper] [--platform linux-x64 --binary PATH] [--no-binary-check]
//
// The wrapper (npm/package.json) is the single source of the platform list (its optionalDependencies)
// and of the fields every package shares (engines, license, repository, ...). A platform package is
// rendered from npm/platform/*.template and gets the binary as bin/raworc-mcp[.exe]. The binary is
// checked to be an executable for that OS and CPU, so a release cannot ship one platform's binary
// under another's name.
'use strict';

const fs = require('fs');
const path = require('path');

const here = __dirname;
const WRAPPER = '@raworc/mcp-server';
const SHARED_FIELDS = ['license', 'author', 'homepage', 'repository', 'engines'];

function die(msg) {
  process.stderr.write(`stage.js: ${msg}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const args = { wrapper: false, binaryCheck: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) die(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--version') args.version = next();
    else if (a === '--out') args.out = next();
    else if (a === '--wrapper') args.wrapper = true;
    else if (a === '--platform') args.platform = next();
    else if (a === '--binary') args.binary = next();
    else if (a === '--no-binary-check') args.binaryCheck = false;
    else die(`unknown argument ${a}`);
  }
  if (!args.version || !args.out) die('--version and --out are required');
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(args.version)) {
    die(`"${args.version}" is not a semver version`);
  }
  if (!!args.platform !== !!args.binary) die('--platform and --binary go together');
  if (!args.wrapper && !args.platform) die('nothing to stage: give --wrapper and/or --platform/--binary');
  return args;
}

function fill(text, vars) {
  const out = text.replace(/\{\{(\w+)\}\}/g, (m, k) => {
    if (!(k in vars)) die(`template placeholder ${m} has no value`);
    return vars[k];
  });
  return out;
}

function writeJson(file, obj) {
  fs.writeFileSync(file, JSON.stringify(obj, null, 2) + '\n');
}

// Returns a description of what the file is, or null if it is not an executable we recognise.
function sniff(file) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(4096);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  const b = buf.subarray(0, n);
  if (n >= 20 && b[0] === 0x7f && b.toString('latin1', 1, 4) === 'ELF') {
    const little = b[5] === 1;
    const machine = little ? b.readUInt16LE(18) : b.readUInt16BE(18);
    return { os: 'linux', cpu: { 0x3e: 'x64', 0xb7: 'arm64' }[machine] || `elf-machine-${machine}` };
  }
  if (n >= 8 && b.readUInt32LE(0) === 0xfeedfacf) {
    const cputype = b.readUInt32LE(4);
    return { os: 'darwin', cpu: { 0x01000007: 'x64', 0x0100000c: 'arm64' }[cputype] || `macho-cpu-${cputype}` };
  }
  if (n >= 64 && b.toString('latin1', 0, 2) === 'MZ') {
    const pe = b.readUInt32LE(0x3c);
    if (pe + 6 <= n && b.toString('latin1', pe, pe + 4) === 'PE\0\0') {
      const machine = b.readUInt16LE(pe + 4);
      return { os: 'win32', cpu: { 0x8664: 'x64', 0xaa64: 'arm64' }[machine] || `pe-machine-${machine}` };
    }
  }
  return null;
}

function stageWrapper(wrapper, version, outDir) {
  const dir = path.join(outDir, 'mcp-server');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  const pkg = JSON.parse(JSON.stringify(wrapper));
  // npm/package.json is private (version 0.0.0-dev) so that it cannot be published by mistake as it is.
  delete pkg.private;
  pkg.version = version;
  for (const name of Object.keys(pkg.optionalDependencies)) pkg.optionalDependencies[name] = version;
  writeJson(path.join(dir, 'package.json'), pkg);
  // The launcher's source lives in npm/launcher/; npm convention puts it in the package's bin/.
  fs.copyFileSync(path.join(here, 'launcher', 'raworc-mcp.js'), path.join(dir, 'bin', 'raworc-mcp.js'));
  fs.chmodSync(path.join(dir, 'bin', 'raworc-mcp.js'), 0o755);
  fs.copyFileSync(path.join(here, 'README.md'), path.join(dir, 'README.md'));
  copyLicense(dir);
  return dir;
}

// The repository's LICENSE, when it has one, goes into every package.
function copyLicense(dir) {
  const license = path.join(here, '..', 'LICENSE');
  if (fs.existsSync(license)) fs.copyFileSync(license, path.join(dir, 'LICENSE'));
}

function stagePlatform(wrapper, version, platform, binary, binaryCheck, outDir) {
  const name = `${WRAPPER}-${platform}`;
  if (!(name in (wrapper.optionalDependencies || {}))) {
    die(`unknown platform "${platform}": npm/package.json has no optionalDependency ${name}`);
  }
  const [osName, cpu] = platform.split('-');
  const exe = osName === 'win32' ? 'raworc-mcp.exe' : 'raworc-mcp';
  if (!fs.existsSync(binary) || !fs.statSync(binary).isFile()) die(`binary ${binary} does not exist`);
  if (/\.(dbg|pdb|dSYM)$/i.test(binary)) die(`${binary} is a symbol file, not the binary`);
  if (binaryCheck) {
    const kind = sniff(binary);
    if (!kind) die(`${binary} is not an ELF, Mach-O or PE executable`);
    if (kind.os !== osName || kind.cpu !== cpu) {
      die(`${binary} is a ${kind.os}-${kind.cpu} executable, not ${platform}`);
    }
  }

  const vars = { platform, version, os: osName, cpu, exe };
  const tmpl = JSON.parse(fill(fs.readFileSync(path.join(here, 'platform', 'package.json.template'), 'utf8'), vars));
  const pkg = {};
  for (const [k, v] of Object.entries(tmpl)) {
    pkg[k] = v;
    if (k === 'cpu' && osName === 'linux') pkg.libc = ['glibc'];
  }
  for (const field of SHARED_FIELDS) {
    if (wrapper[field] !== undefined) pkg[field] = JSON.parse(JSON.stringify(wrapper[field]));
  }
  if (pkg.repository && typeof pkg.repository === 'object') delete pkg.repository.directory;

  const dir = path.join(outDir, `mcp-server-${platform}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  writeJson(path.join(dir, 'package.json'), pkg);
  fs.writeFileSync(
    path.join(dir, 'README.md'),
    fill(fs.readFileSync(path.join(here, 'platform', 'README.md.template'), 'utf8'), vars),
  );
  const target = path.join(dir, 'bin', exe);
  fs.copyFileSync(binary, target);
  fs.chmodSync(target, 0o755);
  copyLicense(dir);
  return dir;
}

if (require.main === module) {
  const args = parseArgs(process.argv.slice(2));
  const wrapper = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8'));
  fs.mkdirSync(args.out, { recursive: true });
  if (args.wrapper) process.stdout.write(stageWrapper(wrapper, args.version, args.out) + '\n');
  if (args.platform) {
    process.stdout.write(
      stagePlatform(wrapper, args.version, args.platform, args.binary, args.binaryCheck, args.out) + '\n',
    );
  }
}

// packaging/mcpb/stage.js checks the bundle's binaries the same way.
module.exports = { sniff };
