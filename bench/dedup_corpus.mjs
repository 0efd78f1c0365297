#!/usr/bin/env node
// Writes N random Chinese documents (300 characters from 3,000 common-range code points) as JSON
// lines for `herald dedup`: node bench/dedup_corpus.mjs [N=20000] > corpus.jsonl
import { randomBytes } from 'node:crypto';

const n = Number(process.argv[2] || 20000);
const lines = [];
for (let d = 0; d < n; d++) {
  const b = randomBytes(600);
  let s = '';
  for (let i = 0; i < 300; i++) s += String.fromCharCode(0x4e00 + (b.readUInt16LE(2 * i) % 3000));
  lines.push(JSON.stringify({ id: `d${d}`, text: s }));
}
process.stdout.write(lines.join('\n') + '\n');
