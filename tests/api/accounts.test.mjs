// Public accounts end to end (PA-5.2, 6.2, 7.1, 8.2, 8.3, 9.1, 9.2, 9.3, 10.1, 10.2, 11.1, 11.2,
// 15.1, 15.2, PA17-6, PA17-9): registration, names, qualifications, the public page, caps,
// lifecycle, jobs driven by `herald jobs run --at`, transfer and self-service.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TestServer, expectError, skipReason, residentId, creditCode, otpFor, operator, accountBody,
  acceptAgreement, pngImage,
} from './support.mjs';

let s, admin, mod, cso;
let phoneSeq = 0;
const nextPhone = () => `1360000${String(++phoneSeq).padStart(4, '0')}`;
let idSeq = 100;
const nextId = () => residentId('320102', '19920202', ++idSeq);

before(async () => {
  if (skipReason) return;
  s = await TestServer.start({ env: { HERALD_IDENTITY_OTP_RESEND_COOLDOWN_SECONDS: '0' } });
  admin = await s.userWithRole('13600009999', 'platform_admin');
  mod = await s.userWithRole('13600009998', 'moderator');
  cso = await s.userWithRole('13600009997', 'content_security_officer');
  const r = await s.request('POST', '/api/v1/names/protected', {
    token: cso,
    body: { entries: [
      { name: '人民日报', kind: 'media' },
      { name: '国务院', kind: 'government' },
      { name: '示例银行', kind: 'enterprise' },
    ] },
  });
  assert.equal(r.status, 200, r.text);
});
after(async () => s && (await s.cleanup()));

async function newOperator() {
  const phone = nextPhone();
  return operator(s, phone, { id: nextId(), phone });
}

async function createAccount(op, name, extra = {}) {
  return s.request('POST', '/api/v1/accounts', { token: op.token, body: accountBody(op.subject.id, name, extra) });
}

