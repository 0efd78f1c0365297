// The appeal channel end to end (issue 6): every restriction has a recorded reason and can be
// appealed by the affected party within the window, once per decision, and a different
// moderator decides (PA-14.3, PA-19.2, PA-20.1).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, expectError, skipReason, residentId, operator, accountBody } from './support.mjs';

let s, mod, mod2, auditor;
let phoneSeq = 0;
const nextPhone = () => `1330000${String(++phoneSeq).padStart(4, '0')}`;
let idSeq = 500;
const nextId = () => residentId('320102', '19920202', ++idSeq);

before(async () => {
  if (skipReason) return;
  s = await TestServer.start({ env: { HERALD_IDENTITY_OTP_RESEND_COOLDOWN_SECONDS: '0' } });
  mod = await s.userWithRole('13300009998', 'moderator');
  mod2 = await s.userWithRole('13300009997', 'moderator');
  auditor = await s.userWithRole('13300009995', 'auditor');
});
after(async () => s && (await s.cleanup()));

async function newAccount(server, name) {
  const phone = nextPhone();
  const op = await operator(server, phone, { id: nextId(), phone });
  const r = await server.request('POST', '/api/v1/accounts', { token: op.token, body: accountBody(op.subject.id, name) });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.account.status, 'active', r.text);
  return { ...op, account: r.json.account };
}

function publish(who, body = { title: '编程小记', body: '今天修了一个内存泄漏。' }) {
  return s.request('POST', `/api/v1/accounts/${who.account.id}/articles`, { token: who.token, body });
}

