// Health, metrics, request ids, access log, personal data at rest, and two servers side by side.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { TestServer, skipReason, BACKEND } from './support.mjs';

let s;
before(async () => {
  if (!skipReason) s = await TestServer.start();
});
after(async () => s && (await s.cleanup()));

test('healthz reports the backend', { skip: skipReason }, async () => {
  const r = await s.request('GET', '/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'ok');
  assert.equal(r.json.database, BACKEND);
  assert.match(r.headers.get('content-type'), /application\/json/);
});

test('every response has a unique request id', { skip: skipReason }, async () => {
  const ids = new Set();
  for (const p of ['/healthz', '/api/v1/me', '/nope', '/api/v1/roles']) {
    const r = await s.request('GET', p);
    const id = r.headers.get('x-request-id');
    assert.match(id, /^[0-9a-f]{16}$/);
    ids.add(id);
  }
  assert.equal(ids.size, 4);
});

test('metrics count requests by route and status and show the DB pool', { skip: skipReason }, async () => {
  await s.request('GET', '/healthz');
  await s.request('GET', '/api/v1/me');
  const r = await s.request('GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/plain/);
  assert.match(r.text, /herald_http_requests_total\{[^}]*route="\/healthz"[^}]*status="200"[^}]*\} \d+/);
  assert.match(r.text, /herald_http_requests_total\{[^}]*route="\/api\/v1\/me"[^}]*status="401"[^}]*\} \d+/);
  assert.match(r.text, /herald_http_request_duration_seconds_bucket\{[^}]*le="\+Inf"[^}]*\} \d+/);
  assert.match(r.text, /herald_db_pool_connections \d+/);
  assert.match(r.text, /herald_db_pool_in_use \d+/);
});

test('personal data: phone numbers and passwords never appear in clear at rest or in logs', { skip: skipReason }, async () => {
  const phones = ['13811112222', '13933334444'];
  for (const p of phones) await s.register(p, 'secret-pass-' + p);
  for (const p of phones) await s.login(p, 'secret-pass-' + p);
  await s.request('POST', '/api/v1/auth/login', { body: { phone: phones[0], password: 'wrong-password' } });
  await s.stop(); // flush logs and checkpoint the database
  const files = s.readAll();
  assert.ok(files.some((f) => f.file.endsWith(path.join('logs', 'access.log'))), 'access log exists');
  for (const { file, data } of files) {
    for (const p of phones) {
      assert.ok(!data.includes(p), `${file} contains ${p} in clear`);
      assert.ok(!data.includes('secret-pass-' + p), `${file} contains a password`);
      assert.ok(!data.includes(p.slice(0, 3) + ' ' + p.slice(3)), `${file} contains a spaced phone`);
    }
  }
  // The access log is one JSON object per line with the documented keys.
  const lines = readFileSync(path.join(s.dataDir, 'logs', 'access.log'), 'utf8').trim().split('\n');
  assert.ok(lines.length >= 5);
  for (const line of lines) {
    const e = JSON.parse(line);
    for (const k of ['time', 'request_id', 'user_id', 'method', 'route', 'path', 'status', 'latency_ms', 'client']) {
      assert.ok(k in e, `access log line lacks ${k}: ${line}`);
    }
  }
  const loginLine = lines.map((l) => JSON.parse(l)).find((e) => e.route === '/api/v1/auth/login' && e.status === 200);
  assert.ok(loginLine.user_id > 0, 'the access log records the user of a login');
  const keyFile = path.join(s.dataDir, 'keys', 'master.key');
  assert.ok(existsSync(keyFile));
});

test('two servers run side by side on their own ports and data dirs', { skip: skipReason }, async () => {
  const a = await TestServer.start();
  const b = await TestServer.start();
  try {
    assert.notEqual(a.base, b.base);
    await a.register('13712341234');
    // The same number is free on the other server: separate databases.
    await b.register('13712341234');
    assert.equal((await a.request('GET', '/healthz')).status, 200);
    assert.equal((await b.request('GET', '/healthz')).status, 200);
  } finally {
    await a.cleanup();
    await b.cleanup();
  }
});
