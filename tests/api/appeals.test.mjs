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

async function reader(server, name = '读者') {
  const phone = nextPhone();
  await server.register(phone, 'password-123', { display_name: name });
  return { token: await server.login(phone) };
}

const reviewDecide = (token, id, decision, reason_code) => s.request('POST', `/api/v1/reviews/${id}/decision`, { token, body: { decision, reason_code } });

async function openItem(kind, pred) {
  const r = await s.request('GET', `/api/v1/reviews?kind=${kind}&limit=500`, { token: mod2 });
  assert.equal(r.status, 200, r.text);
  const item = r.json.items.find(pred);
  assert.ok(item, `no open ${kind} item: ${r.text}`);
  return item;
}

test('PA-14.3, PA-19.2: a comment removed by a moderator — its author appeals, the remover is refused, another moderator overturns and it is shown again', { skip: skipReason }, async () => {
  const op = await newAccount(s, '评论申诉号');
  const art = (await publish(op)).json.article;
  const alice = await reader(s, '爱丽丝');
  const posted = await s.request('POST', `/api/v1/articles/${art.id}/comments`, { token: alice.token, body: { body: '我不同意这个观点' } });
  assert.equal(posted.status, 201, posted.text);
  const id = posted.json.comment.id;
  const shown = async () => (await s.request('GET', `/api/v1/articles/${art.id}/comments`)).json.comments.map((c) => c.id);
  // A visible comment has no decision to appeal.
  expectError(assert, await appeal(s, alice.token, { type: 'comment', id }), 409, 'appeal_not_allowed');
  const rm = await s.request('POST', `/api/v1/comments/${id}/remove`, { token: mod, body: { reason_code: 'harmful_content', note: '辱骂' } });
  assert.equal(rm.status, 200, rm.text);
  assert.deepEqual(await shown(), []);

  // Only its author appeals: not the article's operator, not a stranger; nothing is written.
  expectError(assert, await appeal(s, op.token, { type: 'comment', id }), 403, 'not_affected_party');
  expectError(assert, await appeal(s, alice.token, { type: 'comment', id: 987654 }), 404, 'comment_not_found');
  assert.equal((await s.request('GET', '/api/v1/me/appeals', { token: op.token })).json.appeals.length, 0);
  const filed = await appeal(s, alice.token, { type: 'comment', id });
  assert.equal(filed.status, 201, filed.text);
  const a = filed.json.appeal;
  assert.deepEqual(a.target, { type: 'comment', id });
  assert.equal(Date.parse(a.window_closes_at) - Date.parse(a.original_decided_at), 30 * 86400e3);
  expectError(assert, await appeal(s, alice.token, { type: 'comment', id }), 409, 'already_appealed');
  const staff = (await s.request('GET', `/api/v1/appeals/${a.id}`, { token: mod2 })).json.appeal;
  assert.ok(staff.original_decided_by.startsWith('user:'), JSON.stringify(staff));

  // The moderator who removed it may not decide; another one overturns.
  expectError(assert, await decide(mod, a.id, { outcome: 'overturned', reason: '误删' }), 403, 'same_moderator');
  expectError(assert, await decide(mod2, a.id, { outcome: 'modified', reason: '?', modified: { measure: 'warning', duration_days: 1 } }), 400, 'invalid_modified', 'modified');
  assert.deepEqual(await shown(), []);
  const done = await decide(mod2, a.id, { outcome: 'overturned', reason: '表达不同意见，不构成辱骂。' });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.appeal.status, 'overturned');
  assert.deepEqual(await shown(), [id]);
  assert.equal((await s.request('GET', `/api/v1/comments/${id}`, { token: mod2 })).json.comment.status, 'visible');
  expectError(assert, await appeal(s, alice.token, { type: 'comment', id }), 409, 'appeal_not_allowed');
  const inbox = (await s.request('GET', '/api/v1/me/notifications', { token: alice.token })).json.items;
  assert.ok(inbox.find((n) => n.kind === 'appeal_outcome' && n.ref === `appeal:${a.id}`), JSON.stringify(inbox));
  const restores = (await s.request('GET', `/api/v1/audit?action=comment.restore&limit=100`, { token: auditor })).json.entries;
  assert.ok(restores.find((e) => e.subject === `comment:${id}` && JSON.stringify(e.details).includes(`appeal:${a.id}`)), JSON.stringify(restores));
});

