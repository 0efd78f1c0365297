// Complaints and reports (issue 6, docs/reports.md): the entry for anyone, the published
// procedure with time limits and the appeal channel (PA-20.1), malicious-report recognition and
// feedback to reporters (PA-20.2), group and message reports through the same flow (GR-12).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, expectError, skipReason, residentId, operator, accountBody, pngImage } from './support.mjs';

let s, cso, mod, auditor;
let phoneSeq = 0;
const nextPhone = () => `1370000${String(++phoneSeq).padStart(4, '0')}`;
let idSeq = 700;
const nextId = () => residentId('440106', '19930315', ++idSeq);

before(async () => {
  if (skipReason) return;
  s = await TestServer.start({
    env: { HERALD_IDENTITY_OTP_RESEND_COOLDOWN_SECONDS: '0', HERALD_REPORTS_DAILY_LIMIT_ANONYMOUS: '100' },
  });
  cso = await s.userWithRole('13700009996', 'content_security_officer');
  mod = await s.userWithRole('13700009998', 'moderator');
  auditor = await s.userWithRole('13700009997', 'auditor');
});
after(async () => s && (await s.cleanup()));

async function newOperator() {
  const phone = nextPhone();
  const op = await operator(s, phone, { id: nextId(), phone });
  const me = await s.request('GET', '/api/v1/me', { token: op.token });
  return { ...op, user: me.json };
}

async function newAccount(name) {
  const op = await newOperator();
  const r = await s.request('POST', '/api/v1/accounts', { token: op.token, body: accountBody(op.subject.id, name) });
  assert.equal(r.status, 201, r.text);
  return { ...op, account: r.json.account };
}

async function newReader() {
  const phone = nextPhone();
  const user = await s.register(phone);
  return { user, token: await s.login(phone) };
}

async function publish(who, title) {
  const r = await s.request('POST', `/api/v1/accounts/${who.account.id}/articles`, { token: who.token, body: { title, body: '正文内容，关于本周的社区活动安排。' } });
  assert.equal(r.status, 201, r.text);
  return r.json.article;
}

const report = (body, token) => s.request('POST', '/api/v1/reports', { token, body });
const reviewItem = async (id) => (await s.request('GET', `/api/v1/reviews/${id}`, { token: mod })).json.item;
const decide = (id, decision, reason_code, token = mod, note) =>
  s.request('POST', `/api/v1/reviews/${id}/decision`, { token, body: { decision, reason_code, ...(note ? { note } : {}) } });
const notes = async (token) => (await s.request('GET', '/api/v1/me/notifications', { token })).json;

test('PA-20.1: the published procedure names stages, categories with time limits and the appeal channel', { skip: skipReason }, async () => {
  const r = await s.request('GET', '/api/v1/policies/reports');
  assert.equal(r.status, 200, r.text);
  const p = r.json.policy;
  assert.equal(p.entry, 'POST /api/v1/reports');
  assert.deepEqual(p.stages.map((x) => x.stage), ['accepted', 'screened', 'handled', 'feedback']);
  for (const x of p.stages) assert.ok(x.label_zh && x.label_en);
  const byCode = Object.fromEntries(p.categories.map((c) => [c.code, c]));
  for (const c of ['illegal_content', 'rumour', 'fraud', 'pornography', 'impersonation', 'copyright_infringement', 'rights_infringement', 'cyber_violence', 'spam', 'other']) {
    assert.ok(byCode[c], c);
    assert.ok(byCode[c].label_zh && byCode[c].label_en);
    assert.equal(byCode[c].accept_within_hours, 24);
  }
  assert.equal(byCode.spam.handle_within_hours, 168);
  assert.equal(byCode.fraud.handle_within_hours, 48);
  assert.equal(byCode.copyright_infringement.needs_rights_proof, true);
  assert.equal(p.appeals.path, '/api/v1/appeals');
  assert.ok(p.malicious_reports.label_zh.length > 10);
  assert.deepEqual(p.target_types, ['account', 'article', 'comment', 'group', 'message']);
});

