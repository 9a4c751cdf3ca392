#!/usr/bin/env node
// Draws the bundle's icon, packaging/mcpb/icon.png: a white "R" on a rounded indigo-to-violet square, 512x512 (the
// size Claude Desktop recommends), anti-aliased by 4x4 supersampling. Plain Node, no dependencies:
//   node packaging/mcpb/make-icon.js [OUT]
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const SIZE = 512;
const SAMPLES = 4;

// Signed distances (negative inside) of the shapes, in pixels.
const box = (x, y, x0, y0, x1, y1) => {
  const dx = Math.max(x0 - x, x - x1), dy = Math.max(y0 - y, y - y1);
  return Math.hypot(Math.max(dx, 0), Math.max(dy, 0)) + Math.min(Math.max(dx, dy), 0);
};
const roundedBox = (x, y, x0, y0, x1, y1, r) => box(x, y, x0 + r, y0 + r, x1 - r, y1 - r) - r;
const capsule = (x, y, ax, ay, bx, by, r) => {
  const px = x - ax, py = y - ay, vx = bx - ax, vy = by - ay;
  const t = Math.max(0, Math.min(1, (px * vx + py * vy) / (vx * vx + vy * vy)));
  return Math.hypot(px - vx * t, py - vy * t) - r;
};

// The letter: a stem, a bowl (two bars and the right half of a ring) and a leg.
const STROKE = 58;
const BOWL = { cx: 256, cy: 206, outer: 88 };
function letter(x, y) {
  const stem = box(x, y, 148, 118, 148 + STROKE, 394);
  const top = box(x, y, 148, BOWL.cy - BOWL.outer, BOWL.cx, BOWL.cy - BOWL.outer + STROKE);
  const middle = box(x, y, 148, BOWL.cy + BOWL.outer - STROKE, BOWL.cx, BOWL.cy + BOWL.outer);
  const radius = Math.hypot(x - BOWL.cx, y - BOWL.cy);
  const ring = Math.max(radius - BOWL.outer, BOWL.outer - STROKE - radius, BOWL.cx - x);
  const leg = capsule(x, y, 236, 268, 350, 380, STROKE / 2);
  return Math.min(stem, top, middle, ring, leg);
}

function pixel(px, py) {
  let background = 0, ink = 0;
  for (let sy = 0; sy < SAMPLES; sy++) {
    for (let sx = 0; sx < SAMPLES; sx++) {
      const x = px + (sx + 0.5) / SAMPLES, y = py + (sy + 0.5) / SAMPLES;
      if (roundedBox(x, y, 0, 0, SIZE, SIZE, 112) <= 0) {
        background++;
        if (letter(x, y) <= 0) ink++;
      }
    }
  }
  const n = SAMPLES * SAMPLES;
  // Indigo (#4338CA) at the top left to violet (#7C3AED) at the bottom right.
  const t = (px + py) / (2 * SIZE);
  const from = [0x43, 0x38, 0xca], to = [0x7c, 0x3a, 0xed];
  const alpha = background / n, white = background ? ink / background : 0;
  const rgb = from.map((c, i) => Math.round((c + (to[i] - c) * t) * (1 - white) + 255 * white));
  return [...rgb, Math.round(alpha * 255)];
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4), crc = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'ascii'), data])));
  return Buffer.concat([length, Buffer.from(type, 'ascii'), data, crc]);
}

const rows = Buffer.alloc(SIZE * (1 + SIZE * 4));
for (let y = 0; y < SIZE; y++) {
  const row = y * (1 + SIZE * 4); // each row: filter type 0, then RGBA
  for (let x = 0; x < SIZE; x++) Buffer.from(pixel(x, y)).copy(rows, row + 1 + x * 4);
}
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header.set([8, 6, 0, 0, 0], 8); // 8 bits per channel, RGBA, deflate, no filter method, no interlace
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = process.argv[2] || path.join(__dirname, 'icon.png');
fs.writeFileSync(out, png);
console.log(`wrote ${out} (${SIZE}x${SIZE}, ${png.length} bytes)`);
