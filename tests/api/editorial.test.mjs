// Issue 5, the editorial side: members of organisation accounts and the draft workflow
// (PA-16.1), third-party operating agencies (PA-16.2), versions of edited articles, tags, covers
// and the purge of deleted articles after the retention period (PA17-16).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TestServer, skipReason, residentId, operator, accountBody, expectError, creditCode, otpFor,
  acceptAgreement, individualSubject, pngImage,
} from './support.mjs';

let s;
let phoneSeq = 0;
const nextPhone = () => `1360000${String(++phoneSeq).padStart(4, '0')}`;
let idSeq = 700;
const nextId = () => residentId('320102', '19880808', ++idSeq);
let auditor;

before(async () => {
  if (skipReason) return;
  s = await TestServer.start({ env: { HERALD_IDENTITY_OTP_RESEND_COOLDOWN_SECONDS: '0' } });
  auditor = await s.userWithRole('13699990001', 'auditor');
});
after(async () => s && (await s.cleanup()));

async function userId(token) {
  const me = await s.request('GET', '/api/v1/me', { token });
  assert.equal(me.status, 200, me.text);
  return me.json.id;
}

// A logged-in user with a verified identity (a possible member).
async function verifiedUser() {
  const phone = nextPhone();
  await s.register(phone);
  const token = await s.login(phone);
  await individualSubject(s, token, { id: nextId(), phone });
  return { token, id: await userId(token), phone };
}

let orgSeq = 0;
async function orgAccount(name) {
  const phone = nextPhone();
  await s.register(phone);
  const token = await s.login(phone);
  const otp = await otpFor(s, token, phone);
  const org = await s.request('POST', '/api/v1/subjects', { token, body: {
    kind: 'organisation', org_name: `南京示例文化传媒有限公司${++orgSeq}`, org_type: 'enterprise',
    credit_code: creditCode(`91320100MA1K0000${orgSeq}`),
    legal_rep_name: '郑一', legal_rep_id_number: nextId(), legal_rep_phone: phone, ...otp } });
  assert.equal(org.status, 201, org.text);
  await acceptAgreement(s, token);
  const r = await s.request('POST', '/api/v1/accounts', {
    token, body: accountBody(org.json.subject.id, name, { business_scope: '文化艺术交流活动策划' }) });
  assert.equal(r.status, 201, r.text);
  return { token, id: await userId(token), account: r.json.account };
}

async function individualAccount(name) {
  const phone = nextPhone();
  const op = await operator(s, phone, { id: nextId(), phone });
  const r = await s.request('POST', '/api/v1/accounts', { token: op.token, body: accountBody(op.subject.id, name) });
  assert.equal(r.status, 201, r.text);
  return { ...op, id: await userId(op.token), account: r.json.account };
}

async function auditOf(action, subject) {
  const q = `/api/v1/audit?action=${action}${subject ? `&subject=${encodeURIComponent(subject)}` : ''}`;
  const r = await s.request('GET', q, { token: auditor });
  assert.equal(r.status, 200, r.text);
  return r.json.entries;
}