test('PA-20.1: anyone reports; accepted and screened at once with a due time; anonymous reporters read it with their token; refusals', { skip: skipReason }, async () => {
  const acc = await newAccount('举报测试号');
  const art = await publish(acc, '社区活动通知');
  const reader = await newReader();

  // Signed in, with an uploaded screenshot.
  const up = await s.request('POST', '/api/v1/media', { token: acc.token, raw: pngImage(12, 12, 3), headers: { 'content-type': 'image/png' } });
  assert.equal(up.status, 201, up.text);
  const mine = await s.request('POST', '/api/v1/media', { token: reader.token, raw: pngImage(10, 10, 5), headers: { 'content-type': 'image/png' } });
  expectError(assert, await report({ target: { type: 'article', id: art.id }, category: 'fraud', description: '诈骗', evidence: { media_ids: [up.json.media.id] } }, reader.token), 400, 'invalid_evidence', 'evidence');
  let r = await report({ target: { type: 'article', id: art.id }, category: 'fraud', description: '文章诱导转账', evidence: { links: ['https://example.com/shot'], media_ids: [mine.json.media.id] } }, reader.token);
  assert.equal(r.status, 201, r.text);
  const signed = r.json.report;
  assert.equal(r.json.access_token, undefined);
  assert.equal(signed.stage, 'screened');
  assert.ok(signed.accepted_at && signed.screened_at);
  assert.equal(Date.parse(signed.due_at) - Date.parse(signed.accepted_at), 48 * 3600e3);
  assert.equal(signed.weight, undefined, 'reporters do not see staff fields');
  let n = await notes(reader.token);
  assert.equal(n.items[0].kind, 'report_received');
  assert.equal(n.items[0].link, `/api/v1/reports/${signed.id}`);

  // Not signed in: a contact is required, stored masked; a token reads the report.
  expectError(assert, await report({ target: { type: 'article', id: art.id }, category: 'spam', description: '广告' }), 400, 'contact_required', 'contact');
  expectError(assert, await report({ target: { type: 'article', id: art.id }, category: 'spam', description: '广告', contact: 'x' }), 400, 'invalid_contact', 'contact');
  expectError(assert, await report({ target: { type: 'article', id: art.id }, category: 'spam', description: '广告', contact: '13912345678', evidence: { media_ids: [mine.json.media.id] } }), 400, 'invalid_evidence', 'evidence');
  r = await report({ target: { type: 'article', id: art.id }, category: 'spam', description: '广告刷屏', contact: '13912345678', evidence: { links: ['http://example.com/a'] } });
  assert.equal(r.status, 201, r.text);
  const anon = r.json.report;
  const token = r.json.access_token;
  assert.match(token, /^hr_/);
  assert.equal(anon.contact, '139****5678');
  assert.ok(!r.text.includes('13912345678'));
  assert.equal((await s.request('GET', `/api/v1/reports/${anon.id}?token=${token}`)).json.report.id, anon.id);
  expectError(assert, await s.request('GET', `/api/v1/reports/${anon.id}?token=hr_wrong`), 404, 'report_not_found');
  expectError(assert, await s.request('GET', `/api/v1/reports/${anon.id}`), 404, 'report_not_found');
  expectError(assert, await s.request('GET', `/api/v1/reports/${signed.id}?token=${token}`), 404, 'report_not_found');
  expectError(assert, await s.request('GET', `/api/v1/reports/${signed.id}`, { token: acc.token }), 404, 'report_not_found');
  assert.equal((await s.request('GET', `/api/v1/reports/${signed.id}`, { token: reader.token })).status, 200);
  const staffView = await s.request('GET', `/api/v1/reports/${anon.id}`, { token: auditor });
  assert.equal(staffView.status, 200);
  assert.equal(staffView.json.report.weight, 0.5);
  // Both joined one review item of kind "report", due at the earlier (fraud) limit.
  assert.equal(staffView.json.report.review_item_id, (await s.request('GET', `/api/v1/reports/${signed.id}`, { token: mod })).json.report.review_item_id);
  const item = await reviewItem(staffView.json.report.review_item_id);
  assert.equal(item.kind, 'report');
  assert.equal(item.due_at, signed.due_at);

  // Refusals.
  expectError(assert, await report({ target: { type: 'user', id: 1 }, category: 'spam', description: 'x' }, reader.token), 400, 'invalid_target_type', 'target.type');
  expectError(assert, await report({ target: { type: 'article', id: 999999 }, category: 'spam', description: 'x' }, reader.token), 404, 'target_not_found', 'target.id');
  expectError(assert, await report({ target: { type: 'article', id: art.id }, category: 'gossip', description: 'x' }, reader.token), 400, 'invalid_category', 'category');
  expectError(assert, await report({ target: { type: 'article', id: art.id }, category: 'copyright_infringement', description: '抄袭' }, reader.token), 400, 'rights_holder_required', 'rights_holder');
  expectError(assert, await report({ target: { type: 'article', id: art.id }, category: 'copyright_infringement', description: '抄袭', rights_holder: '某出版社' }, reader.token), 400, 'rights_proof_required', 'rights_proof');
  expectError(assert, await report({ target: { type: 'article', id: art.id }, category: 'spam', description: 'x', evidence: { links: ['javascript:alert(1)'] } }, reader.token), 400, 'invalid_evidence', 'evidence');
  expectError(assert, await report({ target: { type: 'article', id: art.id }, category: 'spam', description: 'x', reporter_id: 3 }, reader.token), 400, 'unknown_field');
  expectError(assert, await s.request('POST', '/api/v1/reports', { token: 'hs_bogus', body: { target: { type: 'article', id: art.id }, category: 'spam', description: 'x' } }), 401, 'invalid_token');
  r = await report({ target: { type: 'article', id: art.id }, category: 'copyright_infringement', description: '全文抄袭我社图书', rights_holder: '某出版社', rights_proof: { links: ['https://example.com/copyright-certificate'] } }, reader.token);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.report.rights_holder, '某出版社');

  // My reports and the staff list with its permission.
  const list = await s.request('GET', '/api/v1/me/reports', { token: reader.token });
  assert.deepEqual(list.json.items.map((x) => x.id), [r.json.report.id, signed.id]);
  expectError(assert, await s.request('GET', '/api/v1/reports', { token: reader.token }), 403, 'permission_denied');
  const staff = await s.request('GET', '/api/v1/reports?target_type=article&category=spam', { token: cso });
  assert.equal(staff.status, 200, staff.text);
  assert.deepEqual(staff.json.items.map((x) => x.id), [anon.id]);
  expectError(assert, await s.request('GET', '/api/v1/reports?stage=done', { token: cso }), 400, 'invalid_filter', 'stage');
});

