// Credit and grades (issue 6): the published rules, deductions by sanctions, what a lower level
// refuses (publishing rate, advertising, groups, accounts), the operator's history linked to the
// sanction, staff views and adjustments, and the account grade (PA-13.1, PA-7.2, GR-7.2).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, skipReason, residentId, operator, accountBody, expectError } from './support.mjs';

let s;
let mod;
let cso;
let phoneSeq = 0;
const nextPhone = () => `1360000${String(++phoneSeq).padStart(4, '0')}`;
let idSeq = 700;
const nextId = () => residentId('440305', '19910909', ++idSeq);

before(async () => {
  if (skipReason) return;
  s = await TestServer.start({ env: { HERALD_IDENTITY_OTP_RESEND_COOLDOWN_SECONDS: '0' } });
  mod = await s.userWithRole('13690000001', 'moderator');
  cso = await s.userWithRole('13690000002', 'content_security_officer');
});
after(async () => s && (await s.cleanup()));

async function newOperator() {
  const phone = nextPhone();
  return operator(s, phone, { id: nextId(), phone });
}

async function newAccount(op, name) {
  const r = await s.request('POST', '/api/v1/accounts', { token: op.token, body: accountBody(op.subject.id, name) });
  assert.equal(r.status, 201, r.text);
  return r.json.account;
}

let titleSeq = 0;
function publish(op, account, extra = {}) {
  titleSeq++;
  return s.request('POST', `/api/v1/accounts/${account.id}/articles`, {
    token: op.token,
    body: { title: `信用测试文章${titleSeq}`, body: `正文第${titleSeq}篇，讲讲家常菜的做法。`, ...extra },
  });
}