async function sanction(server, token, accountId, extra = {}) {
  const r = await server.request('POST', '/api/v1/sanctions', {
    token,
    body: { target_type: 'account', target_id: accountId, measure: 'restrict', function: 'publish', reason_code: 'harmful_content', note: '多次发布不良信息', duration_days: 10, ...extra },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.sanction;
}

function appeal(server, token, target, extra = {}) {
  return server.request('POST', '/api/v1/appeals', {
    token, body: { target, text: '我们已删除相关内容，处罚过重，请复核。', evidence: ['https://example.cn/proof.png'], ...extra },
  });
}

function decide(token, id, body) {
  return s.request('POST', `/api/v1/appeals/${id}/decision`, { token, body });
}

test('PA-14.3, PA-19.2: appeal end to end — the operator appeals a sanction, the issuing moderator is refused, another overturns it and the operator publishes again', { skip: skipReason }, async () => {
  const op = await newAccount(s, '申诉演练号');
  const credit = async () => (await s.request('GET', '/api/v1/me/credit', { token: op.token })).json.subjects.find((c) => c.subject_id === op.subject.id).score;
  const scoreBefore = await credit();
  const x = await sanction(s, mod, op.account.id);
  expectError(assert, await publish(op), 409, 'sanctioned');
  assert.ok((await credit()) < scoreBefore, 'the sanction costs credit');

  // The operator's view: the recorded reason, how and until when to appeal.
  let mine = (await s.request('GET', '/api/v1/me/sanctions', { token: op.token })).json.sanctions;
  assert.equal(mine[0].id, x.id);
  assert.equal(mine[0].reason_code, 'harmful_content');
  assert.equal(mine[0].appeal.can_appeal, true);
  assert.equal(mine[0].appeal.appeal_id, null);
  assert.equal(Date.parse(mine[0].appeal.appeal_deadline) - Date.parse(x.issued_at), 30 * 86400e3);

  // Bad input and the wrong party leave nothing behind.
  expectError(assert, await appeal(s, op.token, { type: 'verdict', id: x.id }), 400, 'invalid_target', 'target.type');
  expectError(assert, await appeal(s, op.token, { type: 'sanction' }), 400, 'invalid_target', 'target.id');
  expectError(assert, await appeal(s, op.token, { type: 'sanction', id: x.id }, { text: '' }), 400, 'invalid_text', 'text');
  expectError(assert, await appeal(s, op.token, { type: 'sanction', id: x.id }, { evidence: ['javascript:alert(1)'] }), 400, 'invalid_evidence', 'evidence');
  expectError(assert, await appeal(s, op.token, { type: 'sanction', id: 987654 }), 404, 'sanction_not_found');
  const stranger = await newAccount(s, '旁观者号');
  expectError(assert, await appeal(s, stranger.token, { type: 'sanction', id: x.id }), 403, 'not_affected_party');
  assert.equal((await s.request('GET', '/api/v1/me/appeals', { token: op.token })).json.appeals.length, 0);

  const filed = await appeal(s, op.token, { type: 'sanction', id: x.id }, { evidence: ['https://example.cn/proof.png', 'a'.repeat(64)] });
  assert.equal(filed.status, 201, filed.text);
  const a = filed.json.appeal;
  assert.equal(a.status, 'pending');
  assert.deepEqual(a.target, { type: 'sanction', id: x.id });
  assert.equal(a.original_decided_by, undefined);  // moderators' ids stay internal
  assert.equal(Date.parse(a.due_at) - Date.parse(a.created_at), 7 * 86400e3);
  // Once per decision.
  expectError(assert, await appeal(s, op.token, { type: 'sanction', id: x.id }), 409, 'already_appealed');
  mine = (await s.request('GET', '/api/v1/me/sanctions', { token: op.token })).json.sanctions;
  assert.equal(mine[0].appeal.appeal_id, a.id);
  assert.equal(mine[0].appeal.appeal_status, 'pending');
  assert.equal(mine[0].appeal.can_appeal, false);
  assert.deepEqual((await s.request('GET', '/api/v1/me/appeals', { token: op.token })).json.appeals.map((x) => x.id), [a.id]);
  expectError(assert, await s.request('GET', `/api/v1/appeals/${a.id}`, { token: stranger.token }), 404, 'appeal_not_found');
  assert.equal((await s.request('GET', `/api/v1/appeals/${a.id}`, { token: op.token })).json.appeal.status, 'pending');

  // Staff see it in the appeal list and in the one review queue.
  const staff = (await s.request('GET', `/api/v1/appeals/${a.id}`, { token: mod2 })).json.appeal;
  assert.ok(staff.original_decided_by.startsWith('user:'));
  assert.ok((await s.request('GET', '/api/v1/appeals?status=pending', { token: mod2 })).json.appeals.find((x) => x.id === a.id));
  expectError(assert, await s.request('GET', '/api/v1/appeals?status=sideways', { token: mod2 }), 400, 'invalid_status', 'status');
  expectError(assert, await s.request('GET', '/api/v1/appeals', { token: op.token }), 403, 'permission_denied');
  const item = (await s.request('GET', `/api/v1/reviews/${staff.review_id}`, { token: mod2 })).json.item;
  assert.equal(item.kind, 'appeal');
  assert.equal(item.ref_id, a.id);
  // The generic review decision cannot decide an appeal; the issuing moderator cannot either.
  expectError(assert, await s.request('POST', `/api/v1/reviews/${staff.review_id}/decision`, { token: mod2, body: { decision: 'approve', reason_code: 'compliant' } }), 409, 'use_appeal_decision');
  expectError(assert, await decide(mod, a.id, { outcome: 'overturned', reason: '处罚依据不足' }), 403, 'same_moderator');
  expectError(assert, await decide(op.token, a.id, { outcome: 'overturned', reason: '我自己批准' }), 403, 'permission_denied');
  expectError(assert, await decide(mod2, a.id, { outcome: 'sideways', reason: '?' }), 400, 'invalid_outcome', 'outcome');
  expectError(assert, await publish(op), 409, 'sanctioned');

  // Another moderator overturns: the sanction is lifted at once.
  const done = await decide(mod2, a.id, { outcome: 'overturned', reason: '经复核，相关内容不构成不良信息。', note: '原处罚证据不足' });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.appeal.status, 'overturned');
  assert.equal(done.json.appeal.reason, '经复核，相关内容不构成不良信息。');
  assert.ok(done.json.appeal.decided_at);
  const ok = await publish(op);
  assert.equal(ok.status, 201, ok.text);
  // Overturned on appeal: the credit deduction is reversed.
  assert.equal(await credit(), scoreBefore);
  const lifted = (await s.request('GET', `/api/v1/sanctions/${x.id}`, { token: auditor })).json.sanction;
  assert.equal(lifted.status, 'lifted');
  assert.ok(lifted.lift_reason.startsWith('appeal overturned:'), lifted.lift_reason);
  assert.equal((await s.request('GET', `/api/v1/reviews/${staff.review_id}`, { token: mod2 })).json.item.status, 'approved');
  expectError(assert, await decide(mod2, a.id, { outcome: 'upheld', reason: '改主意' }), 409, 'appeal_already_decided');
  // The appellant hears of the outcome; the decision is audited.
  const inbox = (await s.request('GET', '/api/v1/me/notifications', { token: op.token })).json.items;
  const note = inbox.find((n) => n.kind === 'appeal_outcome');
  assert.ok(note, JSON.stringify(inbox));
  assert.equal(note.ref, `appeal:${a.id}`);
  for (const action of ['appeal.file', 'appeal.decide']) {
    const entries = (await s.request('GET', `/api/v1/audit?action=${action}&limit=100`, { token: auditor })).json.entries;
    assert.ok(entries.find((e) => e.subject === `appeal:${a.id}`), `${action}: ${JSON.stringify(entries)}`);
  }
});

test('PA-14.3: a sanction issued as not appealable is refused; upheld keeps a sanction; modified replaces it with a lighter one', { skip: skipReason }, async () => {
  const op = await newAccount(s, '申诉变更号');
  const fixed = await sanction(s, mod, op.account.id, { measure: 'warning', function: undefined, appealable: false, duration_days: undefined });
  expectError(assert, await appeal(s, op.token, { type: 'sanction', id: fixed.id }), 409, 'appeal_not_allowed');

  const upheld = await sanction(s, mod, op.account.id, { measure: 'stop_advertising', function: undefined });
  const a1 = (await appeal(s, op.token, { type: 'sanction', id: upheld.id })).json.appeal;
  const kept = await decide(mod2, a1.id, { outcome: 'upheld', reason: '证据充分，维持原决定。' });
  assert.equal(kept.status, 200, kept.text);
  assert.equal(kept.json.appeal.status, 'upheld');
  assert.equal((await s.request('GET', `/api/v1/sanctions/${upheld.id}`, { token: auditor })).json.sanction.status, 'active');

  const heavy = await sanction(s, mod, op.account.id, { measure: 'suspend_updates', function: undefined, duration_days: 30 });
  const a2 = (await appeal(s, op.token, { type: 'sanction', id: heavy.id })).json.appeal;
  expectError(assert, await decide(mod2, a2.id, { outcome: 'modified', reason: '减轻', modified: { measure: 'suspend_updates', duration_days: 60 } }), 400, 'not_lighter', 'modified.measure');
  expectError(assert, await decide(mod2, a2.id, { outcome: 'modified', reason: '减轻' }), 400, 'invalid_modified', 'modified');
  const changed = await decide(mod2, a2.id, { outcome: 'modified', reason: '情节较轻，改为限制发布 3 天。', modified: { measure: 'restrict', function: 'publish', duration_days: 3 } });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.json.appeal.status, 'modified');
  const lighter = (await s.request('GET', `/api/v1/sanctions/${changed.json.appeal.new_sanction_id}`, { token: auditor })).json.sanction;
  assert.equal(lighter.measure, 'restrict');
  assert.equal(lighter.function, 'publish');
  assert.equal(lighter.status, 'active');
  assert.ok(lighter.evidence.includes(`appeal:${a2.id}`));
  assert.equal((await s.request('GET', `/api/v1/sanctions/${heavy.id}`, { token: auditor })).json.sanction.status, 'lifted');
  // Profile updates (blocked by suspend_updates) are open again; publishing stays restricted.
  assert.equal((await s.request('PATCH', `/api/v1/accounts/${op.account.id}`, { token: op.token, body: { bio: '新的简介' } })).status, 200);
  expectError(assert, await publish(op), 409, 'sanctioned');
});