test('PA-20.1: overdue reports are escalated to the content security officer by the scheduled jobs', { skip: skipReason }, async () => {
  const acc = await newAccount('逾期测试号');
  const reader = await newReader();
  const r = await report({ target: { type: 'account', id: acc.account.id }, category: 'pornography', description: '头像低俗' }, reader.token);
  assert.equal(r.status, 201, r.text);
  const itemId = (await s.request('GET', `/api/v1/reports/${r.json.report.id}`, { token: mod })).json.report.review_item_id;
  let jobs = s.cli(['jobs', 'run', '--at', new Date(Date.now() + 47 * 3600e3).toISOString()]);
  assert.equal(jobs.status, 0, jobs.stderr);
  assert.equal((await reviewItem(itemId)).status, 'pending');
  jobs = s.cli(['jobs', 'run', '--at', new Date(Date.now() + 49 * 3600e3).toISOString()]);
  assert.equal(jobs.status, 0, jobs.stderr);
  const out = JSON.parse(jobs.stdout);
  assert.ok(out.reports.escalated >= 1, jobs.stdout);
  assert.equal((await reviewItem(itemId)).status, 'escalated');
  const mine = (await s.request('GET', `/api/v1/reports/${r.json.report.id}`, { token: reader.token })).json.report;
  assert.equal(mine.overdue, true);
  expectError(assert, await decide(itemId, 'reject', 'harmful_content'), 409, 'escalated_needs_cso');
  assert.equal((await decide(itemId, 'reject', 'harmful_content', cso)).status, 200);
  const audit = await s.request('GET', '/api/v1/audit?action=report.overdue', { token: cso });
  assert.equal(audit.status, 200, audit.text);
  assert.ok(audit.json.entries.some((e) => e.subject === `report:${r.json.report.id}`), audit.text);
});

