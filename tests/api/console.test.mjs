// Reads the web consoles need (docs/web.md): an account's followers and reads per day
// (docs/social.md), the accounts a user works for as a member and the transfers offered to them
// (docs/accounts.md), staff reads of held registrations and unpublished articles for the review
// page, and whether the signed-in reader likes an article.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TestServer, skipReason, residentId, operator, accountBody, expectError, creditCode, otpFor,
  acceptAgreement, individualSubject,
} from './support.mjs';

let s, mod, auditor;
let phoneSeq = 0;
const nextPhone = () => `1370000${String(++phoneSeq).padStart(4, '0')}`;
let idSeq = 900;
const nextId = () => residentId('310101', '19870505', ++idSeq);

before(async () => {
  if (skipReason) return;
  s = await TestServer.start({ env: { HERALD_IDENTITY_OTP_RESEND_COOLDOWN_SECONDS: '0' } });
  mod = await s.userWithRole('13799990001', 'moderator');
  auditor = await s.userWithRole('13799990002', 'auditor');
});
after(async () => s && (await s.cleanup()));

async function userId(token) {
  return (await s.request('GET', '/api/v1/me', { token })).json.id;
}

async function individualAccount(name, extra = {}) {
  const phone = nextPhone();
  const op = await operator(s, phone, { id: nextId(), phone });
  const r = await s.request('POST', '/api/v1/accounts', { token: op.token, body: accountBody(op.subject.id, name, extra) });
  assert.equal(r.status, 201, r.text);
  return { ...op, id: await userId(op.token), account: r.json.account };
}

async function verifiedUser() {
  const phone = nextPhone();
  await s.register(phone);
  const token = await s.login(phone);
  const subject = await individualSubject(s, token, { id: nextId(), phone });
  return { token, id: await userId(token), subject };
}

let orgSeq = 0;
async function orgAccount(name) {
  const phone = nextPhone();
  await s.register(phone);
  const token = await s.login(phone);
  const otp = await otpFor(s, token, phone);
  const org = await s.request('POST', '/api/v1/subjects', { token, body: {
    kind: 'organisation', org_name: `上海示例信息科技有限公司${++orgSeq}`, org_type: 'enterprise',
    credit_code: creditCode(`91310100MA1K0000${orgSeq}`),
    legal_rep_name: '钱二', legal_rep_id_number: nextId(), legal_rep_phone: phone, ...otp } });
  assert.equal(org.status, 201, org.text);
  await acceptAgreement(s, token);
  const r = await s.request('POST', '/api/v1/accounts', {
    token, body: accountBody(org.json.subject.id, name, { business_scope: '信息技术咨询服务' }) });
  assert.equal(r.status, 201, r.text);
  return { token, id: await userId(token), account: r.json.account };
}

async function publish(who, title, body) {
  const r = await s.request('POST', `/api/v1/accounts/${who.account.id}/articles`, { token: who.token, body: { title, body } });
  assert.equal(r.status, 201, r.text);
  return r.json.article;
}

// Today's date in China Standard Time.
const beijingToday = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