async function runJobs(at) {
  const r = s.cli(['jobs', 'run', '--at', at]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('PA-6.2: the agreement is versioned; the current version must be accepted, again after a new one', { skip: skipReason }, async () => {
  const phone = nextPhone();
  await s.register(phone);
  const token = await s.login(phone);
  const docs = await s.request('GET', '/api/v1/documents');
  assert.deepEqual(docs.json.documents.map((d) => d.kind).sort(), ['convention', 'platform_rules', 'service_agreement']);
  const { individualSubject } = await import('./support.mjs');
  const subject = await individualSubject(s, token, { phone, id: nextId() });
  expectError(assert, await s.request('POST', '/api/v1/accounts', { token, body: accountBody(subject.id, '协议测试号') }), 409, 'agreement_not_accepted');
  await acceptAgreement(s, token);
  const created = await s.request('POST', '/api/v1/accounts', { token, body: accountBody(subject.id, '协议测试号') });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.json.account.can_publish, true);
  // A new version: the operator must accept it again before publishing.
  const pub = await s.request('POST', '/api/v1/documents/service_agreement', { token: admin, body: { title: '服务协议 v2', body: '新的条款。' } });
  assert.equal(pub.status, 201, pub.text);
  const v = pub.json.document.version;
  expectError(assert, await s.request('POST', '/api/v1/documents/service_agreement/accept', { token, body: { version: v - 1 } }), 409, 'not_current_version', 'version');
  let mine = await s.request('GET', '/api/v1/me/accounts', { token });
  assert.equal(mine.json.accounts[0].can_publish, false);
  assert.equal(mine.json.accounts[0].publish_blocked_by, 'agreement_not_accepted');
  await acceptAgreement(s, token);
  mine = await s.request('GET', '/api/v1/me/accounts', { token });
  assert.equal(mine.json.accounts[0].can_publish, true);
  // Only admins publish documents.
  expectError(assert, await s.request('POST', '/api/v1/documents/convention', { token, body: { title: 'x', body: 'y' } }), 403, 'permission_denied');
});

test('PA-7.1, PA-15.1: an account registers one category and the registration data', { skip: skipReason }, async () => {
  const op = await newOperator();
  expectError(assert, await createAccount(op, '分类测试', { category: 'astrology' }), 400, 'invalid_category', 'category');
  expectError(assert, await createAccount(op, '分类测试', { registered_place: '' }), 400, 'invalid_place', 'registered_place');
  const r = await createAccount(op, '分类测试');
  assert.equal(r.status, 201, r.text);
  const a = r.json.account;
  assert.equal(a.category.id, 'technology');
  assert.equal(a.disclosures.registered_place, '北京市');
  assert.equal(a.disclosures.operating_place, '北京市');
  assert.equal(a.contact, 'ops@example.cn');
  assert.equal(a.status, 'active');
  const cats = await s.request('GET', '/api/v1/categories');
  assert.ok(cats.json.categories.length >= 10);
  // Organisations must state their business scope.
  const phone = nextPhone();
  await s.register(phone);
  const token = await s.login(phone);
  const otp = await otpFor(s, token, phone);
  const org = await s.request('POST', '/api/v1/subjects', { token, body: {
    kind: 'organisation', org_name: '上海示例文化传媒有限公司', org_type: 'enterprise', credit_code: creditCode('91310000MA1K00001'),
    legal_rep_name: '郑一', legal_rep_id_number: nextId(), legal_rep_phone: phone, ...otp } });
  assert.equal(org.status, 201, org.text);
  await acceptAgreement(s, token);
  expectError(assert, await s.request('POST', '/api/v1/accounts', { token, body: accountBody(org.json.subject.id, '示例文化') }), 400, 'business_scope_required', 'business_scope');
  const ok = await s.request('POST', '/api/v1/accounts', { token, body: accountBody(org.json.subject.id, '示例文化', { business_scope: '文化艺术交流活动策划' }) });
  assert.equal(ok.status, 201, ok.text);
  // PA-9.2: the organisation's public page discloses operator name, credit code and contact.
  const page = await s.request('GET', `/api/v1/accounts/${ok.json.account.id}`);
  assert.equal(page.json.account.badge, 'organisation');
  assert.equal(page.json.account.disclosures.operator_name, '上海示例文化传媒有限公司');
  assert.equal(page.json.account.disclosures.credit_code, creditCode('91310000MA1K00001'));
  assert.equal(page.json.account.disclosures.business_scope, '文化艺术交流活动策划');
});

test('PA-9.2, PA17-6: the public page of an individual shows the chosen name, never the identity', { skip: skipReason }, async () => {
  const phone = nextPhone();
  const id = nextId();
  const op = await operator(s, phone, { id, phone, name: '慕容复' });
  const r = await createAccount(op, '江湖夜话');
  const page = await s.request('GET', `/api/v1/accounts/${r.json.account.id}`);
  assert.equal(page.status, 200);
  const a = page.json.account;
  assert.equal(a.name, '江湖夜话');
  assert.equal(a.disclosures.subject_type, 'individual');
  assert.equal(a.disclosures.content_category, 'technology');
  assert.equal(a.disclosures.operating_place, '北京市');
  for (const secret of [id, '慕容复', phone, id.slice(-4)]) assert.ok(!page.text.includes(secret), secret);
  assert.equal(a.disclosures.operator_name, undefined);
});

test('PA-8.2, PA-8.3: protected names are refused or reviewed, evasions included; bound subjects may use them', { skip: skipReason }, async () => {
  const op = await newOperator();
  expectError(assert, await createAccount(op, '人民日报'), 400, 'name_protected', 'name');
  expectError(assert, await createAccount(op, '人民日報官方'), 400, 'name_protected', 'name');
  expectError(assert, await createAccount(op, '人 民 曰 报'), 400, 'name_protected', 'name');
  const check = await s.request('POST', '/api/v1/names/check', { token: op.token, body: { name: '国务院客服' } });
  assert.equal(check.json.decision, 'reject');
  assert.equal(check.json.matches[0].protected, '国务院');
  // Similar but not equal: created, held for review with the match recorded.
  const similar = await createAccount(op, '人民日报读者之家');
  assert.equal(similar.status, 201, similar.text);
  assert.equal(similar.json.account.status, 'pending_review');
  assert.equal((await s.request('GET', `/api/v1/accounts/${similar.json.account.id}`)).status, 404);
  const queue = await s.request('GET', '/api/v1/reviews?kind=name', { token: mod });
  const item = queue.json.items.find((i) => i.account_id === similar.json.account.id);
  assert.ok(item, queue.text);
  assert.equal(item.detail.matches_percent[0].protected, '人民日报');
  const decided = await s.request('POST', `/api/v1/reviews/${item.id}/decision`, { token: mod, body: { decision: 'approve', reason_code: 'compliant', note: '读者社群，非冒用' } });
  assert.equal(decided.status, 200, decided.text);
  assert.equal((await s.request('GET', `/api/v1/accounts/${similar.json.account.id}`)).json.account.status, 'active');
  // The subject bound to a protected name may use it.
  const bank = await newOperator();
  await s.request('POST', '/api/v1/names/protected', { token: cso, body: { entries: [{ name: '示例银行', kind: 'enterprise', bound_subject_id: bank.subject.id }] } });
  assert.equal((await createAccount(bank, '示例银行')).status, 201);
  // PA-8.3: a name closed by sanction can never be registered again.
  const bad = await newOperator();
  const acc = await createAccount(bad, '违规账号甲');
  const closed = await s.request('POST', `/api/v1/accounts/${acc.json.account.id}/status`, { token: mod, body: { status: 'closed', reason_code: 'illegal_content', note: '多次发布违法信息' } });
  assert.equal(closed.status, 200, closed.text);
  const again = await newOperator();
  expectError(assert, await createAccount(again, '违规账号甲'), 400, 'name_closed', 'name');
  expectError(assert, await createAccount(again, '違規賬號甲'), 400, 'name_closed', 'name');
});

test('PA-8.2: impersonation found later: suspend with a correction deadline, close when not corrected', { skip: skipReason }, async () => {
  const op = await newOperator();
  const acc = (await createAccount(op, '某某官方发布')).json.account;
  const sus = await s.request('POST', `/api/v1/accounts/${acc.id}/status`, { token: mod, body: { status: 'suspended', reason_code: 'impersonation', note: '冒用机构名义', correction_days: 7 } });
  assert.equal(sus.status, 200, sus.text);
  assert.ok(sus.json.account.correction_due_at);
  const mine = await s.request('GET', '/api/v1/me/accounts', { token: op.token });
  const view = mine.json.accounts.find((a) => a.id === acc.id);
  assert.equal(view.status, 'suspended');
  assert.equal(view.status_reason, 'impersonation');
  assert.equal(view.appeal.allowed, true);
  const notices = await s.request('GET', '/api/v1/me/notices', { token: op.token });
  assert.match(notices.json.notices[0].body, /Correct the registration data before/);
  // Six days later nothing happens; eight days later the account is closed.
  const now = Date.now();
  assert.equal((await runJobs(new Date(now + 6 * 86400e3).toISOString())).corrections_closed, 0);
  assert.equal((await runJobs(new Date(now + 8 * 86400e3).toISOString())).corrections_closed, 1);
  const page = await s.request('GET', `/api/v1/accounts/${acc.id}`);
  assert.equal(page.json.account.status, 'closed');
  const audit = await s.request('GET', `/api/v1/audit?action=account.status&subject=account:${acc.id}`, { token: admin });
  assert.deepEqual(audit.json.entries.map((e) => e.details.to), ['closed', 'suspended']);
  assert.equal(audit.json.entries[0].details.reason, 'correction_overdue');
});

test('PA-9.1, PA-5.2, PA-9.3: qualified categories need an approved, unexpired qualification', { skip: skipReason }, async () => {
  const op = await newOperator();
  const acc = (await createAccount(op, '理财小课堂', { category: 'finance' })).json.account;
  assert.equal(acc.can_publish, false);
  assert.equal(acc.publish_blocked_by, 'qualification_required');
  // A real image as the licence scan.
  const png = pngImage(32, 24);
  const up = await s.request('POST', '/api/v1/media', { token: op.token, raw: png, headers: { 'content-type': 'image/png' } });
  assert.equal(up.status, 201, up.text);
  expectError(assert, await s.request('POST', '/api/v1/media', { token: op.token, raw: Buffer.from('not an image at all'), headers: { 'content-type': 'image/png' } }), 415, 'unsupported_media_type');
  const media = up.json.media.id;
  expectError(assert, await s.request('POST', `/api/v1/accounts/${acc.id}/qualifications`, { token: op.token, body: { kind: 'news_licence', licence_number: 'X-1', issuer: '某局', expires_on: '2030-01-01', document_media_id: media } }), 400, 'wrong_qualification_kind', 'kind');
  const q = await s.request('POST', `/api/v1/accounts/${acc.id}/qualifications`, { token: op.token, body: { kind: 'professional', licence_number: 'F2026-0001', issuer: '中国证券业协会', expires_on: new Date(Date.now() + 40 * 86400e3).toISOString().slice(0, 10), document_media_id: media } });
  assert.equal(q.status, 201, q.text);
  const queue = await s.request('GET', '/api/v1/reviews?kind=qualification', { token: mod });
  const item = queue.json.items.find((i) => i.account_id === acc.id);
  await s.request('POST', `/api/v1/reviews/${item.id}/decision`, { token: mod, body: { decision: 'approve', reason_code: 'compliant' } });
  let view = (await s.request('GET', '/api/v1/me/accounts', { token: op.token })).json.accounts.find((a) => a.id === acc.id);
  assert.equal(view.can_publish, true);
  assert.equal(view.badge, 'professional');
  // Expiry (job) withdraws the right to publish and the badge.
  const r = await runJobs(new Date(Date.now() + 41 * 86400e3).toISOString());
  assert.ok(r.qualifications_expired >= 1);
  view = (await s.request('GET', '/api/v1/me/accounts', { token: op.token })).json.accounts.find((a) => a.id === acc.id);
  assert.equal(view.can_publish, false);
  assert.equal(view.qualifications[0].status, 'expired');
  // News needs the news licence (PA-5.2).
  const news = (await createAccount(op, '本地新闻速递', { category: 'news' })).json.account;
  assert.equal(news.publish_blocked_by, 'qualification_required');
});

test('PA-10.1: accounts per subject are capped; more go to review with a reason', { skip: skipReason }, async () => {
  const op = await newOperator();
  assert.equal((await createAccount(op, '上限测试一')).status, 201);
  assert.equal((await createAccount(op, '上限测试二')).status, 201);
  expectError(assert, await createAccount(op, '上限测试三'), 429, 'account_cap_reached', 'cap_reason');
  const r = await createAccount(op, '上限测试三', { cap_reason: '为不同城市的读者分别运营' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.account.status, 'pending_review');
  assert.equal(r.json.account.status_reason, 'over_cap');
  const queue = await s.request('GET', '/api/v1/reviews?kind=over_cap', { token: mod });
  const item = queue.json.items.find((i) => i.account_id === r.json.account.id);
  assert.equal(item.detail.reason, '为不同城市的读者分别运营');
  const rej = await s.request('POST', `/api/v1/reviews/${item.id}/decision`, { token: mod, body: { decision: 'reject', reason_code: 'insufficient_reason', note: '理由不充分' } });
  assert.equal(rej.status, 200, rej.text);
  expectError(assert, await s.request('POST', `/api/v1/reviews/${item.id}/decision`, { token: mod, body: { decision: 'approve', reason_code: 'compliant' } }), 409, 'already_decided');
});

test('PA-10.2: six months without login or use → notice → suspension', { skip: skipReason }, async () => {
  const op = await newOperator();
  const acc = (await createAccount(op, '沉睡账号')).json.account;
  const t0 = Date.now();
  const r1 = await runJobs(new Date(t0 + 181 * 86400e3).toISOString());
  assert.ok(r1.inactivity_notices >= 1);
  const notices = await s.request('GET', '/api/v1/me/notices', { token: op.token });
  assert.ok(notices.json.notices.some((n) => n.kind === 'inactivity_notice' && n.account_id === acc.id));
  const r2 = await runJobs(new Date(t0 + 212 * 86400e3).toISOString());
  assert.ok(r2.inactivity_suspensions >= 1);
  const page = await s.request('GET', `/api/v1/accounts/${acc.id}`);
  assert.equal(page.json.account.status, 'suspended');
});

test('PA-11.1: transfer by application, transferee verified, moderator approval, change published', { skip: skipReason }, async () => {
  const from = await newOperator();
  const to = await newOperator();
  const acc = (await createAccount(from, '迁移测试号')).json.account;
  expectError(assert, await s.request('POST', `/api/v1/accounts/${acc.id}/transfers`, { token: from.token, body: { to_subject_id: 999999 } }), 400, 'invalid_transferee', 'to_subject_id');
  const tr = await s.request('POST', `/api/v1/accounts/${acc.id}/transfers`, { token: from.token, body: { to_subject_id: to.subject.id } });
  assert.equal(tr.status, 201, tr.text);
  // Only the transferee accepts.
  expectError(assert, await s.request('POST', `/api/v1/transfers/${tr.json.transfer.id}/accept`, { token: from.token }), 403, 'not_transferee');
  assert.equal((await s.request('POST', `/api/v1/transfers/${tr.json.transfer.id}/accept`, { token: to.token })).status, 200);
  const queue = await s.request('GET', '/api/v1/reviews?kind=transfer', { token: mod });
  const item = queue.json.items.find((i) => i.account_id === acc.id);
  assert.equal((await s.request('POST', `/api/v1/reviews/${item.id}/decision`, { token: mod, body: { decision: 'approve', reason_code: 'compliant' } })).status, 200);
  const page = await s.request('GET', `/api/v1/accounts/${acc.id}`);
  assert.equal(page.json.account.subject_changes.length, 1);
  assert.match(page.json.account.subject_changes[0].notice, /变更/);
  const mine = await s.request('GET', '/api/v1/me/accounts', { token: to.token });
  assert.ok(mine.json.accounts.some((a) => a.id === acc.id));
  // An account under sanction cannot be transferred.
  const other = (await createAccount(to, '受限账号')).json.account;
  await s.request('POST', `/api/v1/accounts/${other.id}/status`, { token: mod, body: { status: 'restricted', reason_code: 'spam' } });
  expectError(assert, await s.request('POST', `/api/v1/accounts/${other.id}/transfers`, { token: to.token, body: { to_subject_id: from.subject.id } }), 409, 'account_sanctioned');
});

test('PA-11.2, PA17-9: the operator suspends, resumes and cancels with a cooling-off period; records are kept, then purged', { skip: skipReason }, async () => {
  const op = await newOperator();
  const acc = (await createAccount(op, '自助注销号')).json.account;
  assert.equal((await s.request('POST', `/api/v1/accounts/${acc.id}/suspend`, { token: op.token })).json.account.status, 'suspended');
  assert.equal((await s.request('POST', `/api/v1/accounts/${acc.id}/resume`, { token: op.token })).json.account.status, 'active');
  // Someone else cannot.
  const other = await newOperator();
  expectError(assert, await s.request('POST', `/api/v1/accounts/${acc.id}/cancel`, { token: other.token }), 403, 'not_account_owner');
  const c = await s.request('POST', `/api/v1/accounts/${acc.id}/cancel`, { token: op.token });
  assert.equal(c.json.account.status, 'cancelling');
  assert.equal((await s.request('POST', `/api/v1/accounts/${acc.id}/cancel/withdraw`, { token: op.token })).json.account.status, 'active');
  await s.request('POST', `/api/v1/accounts/${acc.id}/cancel`, { token: op.token });
  const t0 = Date.now();
  assert.equal((await runJobs(new Date(t0 + 14 * 86400e3).toISOString())).cancellations_completed, 0);
  assert.ok((await runJobs(new Date(t0 + 16 * 86400e3).toISOString())).cancellations_completed >= 1);
  assert.equal((await s.request('GET', `/api/v1/accounts/${acc.id}`)).status, 404);
  // Kept for the regulator for at least 180 days, then purged.
  assert.equal((await runJobs(new Date(t0 + 100 * 86400e3).toISOString())).purged, 0);
  assert.ok((await runJobs(new Date(t0 + 200 * 86400e3).toISOString())).purged >= 1);
  const audit = await s.request('GET', `/api/v1/audit?action=account.purge&subject=account:${acc.id}`, { token: admin });
  assert.equal(audit.json.entries.length, 1);
  // A sanctioned account cannot escape by cancelling.
  const bad = (await createAccount(op, '受罚账号乙')).json.account;
  await s.request('POST', `/api/v1/accounts/${bad.id}/status`, { token: mod, body: { status: 'suspended', reason_code: 'illegal_content' } });
  expectError(assert, await s.request('POST', `/api/v1/accounts/${bad.id}/cancel`, { token: op.token }), 409, 'invalid_transition');
});

test('PA-8.2: illegal registration data is refused, evasions included; doubtful data goes to review', { skip: skipReason }, async () => {
  const op = await newOperator();
  expectError(assert, await createAccount(op, '澳门赌场官方'), 400, 'illegal_registration_data', 'name');
  expectError(assert, await createAccount(op, '生活小帮手', { bio: '专业代 开 发 票，加微信' }), 400, 'illegal_registration_data', 'bio');
  expectError(assert, await createAccount(op, '賭·博天地'), 400, 'illegal_registration_data', 'name');
  expectError(assert, await createAccount(op, '风景相册', { avatar_caption: 'ＣＡＳＩＮＯ 在线' }), 400, 'illegal_registration_data', 'avatar_caption');
  const held = await createAccount(op, '小额贷款指南');
  assert.equal(held.status, 201, held.text);
  assert.equal(held.json.account.status, 'pending_review');
  assert.equal(held.json.account.status_reason, 'registration_data');
  const queue = await s.request('GET', '/api/v1/reviews?kind=registration_data', { token: mod });
  const item = queue.json.items.find((i) => i.account_id === held.json.account.id);
  assert.equal(item.detail.term, '贷款');
  // Editing a profile is screened too.
  const ok = (await createAccount(op, '读书会')).json.account;
  expectError(assert, await s.request('PATCH', `/api/v1/accounts/${ok.id}`, { token: op.token, body: { bio: '色情内容' } }), 400, 'illegal_registration_data', 'bio');
  expectError(assert, await s.request('PATCH', `/api/v1/accounts/${ok.id}`, { token: op.token, body: { avatar_caption: '冰 毒' } }), 400, 'illegal_registration_data', 'avatar_caption');
  // Every free-text field of the registration data is screened, on create and on update.
  expectError(assert, await s.request('PATCH', `/api/v1/accounts/${ok.id}`, { token: op.token, body: { contact: '加微信买冰毒' } }), 400, 'illegal_registration_data', 'contact');
  expectError(assert, await s.request('PATCH', `/api/v1/accounts/${ok.id}`, { token: op.token, body: { operating_place: '澳门赌场' } }), 400, 'illegal_registration_data', 'operating_place');
  expectError(assert, await s.request('PATCH', `/api/v1/accounts/${ok.id}`, { token: op.token, body: { business_scope: '小额贷款咨询' } }), 400, 'registration_data_review', 'business_scope');
  expectError(assert, await createAccount(op, '同城信息站', { registered_place: '代开发票中心' }), 400, 'illegal_registration_data', 'registered_place');
  const edited = await s.request('PATCH', `/api/v1/accounts/${ok.id}`, { token: op.token, body: { bio: '每周共读一本书', avatar_caption: '书架一角' } });
  assert.equal(edited.status, 200, edited.text);
  assert.equal(edited.json.account.bio, '每周共读一本书');
  assert.equal((await s.request('GET', `/api/v1/accounts/${ok.id}`)).json.account.avatar_caption, '书架一角');
});

test('PA-8.2: `herald names import FILE` loads the protected-names registry, with bound subjects', { skip: skipReason }, async () => {
  const { writeFileSync } = await import('node:fs');
  const path = (await import('node:path')).default;
  const owner = await newOperator();
  const file = path.join(s.dataDir, 'protected.tsv');
  writeFileSync(file, `# test registry\n示例航空\tenterprise\t${owner.subject.id}\n某某市公安局\tgovernment\n`);
  const r = s.cli(['names', 'import', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /imported 2/);
  const op = await newOperator();
  expectError(assert, await createAccount(op, '某某市公安局官方'), 400, 'name_protected', 'name');
  assert.equal((await createAccount(owner, '示例航空')).status, 201);
  const bad = path.join(s.dataDir, 'bad.tsv');
  writeFileSync(bad, '示例\tspaceship\n');
  const b = s.cli(['names', 'import', bad]);
  assert.equal(b.status, 2);
  assert.match(b.stderr, /line 1/);
});