test('PA-16.1: the owner adds and removes verified members by role; no phone numbers shown; audited', { skip: skipReason }, async () => {
  const org = await orgAccount('示例机构编辑部');
  const editor = await verifiedUser();
  const base = `/api/v1/me/accounts/${org.account.id}/members`;

  // Only verified users; only known roles; only by the owner.
  const plainPhone = nextPhone();
  const plain = await s.register(plainPhone);
  expectError(assert, await s.request('POST', base, { token: org.token, body: { user_id: plain.id, role: 'editor' } }), 409, 'user_not_verified', 'user_id');
  expectError(assert, await s.request('POST', base, { token: org.token, body: { user_id: editor.id, role: 'admin' } }), 400, 'invalid_member_role', 'role');
  expectError(assert, await s.request('POST', base, { token: editor.token, body: { user_id: editor.id, role: 'editor' } }), 403, 'not_account_owner');
  expectError(assert, await s.request('POST', base, { token: org.token, body: { user_id: 999999, role: 'editor' } }), 404, 'user_not_found');

  const add = await s.request('POST', base, { token: org.token, body: { user_id: editor.id, role: 'editor' } });
  assert.equal(add.status, 201, add.text);
  assert.equal(add.json.member.role, 'editor');
  expectError(assert, await s.request('POST', base, { token: org.token, body: { user_id: editor.id, role: 'reviewer' } }), 409, 'member_exists');

  // Members see the list (with their own role); nobody sees a phone number in it.
  const list = await s.request('GET', base, { token: editor.token });
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.your_role, 'editor');
  assert.deepEqual(list.json.members.map((m) => [m.user_id, m.role]), [[editor.id, 'editor']]);
  assert.ok(!list.text.includes(editor.phone) && !list.text.includes(editor.phone.slice(-4) + '"'), list.text);
  expectError(assert, await s.request('GET', base, { token: plain && (await s.login(plainPhone)) }), 403, 'not_account_member');

  // Individual accounts have no members.
  const person = await individualAccount('个人随笔');
  expectError(assert, await s.request('POST', `/api/v1/me/accounts/${person.account.id}/members`, { token: person.token, body: { user_id: editor.id, role: 'editor' } }), 409, 'not_organisation_account');

  const del = await s.request('DELETE', `${base}/${editor.id}`, { token: org.token });
  assert.equal(del.status, 204, del.text);
  expectError(assert, await s.request('DELETE', `${base}/${editor.id}`, { token: org.token }), 404, 'member_not_found');
  const added = await auditOf('account.member.add', `account:${org.account.id}`);
  const removed = await auditOf('account.member.remove', `account:${org.account.id}`);
  assert.equal(added.length, 1);
  assert.equal(added[0].details.role, 'editor');
  assert.equal(removed.length, 1);
});

