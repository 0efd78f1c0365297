// The signed-in user's inbox (issue 6): notifications other modules send (reports.test.mjs
// checks the ones reports send). Here: the routes' shape, ownership and refusals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, expectError, skipReason } from './support.mjs';

let s;
before(async () => {
  if (skipReason) return;
  s = await TestServer.start();
});
after(async () => s && (await s.cleanup()));

test('notifications: an empty inbox, paging parameters and refusals', { skip: skipReason }, async () => {
  await s.register('13600000001');
  const token = await s.login('13600000001');
  let r = await s.request('GET', '/api/v1/me/notifications', { token });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { items: [], unread_count: 0, next_before: null });
  r = await s.request('GET', '/api/v1/me/notifications?unread=true&limit=5&before=10', { token });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items, []);

  expectError(assert, await s.request('GET', '/api/v1/me/notifications'), 401, 'unauthenticated');
  expectError(assert, await s.request('GET', '/api/v1/me/notifications?unread=yes', { token }), 400, 'invalid_parameter', 'unread');
  expectError(assert, await s.request('GET', '/api/v1/me/notifications?limit=101', { token }), 400, 'invalid_parameter', 'limit');
  expectError(assert, await s.request('GET', '/api/v1/me/notifications?user_id=1', { token }), 400, 'unknown_parameter');
  expectError(assert, await s.request('POST', '/api/v1/me/notifications/999/read', { token }), 404, 'notification_not_found');
  expectError(assert, await s.request('POST', '/api/v1/me/notifications/999/read', { token, body: { user_id: 1 } }), 400, 'unknown_field');
  r = await s.request('POST', '/api/v1/me/notifications/read-all', { token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.unread_count, 0);
});
