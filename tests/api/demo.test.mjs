// `herald demo` gives a new user a living platform (issue 5, "Done means"): accounts with
// articles, followers, reads, likes, comments (pinned, answered, selected) and a forward chain,
// all reachable through the public API and the readers' own views.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, skipReason } from './support.mjs';

let s;
before(async () => {
  if (skipReason) return;
  s = await TestServer.start();
  await s.stop();
  const r = s.cli(['demo']);
  assert.equal(r.status, 0, r.stderr);
  await s.spawn();
});
after(async () => s && (await s.cleanup()));

test('the demo platform has articles, followers, comments and a timeline', { skip: skipReason }, async () => {
  const latest = await s.request('GET', '/api/v1/feed/latest?limit=20');
  assert.equal(latest.status, 200, latest.text);
  const items = latest.json.items ?? latest.json.articles;
  assert.ok(items.length >= 6, latest.text);
  const first = items.find((a) => a.title === '用 SQLite 做嵌入式存储的五个经验');
  assert.ok(first, 'the first demo article is public');
  const ad = items.find((a) => a.title === '秋季书展合作推广');
  assert.equal(ad.advertising, true);
  const repost = items.find((a) => a.title.startsWith('转载：'));
  const repostPage = await s.request('GET', `/api/v1/articles/${repost.id}`);
  assert.equal(repostPage.json.article.attribution.source_content_id, `article:${first.uid}`, repostPage.text);

  // Comments: the pinned one first, with the operator's answer attached.
  const comments = await s.request('GET', `/api/v1/articles/${first.id}/comments`);
  assert.equal(comments.status, 200, comments.text);
  const top = comments.json.comments[0];
  assert.equal(top.pinned, true, comments.text);
  assert.ok(JSON.stringify(top).includes('在线备份接口不需要停机'), 'the author reply is attached');
  // Stats: reads, likes and forwards.
  const stats = await s.request('GET', `/api/v1/articles/${first.id}/stats`);
  assert.ok(stats.json.stats.reads >= 2 && stats.json.stats.likes >= 1 && stats.json.stats.forwards === 3, stats.text);

  // A demo reader's timeline lists the followed accounts' articles, newest first.
  const token = await s.login('13800000006', 'herald-demo-2026');
  const tl = await s.request('GET', '/api/v1/me/timeline', { token });
  assert.equal(tl.status, 200, tl.text);
  const tlItems = tl.json.items ?? tl.json.articles;
  assert.ok(tlItems.length >= 6, tl.text);
  // Search finds the demo article by a two-character Chinese word.
  const found = await s.request('GET', `/api/v1/search?q=${encodeURIComponent('备份')}&type=articles`);
  assert.equal(found.status, 200, found.text);
  assert.ok(JSON.stringify(found.json).includes(String(first.id)), found.text);
});

test('PA-13.2: the demo has a debunked rumour, labelled, with its readers notified', { skip: skipReason }, async () => {
  const list = await s.request('GET', '/api/v1/rumours');
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.rumours.length, 1, list.text);
  const rumour = list.json.rumours[0];
  assert.equal(rumour.source.name, '中国人民银行');
  const page = await s.request('GET', `/api/v1/articles/${rumour.article_id}`);
  assert.equal(page.status, 200, page.text);
  assert.equal(page.json.rumour_label.rumour_id, rumour.id);
  // Two readers read it and one forwarded it: each has the debunk once.
  for (const phone of ['13800000006', '13800000007', '13800000008']) {
    const token = await s.login(phone, 'herald-demo-2026');
    const inbox = await s.request('GET', '/api/v1/me/notifications?limit=100', { token });
    assert.equal(inbox.status, 200, inbox.text);
    const debunks = inbox.json.items.filter((n) => n.kind === 'rumour_debunk');
    assert.equal(debunks.length, 1, inbox.text);
    assert.equal(debunks[0].ref, `rumour:${rumour.id}`);
  }
});

test('PA-14.3: the demo has a sanction under appeal, pending for a moderator other than the issuer', { skip: skipReason }, async () => {
  const op = await s.login('13800000005', 'herald-demo-2026');
  const mine = (await s.request('GET', '/api/v1/me/appeals', { token: op })).json.appeals;
  assert.equal(mine.length, 1, JSON.stringify(mine));
  assert.equal(mine[0].status, 'pending');
  assert.equal(mine[0].target.type, 'sanction');
  const sanctions = (await s.request('GET', '/api/v1/me/sanctions', { token: op })).json.sanctions;
  const appealed = sanctions.find((x) => x.id === mine[0].target.id);
  assert.equal(appealed.measure, 'warning');
  assert.equal(appealed.appeal.appeal_id, mine[0].id);
  const mod = await s.login('13800000003', 'herald-demo-2026');
  const open = (await s.request('GET', '/api/v1/appeals?status=open', { token: mod })).json.appeals;
  assert.deepEqual(open.map((a) => a.id), [mine[0].id]);
  const item = (await s.request('GET', `/api/v1/reviews/${open[0].review_id}`, { token: mod })).json.item;
  assert.equal(item.kind, 'appeal');
  assert.equal(item.status, 'pending');
});

test('PA-20.1, PA-20.2: the demo has reports waiting, handled with feedback, and a campaign-suspected group', { skip: skipReason }, async () => {
  const mod = await s.login('13800000003', 'herald-demo-2026');
  const all = (await s.request('GET', '/api/v1/reports', { token: mod })).json.items;
  assert.equal(all.length, 5, JSON.stringify(all));
  const waiting = all.find((r) => r.category === 'copyright_infringement');
  assert.equal(waiting.stage, 'screened');
  assert.equal(waiting.campaign, false);
  const campaign = all.filter((r) => r.campaign);
  assert.equal(campaign.length, 3);
  for (const r of campaign) {
    assert.equal(r.campaign_group, campaign[0].review_item_id);
    assert.match(r.campaign_reasons, /new_user/);
  }
  assert.notEqual(campaign[0].review_item_id, waiting.review_item_id);
  // The campaign did not raise its item above the category's base severity.
  assert.equal((await s.request('GET', `/api/v1/reviews/${campaign[0].review_item_id}`, { token: mod })).json.item.severity, 3);
  const zhou = await s.login('13800000007', 'herald-demo-2026');
  const mine = (await s.request('GET', '/api/v1/me/reports', { token: zhou })).json.items;
  assert.equal(mine.length, 1);
  assert.equal(mine[0].stage, 'feedback');
  assert.equal(mine[0].outcome, 'not_upheld');
  const notes = (await s.request('GET', '/api/v1/me/notifications', { token: zhou })).json.items;
  assert.ok(notes.some((n) => n.kind === 'report_outcome' && n.ref === `report:${mine[0].id}`), JSON.stringify(notes));
  const item = (await s.request('GET', `/api/v1/reviews/${waiting.review_item_id}`, { token: mod })).json.item;
  assert.equal(item.kind, 'report');
  assert.equal(item.status, 'pending');
});
