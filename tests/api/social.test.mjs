// What readers do (issue 5, "Readers"): follows only by the reader's own action with counts and
// a follow-event history (PA-12.2), reads counted once per reader per day, likes, and forwards
// with the chain of who forwarded from whom. docs/social.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, cli, expectError, skipReason, residentId, operator, accountBody, BACKEND } from './support.mjs';

let s, cso, mod;
let phoneSeq = 0;
const nextPhone = () => `1350000${String(++phoneSeq).padStart(4, '0')}`;
let idSeq = 500;
const nextId = () => residentId('440106', '19920214', ++idSeq);

before(async () => {
  if (skipReason) return;
  s = await TestServer.start({ env: { HERALD_IDENTITY_OTP_RESEND_COOLDOWN_SECONDS: '0' } });
  cso = await s.userWithRole('13500009996', 'content_security_officer');
  mod = await s.userWithRole('13500009998', 'moderator');
});
after(async () => s && (await s.cleanup()));

async function newAccount(name) {
  const phone = nextPhone();
  const op = await operator(s, phone, { id: nextId(), phone });
  const r = await s.request('POST', '/api/v1/accounts', { token: op.token, body: accountBody(op.subject.id, name) });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.account.status, 'active', r.text);
  return { ...op, account: r.json.account };
}

async function newReader() {
  const phone = nextPhone();
  const user = await s.register(phone);
  return { user, token: await s.login(phone) };
}

async function publish(who, title, body) {
  const r = await s.request('POST', `/api/v1/accounts/${who.account.id}/articles`, { token: who.token, body: { title, body } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.article.status, 'published', r.text);
  return r.json.article;
}

const follow = (id, token, body) => s.request('POST', `/api/v1/accounts/${id}/follow`, { token, body });
const unfollow = (id, token) => s.request('DELETE', `/api/v1/accounts/${id}/follow`, { token });
const followers = async (id) => (await s.request('GET', `/api/v1/accounts/${id}/followers/count`)).json.followers;

test('PA-12.2: a reader follows and unfollows only by their own action; the API has no way to follow for someone else', { skip: skipReason }, async () => {
  const acc = await newAccount('街角科技说');
  const alice = await newReader();
  const bob = await newReader();

  expectError(assert, await follow(acc.account.id), 401, 'unauthenticated');
  // No request names the follower: a user id in the body is refused, and nothing changes.
  expectError(assert, await follow(acc.account.id, alice.token, { user_id: bob.user.id }), 400, 'unknown_field', 'user_id');
  assert.equal(await followers(acc.account.id), 0);
  // Every follow route acts for the session's user: no route takes a user in its path.
  const routes = JSON.parse(cli(['routes', '--json']).stdout);
  const followRoutes = routes.filter((r) => /follow/.test(r.path) && r.method !== 'GET');
  assert.deepEqual(followRoutes.map((r) => `${r.method} ${r.path}`).sort(), ['DELETE /api/v1/accounts/{id}/follow', 'POST /api/v1/accounts/{id}/follow']);
  assert.ok(followRoutes.every((r) => r.permission === 'identity.verify'));

  const f = await follow(acc.account.id, alice.token);
  assert.equal(f.status, 200, f.text);
  assert.deepEqual(f.json.follow, { account_id: acc.account.id, following: true, followers: 1 });
  expectError(assert, await follow(acc.account.id, alice.token), 409, 'already_following');
  assert.equal((await follow(acc.account.id, bob.token, {})).json.follow.followers, 2);
  assert.equal(await followers(acc.account.id), 2);

  const mine = await s.request('GET', '/api/v1/me/follows', { token: alice.token });
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.json.follows.length, 1);
  assert.equal(mine.json.follows[0].account.id, acc.account.id);
  assert.equal(mine.json.follows[0].account.name, '街角科技说');
  assert.equal(mine.json.next_before, null);
  assert.deepEqual((await s.request('GET', '/api/v1/me/follows', { token: (await newReader()).token })).json.follows, []);

  const u = await unfollow(acc.account.id, alice.token);
  assert.equal(u.status, 200, u.text);
  assert.deepEqual(u.json.follow, { account_id: acc.account.id, following: false, followers: 1 });
  expectError(assert, await unfollow(acc.account.id, alice.token), 409, 'not_following');
  assert.equal(await followers(acc.account.id), 1);
  assert.deepEqual((await s.request('GET', '/api/v1/me/follows', { token: alice.token })).json.follows, []);

  expectError(assert, await follow(999999, alice.token), 404, 'account_not_found');
  expectError(assert, await s.request('GET', '/api/v1/accounts/999999/followers/count'), 404, 'account_not_found');
});

test('PA-12.2: only active accounts can be followed; a follower can always leave', { skip: skipReason }, async () => {
  const acc = await newAccount('林间科技笔记');
  const alice = await newReader();
  const bob = await newReader();
  assert.equal((await follow(acc.account.id, alice.token)).status, 200);
  const st = await s.request('POST', `/api/v1/accounts/${acc.account.id}/status`, { token: mod, body: { status: 'suspended', reason_code: 'spam' } });
  assert.equal(st.status, 200, st.text);
  expectError(assert, await follow(acc.account.id, bob.token), 409, 'account_not_active');
  const u = await unfollow(acc.account.id, alice.token);
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.follow.followers, 0);
});