test('PA-14.3, PA-19.2: appeal of an article rejected in review — another moderator overturns and it is published again', { skip: skipReason }, async () => {
  const op = await newAccount(s, '申诉文章号');
  const held = await publish(op, { title: '防身知识', body: '谈谈手枪的管理规定。' });
  assert.equal(held.status, 201, held.text);
  assert.equal(held.json.article.status, 'held');
  const art = held.json.article.id;
  const rejected = await s.request('POST', `/api/v1/reviews/${held.json.review_id}/decision`, { token: mod, body: { decision: 'reject', reason_code: 'harmful_content' } });
  assert.equal(rejected.status, 200, rejected.text);
  expectError(assert, await s.request('GET', `/api/v1/articles/${art}`), 404, 'article_not_found');

  const stranger = await newAccount(s, '路人号');
  expectError(assert, await appeal(s, stranger.token, { type: 'article', id: art }), 403, 'not_affected_party');
  const filed = await appeal(s, op.token, { type: 'article', id: art });
  assert.equal(filed.status, 201, filed.text);
  const a = filed.json.appeal;
  expectError(assert, await appeal(s, op.token, { type: 'article', id: art }), 409, 'already_appealed');
  expectError(assert, await decide(mod, a.id, { outcome: 'overturned', reason: '误判' }), 403, 'same_moderator');
  expectError(assert, await decide(mod2, a.id, { outcome: 'modified', reason: '?', modified: { measure: 'warning', duration_days: 1 } }), 400, 'invalid_modified', 'modified');
  const done = await decide(mod2, a.id, { outcome: 'overturned', reason: '科普内容，不属于不良信息。' });
  assert.equal(done.status, 200, done.text);
  const pub = await s.request('GET', `/api/v1/articles/${art}`);
  assert.equal(pub.status, 200, pub.text);
  assert.equal(pub.json.article.id, art);
  // A published article has nothing left to appeal.
  expectError(assert, await appeal(s, op.token, { type: 'article', id: art }), 409, 'appeal_not_allowed');
});

