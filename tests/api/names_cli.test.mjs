// `herald names check --protected FILE`: the JSON-lines contract on stdin/stdout, exercised with
// the real binary (evasion cases, invalid UTF-8, bad files).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cli, ROOT } from './support.mjs';

let dir;
let protectedFile;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-names-'));
  protectedFile = path.join(dir, 'protected.tsv');
  writeFileSync(
    protectedFile,
    [
      '# test list',
      '国务院\tgovernment',
      '人民日报\tmedia',
      'ＣＣＴＶ\tmedia',
      '中国银行\tenterprise',
      '京\tgovernment',
      '',
    ].join('\n'),
  );
});

after(() => rmSync(dir, { recursive: true, force: true }));

// Runs the command; returns the parsed output lines (each must be a JSON object).
function check(lines, file = protectedFile) {
  const input = Buffer.isBuffer(lines) ? lines : Buffer.from(lines.join('\n') + '\n');
  const r = cli(['names', 'check', '--protected', file], { input });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.split('\n');
  assert.equal(out.pop(), '', 'output must end with a newline');
  return out.map((l) => JSON.parse(l));
}

function expectDecision(result, name, decision, protectedName) {
  assert.equal(result.name, name);
  assert.equal(result.decision, decision, JSON.stringify(result));
  assert.ok(Array.isArray(result.matches));
  for (const m of result.matches) {
    assert.equal(typeof m.protected, 'string');
    assert.ok(m.score >= 0 && m.score <= 1, JSON.stringify(m));
  }
  if (protectedName) {
    const m = result.matches.find((x) => x.protected === protectedName);
    assert.ok(m, `${name} should match ${protectedName}: ${JSON.stringify(result)}`);
    return m;
  }
  return undefined;
}

test('names check: evasion of protected names is rejected with score 1', () => {
  const cases = [
    ['國務院客服', '国务院'],
    ['ＣＣＴＶ官方', 'ＣＣＴＶ'],
    ['CCTV', 'ＣＣＴＶ'],
    ['\u0421\u0421\u0422V', 'ＣＣＴＶ'], // Cyrillic С С Т + Latin V
    ['人民曰报', '人民日报'],
    ['人 民 日 报', '人民日报'],
    ['人民日報频道', '人民日报'],
    ['人\u200B民·日报😀', '人民日报'],
    ['中國銀行官方客服', '中国银行'],
  ];
  const results = check(cases.map(([n]) => n));
  assert.equal(results.length, cases.length);
  cases.forEach(([name, prot], i) => {
    const m = expectDecision(results[i], name, 'reject', prot);
    assert.equal(m.score, 1);
  });
});

test('names check: containment and similarity are reviewed, unrelated names allowed', () => {
  const [contains, similar, unrelated, single, short] = check([
    '人民日报读者俱乐部',
    '人民日抱',
    '美食日记',
    '北京烤鸭京味',
    '人民',
  ]);
  const c = expectDecision(contains, '人民日报读者俱乐部', 'review', '人民日报');
  assert.ok(c.score >= 0.75 && c.score < 1);
  const s = expectDecision(similar, '人民日抱', 'review', '人民日报');
  assert.ok(s.score >= 0.75 && s.score < 1);
  expectDecision(unrelated, '美食日记', 'allow');
  assert.deepEqual(unrelated.matches, []);
  // A one-character protected name matches only exactly.
  expectDecision(single, '北京烤鸭京味', 'allow');
  assert.deepEqual(single.matches, []);
  expectDecision(short, '人民', 'allow');
});

test('names check: one line out per line in, in order, invalid UTF-8 reported and skipped', () => {
  const input = Buffer.concat([
    Buffer.from('美食日记\r\n'),
    Buffer.from([0xe4, 0xba, 0xba, 0xff, 0x0a]), // 人 followed by a stray 0xFF
    Buffer.from('国务院\n'),
    Buffer.from('\n'),
    Buffer.from('ＣＣＴＶ官方'), // last line without a newline
  ]);
  const out = check(input);
  assert.equal(out.length, 5);
  expectDecision(out[0], '美食日记', 'allow'); // \r stripped
  assert.deepEqual(out[1], { name: '人\uFFFD', error: 'invalid_utf8' });
  expectDecision(out[2], '国务院', 'reject', '国务院');
  assert.equal(out[3].name, '');
  assert.equal(out[3].decision, 'allow');
  expectDecision(out[4], 'ＣＣＴＶ官方', 'reject', 'ＣＣＴＶ');
});

test('names check: matches are sorted by score, best first', () => {
  const file = path.join(dir, 'sorted.tsv');
  writeFileSync(file, '人民日报\tmedia\n人民日报海外版\tmedia\n日报\tmedia\n');
  const [r] = check(['人民日报海外版官方'], file);
  expectDecision(r, '人民日报海外版官方', 'reject', '人民日报海外版');
  assert.equal(r.matches.length, 3);
  assert.equal(r.matches[0].protected, '人民日报海外版');
  for (let i = 1; i < r.matches.length; i++) {
    assert.ok(r.matches[i - 1].score >= r.matches[i].score, JSON.stringify(r.matches));
  }
});

test('names check: the sample file in docs/ loads', () => {
  const [r] = check(['新華社官方'], path.join(ROOT, 'docs/samples/protected_names.tsv'));
  expectDecision(r, '新華社官方', 'reject', '新华社');
});

test('names check: a bad or missing file exits 2 with a message', () => {
  const bad = path.join(dir, 'bad.tsv');
  writeFileSync(bad, '国务院\tgovernment\n人民日报\tnewspaper\n');
  const r = cli(['names', 'check', '--protected', bad], { input: '国务院\n' });
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /line 2/);

  const noTab = path.join(dir, 'notab.tsv');
  writeFileSync(noTab, '国务院 government\n');
  const t = cli(['names', 'check', '--protected', noTab], { input: '国务院\n' });
  assert.equal(t.status, 2);
  assert.match(t.stderr, /line 1/);

  const missing = cli(['names', 'check', '--protected', path.join(dir, 'nope.tsv')], {
    input: '国务院\n',
  });
  assert.equal(missing.status, 2);
  assert.notEqual(missing.stderr, '');

  const usage = cli(['names', 'check'], { input: '' });
  assert.equal(usage.status, 2, 'missing --protected is a usage error');
});
