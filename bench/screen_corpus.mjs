#!/usr/bin/env node
// Generates the screening benchmark's data (issue 4, "Benchmarks") from a real Chinese word list:
//
//   node bench/screen_corpus.mjs [--out DIR] [--mb 50] [--terms 20000] [--seed 1] [--dict PATH]
//                                [--pick rare|uniform]
//
// DIR (default /tmp/herald-bench/screen) receives:
//   terms.tsv     20,000 Chinese terms of 2-6 characters, Herald's term-file format
//                 (term<TAB>category<TAB>action)
//   docs.txt      ~50 MB of Chinese text, one ~3 KB document per line
//   messages.txt  the same text split into ~300 B messages, one per line
//   stats.json    what was generated (sizes, planted terms, seed)
//
// Word list: jieba's dict.txt ("word frequency tag" per line), shipped by Debian's python3-jieba
// (scripts/install-deps.sh installs it) at /usr/lib/python3/dist-packages/jieba/dict.txt.
//
// Text: sentences of 4-24 words drawn by jieba frequency (so common words are common) from the
// list minus the dictionary terms, with Chinese punctuation between clauses and an occasional
// number. A dictionary term is planted about once per 1,000 characters (the gap is uniform in
// 500-1,500 characters); one planted term in ten is disguised with a separator inside it (赌*博,
// 赌 博, 赌·博), which Herald's normalisation sees through and a plain literal scan does not.
// Terms: see "Dictionary" below. Accidental occurrences (a term inside a longer word or across
// two words) still happen and are counted by the benchmark.
// Deterministic for a given seed and word list.
import { mkdirSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import path from 'node:path';

function parseArgs(argv) {
  const a = {
    out: '/tmp/herald-bench/screen',
    mb: 50,
    terms: 20000,
    seed: 1,
    dict: '/usr/lib/python3/dist-packages/jieba/dict.txt',
    pick: 'rare',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in a) || i + 1 >= argv.length) {
      console.error(
        'usage: screen_corpus.mjs [--out DIR] [--mb 50] [--terms 20000] [--seed 1] [--dict PATH] [--pick rare|uniform]',
      );
      process.exit(2);
    }
    a[k] = typeof a[k] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return a;
}

// mulberry32: small, fast, seedable.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HAN = /^[\u3400-\u4dbf\u4e00-\u9fff]+$/u;

const args = parseArgs(process.argv.slice(2));
const rand = rng(args.seed);
const int = (n) => Math.floor(rand() * n);

let raw;
try {
  raw = readFileSync(args.dict, 'utf8');
} catch (e) {
  console.error(`cannot read the word list ${args.dict}: ${e.message}`);
  console.error('install it with scripts/install-deps.sh (Debian package python3-jieba)');
  process.exit(2);
}
const words = [];
for (const line of raw.split('\n')) {
  const [w, f] = line.split(' ');
  if (w && HAN.test(w)) words.push({ w, f: Number(f) || 1 });
}

