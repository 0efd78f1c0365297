// Registration, login, sessions, password change and login-failure bursts, end to end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, expectError, skipReason } from './support.mjs';

let s;
before(async () => {
  if (!skipReason) s = await TestServer.start({ env: { HERALD_AUTH_LOGIN_BURST_THRESHOLD: '3' } });
});
after(async () => s && (await s.cleanup()));

test('register, log in, read /me, log out', { skip: skipReason }, async () => {
  const reg = await s.request('POST', '/api/v1/auth/register', {
    body: { phone: '+86 139-1234-5678', password: 'correct horse', display_name: '小王' },
  });
  assert.equal(reg.status, 201, reg.text);
  assert.equal(reg.json.user.phone, '139****5678');
  assert.deepEqual(reg.json.user.roles, ['reader']);
  assert.equal(reg.json.user.display_name, '小王');

  const login = await s.request('POST', '/api/v1/auth/login', {
    body: { phone: '13912345678', password: 'correct horse' },
  });
  assert.equal(login.status, 200, login.text);
  assert.match(login.json.token, /^hs_[A-Za-z0-9_-]{43}$/);
  assert.equal(login.json.token_type, 'Bearer');
  const token = login.json.token;

  const me = await s.request('GET', '/api/v1/me', { token });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.id, reg.json.user.id);
  assert.deepEqual(me.json.permissions, ['identity.verify', 'self.read', 'self.write']);
  assert.ok(me.json.last_login_at);

  assert.equal((await s.request('POST', '/api/v1/auth/logout', { token })).status, 204);
  expectError(assert, await s.request('GET', '/api/v1/me', { token }), 401, 'session_revoked');
});

test('a protected route without a session is 401 with a stable code', { skip: skipReason }, async () => {
  const r = await s.request('GET', '/api/v1/me');
  expectError(assert, r, 401, 'unauthenticated');
  assert.equal(r.headers.get('www-authenticate'), 'Bearer');
  expectError(assert, await s.request('GET', '/api/v1/me', { token: 'hs_forged' }), 401, 'invalid_token');
  expectError(
    assert,
    await s.request('GET', '/api/v1/me', { headers: { authorization: 'Basic abc' } }),
    401,
    'invalid_token',
  );
});

test('duplicate phone and invalid fields give field-level errors', { skip: skipReason }, async () => {
  await s.register('13700000001');
  expectError(
    assert,
    await s.request('POST', '/api/v1/auth/register', { body: { phone: '137 0000 0001', password: 'password-xyz' } }),
    409,
    'phone_taken',
    'phone',
  );
  expectError(
    assert,
    await s.request('POST', '/api/v1/auth/register', { body: { phone: '1234', password: 'password-xyz' } }),
    400,
    'invalid_phone',
    'phone',
  );
  expectError(
    assert,
    await s.request('POST', '/api/v1/auth/register', { body: { phone: '13700000002', password: 'short' } }),
    400,
    'weak_password',
    'password',
  );
});

test('password change revokes other sessions and the old password', { skip: skipReason }, async () => {
  await s.register('13700000010', 'first-password');
  const a = await s.login('13700000010', 'first-password');
  const b = await s.login('13700000010', 'first-password');
  expectError(
    assert,
    await s.request('POST', '/api/v1/auth/password', {
      token: a,
      body: { old_password: 'wrong-password', new_password: 'second-password' },
    }),
    401,
    'invalid_credentials',
    'old_password',
  );
  const ok = await s.request('POST', '/api/v1/auth/password', {
    token: a,
    body: { old_password: 'first-password', new_password: 'second-password' },
  });
  assert.equal(ok.status, 204, ok.text);
  assert.equal((await s.request('GET', '/api/v1/me', { token: a })).status, 200);
  expectError(assert, await s.request('GET', '/api/v1/me', { token: b }), 401, 'session_revoked');
  expectError(
    assert,
    await s.request('POST', '/api/v1/auth/login', { body: { phone: '13700000010', password: 'first-password' } }),
    401,
    'invalid_credentials',
  );
  await s.login('13700000010', 'second-password');
});

test('a burst of failed logins locks the number and is audited', { skip: skipReason }, async () => {
  const user = await s.register('13700000020', 'right-password');
  for (let i = 0; i < 3; i++) {
    expectError(
      assert,
      await s.request('POST', '/api/v1/auth/login', { body: { phone: '13700000020', password: 'wrong-password' } }),
      401,
      'invalid_credentials',
    );
  }
  expectError(
    assert,
    await s.request('POST', '/api/v1/auth/login', { body: { phone: '13700000020', password: 'right-password' } }),
    429,
    'too_many_attempts',
  );
  const auditor = await s.userWithRole('13700000021', 'auditor');
  const r = await s.request('GET', '/api/v1/audit?action=auth.login_failure_burst', { token: auditor });
  assert.equal(r.status, 200, r.text);
  const hits = r.json.entries.filter((e) => e.subject === `user:${user.id}`);
  assert.equal(hits.length, 1);
  assert.equal(hits[0].actor, 'system');
  assert.equal(hits[0].details.failures, 3);
  assert.ok(!JSON.stringify(hits[0]).includes('13700000020'), 'audit entry must not hold the phone');
});
