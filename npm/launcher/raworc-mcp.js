#!/usr/bin/env node
// Launcher for the raworc-mcp native binary.
//
// The binary ships in one optional dependency per platform (@raworc/mcp-server-<platform>-<arch>);
// npm installs only the one whose os/cpu/libc match this machine. This file finds it and runs it with
// the same stdin/stdout/stderr. It never writes to stdout (stdout carries MCP JSON-RPC), downloads
// nothing and writes no files. RAWORC_MCP_BINARY=<path> runs that binary instead.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const WRAPPER = '@raworc/mcp-server';
const platformKey = `${process.platform}-${process.arch}`;
const platformPackage = `${WRAPPER}-${platformKey}`;
const exeName = process.platform === 'win32' ? 'raworc-mcp.exe' : 'raworc-mcp';

function fail(lines) {
  process.stderr.write(lines.join('\n') + '\n');
  process.exit(1);
}

// Read only on the error path: the wrapper's own version and the platforms it ships.
function wrapperInfo() {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    const prefix = `${WRAPPER}-`;
    const platforms = Object.keys(pkg.optionalDependencies || {})
      .filter((name) => name.startsWith(prefix))
      .map((name) => name.slice(prefix.length));
    return { version: pkg.version || '', platforms };
  } catch (_) {
    return { version: '', platforms: [] };
  }
}

function isMusl() {
  if (process.platform !== 'linux') return false;
  try {
    const report = process.report && process.report.getReport();
    return !!report && !(report.header && report.header.glibcVersionRuntime);
  } catch (_) {
    return false;
  }
}

function missingBinary(reason) {
  const { version, platforms } = wrapperInfo();
  const spec = version ? `${platformPackage}@${version}` : platformPackage;
  const reinstall = version ? `${WRAPPER}@${version}` : WRAPPER;
  const head = `raworc-mcp: cannot start: the native binary for ${platformKey} is not installed.`;
  const override = [
    '  Or set RAWORC_MCP_BINARY to the full path of a raworc-mcp binary (a GitHub release archive,',
    '  Homebrew, winget or the .deb package all provide one).',
  ];
  const fromSource = [
    '  Or build raworc-mcp from source (see the project README) and set RAWORC_MCP_BINARY to its full path.',
  ];
  if (platforms.length > 0 && !platforms.includes(platformKey)) {
    fail([
      head,
      `  No prebuilt binary is published for ${platformKey}; supported: ${platforms.join(', ')}.`,
      ...fromSource,
    ]);
  }
  if (isMusl()) {
    fail([
      head,
      `  ${spec} is built for glibc, and this system uses musl libc (e.g. Alpine), so npm skipped it.`,
      '  Use a glibc-based system or image (Debian, Ubuntu, Fedora, ...).',
      ...fromSource,
    ]);
  }
  fail([
    head,
    `  It ships in the optional dependency ${spec}${reason ? ` (${reason})` : ''}, which was not installed. Usual causes:`,
    '  - npm ran with --omit=optional or --no-optional, or an .npmrc sets omit=optional;',
    '  - the package-lock.json was created on another OS or CPU and lacks this platform\'s entry;',
    '  - the install was copied from another machine (e.g. node_modules from a different OS or architecture).',
    '  Fix: reinstall with optional dependencies, e.g.',
    `      npm install ${reinstall} --include=optional`,
    '  (if a lockfile from another platform is the cause, delete node_modules and package-lock.json first;',
    '  for npx, clear its cache: delete the _npx folder under `npm config get cache`).',
    ...override,
  ]);
}

function findBinary() {
  const override = process.env.RAWORC_MCP_BINARY;
  if (override) {
    if (!fs.existsSync(override)) {
      fail([`raworc-mcp: RAWORC_MCP_BINARY is set to "${override}", but no file exists there.`]);
    }
    return override;
  }
  let pkgJson;
  try {
    pkgJson = require.resolve(`${platformPackage}/package.json`);
  } catch (_) {
    return missingBinary('');
  }
  const binary = path.join(path.dirname(pkgJson), 'bin', exeName);
  if (!fs.existsSync(binary)) {
    return missingBinary(`found at ${path.dirname(pkgJson)}, but without bin${path.sep}${exeName}`);
  }
  return binary;
}

const binary = findBinary();
const child = spawn(binary, process.argv.slice(2), {
  stdio: 'inherit',
  shell: false,
  windowsHide: true,
});

const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const forward = (signal) => {
  // The child may have exited already; then there is nothing to stop.
  try {
    child.kill(signal);
  } catch (_) {}
};
for (const signal of forwarded) process.on(signal, forward);

child.on('error', (err) => {
  const hint = err.code === 'EACCES' && process.platform !== 'win32'
    ? [`  The file is not executable; make it so with: chmod +x "${binary}"`]
    : [];
  fail([`raworc-mcp: cannot start ${binary}: ${err.message}`, ...hint]);
});

child.on('exit', (code, signal) => {
  for (const s of forwarded) process.removeListener(s, forward);
  if (signal) {
    // Die of the same signal, so the caller sees what happened to the server.
    process.kill(process.pid, signal);
    // Where that does not end the process (an ignored signal such as SIGPIPE, or Windows), exit with the
    // shell's convention for "killed by a signal".
    setTimeout(() => process.exit(128 + (os.constants.signals[signal] || 0)), 200);
    return;
  }
  process.exit(code === null ? 1 : code);
});