test('GET /accounts/{id}/stats: follows, unfollows, net, followers and reads per Beijing day, for the owner or staff', { skip: skipReason }, async () => {
  const acc = await individualAccount('每日数据测试号');
  const a1 = await publish(acc, '第一篇文章', '第一篇文章的正文。');
  const a2 = await publish(acc, '第二篇文章', '第二篇文章的正文。');
  const alice = await verifiedUser();
  const bob = await verifiedUser();
  for (const r of [alice, bob]) {
    assert.equal((await s.request('POST', `/api/v1/accounts/${acc.account.id}/follow`, { token: r.token })).status, 200);
  }
  assert.equal((await s.request('DELETE', `/api/v1/accounts/${acc.account.id}/follow`, { token: bob.token })).status, 200);
  await s.request('POST', `/api/v1/articles/${a1.id}/read`, { token: alice.token });
  await s.request('POST', `/api/v1/articles/${a1.id}/read`, { token: alice.token }); // same day: once
  await s.request('POST', `/api/v1/articles/${a2.id}/read`, { token: alice.token });
  await s.request('POST', `/api/v1/articles/${a1.id}/read`, { headers: { 'user-agent': 'StatsTest/1.0' } });

  const r = await s.request('GET', `/api/v1/accounts/${acc.account.id}/stats?days=7`, { token: acc.token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.account_id, acc.account.id);
  assert.equal(r.json.time_zone, 'UTC+8');
  assert.equal(r.json.days.length, 7);
  const today = r.json.days[6];
  assert.deepEqual(today, { date: beijingToday(), follows: 2, unfollows: 1, net_followers: 1, followers: 1, reads: 3 });
  assert.deepEqual(r.json.days[0], { date: r.json.days[0].date, follows: 0, unfollows: 0, net_followers: 0, followers: 0, reads: 0 });
  assert.ok(r.json.days[0].date < today.date);
  // The default is 30 days; staff who read accounts see any account's.
  assert.equal((await s.request('GET', `/api/v1/accounts/${acc.account.id}/stats`, { token: acc.token })).json.days.length, 30);
  for (const token of [mod, auditor]) {
    const staff = await s.request('GET', `/api/v1/accounts/${acc.account.id}/stats?days=366`, { token });
    assert.equal(staff.status, 200, staff.text);
    assert.equal(staff.json.days.length, 366);
    assert.equal(staff.json.days[365].reads, 3);
  }
  // Refusals.
  expectError(assert, await s.request('GET', `/api/v1/accounts/${acc.account.id}/stats`), 401, 'unauthenticated');
  expectError(assert, await s.request('GET', `/api/v1/accounts/${acc.account.id}/stats`, { token: alice.token }), 403, 'not_account_owner');
  expectError(assert, await s.request('GET', `/api/v1/accounts/${acc.account.id}/stats?days=0`, { token: acc.token }), 400, 'invalid_parameter', 'days');
  expectError(assert, await s.request('GET', `/api/v1/accounts/${acc.account.id}/stats?days=367`, { token: acc.token }), 400, 'invalid_parameter', 'days');
  expectError(assert, await s.request('GET', `/api/v1/accounts/${acc.account.id}/stats?from=1`, { token: acc.token }), 400, 'unknown_parameter', 'from');
  expectError(assert, await s.request('GET', '/api/v1/accounts/999999/stats', { token: mod }), 404, 'account_not_found');
});

test('article stats and reads tell a signed-in reader whether they like the article', { skip: skipReason }, async () => {
  const acc = await individualAccount('点赞状态测试号');
  const a = await publish(acc, '可以点赞的文章', '正文。');
  const reader = await verifiedUser();
  const anon = await s.request('GET', `/api/v1/articles/${a.id}/stats`);
  assert.equal(anon.status, 200, anon.text);
  assert.equal(anon.json.stats.liked, undefined);
  assert.equal((await s.request('GET', `/api/v1/articles/${a.id}/stats`, { token: reader.token })).json.stats.liked, false);
  assert.equal((await s.request('POST', `/api/v1/articles/${a.id}/like`, { token: reader.token })).status, 200);
  assert.equal((await s.request('GET', `/api/v1/articles/${a.id}/stats`, { token: reader.token })).json.stats.liked, true);
  const read = await s.request('POST', `/api/v1/articles/${a.id}/read`, { token: reader.token });
  assert.equal(read.json.stats.liked, true);
  expectError(assert, await s.request('GET', `/api/v1/articles/${a.id}/stats`, { token: 'hs_not-a-token' }), 401, 'invalid_token');
});

test('GET /me/memberships lists the organisation accounts a user works for, with the role; /me/accounts is unchanged', { skip: skipReason }, async () => {
  const org = await orgAccount('成员可见测试号');
  const editor = await verifiedUser();
  const reviewer = await verifiedUser();
  assert.deepEqual((await s.request('GET', '/api/v1/me/memberships', { token: editor.token })).json, { memberships: [] });
  for (const [who, role] of [[editor, 'editor'], [reviewer, 'reviewer']]) {
    const r = await s.request('POST', `/api/v1/me/accounts/${org.account.id}/members`, { token: org.token, body: { user_id: who.id, role } });
    assert.equal(r.status, 201, r.text);
  }
  const mine = await s.request('GET', '/api/v1/me/memberships', { token: editor.token });
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.json.memberships.length, 1);
  const m = mine.json.memberships[0];
  assert.equal(m.role, 'editor');
  assert.equal(m.account.id, org.account.id);
  assert.equal(m.account.name, '成员可见测试号');
  assert.equal(m.account.status, 'active');
  assert.equal(m.account.subject_id, undefined); // the public fields only
  assert.ok(m.added_at);
  assert.equal((await s.request('GET', '/api/v1/me/memberships', { token: reviewer.token })).json.memberships[0].role, 'reviewer');
  // Owners are not listed as members; /me/accounts keeps only owned accounts, in its old shape.
  assert.deepEqual((await s.request('GET', '/api/v1/me/memberships', { token: org.token })).json.memberships, []);
  assert.deepEqual((await s.request('GET', '/api/v1/me/accounts', { token: editor.token })).json.accounts, []);
  const owned = (await s.request('GET', '/api/v1/me/accounts', { token: org.token })).json.accounts;
  assert.equal(owned.length, 1);
  assert.equal(owned[0].role, undefined);
  // Removed members lose it.
  assert.equal((await s.request('DELETE', `/api/v1/me/accounts/${org.account.id}/members/${editor.id}`, { token: org.token })).status, 204);
  assert.deepEqual((await s.request('GET', '/api/v1/me/memberships', { token: editor.token })).json.memberships, []);
  expectError(assert, await s.request('GET', '/api/v1/me/memberships'), 401, 'unauthenticated');
  expectError(assert, await s.request('GET', '/api/v1/me/memberships?all=1', { token: reviewer.token }), 400, 'unknown_parameter', 'all');
});

