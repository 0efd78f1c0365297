// `herald dedup [--threshold T]`: the JSON-lines contract of the near-duplicate index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from './support.mjs';

const article = '今年秋天，城市图书馆推出了夜间阅读计划，每周五晚上开放到十点，读者可以在安静的环境里借阅新书，参加作者见面会。';

function run(lines, args = []) {
  const r = cli(['dedup', ...args], { input: lines.join('\n') + '\n' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

test('one line per document, in order, naming earlier near-duplicates', () => {
  const out = run([
    JSON.stringify({ id: 'a1', text: article }),
    JSON.stringify({ id: 'b1', text: '足球联赛周末开战，主队在主场以二比一击败了来访的卫冕冠军，球迷们彻夜庆祝胜利。' }),
    JSON.stringify({ id: 'a2', text: article.replace(/，/g, ' ').replace('图书馆', '圖書館') }),
    JSON.stringify({ id: 'a3', text: article + '欢迎转发！' }),
  ]);
  assert.deepEqual(out, [
    { id: 'a1', near: [] },
    { id: 'b1', near: [] },
    { id: 'a2', near: ['a1'] },
    { id: 'a3', near: ['a1', 'a2'] },
  ]);
});

test('--threshold changes what counts as near; bad lines are reported and skipped', () => {
  const half = article.slice(0, 25);
  assert.deepEqual(run([JSON.stringify({ id: 'x', text: article }), JSON.stringify({ id: 'h', text: half })]).map((o) => o.near), [[], []]);
  assert.deepEqual(run([JSON.stringify({ id: 'x', text: article }), JSON.stringify({ id: 'h', text: half })], ['--threshold', '0.3']).map((o) => o.near), [[], ['x']]);
  const out = run(['not json', JSON.stringify({ id: 7, text: 'x' }), JSON.stringify({ id: 'ok', text: article })]);
  assert.deepEqual(out, [
    { line: 1, error: 'invalid_json' },
    { line: 2, error: 'invalid_document' },
    { id: 'ok', near: [] },
  ]);
  const bad = cli(['dedup', '--threshold', '1.5'], { input: '' });
  assert.equal(bad.status, 2);
});