test('PA-20.2: mass reports from new accounts are marked as a campaign and raise nothing; reporters and the reported party get feedback', { skip: skipReason }, async () => {
  const acc = await newAccount('被围攻的账号');
  const art = await publish(acc, '一篇正常的文章');
  const fresh = [];
  for (let i = 0; i < 3; i++) fresh.push(await newReader());
  let itemId;
  for (const f of fresh) {
    const r = await report({ target: { type: 'article', id: art.id }, category: 'illegal_content', description: '违法' }, f.token);
    assert.equal(r.status, 201, r.text);
  }
  const listed = await s.request('GET', `/api/v1/reports?campaign=true&target_type=article`, { token: mod });
  const group = listed.json.items.filter((x) => x.target.id === art.id);
  assert.equal(group.length, 3);
  for (const x of group) {
    assert.equal(x.campaign, true);
    assert.match(x.campaign_reasons, /new_user/);
    itemId = x.review_item_id;
    assert.equal(x.campaign_group, itemId);
  }
  // Priority: the category's base only (3 for illegal content), not raised by the campaign.
  const item = await reviewItem(itemId);
  assert.equal(item.severity, 3);
  // Nothing was taken down.
  assert.equal((await s.request('GET', `/api/v1/articles/${art.id}`)).status, 200);

  // Not upheld: the reporters are told, their records fall; the reported party hears nothing.
  assert.equal((await decide(itemId, 'approve', 'compliant')).status, 200);
  for (const f of fresh) {
    const mine = (await s.request('GET', '/api/v1/me/reports', { token: f.token })).json.items[0];
    assert.equal(mine.stage, 'feedback');
    assert.equal(mine.outcome, 'not_upheld');
    assert.ok(mine.outcome_text.length > 0);
    const n = await notes(f.token);
    assert.equal(n.items[0].kind, 'report_outcome');
    assert.equal(n.unread_count, 2);
    assert.equal((await s.request('POST', `/api/v1/me/notifications/${n.items[0].id}/read`, { token: f.token })).json.unread_count, 1);
  }
  assert.equal((await notes(acc.token)).items.filter((x) => x.kind === 'report_against_you').length, 0);
  const again = await report({ target: { type: 'article', id: art.id }, category: 'spam', description: '再举报' }, fresh[0].token);
  const weight = (await s.request('GET', `/api/v1/reports/${again.json.report.id}`, { token: mod })).json.report.weight;
  assert.ok(weight < 0.5, `weight after a report not upheld: ${weight}`);

  // Upheld (with a sanction issued separately and named in the note): feedback to the
  // anonymous reporter through the token and a notice to the account owner.
  const other = await newReader();
  const r = await report({ target: { type: 'account', id: acc.account.id }, category: 'impersonation', description: '冒充官方机构', contact: 'me@example.com' });
  const tok = r.json.access_token;
  const r2 = await report({ target: { type: 'account', id: acc.account.id }, category: 'impersonation', description: '仿冒' }, other.token);
  const item2 = (await s.request('GET', `/api/v1/reports/${r2.json.report.id}`, { token: mod })).json.report.review_item_id;
  const sanction = await s.request('POST', '/api/v1/sanctions', { token: mod, body: { target_type: 'account', target_id: acc.account.id, measure: 'warning', reason_code: 'impersonation', note: '仿冒' } });
  assert.equal(sanction.status, 201, sanction.text);
  assert.equal((await decide(item2, 'reject', 'impersonation', mod, `sanction:${sanction.json.sanction.id}`)).status, 200);
  const seen = (await s.request('GET', `/api/v1/reports/${r.json.report.id}?token=${tok}`)).json.report;
  assert.equal(seen.outcome, 'upheld');
  assert.equal(seen.outcome_reason, 'impersonation');
  assert.equal(seen.sanction_id, sanction.json.sanction.id);
  assert.equal(seen.contact, 'm***@example.com');
  assert.match(seen.outcome_text, /\/api\/v1\/appeals/);
  const owner = await notes(acc.token);
  const against = owner.items.find((x) => x.kind === 'report_against_you');
  assert.ok(against, JSON.stringify(owner));
  assert.equal(against.ref, `account:${acc.account.id}`);
  assert.ok(!against.body.includes(String(other.user.id)));
});

