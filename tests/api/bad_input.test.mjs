// Hostile and malformed input: every case gets a 4xx with a stable code, never a 500 or a crash,
// and nothing half-written is left behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { TestServer, expectError, skipReason } from './support.mjs';

let s, admin;
before(async () => {
  if (skipReason) return;
  s = await TestServer.start({ env: { HERALD_SERVER_BODY_LIMIT_BYTES: '4096' } });
  admin = await s.userWithRole('13500000001', 'platform_admin');
});
after(async () => s && (await s.cleanup()));

// Sends raw bytes and returns the status line and the body.
function raw(bytes) {
  const u = new URL(s.base);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(u.port), u.hostname);
    let data = Buffer.alloc(0);
    sock.on('data', (d) => (data = Buffer.concat([data, d])));
    sock.on('end', () => finish());
    sock.on('error', reject);
    const timer = setTimeout(() => finish(), 3000);
    function finish() {
      clearTimeout(timer);
      sock.destroy();
      const text = data.toString('latin1');
      const status = Number((text.match(/^HTTP\/1\.1 (\d{3})/) || [])[1]);
      const body = text.split('\r\n\r\n').slice(1).join('\r\n\r\n');
      let json;
      try {
        json = JSON.parse(body);
      } catch {}
      resolve({ status, text, json });
    }
    sock.write(bytes);
  });
}

const register = (body, headers) => s.request('POST', '/api/v1/auth/register', { body, headers });

test('malformed JSON, non-objects, deep nesting', { skip: skipReason }, async () => {
  expectError(assert, await s.request('POST', '/api/v1/auth/register', { raw: '{"phone":', headers: { 'content-type': 'application/json' } }), 400, 'malformed_json');
  expectError(assert, await s.request('POST', '/api/v1/auth/register', { raw: '[1,2]', headers: { 'content-type': 'application/json' } }), 400, 'invalid_body');
  expectError(assert, await s.request('POST', '/api/v1/auth/register', { raw: '', headers: { 'content-type': 'application/json' } }), 400, 'malformed_json');
  const deep = '{"phone":' + '['.repeat(100) + ']'.repeat(100) + '}';
  expectError(assert, await s.request('POST', '/api/v1/auth/register', { raw: deep, headers: { 'content-type': 'application/json' } }), 400, 'malformed_json');
});

test('wrong types, unknown and missing fields name the field', { skip: skipReason }, async () => {
  expectError(assert, await register({ phone: 13800138000, password: 'password-1' }), 400, 'invalid_type', 'phone');
  expectError(assert, await register({ phone: '13800138000', password: ['x'] }), 400, 'invalid_type', 'password');
  expectError(assert, await register({ phone: '13800138000', password: 'password-1', is_admin: true }), 400, 'unknown_field', 'is_admin');
  expectError(assert, await register({ password: 'password-1' }), 400, 'missing_field', 'phone');
  expectError(assert, await register({ phone: null, password: 'password-1' }), 400, 'missing_field', 'phone');
});

test('wrong content type is refused', { skip: skipReason }, async () => {
  const r = await s.request('POST', '/api/v1/auth/register', {
    raw: JSON.stringify({ phone: '13800138000', password: 'password-1' }),
    headers: { 'content-type': 'text/plain' },
  });
  expectError(assert, r, 415, 'unsupported_media_type');
});

test('oversized bodies get 413', { skip: skipReason }, async () => {
  const r = await register({ phone: '13800138000', password: 'x'.repeat(10_000) });
  expectError(assert, r, 413, 'body_too_large');
});

test('overlong strings get too_long with the field', { skip: skipReason }, async () => {
  expectError(assert, await register({ phone: '1'.repeat(40), password: 'password-1' }), 400, 'too_long', 'phone');
  expectError(assert, await register({ phone: '13800138000', password: 'p'.repeat(129) }), 400, 'too_long', 'password');
  expectError(
    assert,
    await register({ phone: '13800138000', password: 'password-1', display_name: '名'.repeat(31) }),
    400,
    'too_long',
    'display_name',
  );
});

test('invalid UTF-8 in the body', { skip: skipReason }, async () => {
  const body = Buffer.concat([
    Buffer.from('{"phone":"13800138000","password":"pass'),
    Buffer.from([0xc3, 0x28, 0xff]),
    Buffer.from('word"}'),
  ]);
  const r = await raw(
    Buffer.concat([
      Buffer.from(
        `POST /api/v1/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
      ),
      body,
    ]),
  );
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.code, 'invalid_utf8');
});

test('SQL metacharacters are data, not code', { skip: skipReason }, async () => {
  const name = "Robert'); DROP TABLE users; --";
  const reg = await register({ phone: '13800138111', password: "pa'ss\"word;--", display_name: name });
  assert.equal(reg.status, 201, reg.text);
  assert.equal(reg.json.user.display_name, name);
  const token = await s.login('13800138111', "pa'ss\"word;--");
  const me = await s.request('GET', '/api/v1/me', { token });
  assert.equal(me.json.display_name, name);
  expectError(
    assert,
    await s.request('POST', '/api/v1/auth/login', { body: { phone: "13800138000' OR '1'='1", password: 'x' } }),
    400,
    'invalid_phone',
    'phone',
  );
  const audit = await s.request('GET', `/api/v1/audit?actor=${encodeURIComponent("x' OR 1=1 --")}`, { token: admin });
  assert.equal(audit.status, 200);
  assert.equal(audit.json.entries.length, 0);
});

test('bad paths, queries and methods', { skip: skipReason }, async () => {
  expectError(assert, await s.request('GET', '/api/v1/nothing-here'), 404, 'route_not_found');
  const m = await s.request('DELETE', '/api/v1/me');
  expectError(assert, m, 405, 'method_not_allowed');
  const pct = await raw('GET /api/v1/users/%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(pct.status, 400, pct.text);
  assert.equal(pct.json.error.code, 'invalid_path');
  const badq = await raw('GET /api/v1/audit?actor=%FF HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(badq.status, 400, badq.text);
  const garbage = await raw('HELLO THERE\r\n\r\n');
  assert.equal(garbage.status, 400, garbage.text);
  expectError(assert, await s.request('GET', '/api/v1/users?limit=abc', { token: admin }), 400, 'invalid_parameter', 'limit');
  expectError(assert, await s.request('GET', '/api/v1/users/99999999999999999999', { token: admin }), 400, 'invalid_id', 'id');
});

test('failed requests leave nothing half-written', { skip: skipReason }, async () => {
  const before = await s.request('GET', '/api/v1/users?limit=200', { token: admin });
  const auditBefore = await s.request('GET', '/api/v1/audit?limit=1', { token: admin });
  await register({ phone: '13800138222', password: 'short' });
  await register({ phone: '13800138222', password: 'password-1', display_name: 'a\u0001b' });
  await register({ phone: '13800138111', password: 'password-1' }); // taken
  const after = await s.request('GET', '/api/v1/users?limit=200', { token: admin });
  assert.equal(after.json.users.length, before.json.users.length);
  const auditAfter = await s.request('GET', '/api/v1/audit?limit=1', { token: admin });
  assert.equal(auditAfter.json.entries[0].seq, auditBefore.json.entries[0].seq);
});

test('the server is still healthy and never answered 500', { skip: skipReason }, async () => {
  assert.equal((await s.request('GET', '/healthz')).status, 200);
  const metrics = (await s.request('GET', '/metrics')).text;
  assert.ok(!/status="5\d\d"/.test(metrics), 'no 5xx recorded:\n' + metrics);
});