test('PA-20.1: the appeal procedure is published (window, who decides, outcomes, time limit)', { skip: skipReason }, async () => {
  const r = await s.request('GET', '/api/v1/policies/appeals');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.window_days, 30);
  assert.equal(r.json.decide_within_days, 7);
  assert.equal(r.json.once_per_decision, true);
  assert.deepEqual(r.json.target_types, ['sanction', 'article']);
  assert.deepEqual(r.json.outcomes.map((o) => o.outcome), ['upheld', 'overturned', 'modified']);
  assert.deepEqual(r.json.steps.map((x) => x.step), ['acceptance', 'screening', 'handling', 'feedback']);
  assert.ok(r.json.decided_by.label_zh && r.json.decided_by.label_en);
});

test('PA-14.3: an appeal after the window is refused (a platform configured with a closed window)', { skip: skipReason }, async () => {
  const closed = await TestServer.start({ env: { HERALD_IDENTITY_OTP_RESEND_COOLDOWN_SECONDS: '0', HERALD_APPEALS_WINDOW_DAYS: '0' } });
  try {
    const m = await closed.userWithRole('13300008998', 'moderator');
    const op = await newAccount(closed, '迟到申诉号');
    const x = await sanction(closed, m, op.account.id);
    const mine = (await closed.request('GET', '/api/v1/me/sanctions', { token: op.token })).json.sanctions;
    assert.equal(mine[0].appeal.can_appeal, false);
    expectError(assert, await appeal(closed, op.token, { type: 'sanction', id: x.id }), 409, 'appeal_window_closed');
    assert.equal((await closed.request('GET', '/api/v1/me/appeals', { token: op.token })).json.appeals.length, 0);
  } finally {
    await closed.cleanup();
  }
});
