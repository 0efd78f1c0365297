// Roles, permissions (401/403), admin role management and the auditor's view of the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, expectError, skipReason } from './support.mjs';

let s, admin, auditor, reader, readerUser;
before(async () => {
  if (skipReason) return;
  s = await TestServer.start();
  admin = await s.userWithRole('13600000001', 'platform_admin');
  auditor = await s.userWithRole('13600000002', 'auditor');
  readerUser = await s.register('13600000003');
  reader = await s.login('13600000003');
});
after(async () => s && (await s.cleanup()));

test('roles table is public and complete', { skip: skipReason }, async () => {
  const r = await s.request('GET', '/api/v1/roles');
  assert.equal(r.status, 200);
  assert.deepEqual(
    r.json.roles.map((x) => x.role),
    ['reader', 'operator', 'moderator', 'content_security_officer', 'platform_admin', 'auditor'],
  );
});

test('a reader gets 403 on admin routes; a stranger 401', { skip: skipReason }, async () => {
  expectError(assert, await s.request('GET', '/api/v1/users', { token: reader }), 403, 'permission_denied');
  expectError(assert, await s.request('GET', '/api/v1/audit', { token: reader }), 403, 'permission_denied');
  expectError(
    assert,
    await s.request('PUT', `/api/v1/users/${readerUser.id}/roles/moderator`, { token: reader }),
    403,
    'permission_denied',
  );
  expectError(assert, await s.request('GET', '/api/v1/users'), 401, 'unauthenticated');
});

test('admin grants and revokes a role; the change is immediate and audited', { skip: skipReason }, async () => {
  const grant = await s.request('PUT', `/api/v1/users/${readerUser.id}/roles/moderator`, { token: admin });
  assert.equal(grant.status, 200, grant.text);
  assert.deepEqual(grant.json.user.roles, ['reader', 'moderator']);
  // The moderator may now read users.
  const users = await s.request('GET', '/api/v1/users?limit=2', { token: reader });
  assert.equal(users.status, 200, users.text);
  assert.equal(users.json.users.length, 2);
  assert.ok(users.json.next_cursor);
  const next = await s.request('GET', `/api/v1/users?limit=2&cursor=${users.json.next_cursor}`, { token: reader });
  assert.equal(next.status, 200);
  assert.ok(next.json.users[0].id > users.json.users[1].id);

  const revoke = await s.request('DELETE', `/api/v1/users/${readerUser.id}/roles/moderator`, { token: admin });
  assert.equal(revoke.status, 200, revoke.text);
  assert.deepEqual(revoke.json.user.roles, ['reader']);
  expectError(assert, await s.request('GET', '/api/v1/users', { token: reader }), 403, 'permission_denied');

  const log = await s.request('GET', `/api/v1/audit?subject=user:${readerUser.id}&action=role.*&order=asc`, {
    token: auditor,
  });
  assert.equal(log.status, 200, log.text);
  assert.deepEqual(
    log.json.entries.map((e) => [e.action, e.details.role]),
    [
      ['role.grant', 'moderator'],
      ['role.revoke', 'moderator'],
    ],
  );
  const me = await s.request('GET', '/api/v1/me', { token: admin });
  assert.equal(log.json.entries[0].actor, `user:${me.json.id}`);
  assert.ok(log.json.entries[0].request_id.length > 0);
});

test('role guards: reader is not revocable, last admin stays, unknown role/user', { skip: skipReason }, async () => {
  const me = await s.request('GET', '/api/v1/me', { token: admin });
  expectError(
    assert,
    await s.request('DELETE', `/api/v1/users/${readerUser.id}/roles/reader`, { token: admin }),
    409,
    'role_not_revocable',
  );
  expectError(
    assert,
    await s.request('DELETE', `/api/v1/users/${me.json.id}/roles/platform_admin`, { token: admin }),
    409,
    'last_admin',
  );
  expectError(
    assert,
    await s.request('PUT', `/api/v1/users/${readerUser.id}/roles/superuser`, { token: admin }),
    400,
    'invalid_role',
    'role',
  );
  expectError(assert, await s.request('PUT', '/api/v1/users/999999/roles/auditor', { token: admin }), 404, 'user_not_found');
  expectError(assert, await s.request('GET', '/api/v1/users/abc', { token: admin }), 400, 'invalid_id', 'id');
});

test('the auditor is read-only', { skip: skipReason }, async () => {
  expectError(
    assert,
    await s.request('PUT', `/api/v1/users/${readerUser.id}/roles/auditor`, { token: auditor }),
    403,
    'permission_denied',
  );
  assert.equal((await s.request('GET', `/api/v1/users/${readerUser.id}`, { token: auditor })).status, 200);
});

test('audit log: filters, time range, cursor pagination, verification', { skip: skipReason }, async () => {
  // Make a few more entries.
  for (const role of ['operator', 'moderator', 'auditor']) {
    assert.equal((await s.request('PUT', `/api/v1/users/${readerUser.id}/roles/${role}`, { token: admin })).status, 200);
  }
  const all = [];
  let cursor = '';
  for (;;) {
    const r = await s.request('GET', `/api/v1/audit?limit=2${cursor ? '&cursor=' + cursor : ''}`, { token: auditor });
    assert.equal(r.status, 200, r.text);
    all.push(...r.json.entries);
    if (!r.json.next_cursor) break;
    cursor = r.json.next_cursor;
  }
  const seqs = all.map((e) => e.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), 'newest first');
  assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => seqs.length - i), 'no gaps, no repeats');
  // Each entry links to the previous one.
  for (let i = 0; i + 1 < all.length; i++) assert.equal(all[i].prev_hash, all[i + 1].hash);

  const mid = all[Math.floor(all.length / 2)].time;
  const since = await s.request('GET', `/api/v1/audit?since=${encodeURIComponent(mid)}&order=asc&limit=500`, {
    token: auditor,
  });
  assert.equal(since.status, 200);
  assert.ok(since.json.entries.every((e) => e.time >= mid));
  const until = await s.request('GET', `/api/v1/audit?until=${encodeURIComponent(mid)}&limit=500`, { token: auditor });
  assert.equal(since.json.entries.length + until.json.entries.length, all.length);

  const byActor = await s.request('GET', `/api/v1/audit?actor=cli`, { token: auditor });
  assert.ok(byActor.json.entries.length >= 2);
  assert.ok(byActor.json.entries.every((e) => e.actor === 'cli'));

  expectError(assert, await s.request('GET', '/api/v1/audit?since=yesterday', { token: auditor }), 400, 'invalid_parameter', 'since');
  expectError(assert, await s.request('GET', '/api/v1/audit?limit=0', { token: auditor }), 400, 'invalid_parameter', 'limit');
  expectError(assert, await s.request('GET', '/api/v1/audit?colour=red', { token: auditor }), 400, 'unknown_parameter', 'colour');

  const v = await s.request('GET', '/api/v1/audit/verify', { token: auditor });
  assert.equal(v.status, 200);
  assert.equal(v.json.ok, true);
  assert.equal(v.json.entries_checked, all.length);
  assert.equal(v.json.head_hash, all[0].hash);
});
