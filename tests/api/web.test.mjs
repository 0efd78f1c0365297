// `herald serve --web DIR`: the built front end from the same process and port as the API, with
// the strict Content-Security-Policy, caching by ETag, and the app's pages answered by index.html.
// Also the editor's live preview (POST /api/v1/articles/preview).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestServer, skipReason, expectError } from './support.mjs';

let s;
let site;
before(async () => {
  if (skipReason) return;
  site = mkdtempSync(path.join(tmpdir(), 'herald-web-'));
  mkdirSync(path.join(site, 'assets'));
  writeFileSync(path.join(site, 'index.html'), '<!doctype html><div id="app"></div>');
  writeFileSync(path.join(site, 'assets', 'index-1a2b.js'), 'export const x = 1');
  s = await TestServer.start({ extraArgs: ['--web', site] });
});
after(async () => {
  if (s) await s.cleanup();
  if (site) rmSync(site, { recursive: true, force: true });
});

test('the front end is served with a strict CSP; app pages get index.html', { skip: skipReason }, async () => {
  for (const page of ['/', '/console/accounts/3', '/articles/1', '/moderation']) {
    const r = await s.request('GET', page);
    assert.equal(r.status, 200, page);
    assert.equal(r.text, '<!doctype html><div id="app"></div>');
    assert.match(r.headers.get('content-type'), /^text\/html/);
    const csp = r.headers.get('content-security-policy');
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self';/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    assert.equal(r.headers.get('cache-control'), 'no-cache');
  }
  const js = await s.request('GET', '/assets/index-1a2b.js');
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  assert.match(js.headers.get('cache-control'), /immutable/);
  const again = await s.request('GET', '/assets/index-1a2b.js', {
    headers: { 'if-none-match': js.headers.get('etag') },
  });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
});

test('missing files and unknown API routes stay 404 with the JSON error', { skip: skipReason }, async () => {
  expectError(assert, await s.request('GET', '/assets/missing-9.js'), 404, 'file_not_found');
  expectError(assert, await s.request('GET', '/api/v1/no-such-route'), 404, 'route_not_found');
  expectError(assert, await s.request('POST', '/console'), 404, 'route_not_found');
  const health = await s.request('GET', '/healthz');
  assert.equal(health.status, 200);
});

test('a web root without index.html stops the server from starting', { skip: skipReason }, async () => {
  const empty = mkdtempSync(path.join(tmpdir(), 'herald-web-empty-'));
  try {
    await assert.rejects(TestServer.start({ extraArgs: ['--web', empty] }), /web_root_missing/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('the live preview renders Markdown as publishing does', { skip: skipReason }, async () => {
  await s.register('13700000901');
  const token = await s.login('13700000901');
  const r = await s.request('POST', '/api/v1/articles/preview', {
    token,
    body: { body: '# 标题\n\n**粗体** <script>alert(1)</script> [x](javascript:alert(1))' },
  });
  assert.equal(r.status, 200, r.text);
  assert.match(r.json.html, /<h1>标题<\/h1>/);
  assert.match(r.json.html, /<strong>粗体<\/strong>/);
  assert.doesNotMatch(r.json.html, /<script|javascript:/);
  expectError(assert, await s.request('POST', '/api/v1/articles/preview', { body: { body: 'x' } }), 401, 'unauthenticated');
  expectError(assert, await s.request('POST', '/api/v1/articles/preview', { token, body: {} }), 400, 'missing_field');
  expectError(
    assert,
    await s.request('POST', '/api/v1/articles/preview', { token, body: { body: 'x'.repeat(50001) } }),
    400,
    'too_long',
  );
});