test('PA-14.3: a held comment appealed and upheld stays held; a comment rejected in review is appealed against its reviewer', { skip: skipReason }, async () => {
  const op = await newAccount(s, '评论维持号');
  const art = (await publish(op)).json.article;
  const bob = await reader(s, '鲍勃');
  const held = await s.request('POST', `/api/v1/articles/${art.id}/comments`, { token: bob.token, body: { body: '可以办证吗' } });
  assert.equal(held.status, 201, held.text);
  assert.equal(held.json.pending, 'in_review');
  const hid = held.json.comment.id;
  const a = (await appeal(s, bob.token, { type: 'comment', id: hid })).json.appeal;
  assert.equal(a.status, 'pending');
  // An automatic hold has no decider: any moderator decides.
  const kept = await decide(mod, a.id, { outcome: 'upheld', reason: '仍需人工审核。' });
  assert.equal(kept.status, 200, kept.text);
  assert.equal((await s.request('GET', `/api/v1/comments/${hid}`, { token: mod2 })).json.comment.status, 'held');
  assert.equal((await s.request('GET', `/api/v1/reviews/${held.json.review_id}`, { token: mod2 })).json.item.status, 'pending');
  expectError(assert, await appeal(s, bob.token, { type: 'comment', id: hid }), 409, 'already_appealed');

  // Rejected in review: a new decision, appealable once; its reviewer is refused.
  assert.equal((await reviewDecide(mod, held.json.review_id, 'reject', 'illegal_content')).status, 200);
  const b = await appeal(s, bob.token, { type: 'comment', id: hid });
  assert.equal(b.status, 201, b.text);
  expectError(assert, await decide(mod, b.json.appeal.id, { outcome: 'overturned', reason: '误判' }), 403, 'same_moderator');
  const over = await decide(mod2, b.json.appeal.id, { outcome: 'overturned', reason: '询问办理证件的正常咨询。' });
  assert.equal(over.status, 200, over.text);
  assert.equal((await s.request('GET', `/api/v1/comments/${hid}`, { token: mod2 })).json.comment.status, 'visible');
});

test('PA-14.3, PA-19.2: a group message removed in review — its sender appeals, another moderator overturns and it is shown again', { skip: skipReason }, async () => {
  const sender = await newAccount(s, '群消息申诉号');
  const g = await s.request('POST', '/api/v1/groups', { token: sender.token, body: { name: '户外徒步群', description: '' } });
  assert.equal(g.status, 201, g.text);
  const gid = g.json.group.id;
  const post = (text) => s.request('POST', `/api/v1/groups/${gid}/messages`, { token: sender.token, body: { text } });
  const shown = async (token) => (await s.request('GET', `/api/v1/groups/${gid}/messages`, { token })).json.messages.map((m) => m.id);
  const fine = (await post('周六早上七点集合')).json.message;
  expectError(assert, await appeal(s, sender.token, { type: 'message', id: fine.id }), 409, 'appeal_not_allowed');
  const held = (await post('有人知道哪里能买到手枪吗')).json.message;
  assert.equal(held.status, 'held');
  const item = await openItem('group_message', (i) => i.ref_id === held.id);
  assert.equal((await reviewDecide(mod, item.id, 'reject', 'illegal_content')).status, 200);
  assert.ok(!(await shown(sender.token)).includes(held.id));

  const stranger = await newAccount(s, '群路人号');
  expectError(assert, await appeal(s, stranger.token, { type: 'message', id: held.id }), 403, 'not_affected_party');
  expectError(assert, await appeal(s, sender.token, { type: 'message', id: 987654 }), 404, 'message_not_found');
  const filed = await appeal(s, sender.token, { type: 'message', id: held.id });
  assert.equal(filed.status, 201, filed.text);
  const a = filed.json.appeal;
  expectError(assert, await appeal(s, sender.token, { type: 'message', id: held.id }), 409, 'already_appealed');
  expectError(assert, await decide(mod, a.id, { outcome: 'overturned', reason: '误判' }), 403, 'same_moderator');
  const done = await decide(mod2, a.id, { outcome: 'overturned', reason: '询问枪支管理规定，不属违规。' });
  assert.equal(done.status, 200, done.text);
  assert.ok((await shown(sender.token)).includes(held.id));
  expectError(assert, await appeal(s, sender.token, { type: 'message', id: held.id }), 409, 'appeal_not_allowed');

  // A hold appealed and upheld: still held, still waiting in the queue.
  const held2 = (await post('哪里能买到手枪')).json.message;
  const b = (await appeal(s, sender.token, { type: 'message', id: held2.id })).json.appeal;
  assert.equal((await decide(mod, b.id, { outcome: 'upheld', reason: '等待审核。' })).status, 200);
  assert.ok(!(await shown(stranger.token).catch(() => [])).includes(held2.id));
  await openItem('group_message', (i) => i.ref_id === held2.id);
});