test('PA-16.1: drafts move draft → submitted → approved → published by role, each step recorded', { skip: skipReason }, async () => {
  const org = await orgAccount('示例机构新闻');
  const editor = await verifiedUser();
  const reviewer = await verifiedUser();
  const outsider = await verifiedUser();
  const members = `/api/v1/me/accounts/${org.account.id}/members`;
  for (const [u, role] of [[editor, 'editor'], [reviewer, 'reviewer']]) {
    const r = await s.request('POST', members, { token: org.token, body: { user_id: u.id, role } });
    assert.equal(r.status, 201, r.text);
  }
  const up = await s.request('POST', '/api/v1/media', { token: editor.token, raw: pngImage(32, 24, 3), headers: { 'content-type': 'image/png' } });
  assert.equal(up.status, 201, up.text);
  const cover = up.json.media.id;
  const article = { title: '机构动态', body: '本周我们发布了**新的**开源工具。', tags: ['#OpenSource', '工具'], cover_media_id: cover };

  // An editor may not publish directly on an organisation account; a reviewer may not write.
  expectError(assert, await s.request('POST', `/api/v1/accounts/${org.account.id}/articles`, { token: editor.token, body: article }), 403, 'editorial_workflow_required');
  const draftsUrl = `/api/v1/me/accounts/${org.account.id}/drafts`;
  expectError(assert, await s.request('POST', draftsUrl, { token: reviewer.token, body: article }), 403, 'role_not_allowed');
  expectError(assert, await s.request('POST', draftsUrl, { token: outsider.token, body: article }), 403, 'not_account_member');
  expectError(assert, await s.request('POST', draftsUrl, { token: editor.token, body: { ...article, cover_media_id: 'f'.repeat(64) } }), 404, 'media_not_found', 'cover_media_id');

  const created = await s.request('POST', draftsUrl, { token: editor.token, body: article });
  assert.equal(created.status, 201, created.text);
  const draft = created.json.draft;
  assert.equal(draft.status, 'draft');
  assert.deepEqual(draft.tags, ['opensource', '工具']);
  assert.equal(draft.cover_url, `/api/v1/media/${cover}`);
  const d = `/api/v1/drafts/${draft.id}`;
  expectError(assert, await s.request('GET', d, { token: outsider.token }), 404, 'draft_not_found');
  expectError(assert, await s.request('POST', `${d}/publish`, { token: editor.token }), 409, 'invalid_draft_state');

  assert.equal((await s.request('POST', `${d}/submit`, { token: editor.token })).status, 200);
  expectError(assert, await s.request('PUT', d, { token: editor.token, body: article }), 409, 'invalid_draft_state');
  expectError(assert, await s.request('POST', `${d}/approve`, { token: editor.token, body: {} }), 403, 'role_not_allowed');
  expectError(assert, await s.request('POST', `${d}/return`, { token: reviewer.token, body: {} }), 400, 'missing_field', 'note');
  const ret = await s.request('POST', `${d}/return`, { token: reviewer.token, body: { note: '标题请更具体' } });
  assert.equal(ret.status, 200, ret.text);
  assert.equal(ret.json.draft.status, 'draft');
  assert.equal(ret.json.draft.return_note, '标题请更具体');
  const put = await s.request('PUT', d, { token: editor.token, body: { ...article, title: '机构动态：新的开源工具' } });
  assert.equal(put.status, 200, put.text);
  assert.equal((await s.request('POST', `${d}/submit`, { token: editor.token })).status, 200);
  const approved = await s.request('POST', `${d}/approve`, { token: reviewer.token, body: { note: '同意发布' } });
  assert.equal(approved.status, 200, approved.text);
  assert.equal(approved.json.draft.approved_by, reviewer.id);
  expectError(assert, await s.request('POST', `${d}/publish`, { token: reviewer.token }), 403, 'role_not_allowed');

  const pub = await s.request('POST', `${d}/publish`, { token: editor.token });
  assert.equal(pub.status, 201, pub.text);
  const art = pub.json.article;
  assert.equal(art.status, 'published');
  assert.equal(art.title, '机构动态：新的开源工具');
  assert.equal(art.draft_id, draft.id);
  assert.equal(art.cover_url, `/api/v1/media/${cover}`);
  assert.deepEqual(art.tags, ['opensource', '工具']);
  assert.match(art.body_html, /<strong>新的<\/strong>/);
  assert.equal(pub.json.draft.status, 'published');
  assert.equal(pub.json.draft.article_id, art.id);

  // The history, readable by members and by staff (here an auditor), not by others.
  const seen = await s.request('GET', d, { token: auditor });
  assert.equal(seen.status, 200, seen.text);
  assert.deepEqual(seen.json.draft.history.map((e) => `${e.action}:${e.role}:${e.actor_user_id}`), [
    `create:editor:${editor.id}`, `submit:editor:${editor.id}`, `return:reviewer:${reviewer.id}`,
    `update:editor:${editor.id}`, `submit:editor:${editor.id}`, `approve:reviewer:${reviewer.id}`,
    `publish:editor:${editor.id}`,
  ]);
  assert.equal(seen.json.draft.history[2].note, '标题请更具体');
  assert.ok(seen.json.draft.history.every((e) => typeof e.at === 'string'));
  const listed = await s.request('GET', `${draftsUrl}?status=published`, { token: reviewer.token });
  assert.deepEqual(listed.json.drafts.map((x) => x.id), [draft.id]);
  expectError(assert, await s.request('GET', draftsUrl, { token: outsider.token }), 403, 'not_account_member');
  const audited = await auditOf('draft.approve', `draft:${draft.id}`);
  assert.equal(audited.length, 1);
  assert.equal(audited[0].actor, `user:${reviewer.id}`);

  // The owner may still publish directly (documented choice).
  const direct = await s.request('POST', `/api/v1/accounts/${org.account.id}/articles`, { token: org.token, body: { title: '负责人直接发布', body: '正文' } });
  assert.equal(direct.status, 201, direct.text);

  // A removed member can no longer act for the account.
  assert.equal((await s.request('DELETE', `${members}/${editor.id}`, { token: org.token })).status, 204);
  expectError(assert, await s.request('POST', draftsUrl, { token: editor.token, body: article }), 403, 'not_account_member');
  expectError(assert, await s.request('DELETE', `/api/v1/articles/${art.id}`, { token: editor.token }), 403, 'not_account_owner');
  assert.equal((await s.request('GET', `/api/v1/articles/${art.id}`)).status, 200);
});

