// `herald screen --terms FILE [--terms FILE ...]`: the JSON-lines contract on stdin/stdout,
// exercised with the real binary (exact lines with byte offsets, evasions, allow entries,
// several dictionaries, invalid UTF-8, bad files, the sample dictionary).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HERALD, ROOT } from './support.mjs';

let dir;
let termsA;
let termsB;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-screen-'));
  termsA = path.join(dir, 'a.tsv');
  termsB = path.join(dir, 'b.tsv');
  writeFileSync(
    termsA,
    [
      '# gambling and drugs',
      '赌博\tgambling\tblock',
      'casino\tgambling\tblock',
      '大麻\tdrugs\tblock',
      '大麻烦\tharmless\tallow',
      '贷款\tfinance\treview',
      '代购\tcommerce\tflag',
      '傻逼\tabuse\treplace',
      '',
    ].join('\n'),
  );
  writeFileSync(
    termsB,
    ['網上賭博\tgambling\treview', '援交\tpornography\tblock', '支援交通\tharmless\tallow', '']
      .join('\n'),
  );
});

after(() => rmSync(dir, { recursive: true, force: true }));

function run(files, input) {
  const args = ['screen'];
  for (const f of files) args.push('--terms', f);
  const r = spawnSync(HERALD, args, { input, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

function screenLines(files, input) {
  const r = run(files, input);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const out = r.stdout.split('\n');
  assert.equal(out.pop(), '', 'output must end with a newline');
  return out;
}

const m = (term, category, action, start, end) =>
  `{"term":"${term}","category":"${category}","action":"${action}","start":${start},"end":${end}}`;

test('screen: exact JSON lines with byte offsets into the original line', () => {
  const input = Buffer.concat([
    Buffer.from('赌*博\n'), // 3 + 1 + 3 bytes
    Buffer.from('來玩賭·博吧\r\n'), // · is 2 bytes; \r stripped
    Buffer.from('去ＣＡＳＩＮＯ玩\n'), // full-width letters are 3 bytes each
    Buffer.from('c a s i n o\n'),
    Buffer.from('今天天气很好\n'),
    Buffer.from([0xe8, 0xb5, 0x8c, 0xff, 0x0a]), // 赌 followed by a stray 0xFF
    Buffer.from('\n'),
    Buffer.from('真是大麻烦\n'), // allow entry suppresses 大麻
    Buffer.from('大麻烦和大麻\n'),
    Buffer.from('代购贷款\n'),
    Buffer.from('你这傻逼'), // last line without a newline
  ]);
  const lines = screenLines([termsA], input);
  assert.deepEqual(lines, [
    `{"line":1,"verdict":"block","matches":[${m('赌博', 'gambling', 'block', 0, 7)}]}`,
    `{"line":2,"verdict":"block","matches":[${m('赌博', 'gambling', 'block', 6, 14)}]}`,
    `{"line":3,"verdict":"block","matches":[${m('casino', 'gambling', 'block', 3, 21)}]}`,
    `{"line":4,"verdict":"block","matches":[${m('casino', 'gambling', 'block', 0, 11)}]}`,
    '{"line":5,"verdict":"allow","matches":[]}',
    '{"line":6,"verdict":"allow","matches":[],"error":"invalid_utf8"}',
    '{"line":7,"verdict":"allow","matches":[]}',
    '{"line":8,"verdict":"allow","matches":[]}',
    `{"line":9,"verdict":"block","matches":[${m('大麻', 'drugs', 'block', 12, 18)}]}`,
    `{"line":10,"verdict":"review","matches":[${m('代购', 'commerce', 'flag', 0, 6)},` +
      `${m('贷款', 'finance', 'review', 6, 12)}]}`,
    `{"line":11,"verdict":"flag","matches":[${m('傻逼', 'abuse', 'replace', 6, 12)}]}`,
  ]);
});

test('screen: several dictionaries, overlapping matches sorted by start then end', () => {
  const lines = screenLines([termsA, termsB], '网上赌博网站\n支援交通 援交\n');
  assert.deepEqual(lines, [
    // 網上賭博 is reported as written in b.tsv; 赌博 from a.tsv overlaps it.
    `{"line":1,"verdict":"block","matches":[${m('網上賭博', 'gambling', 'review', 0, 12)},` +
      `${m('赌博', 'gambling', 'block', 6, 12)}]}`,
    `{"line":2,"verdict":"block","matches":[${m('援交', 'pornography', 'block', 13, 19)}]}`,
  ]);
});

test('screen: a bad or missing term file exits 2 naming the file and line', () => {
  const bad = path.join(dir, 'bad.tsv');
  writeFileSync(bad, '# ok\n赌博\tgambling\tblock\n赌场\tgambling\tforbid\n');
  const r = run([termsA, bad], '赌博\n');
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.ok(r.stderr.includes(`${bad}:3: unknown action 'forbid'`), r.stderr);

  const missing = run([path.join(dir, 'missing.tsv')], '赌博\n');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /missing\.tsv/);

  const usage = spawnSync(HERALD, ['screen'], { input: 'x\n' });
  assert.equal(usage.status, 2, 'missing --terms is a usage error');
});

test('screen: the sample dictionary loads and screens', () => {
  const sample = path.join(ROOT, 'src/moderation/default_terms.tsv');
  const lines = screenLines([sample], '真是大麻烦\n出售大麻\n正规网站\n').map((l) =>
    JSON.parse(l),
  );
  assert.deepEqual(
    lines.map((l) => l.verdict),
    ['allow', 'block', 'allow'],
  );
  assert.deepEqual(lines[1].matches, [
    { term: '大麻', category: 'drugs', action: 'block', start: 6, end: 12 },
  ]);
});

test('screen: each line is answered before the next is sent (streaming use)', async () => {
  const proc = spawn(HERALD, ['screen', '--terms', termsA], { stdio: ['pipe', 'pipe', 'pipe'] });
  let buffered = '';
  const nextLine = () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer within 10 s')), 10_000);
      const check = () => {
        const i = buffered.indexOf('\n');
        if (i < 0) return;
        clearTimeout(timer);
        proc.stdout.off('data', onData);
        const line = buffered.slice(0, i);
        buffered = buffered.slice(i + 1);
        resolve(line);
      };
      const onData = (d) => {
        buffered += d;
        check();
      };
      proc.stdout.on('data', onData);
      check();
    });
  proc.stdin.write('賭·博\n');
  assert.equal(
    await nextLine(),
    `{"line":1,"verdict":"block","matches":[${m('赌博', 'gambling', 'block', 0, 8)}]}`,
  );
  proc.stdin.write('hello\n');
  assert.equal(await nextLine(), '{"line":2,"verdict":"allow","matches":[]}');
  proc.stdin.end();
  const code = await new Promise((resolve) => proc.on('exit', resolve));
  assert.equal(code, 0);
});