test('PA-12.2: the follow-event history of an account: the operator sees the changes, a reviewer also who (audited)', { skip: skipReason }, async () => {
  const acc = await newAccount('关注记录测试');
  const readers = [await newReader(), await newReader(), await newReader()];
  for (const r of readers) assert.equal((await follow(acc.account.id, r.token)).status, 200);
  assert.equal((await unfollow(acc.account.id, readers[0].token)).status, 200);

  const path = `/api/v1/accounts/${acc.account.id}/follow-events`;
  const own = await s.request('GET', path, { token: acc.token });
  assert.equal(own.status, 200, own.text);
  assert.deepEqual(own.json.events.map((e) => [e.kind, e.followers_after]), [['unfollow', 2], ['follow', 3], ['follow', 2], ['follow', 1]]);
  assert.ok(own.json.events.every((e) => e.user_id === null && e.request_id === null && !Number.isNaN(Date.parse(e.time))));
  // Pages, newest first.
  const p1 = await s.request('GET', `${path}?limit=3`, { token: acc.token });
  assert.equal(p1.json.events.length, 3);
  const p2 = await s.request('GET', `${path}?limit=3&before=${p1.json.next_before}`, { token: acc.token });
  assert.deepEqual(p2.json.events.map((e) => e.followers_after), [1]);
  const since = await s.request('GET', `${path}?since=${encodeURIComponent(own.json.events[0].time)}`, { token: acc.token });
  assert.equal(since.json.events[0].kind, 'unfollow');

  expectError(assert, await s.request('GET', path, { token: readers[1].token }), 403, 'not_account_owner');
  expectError(assert, await s.request('GET', `${path}?limit=0`, { token: acc.token }), 400, 'invalid_parameter', 'limit');

  const reviewed = await s.request('GET', path, { token: cso });
  assert.equal(reviewed.status, 200, reviewed.text);
  assert.equal(reviewed.json.events[0].user_id, readers[0].user.id);
  assert.deepEqual(reviewed.json.events.slice(1).map((e) => e.user_id), [readers[2].user.id, readers[1].user.id, readers[0].user.id]);
  assert.equal(typeof reviewed.json.events[0].request_id, 'string');
  const audit = await s.request('GET', '/api/v1/audit?action=social.follow_events.read', { token: cso });
  assert.equal(audit.json.entries.length, 1, audit.text);
  assert.equal(audit.json.entries[0].subject, `account:${acc.account.id}`);
});

test('issue 5 readers: reads count once per reader per article per day; visitors are fingerprinted, never stored raw', { skip: skipReason }, async () => {
  const acc = await newAccount('阅读计数测试');
  const article = await publish(acc, '开源软件入门', '今天聊聊如何参与开源项目，以及提交第一个补丁。');
  const read = (headers = {}, token) => s.request('POST', `/api/v1/articles/${article.id}/read`, { headers, token });
  const AGENT = 'HeraldSocialTestAgent/7.3 (fingerprint-marker)';

  const a1 = await read({ 'user-agent': AGENT });
  assert.equal(a1.status, 200, a1.text);
  assert.equal(a1.json.counted, true);
  assert.equal(a1.json.stats.reads, 1);
  assert.equal((await read({ 'user-agent': AGENT })).json.counted, false);
  assert.equal((await read({ 'user-agent': 'AnotherAgent/1.0' })).json.counted, true);

  const alice = await newReader();
  assert.equal((await read({ 'user-agent': AGENT }, alice.token)).json.counted, true);
  assert.equal((await read({ 'user-agent': 'AnotherAgent/1.0' }, alice.token)).json.counted, false);
  expectError(assert, await read({}, 'hs_not-a-token'), 401, 'invalid_token');

  const stats = await s.request('GET', `/api/v1/articles/${article.id}/stats`);
  assert.equal(stats.status, 200, stats.text);
  assert.deepEqual(stats.json.stats, { article_id: article.id, reads: 3, likes: 0, forwards: 0 });

  expectError(assert, await s.request('POST', '/api/v1/articles/999999/read'), 404, 'article_not_found');
  expectError(assert, await s.request('POST', `/api/v1/articles/${article.id}/read`, { body: { user_id: 1 } }), 400, 'unknown_field', 'user_id');
  // A held article is not readable, so its reads are not counted.
  const held = await s.request('POST', `/api/v1/accounts/${acc.account.id}/articles`, { token: acc.token, body: { title: '防身知识', body: '谈谈手枪的管理规定。' } });
  assert.equal(held.json.article.status, 'held', held.text);
  expectError(assert, await s.request('POST', `/api/v1/articles/${held.json.article.id}/read`), 404, 'article_not_found');
  expectError(assert, await s.request('GET', `/api/v1/articles/${held.json.article.id}/stats`), 404, 'article_not_found');

  // The visitor's User-Agent is hashed, never written anywhere (database, WAL, logs).
  if (BACKEND === 'sqlite') {
    for (const { file, data } of s.readAll()) {
      assert.ok(!data.includes(Buffer.from('fingerprint-marker')), `${file} contains the raw User-Agent`);
    }
  }
});

