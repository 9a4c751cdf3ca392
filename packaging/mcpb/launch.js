#!/usr/bin/env node
// Starts the raworc-mcp binary of this machine's OS and CPU from the bundle. Claude Desktop runs this file with
// its own Node (the manifest's server type is "node"), because a bundle cannot pick a binary by CPU itself, and
// because some Claude Desktop builds unpack bundles without the executable bit: this file restores it.
//
// The binaries sit in bin/<os>-<cpu>/ beside this file. stdin, stdout and stderr are the binary's own (stdout
// carries MCP JSON-RPC, so this file never writes to it); the environment and arguments pass through unchanged.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

// A file of a locally built bundle that stands where the release puts another platform's binary starts with this.
const STAND_IN_MARK = 'RAWORC-MCP STAND-IN';

/** The binaries to try for an OS and CPU, best first: an x64 binary also runs on arm64 under emulation. */
function candidates(platform, arch) {
  const exe = platform === 'win32' ? 'raworc-mcp.exe' : 'raworc-mcp';
  const keys = [`${platform}-${arch}`];
  if (arch === 'arm64' && (platform === 'win32' || platform === 'darwin')) keys.push(`${platform}-x64`);
  return keys.map((key) => path.join('bin', key, exe));
}

/** The first size bytes of a file, as text, or '' when it cannot be read. */
function head(file, size) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    const buffer = Buffer.alloc(size);
    return buffer.toString('latin1', 0, fs.readSync(fd, buffer, 0, size, 0));
  } catch (_) {
    return '';
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * The binary this bundle holds for an OS and CPU, relative to the bundle's server folder, or null. A stand-in
 * counts as absent.
 */
function binaryFor(serverDir, platform, arch) {
  for (const relative of candidates(platform, arch)) {
    const file = path.join(serverDir, relative);
    if (fs.existsSync(file) && !head(file, STAND_IN_MARK.length).startsWith(STAND_IN_MARK)) return relative;
  }
  return null;
}

function fail(lines) {
  process.stderr.write(lines.map((line) => `raworc-mcp: ${line}`).join('\n') + '\n');
  process.exit(1);
}

/** Restores the binary's executable bit where the unpacking dropped it (never needed on Windows). */
function makeExecutable(file) {
  if (process.platform === 'win32') return;
  const mode = fs.statSync(file).mode;
  if ((mode & 0o111) !== 0o111) fs.chmodSync(file, mode | 0o755);
}

function run() {
  const relative = binaryFor(__dirname, process.platform, process.arch);
  if (relative === null) {
    const held = fs.existsSync(path.join(__dirname, 'bin'))
      ? fs.readdirSync(path.join(__dirname, 'bin')).filter((key) => binaryFor(__dirname, ...key.split('-')) !== null)
      : [];
    fail([
      `this bundle holds no binary for ${process.platform}-${process.arch}` +
        (held.length ? ` (it holds ${held.join(', ')}).` : '.'),
      'Install the bundle of a raworc-mcp release (raworc-mcp-<version>.mcpb): it holds the binaries of every Claude Desktop platform.',
    ]);
  }
  const binary = path.join(__dirname, relative);
  try {
    makeExecutable(binary);
  } catch (e) {
    fail([`cannot make ${binary} executable: ${e.message}`]);
  }
  const child = spawn(binary, process.argv.slice(2), { stdio: 'inherit', shell: false, windowsHide: true });
  const signals = process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) {
    process.on(signal, () => {
      try {
        child.kill(signal);
      } catch (_) {
        // Already gone: its exit ends this process too.
      }
    });
  }
  child.on('error', (e) => fail([`cannot start ${binary}: ${e.message}`]));
  child.on('exit', (code, signal) => {
    if (signal) {
      // End the same way, so Claude Desktop sees what happened to the server.
      for (const s of signals) process.removeAllListeners(s);
      process.kill(process.pid, signal);
    }
    process.exit(code === null ? 1 : code);
  });
}

if (require.main === module) run();

module.exports = { binaryFor, candidates, STAND_IN_MARK };