async function sanction(target_type, target_id, reason_code = 'rumour', measure = 'warning') {
  const r = await s.request('POST', '/api/v1/sanctions', {
    token: mod,
    body: { target_type, target_id, measure, reason_code, note: '经核实发布不实信息' },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.sanction;
}

async function myCredit(op) {
  const r = await s.request('GET', '/api/v1/me/credit', { token: op.token });
  assert.equal(r.status, 200, r.text);
  return r.json.subjects.find((x) => x.subject_id === op.subject.id);
}

test('PA-13.1: the credit rules are published with their version, levels and what each allows', { skip: skipReason }, async () => {
  const r = await s.request('GET', '/api/v1/policies/credit');
  assert.equal(r.status, 200, r.text);
  const p = r.json.policy;
  assert.equal(p.version, 1);
  assert.equal(p.start, 100);
  assert.deepEqual(p.levels.map((l) => [l.level, l.minimum]), [['A', 90], ['B', 75], ['C', 60], ['D', 0]]);
  const d = p.levels.find((l) => l.level === 'D');
  assert.equal(d.label_zh, '信用较差');
  assert.equal(d.allows.advertising, false);
  assert.equal(d.allows.articles_per_day, 1);
  assert.equal(p.levels[0].allows.account_cap, null);
  assert.ok(p.deductions.moderate > p.deductions.minor);
  assert.equal(p.severity.warning, 'minor');
  assert.equal(p.reason_minimum.rumour, 'moderate');
  assert.deepEqual(p.recovery, { points: 2, every_days: 30 });
  assert.deepEqual(p.grade.grades.map((g) => g.grade), ['A', 'B', 'C', 'D']);
  assert.equal(p.grade.grades[3].recommendable, false);
  assert.match(p.grade.formula, /credit_weight/);
});

test('PA-13.1: sanctions lower credit; the lower level refuses publishing beyond its rate, advertising and new accounts; the operator sees the history linked to each sanction', { skip: skipReason }, async () => {
  const op = await newOperator();
  const account = await newAccount(op, '信用厨房');
  let c = await myCredit(op);
  assert.equal(c.score, 100);
  assert.equal(c.level.level, 'A');
  assert.deepEqual(c.history, []);
  assert.equal((await publish(op, account)).status, 201);
  assert.equal((await publish(op, account, { advertising: true })).status, 201);

  // A rumour weighs more than a plain warning: three rumour warnings take 45 points.
  const first = await sanction('account', account.id);
  await sanction('subject', op.subject.id);
  const third = await sanction('account', account.id);
  c = await myCredit(op);
  assert.equal(c.score, 55);
  assert.equal(c.level.level, 'D');
  assert.equal(c.level.allows.advertising, false);
  assert.equal(c.history.length, 3);
  assert.equal(c.history[0].cause, `sanction:${third.id}`);
  assert.equal(c.history[2].cause, `sanction:${first.id}`);
  assert.equal(c.history[0].delta, -15);
  assert.equal(c.history[0].kind, 'violation');
  assert.equal(c.history[0].reason_code, 'rumour');
  assert.equal(c.history[0].rules_version, 1);

  // Level D: one article a day (two were published today), no advertising, no further account.
  const refused = await publish(op, account);
  expectError(assert, refused, 409, 'credit_limited');
  assert.match(refused.json.error.message, /credit level D/);
  expectError(assert, await publish(op, account, { advertising: true }), 409, 'credit_limited');
  const second = await s.request('POST', '/api/v1/accounts', { token: op.token, body: accountBody(op.subject.id, '信用厨房二号') });
  expectError(assert, second, 429, 'account_cap_reached');

  // A plain lift restores nothing: the violation stands.
  const lift = await s.request('POST', `/api/v1/sanctions/${first.id}/lift`, { token: mod, body: { reason: '提前解除' } });
  assert.equal(lift.status, 200, lift.text);
  assert.equal((await myCredit(op)).score, 55);

  // Staff see the subject's credit; readers do not. The CSO's adjustment is audited.
  const staff = await s.request('GET', `/api/v1/subjects/${op.subject.id}/credit`, { token: mod });
  assert.equal(staff.status, 200, staff.text);
  assert.equal(staff.json.credit.score, 55);
  expectError(assert, await s.request('GET', `/api/v1/subjects/${op.subject.id}/credit`, { token: op.token }), 403, 'permission_denied');
  expectError(assert, await s.request('POST', `/api/v1/subjects/${op.subject.id}/credit/adjustments`, { token: mod, body: { delta: 45, reason: '复核' } }), 403, 'permission_denied');
  expectError(assert, await s.request('POST', `/api/v1/subjects/${op.subject.id}/credit/adjustments`, { token: cso, body: { delta: 0, reason: '复核' } }), 400, 'invalid_delta', 'delta');
  expectError(assert, await s.request('POST', '/api/v1/subjects/999999/credit/adjustments', { token: cso, body: { delta: 5, reason: '复核' } }), 404, 'subject_not_found');
  const adj = await s.request('POST', `/api/v1/subjects/${op.subject.id}/credit/adjustments`, { token: cso, body: { delta: 45, reason: '复核后恢复信用' } });
  assert.equal(adj.status, 201, adj.text);
  assert.equal(adj.json.entry.score_after, 100);
  assert.equal(adj.json.entry.kind, 'adjustment');
  assert.equal(adj.json.credit.level.level, 'A');
  const audit = await s.request('GET', '/api/v1/audit?action=credit.adjust', { token: cso });
  assert.equal(audit.status, 200, audit.text);
  assert.ok(audit.json.entries.some((e) => e.subject === `subject:${op.subject.id}`));
  assert.equal((await publish(op, account)).status, 201);
});

test('GR-7.2: a sanction lowers the group user\'s credit level and the lower level refuses creating groups', { skip: skipReason }, async () => {
  const op = await newOperator();
  const ok = await s.request('POST', '/api/v1/groups', { token: op.token, body: { name: '家常菜交流群' } });
  assert.equal(ok.status, 201, ok.text);
  // A sanction on the person deducts from the person's subjects.
  await sanction('user', op.subject.owner_user_id);
  await sanction('subject', op.subject.id);
  await sanction('subject', op.subject.id);
  const c = await myCredit(op);
  assert.equal(c.level.level, 'D');
  assert.equal(c.level.allows.groups_created, 0);
  const refused = await s.request('POST', '/api/v1/groups', { token: op.token, body: { name: '烘焙交流群' } });
  expectError(assert, refused, 409, 'credit_limited');
  assert.match(refused.json.error.message, /GR-7\.2/);
});

test('PA-7.2: the account grade follows credit and upheld violations; the public page shows it, the operator and staff see its components', { skip: skipReason }, async () => {
  const op = await newOperator();
  const account = await newAccount(op, '分级厨房');
  let pub = await s.request('GET', `/api/v1/accounts/${account.id}`);
  assert.equal(pub.status, 200, pub.text);
  assert.equal(pub.json.account.grade.grade, 'B');
  assert.equal(pub.json.account.grade.recommendable, true);

  let g = await s.request('GET', `/api/v1/accounts/${account.id}/grade`, { token: op.token });
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.grade.points, 70);
  assert.equal(g.json.grade.components.credit.points, 40);
  assert.equal(g.json.grade.components.quality.points, 30);
  const other = await newOperator();
  expectError(assert, await s.request('GET', `/api/v1/accounts/${account.id}/grade`, { token: other.token }), 404, 'account_not_found');
  assert.equal((await s.request('GET', `/api/v1/accounts/${account.id}/grade`, { token: mod })).status, 200);

  // An original article raises originality; the nightly job stores the grade.
  const published = await publish(op, account, { original: true });
  assert.equal(published.status, 201);
  const latestIds = async () =>
    (await s.request('GET', '/api/v1/feed/latest?limit=100')).json.items.map((it) => it.account_id);
  assert.ok((await latestIds()).includes(account.id), 'a recommended account is in the latest list');
  const jobs = s.cli(['jobs', 'run']);
  assert.equal(jobs.status, 0, jobs.stderr);
  assert.ok(JSON.parse(jobs.stdout).credit.grades_computed >= 1);
  g = await s.request('GET', `/api/v1/accounts/${account.id}/grade`, { token: op.token });
  assert.equal(g.json.grade.stored, true);
  assert.equal(g.json.grade.components.originality.points, 15);
  assert.equal(g.json.grade.grade, 'A');

  // Three upheld violations on the account: recomputed at once, grade D, not recommended.
  for (let i = 0; i < 3; i++) await sanction('account', account.id, 'spam');
  g = await s.request('GET', `/api/v1/accounts/${account.id}/grade`, { token: op.token });
  assert.equal(g.json.grade.components.quality.violations, 3);
  assert.equal(g.json.grade.components.quality.points, 0);
  assert.equal(g.json.grade.grade, 'C');
  await sanction('account', account.id, 'rumour');
  await sanction('account', account.id, 'rumour');
  pub = await s.request('GET', `/api/v1/accounts/${account.id}`);
  assert.equal(pub.json.account.grade.grade, 'D');
  assert.equal(pub.json.account.grade.recommendable, false);
  // Not recommended: left out of the platform-wide latest list, still on its own page.
  assert.ok(!(await latestIds()).includes(account.id), 'a grade-D account is not recommended');
  const own = await s.request('GET', `/api/v1/accounts/${account.id}/articles`);
  assert.equal(own.status, 200, own.text);
  assert.equal(own.json.items.length, 1);
});