test('issue 5 readers: likes once per user, unlike, and counts', { skip: skipReason }, async () => {
  const acc = await newAccount('点赞测试号');
  const article = await publish(acc, '编程小记', '今天修了一个内存泄漏，记录一下排查的过程。');
  const alice = await newReader();
  const bob = await newReader();
  const path = `/api/v1/articles/${article.id}/like`;

  expectError(assert, await s.request('POST', path), 401, 'unauthenticated');
  const l = await s.request('POST', path, { token: alice.token });
  assert.equal(l.status, 200, l.text);
  assert.equal(l.json.liked, true);
  assert.equal(l.json.stats.likes, 1);
  expectError(assert, await s.request('POST', path, { token: alice.token }), 409, 'already_liked');
  assert.equal((await s.request('POST', path, { token: bob.token })).json.stats.likes, 2);
  const u = await s.request('DELETE', path, { token: alice.token });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.liked, false);
  assert.equal(u.json.stats.likes, 1);
  expectError(assert, await s.request('DELETE', path, { token: alice.token }), 409, 'not_liked');
  expectError(assert, await s.request('POST', '/api/v1/articles/999999/like', { token: alice.token }), 404, 'article_not_found');
  assert.equal((await s.request('GET', `/api/v1/articles/${article.id}/stats`)).json.stats.likes, 1);
});

test('issue 5 readers: forwards record who forwarded from whom; a reviewer traces a chain to its origin (audited)', { skip: skipReason }, async () => {
  const acc = await newAccount('转发链测试');
  const article = await publish(acc, '菜市场的清晨', '清晨的菜市场总是最热闹的地方，卖豆腐的老王五点就起床磨豆子。');
  const other = await publish(acc, '城市的夜晚', '夜晚的城市灯火通明，街上人来人往，小吃摊前排起了长队。');
  const [a, b, c] = [await newReader(), await newReader(), await newReader()];
  const fwd = (who, body, id = article.id) => s.request('POST', `/api/v1/articles/${id}/forwards`, { token: who.token, body });

  const root = await fwd(a);
  assert.equal(root.status, 201, root.text);
  assert.equal(root.json.forward.from_forward_id, null);
  assert.equal(root.json.forward.origin_id, root.json.forward.id);
  assert.equal(root.json.forward.user_id, a.user.id);
  const second = await fwd(b, { from_forward_id: root.json.forward.id });
  assert.equal(second.status, 201, second.text);
  assert.equal(second.json.forward.from_user_id, a.user.id);
  assert.equal(second.json.forward.depth, 1);
  const third = await fwd(c, { from_forward_id: second.json.forward.id });
  assert.equal(third.json.forward.origin_id, root.json.forward.id);

  expectError(assert, await fwd(a, { from_forward_id: root.json.forward.id }, other.id), 400, 'forward_article_mismatch', 'from_forward_id');
  expectError(assert, await fwd(a, { from_forward_id: 999999 }), 404, 'forward_not_found', 'from_forward_id');
  expectError(assert, await fwd(a, { user_id: b.user.id }), 400, 'unknown_field', 'user_id');
  expectError(assert, await s.request('POST', `/api/v1/articles/${article.id}/forwards`), 401, 'unauthenticated');
  assert.equal((await s.request('GET', `/api/v1/articles/${article.id}/stats`)).json.stats.forwards, 3);

  const chainPath = `/api/v1/forwards/${third.json.forward.id}/chain`;
  expectError(assert, await s.request('GET', chainPath, { token: c.token }), 403, 'permission_denied');
  const chain = await s.request('GET', chainPath, { token: cso });
  assert.equal(chain.status, 200, chain.text);
  assert.deepEqual(chain.json.hops.map((h) => h.user_id), [c.user.id, b.user.id, a.user.id]);
  assert.equal(chain.json.complete, true);
  assert.equal(chain.json.origin.id, root.json.forward.id);
  assert.equal(chain.json.origin.user_id, a.user.id);
  const cut = await s.request('GET', `${chainPath}?max_hops=1`, { token: cso });
  assert.equal(cut.json.hops.length, 1);
  assert.equal(cut.json.complete, false);
  assert.equal(cut.json.origin.id, root.json.forward.id);
  expectError(assert, await s.request('GET', '/api/v1/forwards/999999/chain', { token: cso }), 404, 'forward_not_found');
  const audit = await s.request('GET', '/api/v1/audit?action=social.forward_chain.read', { token: cso });
  assert.equal(audit.json.entries.length, 2, audit.text);
  assert.equal(audit.json.entries[0].subject, `forward:${third.json.forward.id}`);
});