test('PA-16.2: operating agencies are recorded with credit code, agreement and period; ended; visible to staff; audited', { skip: skipReason }, async () => {
  const org = await orgAccount('示例代运营号');
  const url = `/api/v1/me/accounts/${org.account.id}/agencies`;
  const body = {
    name: '上海某某网络科技有限公司', credit_code: creditCode('91310000MA1K00099'),
    agreement_ref: 'DY-2026-007', starts_on: '2026-01-01', ends_on: '2027-01-01', scope: '日常内容编辑与发布',
  };
  const badCode = body.credit_code.slice(0, 17) + (body.credit_code[17] === '1' ? '2' : '1');
  expectError(assert, await s.request('POST', url, { token: org.token, body: { ...body, credit_code: badCode } }), 400, 'credit_code_checksum', 'credit_code');
  expectError(assert, await s.request('POST', url, { token: org.token, body: { ...body, ends_on: '2025-12-31' } }), 400, 'invalid_period', 'ends_on');
  expectError(assert, await s.request('POST', url, { token: org.token, body: { ...body, starts_on: '2026-13-01' } }), 400, 'invalid_date', 'starts_on');
  const other = await verifiedUser();
  expectError(assert, await s.request('POST', url, { token: other.token, body }), 403, 'not_account_owner');

  const rec = await s.request('POST', url, { token: org.token, body });
  assert.equal(rec.status, 201, rec.text);
  const agency = rec.json.agency;
  assert.equal(agency.status, 'active');
  assert.equal(agency.agreement_ref, 'DY-2026-007');
  assert.match(agency.starts_at, /^2026-01-01T00:00:00(\.0+)?Z$/);

  // Staff see it; a plain user does not.
  const moderator = await s.userWithRole('13699990002', 'moderator');
  const staff = await s.request('GET', `/api/v1/accounts/${org.account.id}/agencies`, { token: moderator });
  assert.equal(staff.status, 200, staff.text);
  assert.deepEqual(staff.json.agencies.map((a) => a.id), [agency.id]);
  expectError(assert, await s.request('GET', `/api/v1/accounts/${org.account.id}/agencies`, { token: other.token }), 403, 'permission_denied');

  const end = await s.request('POST', `${url}/${agency.id}/end`, { token: org.token, body: { reason: '协议提前终止' } });
  assert.equal(end.status, 200, end.text);
  assert.equal(end.json.agency.status, 'ended');
  expectError(assert, await s.request('POST', `${url}/${agency.id}/end`, { token: org.token, body: { reason: 'again' } }), 409, 'agency_ended');
  const mine = await s.request('GET', url, { token: org.token });
  assert.equal(mine.json.agencies[0].status, 'ended');
  assert.equal(mine.json.agencies[0].end_reason, '协议提前终止');
  assert.equal((await auditOf('account.agency.record', `account:${org.account.id}`)).length, 1);
  assert.equal((await auditOf('account.agency.end', `account:${org.account.id}`)).length, 1);
});

test('PA17-16: edits keep versions (owner and staff read them) and are screened again', { skip: skipReason }, async () => {
  const a = await individualAccount('版本记录号');
  const pub = await s.request('POST', `/api/v1/accounts/${a.account.id}/articles`, { token: a.token, body: { title: '第一版', body: '最初的正文。', tags: ['版本'] } });
  assert.equal(pub.status, 201, pub.text);
  const id = pub.json.article.id;
  assert.equal(pub.json.article.version, 1);

  expectError(assert, await s.request('PUT', `/api/v1/articles/${id}`, { token: a.token, body: { body: '欢迎来赌博' } }), 400, 'illegal_content', 'body');
  expectError(assert, await s.request('PUT', `/api/v1/articles/${id}`, { token: a.token, body: {} }), 400, 'no_changes');
  const other = await verifiedUser();
  expectError(assert, await s.request('PUT', `/api/v1/articles/${id}`, { token: other.token, body: { title: '篡改' } }), 403, 'not_account_owner');

  const edit = await s.request('PUT', `/api/v1/articles/${id}`, { token: a.token, body: { title: '第二版', tags: ['版本', '更新'] } });
  assert.equal(edit.status, 200, edit.text);
  assert.equal(edit.json.article.title, '第二版');
  assert.equal(edit.json.article.version, 2);
  assert.deepEqual(edit.json.article.tags, ['版本', '更新']);
  const shown = await s.request('GET', `/api/v1/articles/${id}`);
  assert.equal(shown.json.article.title, '第二版');

  const versions = await s.request('GET', `/api/v1/articles/${id}/versions`, { token: a.token });
  assert.equal(versions.status, 200, versions.text);
  assert.deepEqual(versions.json.versions.map((v) => [v.version, v.title]), [[1, '第一版'], [2, '第二版']]);
  assert.equal(versions.json.versions[0].replaced_by, a.id);
  assert.deepEqual(versions.json.versions[0].tags, ['版本']);
  assert.equal(versions.json.versions[0].submitted.body, '最初的正文。');
  expectError(assert, await s.request('GET', `/api/v1/articles/${id}/versions`, { token: other.token }), 403, 'not_account_owner');
  assert.equal((await s.request('GET', `/api/v1/articles/${id}/versions`, { token: auditor })).status, 200);
  assert.equal((await auditOf('article.edit', `article:${id}`)).length, 1);

  // A review term in an edit holds the article until a moderator decides.
  const held = await s.request('PUT', `/api/v1/articles/${id}`, { token: a.token, body: { body: '最新的刷单兼职信息' } });
  assert.equal(held.status, 200, held.text);
  assert.equal(held.json.article.status, 'held');
  assert.ok(held.json.review_id);
  expectError(assert, await s.request('GET', `/api/v1/articles/${id}`), 404, 'article_not_found');
});