test('PA-14.3: a registration refused in review — its owner appeals, the reviewer is refused, another moderator overturns and the account is active', { skip: skipReason }, async () => {
  const phone = nextPhone();
  const op = await operator(s, phone, { id: nextId(), phone });
  const create = (name) => s.request('POST', '/api/v1/accounts', { token: op.token, body: accountBody(op.subject.id, name) });
  const r = await create('小额贷款知识');
  assert.equal(r.status, 201, r.text);
  const acc = r.json.account;
  assert.equal(acc.status, 'pending_review');
  expectError(assert, await appeal(s, op.token, { type: 'registration', id: acc.id }), 409, 'appeal_not_allowed');
  const item = await openItem('registration_data', (i) => i.account_id === acc.id);
  assert.equal((await reviewDecide(mod, item.id, 'reject', 'illegal_content')).status, 200);
  const status = async () => (await s.request('GET', '/api/v1/me/accounts', { token: op.token })).json.accounts.find((x) => x.id === acc.id).status;
  assert.equal(await status(), 'rejected');

  const stranger = await newAccount(s, '注册路人号');
  expectError(assert, await appeal(s, stranger.token, { type: 'registration', id: acc.id }), 403, 'not_affected_party');
  const filed = await appeal(s, op.token, { type: 'registration', id: acc.id });
  assert.equal(filed.status, 201, filed.text);
  const a = filed.json.appeal;
  assert.equal(a.account_id, acc.id);
  expectError(assert, await appeal(s, op.token, { type: 'registration', id: acc.id }), 409, 'already_appealed');
  expectError(assert, await decide(mod, a.id, { outcome: 'overturned', reason: '误判' }), 403, 'same_moderator');
  const done = await decide(mod2, a.id, { outcome: 'overturned', reason: '金融知识科普，名称与简介合规。' });
  assert.equal(done.status, 200, done.text);
  assert.equal(await status(), 'active');
  assert.equal((await s.request('GET', `/api/v1/accounts/${acc.id}`)).status, 200);
  const notices = (await s.request('GET', '/api/v1/me/notices', { token: op.token })).json.notices;
  assert.ok(notices.some((n) => n.kind === 'registration_approved'), JSON.stringify(notices));
  expectError(assert, await appeal(s, op.token, { type: 'registration', id: acc.id }), 409, 'appeal_not_allowed');

  // Upheld: the refusal stands.
  const r2 = await create('贷款咨询小站');
  const item2 = await openItem('registration_data', (i) => i.account_id === r2.json.account.id);
  assert.equal((await reviewDecide(mod, item2.id, 'reject', 'illegal_content')).status, 200);
  const b = (await appeal(s, op.token, { type: 'registration', id: r2.json.account.id })).json.appeal;
  const kept = await decide(mod2, b.id, { outcome: 'upheld', reason: '名称涉及金融借贷，需相应资质。' });
  assert.equal(kept.status, 200, kept.text);
  assert.equal((await s.request('GET', '/api/v1/me/accounts', { token: op.token })).json.accounts.find((x) => x.id === r2.json.account.id).status, 'rejected');
});

test('PA-20.1: the appeal procedure is published (window, who decides, outcomes, time limit)', { skip: skipReason }, async () => {
  const r = await s.request('GET', '/api/v1/policies/appeals');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.window_days, 30);
  assert.equal(r.json.decide_within_days, 7);
  assert.equal(r.json.once_per_decision, true);
  assert.deepEqual(r.json.target_types, ['sanction', 'article', 'comment', 'message', 'registration']);
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

    // The same window for a removed comment, a message removed in review and a refused registration.
    const other = await newAccount(closed, '迟到评论号');
    const art = await closed.request('POST', `/api/v1/accounts/${other.account.id}/articles`, { token: other.token, body: { title: '编程小记', body: '今天修了一个内存泄漏。' } });
    assert.equal(art.status, 201, art.text);
    const c = await closed.request('POST', `/api/v1/articles/${art.json.article.id}/comments`, { token: op.token, body: { body: '说得对' } });
    assert.equal(c.status, 201, c.text);
    assert.equal((await closed.request('POST', `/api/v1/comments/${c.json.comment.id}/remove`, { token: m, body: { reason_code: 'harmful_content' } })).status, 200);
    expectError(assert, await appeal(closed, op.token, { type: 'comment', id: c.json.comment.id }), 409, 'appeal_window_closed');

    const g = await closed.request('POST', '/api/v1/groups', { token: other.token, body: { name: '迟到群', description: '' } });
    assert.equal(g.status, 201, g.text);
    const msg = (await closed.request('POST', `/api/v1/groups/${g.json.group.id}/messages`, { token: other.token, body: { text: '哪里能买到手枪' } })).json.message;
    const items = (await closed.request('GET', '/api/v1/reviews?kind=group_message', { token: m })).json.items;
    const mi = items.find((i) => i.ref_id === msg.id);
    assert.equal((await closed.request('POST', `/api/v1/reviews/${mi.id}/decision`, { token: m, body: { decision: 'reject', reason_code: 'illegal_content' } })).status, 200);
    expectError(assert, await appeal(closed, other.token, { type: 'message', id: msg.id }), 409, 'appeal_window_closed');

    const reg = await closed.request('POST', '/api/v1/accounts', { token: other.token, body: accountBody(other.subject.id, '小额贷款迟到号') });
    assert.equal(reg.json.account.status, 'pending_review', reg.text);
    const ri = (await closed.request('GET', '/api/v1/reviews?kind=registration_data', { token: m })).json.items.find((i) => i.account_id === reg.json.account.id);
    assert.equal((await closed.request('POST', `/api/v1/reviews/${ri.id}/decision`, { token: m, body: { decision: 'reject', reason_code: 'illegal_content' } })).status, 200);
    expectError(assert, await appeal(closed, other.token, { type: 'registration', id: reg.json.account.id }), 409, 'appeal_window_closed');
    assert.equal((await closed.request('GET', '/api/v1/me/appeals', { token: other.token })).json.appeals.length, 0);
  } finally {
    await closed.cleanup();
  }
});
