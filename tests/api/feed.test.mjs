// Feeds and search (issue 5, "Feeds" and "Search"): the subscription timeline with cursors that
// stay stable while others publish, the platform-wide latest articles, and Chinese-aware ranked
// search that never shows hidden content. docs/feed.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, expectError, skipReason, residentId, operator, accountBody } from './support.mjs';

let s, mod, cso;
let phoneSeq = 0;
const nextPhone = () => `1330000${String(++phoneSeq).padStart(4, '0')}`;
let idSeq = 700;
const nextId = () => residentId('440106', '19930315', ++idSeq);

before(async () => {
  if (skipReason) return;
  s = await TestServer.start({ env: { HERALD_IDENTITY_OTP_RESEND_COOLDOWN_SECONDS: '0' } });
  mod = await s.userWithRole('13300009998', 'moderator');
  cso = await s.userWithRole('13300009996', 'content_security_officer');
});
after(async () => s && (await s.cleanup()));

async function newAccount(name) {
  const phone = nextPhone();
  const op = await operator(s, phone, { id: nextId(), phone });
  const r = await s.request('POST', '/api/v1/accounts', { token: op.token, body: accountBody(op.subject.id, name) });
  assert.equal(r.status, 201, r.text);
  return { ...op, account: r.json.account };
}

async function newReader() {
  const phone = nextPhone();
  const user = await s.register(phone);
  return { user, token: await s.login(phone) };
}