test('tags: normalised, at most 10, screened; GET /api/v1/tags/{tag}/articles lists published articles only', { skip: skipReason }, async () => {
  const a = await individualAccount('标签示例号');
  const url = `/api/v1/accounts/${a.account.id}/articles`;
  expectError(assert, await s.request('POST', url, { token: a.token, body: { title: '标签', body: '正文', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) } }), 400, 'too_many_tags', 'tags');
  expectError(assert, await s.request('POST', url, { token: a.token, body: { title: '标签', body: '正文', tags: ['a b'] } }), 400, 'invalid_tag', 'tags');
  expectError(assert, await s.request('POST', url, { token: a.token, body: { title: '标签', body: '正文', tags: ['x'.repeat(21)] } }), 400, 'invalid_tag', 'tags');
  expectError(assert, await s.request('POST', url, { token: a.token, body: { title: '标签', body: '正文', tags: ['赌博'] } }), 400, 'illegal_content', 'tags');
  const one = await s.request('POST', url, { token: a.token, body: { title: '保留', body: '正文一', tags: ['#Rust', 'rust'] } });
  assert.equal(one.status, 201, one.text);
  assert.deepEqual(one.json.article.tags, ['rust']);
  const two = await s.request('POST', url, { token: a.token, body: { title: '删除', body: '正文二', tags: ['RUST'] } });
  assert.equal((await s.request('DELETE', `/api/v1/articles/${two.json.article.id}`, { token: a.token })).status, 204);
  const list = await s.request('GET', `/api/v1/tags/${encodeURIComponent('#RUST')}/articles`);
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.tag, 'rust');
  assert.deepEqual(list.json.articles.map((x) => x.id), [one.json.article.id]);
  expectError(assert, await s.request('GET', `/api/v1/tags/${encodeURIComponent('a b')}/articles`), 400, 'invalid_tag');
});