test('GET /me/transfers lists offers to the user; the transferee accepts or declines', { skip: skipReason }, async () => {
  const from = await individualAccount('迁出测试号一');
  const from2 = await individualAccount('迁出测试号二');
  const to = await verifiedUser();
  const other = await verifiedUser();
  assert.deepEqual((await s.request('GET', '/api/v1/me/transfers', { token: to.token })).json, { transfers: [] });
  const t1 = await s.request('POST', `/api/v1/accounts/${from.account.id}/transfers`, { token: from.token, body: { to_subject_id: to.subject.id } });
  assert.equal(t1.status, 201, t1.text);
  const t2 = await s.request('POST', `/api/v1/accounts/${from2.account.id}/transfers`, { token: from2.token, body: { to_subject_id: to.subject.id } });
  assert.equal(t2.status, 201, t2.text);

  const list = await s.request('GET', '/api/v1/me/transfers', { token: to.token });
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.transfers.map((t) => t.id), [t2.json.transfer.id, t1.json.transfer.id]);
  const offer = list.json.transfers[1];
  assert.equal(offer.status, 'applied');
  assert.equal(offer.to_subject_id, to.subject.id);
  assert.deepEqual(offer.account, { id: from.account.id, name: '迁出测试号一', status: 'active' });
  assert.equal(offer.decided_at, null);
  assert.equal((await s.request('GET', '/api/v1/me/transfers?limit=1', { token: to.token })).json.transfers.length, 1);
  // Offers are the transferee's: not the applicant's, not anyone else's.
  assert.deepEqual((await s.request('GET', '/api/v1/me/transfers', { token: from.token })).json.transfers, []);
  assert.deepEqual((await s.request('GET', '/api/v1/me/transfers', { token: other.token })).json.transfers, []);

  // Decline: only the transferee, only while applied.
  expectError(assert, await s.request('POST', `/api/v1/transfers/${t2.json.transfer.id}/decline`, { token: from2.token }), 403, 'not_transferee');
  expectError(assert, await s.request('POST', '/api/v1/transfers/999999/decline', { token: to.token }), 404, 'transfer_not_found');
  expectError(assert, await s.request('POST', `/api/v1/transfers/${t2.json.transfer.id}/decline`, { token: to.token, body: { reason: 'x' } }), 400, 'unknown_field', 'reason');
  const d = await s.request('POST', `/api/v1/transfers/${t2.json.transfer.id}/decline`, { token: to.token });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.transfer.status, 'rejected');
  expectError(assert, await s.request('POST', `/api/v1/transfers/${t2.json.transfer.id}/decline`, { token: to.token }), 409, 'invalid_transition');
  expectError(assert, await s.request('POST', `/api/v1/transfers/${t2.json.transfer.id}/accept`, { token: to.token }), 409, 'invalid_transition');
  const notices = (await s.request('GET', '/api/v1/me/notices', { token: from2.token })).json.notices;
  assert.ok(notices.some((n) => n.kind === 'transfer_declined' && n.account_id === from2.account.id), JSON.stringify(notices));
  // The applicant may apply again after a decline.
  assert.equal((await s.request('POST', `/api/v1/accounts/${from2.account.id}/transfers`, { token: from2.token, body: { to_subject_id: other.subject.id } })).status, 201);

  // Accept the other one: it waits for the platform's review.
  assert.equal((await s.request('POST', `/api/v1/transfers/${t1.json.transfer.id}/accept`, { token: to.token })).status, 200);
  const after = (await s.request('GET', '/api/v1/me/transfers', { token: to.token })).json.transfers;
  assert.equal(after.find((t) => t.id === t1.json.transfer.id).status, 'accepted');
  const declined = after.find((t) => t.id === t2.json.transfer.id);
  assert.equal(declined.status, 'rejected');
  assert.ok(declined.decided_at);
  expectError(assert, await s.request('POST', `/api/v1/transfers/${t1.json.transfer.id}/decline`, { token: to.token }), 409, 'invalid_transition');
  expectError(assert, await s.request('GET', '/api/v1/me/transfers'), 401, 'unauthenticated');
  expectError(assert, await s.request('GET', '/api/v1/me/transfers?limit=0', { token: to.token }), 400, 'invalid_parameter', 'limit');
});

