#!/usr/bin/env node
// Screening benchmark driver (issue 4, "Benchmarks"): Herald against a plain Vectorscan literal
// scan (a) and the npm Aho-Corasick filters fastscan and mint-filter (b), same dictionary, same
// text, same document splits, single thread, all matches requested.
//
//   node bench/screen_corpus.mjs                      # data in /tmp/herald-bench/screen
//   node bench/screen_bench.mjs [--rounds 5] [--dir DIR] [--bin build-bench/bench/herald_screen_bench]
//
// Each round runs the C++ binary once (Herald, plain Vectorscan and the diagnostic variants,
// interleaved) and then fastscan and mint-filter in this process, for the ~3 KB documents and the
// ~300 B messages. Prints every measurement, then medians per variant and split, and the ratios
// Herald/(a) and Herald/(b) from medians of the same run (plus the median of the per-round
// Herald/(a) ratios). MB/s = 10^6 bytes of UTF-8 input per second.
//
// The npm packages: fastscan's search(text) returns every match [offset, word]; mint-filter's
// filter(text, {replace: false}) returns the words it found (its Aho-Corasick walk reports only
// the longest term ending at each position, so it reports fewer matches than the others).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const FastScanner = require('fastscan');
const { Mint } = require('mint-filter');

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = {
  rounds: 5,
  dir: '/tmp/herald-bench/screen',
  bin: path.join(ROOT, 'build-bench/bench/herald_screen_bench'),
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const k = argv[i].replace(/^--/, '');
  if (!(k in args) || i + 1 >= argv.length) {
    console.error('usage: screen_bench.mjs [--rounds N] [--dir DIR] [--bin PATH]');
    process.exit(2);
  }
  args[k] = typeof args[k] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
}

const terms = readFileSync(path.join(args.dir, 'terms.tsv'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => l.split('\t')[0]);
const splits = ['docs', 'messages'].map((name) => {
  const items = readFileSync(path.join(args.dir, `${name}.txt`), 'utf8').split('\n').filter(Boolean);
  const bytes = items.reduce((n, s) => n + Buffer.byteLength(s), 0);
  return { name, items, bytes };
});

let t = process.hrtime.bigint();
const fast = new FastScanner(terms);
const fastBuild = Number(process.hrtime.bigint() - t) / 1e6;
t = process.hrtime.bigint();
const mint = new Mint(terms);
const mintBuild = Number(process.hrtime.bigint() - t) / 1e6;
console.error(`setup: fastscan tree ${fastBuild.toFixed(0)} ms, mint-filter tree ${mintBuild.toFixed(0)} ms`);

const npm = {
  fastscan: (s) => fast.search(s).length,
  'mint-filter': (s) => mint.filter(s, { replace: false }).words.length,
};

function measure(round, split, variant, fn) {
  let matches = 0;
  const t0 = process.hrtime.bigint();
  for (const item of split.items) matches += fn(item);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    round,
    split: split.name,
    variant,
    bytes: split.bytes,
    items: split.items.length,
    seconds: Number(seconds.toFixed(4)),
    mbps: Number((split.bytes / seconds / 1e6).toFixed(2)),
    matches,
  };
}

// JIT warm-up, untimed.
for (const split of splits) {
  for (const fn of Object.values(npm)) for (const item of split.items.slice(0, 2000)) fn(item);
}

const rows = [];
for (let r = 1; r <= args.rounds; r++) {
  const cpp = spawnSync(args.bin, ['--dir', args.dir, '--rounds', '1'], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (cpp.status !== 0) {
    console.error(cpp.stderr);
    process.exit(1);
  }
  if (r === 1) process.stderr.write(cpp.stderr);
  for (const line of cpp.stdout.split('\n').filter(Boolean)) {
    const row = JSON.parse(line);
    row.round = r;
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  for (const split of splits) {
    for (const [variant, fn] of Object.entries(npm)) {
      global.gc?.();
      const row = measure(r, split, variant, fn);
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const variants = [...new Set(rows.map((r) => r.variant))];
console.log(`\nmedians of ${args.rounds} rounds (MB/s; matches reported per pass)\n`);
console.log('| variant | ~3 KB documents | ~300 B messages | matches (docs / messages) |');
console.log('|---|---:|---:|---:|');
const med = {};
for (const v of variants) {
  const cells = splits.map((s) => {
    const rs = rows.filter((r) => r.variant === v && r.split === s.name);
    med[`${v}/${s.name}`] = median(rs.map((r) => r.mbps));
    return { mbps: med[`${v}/${s.name}`], matches: rs[0].matches };
  });
  console.log(
    `| ${v} | ${cells[0].mbps.toFixed(1)} | ${cells[1].mbps.toFixed(1)} | ${cells[0].matches} / ${cells[1].matches} |`,
  );
}
console.log('\n| ratio | ~3 KB documents | ~300 B messages |');
console.log('|---|---:|---:|');
const ratio = (a, b) => splits.map((s) => med[`${a}/${s.name}`] / med[`${b}/${s.name}`]);
const perRound = splits.map((s) =>
  median(
    [...Array(args.rounds).keys()].map((i) => {
      const h = rows.find((r) => r.round === i + 1 && r.split === s.name && r.variant === 'herald');
      const p = rows.find((r) => r.round === i + 1 && r.split === s.name && r.variant === 'plain');
      return h.mbps / p.mbps;
    }),
  ),
);
const fmt = (xs, d = 2) => xs.map((x) => x.toFixed(d)).join(' | ');
console.log(`| Herald / (a) plain Vectorscan, ratio of medians (target ≥ 0.5) | ${fmt(ratio('herald', 'plain'))} |`);
console.log(`| Herald / (a), median of per-round ratios | ${fmt(perRound)} |`);
console.log(`| Herald / (b) fastscan (target ≥ 10) | ${fmt(ratio('herald', 'fastscan'), 1)} |`);
console.log(`| Herald / (b) mint-filter (target ≥ 10) | ${fmt(ratio('herald', 'mint-filter'), 1)} |`);