test('PA17-16: deleted articles are kept 180 days, then `herald purge` removes them with versions, tags, comments, reads, likes and forwards, audited', { skip: skipReason }, async () => {
  const a = await individualAccount('清理示例号');
  const url = `/api/v1/accounts/${a.account.id}/articles`;
  const gone = await s.request('POST', url, { token: a.token, body: { title: '将被删除', body: '这篇会被删除。', tags: ['清理示例'] } });
  const id = gone.json.article.id;
  assert.equal((await s.request('PUT', `/api/v1/articles/${id}`, { token: a.token, body: { title: '删除前改过' } })).status, 200);
  const kept = await s.request('POST', url, { token: a.token, body: { title: '保留的文章', body: '这篇保留。', tags: ['清理示例'] } });

  // Readers comment (a reply refers to its comment), read, like and forward (a chain of two).
  const readers = [];
  for (let i = 0; i < 2; i++) {
    const phone = nextPhone();
    await s.register(phone);
    readers.push(await s.login(phone));
  }
  const c1 = await s.request('POST', `/api/v1/articles/${id}/comments`, { token: readers[0], body: { body: '第一条评论' } });
  assert.equal(c1.status, 201, c1.text);
  const reply = await s.request('POST', `/api/v1/articles/${id}/comments`, { token: readers[1], body: { body: '回复', parent_id: c1.json.comment.id } });
  assert.equal(reply.status, 201, reply.text);
  assert.equal((await s.request('POST', `/api/v1/articles/${id}/read`, { token: readers[0] })).status, 200);
  assert.equal((await s.request('POST', `/api/v1/articles/${id}/like`, { token: readers[0] })).status, 200);
  const f1 = await s.request('POST', `/api/v1/articles/${id}/forwards`, { token: readers[0] });
  assert.equal(f1.status, 201, f1.text);
  const f2 = await s.request('POST', `/api/v1/articles/${id}/forwards`, { token: readers[1], body: { from_forward_id: f1.json.forward.id } });
  assert.equal(f2.status, 201, f2.text);
  // The kept article's reader rows stay.
  const keptComment = await s.request('POST', `/api/v1/articles/${kept.json.article.id}/comments`, { token: readers[0], body: { body: '留下的评论' } });
  assert.equal(keptComment.status, 201, keptComment.text);
  assert.equal((await s.request('POST', `/api/v1/articles/${kept.json.article.id}/like`, { token: readers[0] })).status, 200);

  assert.equal((await s.request('DELETE', `/api/v1/articles/${id}`, { token: a.token })).status, 204);

  // Staff still see the deleted article and its versions, comments and forward chain.
  assert.equal((await s.request('GET', `/api/v1/articles/${id}/versions`, { token: auditor })).json.versions.length, 2);
  const moderator = await s.userWithRole('13699990003', 'moderator');
  const commentPath = `/api/v1/comments/${reply.json.comment.id}`;
  const chainPath = `/api/v1/forwards/${f2.json.forward.id}/chain`;
  assert.equal((await s.request('GET', commentPath, { token: moderator })).status, 200);
  assert.equal((await s.request('GET', chainPath, { token: moderator })).json.hops.length, 2);

  const at = (days) => new Date(Date.now() + days * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const purge = (...args) => {
    const r = s.cli(['purge', ...args]);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  // Other tests' deletions count too: compare with what this article adds.
  assert.equal(purge('--at', at(179)).articles, 0);
  const dry = purge('--dry-run', '--at', at(181));
  assert.equal(dry.dry_run, true);
  assert.ok(dry.articles >= 1 && dry.versions >= 1 && dry.tags >= 1, JSON.stringify(dry));
  assert.ok(dry.comments >= 2 && dry.reads >= 1 && dry.likes >= 1 && dry.forwards >= 2 && dry.rumour_readers >= 1, JSON.stringify(dry));
  assert.equal((await s.request('GET', commentPath, { token: moderator })).status, 200);
  assert.equal((await s.request('GET', `/api/v1/articles/${id}/versions`, { token: auditor })).status, 200);
  const done = purge('--at', at(181));
  assert.deepEqual({ ...done, dry_run: true }, dry);
  expectError(assert, await s.request('GET', `/api/v1/articles/${id}/versions`, { token: auditor }), 404, 'article_not_found');
  const mine = await s.request('GET', `/api/v1/me/accounts/${a.account.id}/articles`, { token: a.token });
  assert.deepEqual(mine.json.articles.map((x) => x.id), [kept.json.article.id]);
  const tagged = await s.request('GET', `/api/v1/tags/${encodeURIComponent('清理示例')}/articles`);
  assert.deepEqual(tagged.json.articles.map((x) => x.id), [kept.json.article.id]);
  const audited = await auditOf('content.purge');
  assert.equal(audited.length, 1);
  assert.equal(audited[0].actor, 'cli');
  for (const k of ['articles', 'versions', 'tags', 'comments', 'reads', 'likes', 'forwards']) {
    assert.equal(audited[0].details[k], done[k], k);
  }
  // The purged article's comments (reply and all) and forward chain are gone; the kept
  // article's comment and like stay.
  expectError(assert, await s.request('GET', commentPath, { token: moderator }), 404, 'comment_not_found');
  expectError(assert, await s.request('GET', `/api/v1/comments/${c1.json.comment.id}`, { token: moderator }), 404, 'comment_not_found');
  expectError(assert, await s.request('GET', chainPath, { token: moderator }), 404, 'forward_not_found');
  assert.equal((await s.request('GET', `/api/v1/comments/${keptComment.json.comment.id}`, { token: moderator })).status, 200);
  const keptStats = await s.request('GET', `/api/v1/articles/${kept.json.article.id}/stats`);
  assert.equal(keptStats.json.stats.likes, 1, keptStats.text);
  assert.equal((await s.request('GET', `/api/v1/articles/${kept.json.article.id}/comments`)).json.comment_count, 1);
  // Nothing is left to purge.
  assert.deepEqual(purge('--dry-run', '--at', at(181)), { dry_run: true, articles: 0, versions: 0, tags: 0, comments: 0, reads: 0, likes: 0, forwards: 0, rumour_readers: 0 });

  // The retention period cannot be configured below 180 days.
  const bad = s.cli(['purge', '--dry-run'], { env: { HERALD_CONTENT_RETENTION_DAYS: '90' } });
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /content\.retention_days/);
});