test('staff read held registrations and unpublished articles: accounts.review or subjects.read', { skip: skipReason }, async () => {
  // A name close to a protected one is held for review: 404 in public, whole for staff.
  const cso = await s.userWithRole('13799990003', 'content_security_officer');
  const names = await s.request('POST', '/api/v1/names/protected', { token: cso, body: { entries: [{ name: '人民日报', kind: 'media' }] } });
  assert.equal(names.status, 200, names.text);
  const phone = nextPhone();
  const op = await operator(s, phone, { id: nextId(), phone });
  const held = await s.request('POST', '/api/v1/accounts', { token: op.token, body: accountBody(op.subject.id, '人民日报读者之家', { bio: '读者交流' }) });
  assert.equal(held.status, 201, held.text);
  assert.equal(held.json.account.status, 'pending_review');
  const id = held.json.account.id;
  expectError(assert, await s.request('GET', `/api/v1/accounts/${id}`), 404, 'account_not_found');
  for (const token of [mod, auditor]) {
    const r = await s.request('GET', `/api/v1/moderation/accounts/${id}`, { token });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.account.name, '人民日报读者之家');
    assert.equal(r.json.account.bio, '读者交流');
    assert.equal(r.json.account.status, 'pending_review');
    assert.equal(r.json.account.category.id, 'technology');
  }
  expectError(assert, await s.request('GET', `/api/v1/moderation/accounts/${id}`, { token: op.token }), 403, 'permission_denied');
  expectError(assert, await s.request('GET', `/api/v1/moderation/accounts/${id}`), 401, 'unauthenticated');
  expectError(assert, await s.request('GET', '/api/v1/moderation/accounts/999999', { token: mod }), 404, 'account_not_found');

  // An article removed by its account's operator... not public, still readable by staff by uid.
  const acc = await individualAccount('邻居文章测试号');
  const a = await publish(acc, '将被隐藏的文章', '这篇文章稍后不再公开。');
  const uid = a.content_id.split(':')[1];
  assert.equal((await s.request('GET', `/api/v1/article-uids/${uid}`)).status, 200);
  assert.equal((await s.request('DELETE', `/api/v1/articles/${a.id}`, { token: acc.token })).status, 204);
  expectError(assert, await s.request('GET', `/api/v1/article-uids/${uid}`), 404, 'article_not_found');
  for (const token of [mod, auditor]) {
    const r = await s.request('GET', `/api/v1/moderation/article-uids/${uid}`, { token });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.article.title, '将被隐藏的文章');
    assert.equal(r.json.article.status, 'deleted');
  }
  expectError(assert, await s.request('GET', `/api/v1/moderation/article-uids/${uid}`, { token: acc.token }), 403, 'permission_denied');
  expectError(assert, await s.request('GET', '/api/v1/moderation/article-uids/0000000000000000', { token: mod }), 404, 'article_not_found');
});