// Dictionary: distinct words of 2-6 Han characters, frequency ≥ 3. A real banned-term list
// rarely matches ordinary text by accident; to get the same here (matches ≈ planted terms), twice
// as many candidates as needed are drawn uniformly, a 3-million-character probe of filler text is
// generated (separate random stream), and the candidates occurring least often in it (as a
// substring of a longer word, or across two words) are kept. --pick uniform keeps the first
// drawn instead (then accidental matches outnumber planted ones about 7 to 1).
const pool = words.filter(({ w, f }) => w.length >= 2 && w.length <= 6 && f >= 3);
for (let i = pool.length - 1; i > 0; i--) {
  const j = int(i + 1);
  [pool[i], pool[j]] = [pool[j], pool[i]];
}
let terms;
if (args.pick === 'uniform') {
  terms = pool.slice(0, args.terms).map((c) => c.w);
} else {
  const cand = pool.slice(0, 2 * args.terms).map((c) => c.w);
  const candSet = new Set(cand);
  const probeRand = rng(args.seed + 0x9e3779b9);
  const probeWords = words.filter(({ w }) => !candSet.has(w));
  const probeCum = new Float64Array(probeWords.length);
  let probeTotal = 0;
  for (let i = 0; i < probeWords.length; i++) probeCum[i] = probeTotal += probeWords[i].f;
  const count = new Map(cand.map((w) => [w, 0]));
  let probe = '';
  let probed = 0;
  const scan = (s) => {
    for (let i = 0; i < s.length; i++) {
      for (let n = 2; n <= 6 && i + n <= s.length; n++) {
        const c = count.get(s.slice(i, i + n));
        if (c !== undefined) count.set(s.slice(i, i + n), c + 1);
      }
    }
  };
  while (probed < 3e6) {
    const x = probeRand() * probeTotal;
    let lo = 0;
    let hi = probeCum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (probeCum[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    probe += probeWords[lo].w;
    if (probe.length > 4096) {
      scan(probe);
      probed += probe.length;
      probe = probe.slice(-5);
    }
  }
  const order = cand.map((w, i) => ({ w, i, c: count.get(w) }));
  order.sort((a, b) => a.c - b.c || a.i - b.i);
  terms = order.slice(0, args.terms).map((o) => o.w);
}
const termSet = new Set(terms);
const categories = ['gambling', 'fraud', 'drugs', 'pornography', 'weapons', 'illegal_services'];
const actions = ['block', 'block', 'block', 'review', 'flag'];
mkdirSync(args.out, { recursive: true });
writeFileSync(
  path.join(args.out, 'terms.tsv'),
  terms.map((t, i) => `${t}\t${categories[i % categories.length]}\t${actions[i % actions.length]}\n`).join(''),
);

// Filler vocabulary: every other Han word, drawn by frequency (cumulative table + binary search).
const filler = words.filter(({ w }) => !termSet.has(w));
const cum = new Float64Array(filler.length);
let total = 0;
for (let i = 0; i < filler.length; i++) cum[i] = total += filler[i].f;
function fillerWord() {
  const x = rand() * total;
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return filler[lo].w;
}

const CLAUSE_END = ['，', '，', '，', '、', '；', '：'];
const SENTENCE_END = ['。', '。', '。', '！', '？'];
const SEPARATORS = ['*', ' ', '·', '-', '_', '.'];
const targetBytes = Math.round(args.mb * 1e6);
let gap = 500 + int(1001); // characters until the next planted term
let planted = 0;
let disguised = 0;
let chars = 0;

// One sentence of 1-3 clauses.
function sentence() {
  let s = '';
  const clauses = 1 + int(3);
  for (let c = 0; c < clauses; c++) {
    const n = 4 + int(21);
    for (let k = 0; k < n; k++) {
      let w;
      if (gap <= 0) {
        w = terms[int(terms.length)];
        if (int(10) === 0) {
          const at = 1 + int(w.length - 1);
          w = w.slice(0, at) + SEPARATORS[int(SEPARATORS.length)] + w.slice(at);
          disguised++;
        }
        planted++;
        gap = 500 + int(1001);
      } else if (int(50) === 0) {
        w = String(int(10000));
      } else {
        w = fillerWord();
      }
      s += w;
      gap -= w.length;
      chars += w.length;
    }
    s += c + 1 < clauses ? CLAUSE_END[int(CLAUSE_END.length)] : SENTENCE_END[int(SENTENCE_END.length)];
    chars += 1;
  }
  return s;
}

// The same sentence stream goes into both files; only the line breaks differ.
const docs = createWriteStream(path.join(args.out, 'docs.txt'));
const msgs = createWriteStream(path.join(args.out, 'messages.txt'));
let bytes = 0;
let doc = '';
let docBytes = 0;
let msg = '';
let msgBytes = 0;
let nDocs = 0;
let nMsgs = 0;
const docParts = [];
const msgParts = [];
while (bytes < targetBytes) {
  const s = sentence();
  const b = Buffer.byteLength(s);
  bytes += b;
  doc += s;
  docBytes += b;
  msg += s;
  msgBytes += b;
  if (msgBytes >= 215) {
    msgParts.push(msg);
    nMsgs++;
    msg = '';
    msgBytes = 0;
  }
  if (docBytes >= 2900) {
    docParts.push(doc);
    nDocs++;
    doc = '';
    docBytes = 0;
  }
  if (docParts.length >= 256) docs.write(docParts.splice(0).join('\n') + '\n');
  if (msgParts.length >= 2048) msgs.write(msgParts.splice(0).join('\n') + '\n');
}
if (doc) docParts.push(doc), nDocs++;
if (msg) msgParts.push(msg), nMsgs++;
if (docParts.length) docs.write(docParts.join('\n') + '\n');
if (msgParts.length) msgs.write(msgParts.join('\n') + '\n');
docs.end();
msgs.end();

const stats = {
  seed: args.seed,
  pick: args.pick,
  word_list: args.dict,
  word_list_han_words: words.length,
  terms: terms.length,
  term_lengths: [2, 3, 4, 5, 6].map((n) => terms.filter((t) => t.length === n).length),
  text_bytes: bytes,
  text_chars: chars,
  documents: nDocs,
  messages: nMsgs,
  planted,
  planted_disguised: disguised,
  chars_per_planted_term: Math.round(chars / planted),
};
writeFileSync(path.join(args.out, 'stats.json'), JSON.stringify(stats, null, 2) + '\n');
console.log(JSON.stringify(stats));