test('GR-12: groups and group messages are reported through the same flow; the message author hears of an upheld report', { skip: skipReason }, async () => {
  const creator = await newOperator();
  const g = await s.request('POST', '/api/v1/groups', { token: creator.token, body: { name: '周末徒步群', description: '每周徒步' } });
  assert.equal(g.status, 201, g.text);
  const group = g.json.group;
  const author = await newOperator();
  assert.equal((await s.request('POST', `/api/v1/groups/${group.id}/join`, { token: author.token })).status, 200);
  const m = await s.request('POST', `/api/v1/groups/${group.id}/messages`, { token: author.token, body: { text: '加我微信领取福利' } });
  assert.equal(m.status, 201, m.text);
  const msg = m.json.message;
  const reader = await newReader();

  expectError(assert, await report({ target: { type: 'message', id: 999999 }, category: 'spam', description: 'x' }, reader.token), 404, 'target_not_found');
  const rg = await report({ target: { type: 'group', id: group.id }, category: 'spam', description: '群内广告' }, reader.token);
  assert.equal(rg.status, 201, rg.text);
  const rm = await report({ target: { type: 'message', id: msg.id }, category: 'fraud', description: '诱导加好友' }, reader.token);
  assert.equal(rm.status, 201, rm.text);
  assert.equal(Date.parse(rm.json.report.due_at) - Date.parse(rm.json.report.accepted_at), 48 * 3600e3);
  const staff = await s.request('GET', '/api/v1/reports?target_type=message', { token: mod });
  const row = staff.json.items.find((x) => x.id === rm.json.report.id);
  assert.equal(row.reported_user_id, author.user.id);
  const groupRow = (await s.request('GET', '/api/v1/reports?target_type=group', { token: mod })).json.items.find((x) => x.id === rg.json.report.id);
  assert.equal(groupRow.reported_user_id, creator.user.id);
  assert.notEqual(row.review_item_id, groupRow.review_item_id);
  const items = (await s.request('GET', '/api/v1/reviews?kind=report', { token: mod })).json.items;
  assert.ok(items.some((i) => i.id === row.review_item_id));

  assert.equal((await decide(row.review_item_id, 'reject', 'harmful_content')).status, 200);
  const n = await notes(author.token);
  assert.equal(n.items[0].kind, 'report_against_you');
  assert.equal(n.items[0].ref, `message:${msg.id}`);
  assert.equal((await notes(creator.token)).items.filter((x) => x.kind === 'report_against_you').length, 0);
  const mine = (await s.request('GET', `/api/v1/reports/${rm.json.report.id}`, { token: reader.token })).json.report;
  assert.equal(mine.outcome, 'upheld');
  assert.equal(mine.stage, 'feedback');
  // The group report stays open until decided.
  assert.equal((await s.request('GET', `/api/v1/reports/${rg.json.report.id}`, { token: reader.token })).json.report.stage, 'screened');
});

test('PA-20.2: reporters behind one real-name subject are recognised as related; a sanction citing the review item is linked to the reports', { skip: skipReason }, async () => {
  const target = await newAccount('被相关账号举报的账号');
  // Two operators whose subjects were verified with the same contact number, a third apart.
  const shared = nextPhone();
  const a = await operator(s, shared, { id: nextId(), phone: shared });
  const bPhone = nextPhone();
  const b = await operator(s, bPhone, { id: nextId(), phone: shared });
  const c = await newReader();
  for (const who of [a, b, c]) {
    const r = await report({ target: { type: 'account', id: target.account.id }, category: 'spam', description: '刷量' }, who.token);
    assert.equal(r.status, 201, r.text);
  }
  const listed = await s.request('GET', `/api/v1/reports?target_type=account`, { token: mod });
  const mine = listed.json.items.filter((x) => x.target.id === target.account.id);
  assert.equal(mine.length, 3);
  const byReporter = (tok) => mine.find((x) => x.reporter_user_id === tok);
  const meA = (await s.request('GET', '/api/v1/me', { token: a.token })).json.id;
  const meB = (await s.request('GET', '/api/v1/me', { token: b.token })).json.id;
  assert.match(byReporter(meA).campaign_reasons, /related_accounts/);
  assert.match(byReporter(meB).campaign_reasons, /related_accounts/);
  assert.doesNotMatch(byReporter(c.user.id).campaign_reasons ?? '', /related_accounts/);
  for (const x of mine) assert.equal(x.campaign, true);  // with new_user: three suspicious

  // A sanction whose evidence cites the review item names it on every report of the item.
  const itemId = mine[0].review_item_id;
  const sanction = await s.request('POST', '/api/v1/sanctions', {
    token: mod,
    body: { target_type: 'account', target_id: target.account.id, measure: 'warning', reason_code: 'fake_traffic', note: '刷量', evidence: [`review:${itemId}`] },
  });
  assert.equal(sanction.status, 201, sanction.text);
  assert.equal((await decide(itemId, 'reject', 'fake_traffic')).status, 200);
  for (const who of [a, b]) {
    const seen = (await s.request('GET', '/api/v1/me/reports', { token: who.token })).json.items[0];
    assert.equal(seen.outcome, 'upheld');
    assert.equal(seen.sanction_id, sanction.json.sanction.id);
  }
});