async function publish(who, title, body = '正文内容。', status = 'published') {
  const r = await s.request('POST', `/api/v1/accounts/${who.account.id}/articles`, { token: who.token, body: { title, body } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.article.status, status, r.text);
  return r.json;
}

const timeline = (token, query = '') => s.request('GET', `/api/v1/me/timeline${query}`, { token });
const search = (query) => s.request('GET', `/api/v1/search?${query}`);
const ids = (r) => r.json.items.map((a) => a.id);
const hitIds = (r) => r.json.hits.map((h) => h.article.id);

test('issue 5: the timeline shows the followed accounts\' published articles, newest first, and pages stay stable while others publish', { skip: skipReason }, async () => {
  const a = await newAccount('城南旧事录');
  const b = await newAccount('江北观察站');
  const c = await newAccount('无关之号');
  const reader = await newReader();
  expectError(assert, await timeline(undefined), 401, 'unauthenticated');
  assert.deepEqual((await timeline(reader.token)).json, { items: [], next_cursor: null });
  for (const acc of [a, b]) assert.equal((await s.request('POST', `/api/v1/accounts/${acc.account.id}/follow`, { token: reader.token })).status, 200);

  const published = [];
  for (let i = 0; i < 7; i++) published.push((await publish(i % 2 ? a : b, `第${i}篇`)).article.id);
  await publish(c, '没有关注的号');
  const held = await publish(a, '防身知识', '谈谈手枪的管理规定。', 'held');

  const first = await timeline(reader.token, '?limit=3');
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(ids(first), published.slice(4).reverse());
  assert.equal(first.json.items[0].account_name, '江北观察站');
  assert.equal(first.json.items[0].title, '第6篇');
  assert.ok(first.json.items[0].published_at);
  assert.equal(typeof first.json.next_cursor, 'string');

  // Publishing between pages (in both followed accounts) does not move the pages that follow.
  const fresh = [(await publish(a, '新文一')).article.id, (await publish(b, '新文二')).article.id];
  const second = await timeline(reader.token, `?limit=3&cursor=${first.json.next_cursor}`);
  assert.deepEqual(ids(second), published.slice(1, 4).reverse());
  const third = await timeline(reader.token, `?limit=3&cursor=${second.json.next_cursor}`);
  assert.deepEqual(ids(third), [published[0]]);
  assert.equal(third.json.next_cursor, null);
  // The new articles head the next first page.
  assert.deepEqual(ids(await timeline(reader.token, '?limit=2')), fresh.reverse());

  // Held until approved; approving publishes it at the top.
  const all = async () => ids(await timeline(reader.token, '?limit=100'));
  assert.ok(!(await all()).includes(held.article.id));
  const ok = await s.request('POST', `/api/v1/reviews/${held.review_id}/decision`, { token: mod, body: { decision: 'approve', reason_code: 'compliant' } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await all())[0], held.article.id);
  // The operator's deletion hides it again.
  assert.equal((await s.request('DELETE', `/api/v1/articles/${held.article.id}`, { token: a.token })).status, 204);
  assert.ok(!(await all()).includes(held.article.id));

  expectError(assert, await timeline(reader.token, '?cursor=nonsense'), 400, 'invalid_cursor', 'cursor');
  expectError(assert, await timeline(reader.token, '?limit=0'), 400, 'invalid_limit', 'limit');
  expectError(assert, await timeline(reader.token, '?limit=101'), 400, 'invalid_limit', 'limit');
  expectError(assert, await timeline(reader.token, '?user_id=1'), 400, 'unknown_parameter');
});

test('issue 5: the latest articles platform-wide, published only, with the same cursors', { skip: skipReason }, async () => {
  const a = await newAccount('最新消息台');
  const x = (await publish(a, '最新一')).article.id;
  const y = (await publish(a, '最新二')).article.id;
  const first = await s.request('GET', '/api/v1/feed/latest?limit=1');
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(ids(first), [y]);
  const next = await s.request('GET', `/api/v1/feed/latest?limit=1&cursor=${first.json.next_cursor}`);
  assert.deepEqual(ids(next), [x]);
  const everything = await s.request('GET', '/api/v1/feed/latest?limit=100');
  assert.ok(everything.json.items.every((it) => it.id !== undefined && it.title));
  expectError(assert, await s.request('GET', '/api/v1/feed/latest?limit=abc'), 400, 'invalid_parameter', 'limit');
});

test('issue 5: search finds Chinese terms of two characters and more, ranks title matches first and marks them', { skip: skipReason }, async () => {
  const a = await newAccount('健康科普站');
  const bodyOnly = (await publish(a, '每日新闻速览', '今天谈到疫苗的供应情况，另有天气。')).article.id;
  const inTitle = (await publish(a, '疫苗接种指南', '第三针加强免疫的安排。')).article.id;
  await publish(a, '天气预报', '明天有雨。');

  const r = await search(`q=${encodeURIComponent('疫苗')}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.type, 'articles');
  assert.deepEqual(hitIds(r), [inTitle, bodyOnly]);
  assert.ok(r.json.hits[0].score > r.json.hits[1].score);
  assert.equal(r.json.hits[0].title_html, '<mark>疫苗</mark>接种指南');
  assert.match(r.json.hits[1].snippet_html, /今天谈到<mark>疫苗<\/mark>的供应情况/);
  assert.equal(r.json.more, false);
  // Traditional characters, longer terms and several terms.
  assert.deepEqual(hitIds(await search(`q=${encodeURIComponent('疫苗接種')}`)), [inTitle]);
  assert.deepEqual(hitIds(await search(`q=${encodeURIComponent('加强免疫')}`)), [inTitle]);
  assert.deepEqual(hitIds(await search(`q=${encodeURIComponent('疫苗 天气')}`)), [bodyOnly]);
  // Paging by offset.
  const p2 = await search(`q=${encodeURIComponent('疫苗')}&limit=1&offset=1`);
  assert.deepEqual(hitIds(p2), [bodyOnly]);
  const p1 = await search(`q=${encodeURIComponent('疫苗')}&limit=1`);
  assert.equal(p1.json.more, true);

  // Accounts by name.
  const acc = await search(`q=${encodeURIComponent('健康科普')}&type=accounts`);
  assert.equal(acc.status, 200, acc.text);
  assert.deepEqual(acc.json.hits.map((h) => h.account.id), [a.account.id]);
  assert.equal(acc.json.hits[0].title_html, '<mark>健康科普</mark>站');
});

test('issue 5: search never shows hidden content: held, deleted, taken down, or of an account that is not active', { skip: skipReason }, async () => {
  const a = await newAccount('隐藏测试号');
  const b = await newAccount('封禁测试号');
  const held = await publish(a, '防身知识 口罩', '谈谈手枪的管理规定。', 'held');
  const gone = (await publish(a, '口罩到货通知', '正文')).article.id;
  const rumour = (await publish(a, '口罩厂明天要倒闭', '谣言')).article.id;
  const kept = (await publish(b, '口罩价格平稳', '正文')).article.id;
  const found = async () => hitIds(await search(`q=${encodeURIComponent('口罩')}&limit=50`));
  assert.deepEqual((await found()).sort(), [gone, rumour, kept].sort());
  assert.ok(!(await found()).includes(held.article.id));

  assert.equal((await s.request('DELETE', `/api/v1/articles/${gone}`, { token: a.token })).status, 204);
  const t = await s.request('POST', '/api/v1/emergency/takedowns', { token: cso, body: { term: '口罩厂明天要倒闭', reason: '经核实为谣言' } });
  assert.equal(t.status, 200, t.text);
  assert.deepEqual(await found(), [kept]);

  // Suspending an account hides its articles and the account itself from search.
  const sus = await s.request('POST', `/api/v1/accounts/${b.account.id}/status`, { token: mod, body: { status: 'suspended', reason_code: 'impersonation', note: '测试', correction_days: 7 } });
  assert.equal(sus.status, 200, sus.text);
  assert.deepEqual(await found(), []);
  assert.deepEqual((await search(`q=${encodeURIComponent('封禁测试')}&type=accounts`)).json.hits, []);
  assert.equal((await search(`q=${encodeURIComponent('隐藏测试')}&type=accounts`)).json.hits.length, 1);
});

test('issue 5: bad search input is refused with stable codes', { skip: skipReason }, async () => {
  expectError(assert, await search(''), 400, 'invalid_query', 'q');
  expectError(assert, await search('q=%20%20'), 400, 'invalid_query', 'q');
  expectError(assert, await search(`q=${'a'.repeat(65)}`), 400, 'invalid_query', 'q');
  expectError(assert, await search(`q=${encodeURIComponent('一 二 三 四 五 六 七 八 九')}`), 400, 'invalid_query', 'q');
  expectError(assert, await search(`q=${'a'.repeat(2000)}`), 400, 'invalid_parameter', 'q');
  expectError(assert, await search('q=abc&type=users'), 400, 'invalid_parameter', 'type');
  expectError(assert, await search('q=abc&limit=51'), 400, 'invalid_limit', 'limit');
  expectError(assert, await search('q=abc&offset=5000'), 400, 'invalid_offset', 'offset');
  expectError(assert, await search('q=abc&sort=new'), 400, 'unknown_parameter');
  // Query syntax of the engines underneath is plain text.
  const odd = await search(`q=${encodeURIComponent('"%_! OR *')}`);
  assert.equal(odd.status, 200, odd.text);
  assert.deepEqual(odd.json.hits, []);
});

test('issue 5: an account page lists its published articles by publication time with cursors, 404 for an unknown account, empty while suspended', { skip: skipReason }, async () => {
  const a = await newAccount('账号主页号');
  const page = (query = '') => s.request('GET', `/api/v1/accounts/${a.account.id}/articles${query}`);
  assert.deepEqual((await page()).json, { items: [], next_cursor: null });
  const first = (await publish(a, '第一篇')).article.id;
  const held = await publish(a, '防身知识', '谈谈手枪的管理规定。', 'held');
  const second = (await publish(a, '第二篇')).article.id;
  const third = (await publish(a, '第三篇')).article.id;
  assert.deepEqual(ids(await page()), [third, second, first]);
  // Approved later, the held article sorts by its approval time (first), though its id is older.
  const ok = await s.request('POST', `/api/v1/reviews/${held.review_id}/decision`, { token: mod, body: { decision: 'approve', reason_code: 'compliant' } });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ids(await page()), [held.article.id, third, second, first]);
  // Cursor pages: no repeats, no gaps, no bodies.
  const p1 = await page('?limit=3');
  assert.equal(p1.json.items.length, 3);
  assert.equal(p1.json.items[0].body, undefined);
  assert.equal(p1.json.items[0].cover_url, null);
  const p2 = await page(`?limit=3&cursor=${p1.json.next_cursor}`);
  assert.deepEqual(ids(p2), [first]);
  assert.equal(p2.json.next_cursor, null);
  expectError(assert, await s.request('GET', '/api/v1/accounts/999999/articles'), 404, 'account_not_found');
  expectError(assert, await page('?before=3'), 400, 'unknown_parameter');
  expectError(assert, await page('?cursor=zz'), 400, 'invalid_cursor');
  // A suspended account's page is empty; its articles are back when it is active again.
  const sus = await s.request('POST', `/api/v1/accounts/${a.account.id}/status`, { token: mod, body: { status: 'suspended', reason_code: 'impersonation', note: '测试', correction_days: 7 } });
  assert.equal(sus.status, 200, sus.text);
  assert.deepEqual((await page()).json.items, []);
});
