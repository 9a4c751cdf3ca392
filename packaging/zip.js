#!/usr/bin/env node
// A small, reproducible zip writer for packaging/make-archive.sh on machines without zip or 7z:
//   node packaging/zip.js OUT.zip FILE...   (run in the folder holding FILEs; names are stored as given)
// Deflate (or stored when that is not smaller), UTF-8 names, Unix modes kept, fixed 1980-01-01 timestamps.
'use strict';
const fs = require('fs');
const zlib = require('zlib');

const [target, ...names] = process.argv.slice(2);
if (!target || names.length === 0) {
  process.stderr.write('usage: node zip.js OUT.zip FILE...\n');
  process.exit(2);
}

const table = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(buf) {
  let c = -1;
  for (let i = 0; i < buf.length; i++) c = table[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01 00:00
const FLAG_UTF8 = 0x0800;
const parts = [];
const central = [];
let offset = 0;
for (const name of names) {
  const data = fs.readFileSync(name);
  const mode = fs.statSync(name).mode & 0o777;
  const deflated = zlib.deflateRawSync(data, { level: 9 });
  const stored = deflated.length >= data.length;
  const body = stored ? data : deflated;
  const method = stored ? 0 : 8;
  const nameBuf = Buffer.from(name.replace(/\\/g, '/'), 'utf8');
  const crc = crc32(data);

  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(FLAG_UTF8, 6);
  local.writeUInt16LE(method, 8);
  local.writeUInt16LE(DOS_TIME, 10);
  local.writeUInt16LE(DOS_DATE, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(body.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBuf.length, 26);
  local.writeUInt16LE(0, 28); // extra length

  const entry = Buffer.alloc(46);
  entry.writeUInt32LE(0x02014b50, 0);
  entry.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0 (so the external attributes are a Unix mode)
  entry.writeUInt16LE(20, 6);
  entry.writeUInt16LE(FLAG_UTF8, 8);
  entry.writeUInt16LE(method, 10);
  entry.writeUInt16LE(DOS_TIME, 12);
  entry.writeUInt16LE(DOS_DATE, 14);
  entry.writeUInt32LE(crc, 16);
  entry.writeUInt32LE(body.length, 20);
  entry.writeUInt32LE(data.length, 24);
  entry.writeUInt16LE(nameBuf.length, 28);
  // extra length, comment length, disk number, internal attributes: 0
  entry.writeUInt32LE(((0o100000 | mode) << 16) >>> 0, 38);
  entry.writeUInt32LE(offset, 42);

  parts.push(local, nameBuf, body);
  central.push(entry, nameBuf);
  offset += local.length + nameBuf.length + body.length;
}
const cd = Buffer.concat(central);
const end = Buffer.alloc(22);
end.writeUInt32LE(0x06054b50, 0);
end.writeUInt16LE(names.length, 8);
end.writeUInt16LE(names.length, 10);
end.writeUInt32LE(cd.length, 12);
end.writeUInt32LE(offset, 16);
fs.writeFileSync(target, Buffer.concat([...parts, cd, end]));
