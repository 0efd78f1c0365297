// End-to-end test of the operator console (issue 7): a new operator (signed up and verified
// through the API) logs in in the browser, creates an account in the console (a protected name is
// refused next to the field first), writes an article in Markdown while the server-rendered live
// preview shows it, publishes it, and the article is published in the API and on the public
// article page. The demo operator sees his accounts and their statuses, the followers chart
// renders, comment management works on a demo article (select, pin, hide, author reply, the
// article's comment mode) and his sanctions are listed. Everything the browser did is checked
// through the API as well.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { E2E, assertNoPageErrors, residentId, DEMO, DEMO_PASSWORD } from './support.mjs';
import { individualSubject } from '../api/support.mjs';

let e2e;
const PHONE = '13955556666';
const PASSWORD = 'operator-pass-2026';
const ACCOUNT = '晓风读书笔记';
const TITLE = '一个人的读书计划';

before(async () => {
  e2e = await E2E.start();
});
after(async () => {
  await e2e?.stop();
});

// The ElementPlus select labelled by `selector`: opens it and picks the option with `text`.
async function pick(page, selector, text) {
  await page.locator(selector).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}

test('a new operator creates an account and publishes an article with the live preview', async () => {
  const s = e2e.server;
  await s.register(PHONE, PASSWORD);
  const token = await s.login(PHONE, PASSWORD);
  const subject = await individualSubject(s, token, {
    name: '周晓风',
    id: residentId('110101', '19910512', 246),
    phone: PHONE,
  });

  const page = await e2e.newPage();
  await e2e.login(page, PHONE, PASSWORD);
  await page.locator('[data-test="nav-console"]').click();
  await page.waitForURL(/\/console$/);
  await page.locator('[data-test="operator-dashboard"]').waitFor();
  assert.equal(await page.locator('[data-test="need-verify"]').count(), 0, 'a verified subject needs no verification hint');
  await page.locator('[data-test="create-account-link"]').click();
  await page.waitForURL(/\/console\/accounts\/new$/);
  await page.locator('[data-test="account-form"]').waitFor();

  // The only verified subject is chosen already; the protected name is refused live and, when
  // submitted anyway, by the API next to the field.
  assert.match(await page.locator('[data-test="subject-select"]').innerText(), /周\*\*/);
  await page.getByLabel('账号名称').fill('人民日报');
  await page.locator('[data-test="name-check"][data-decision="reject"]').waitFor();
  await pick(page, '[data-test="category-select"]', '科技');
  await page.getByLabel('注册地').fill('北京市');
  await page.getByLabel('运营地').fill('北京市朝阳区');
  await page.getByLabel('联系方式').fill('xiaofeng@example.cn');
  await page.getByLabel('简介').fill('每周读一本书，写一点笔记。');
  await page.locator('[data-test="create-account"]').click();
  // Without accepting the agreement the form says so and sends nothing.
  await page.getByText('请先阅读并同意服务协议').waitFor();
  await page.locator('[data-test="agree"]').click();
  await page.locator('[data-test="create-account"]').click();
  const nameItem = page.locator('.el-form-item', { has: page.getByLabel('账号名称') });
  await nameItem.locator('.el-form-item__error', { hasText: '受保护' }).waitFor();
  assert.equal((await s.request('GET', '/api/v1/me/accounts', { token })).json.accounts.length, 0);

  await page.getByLabel('账号名称').fill(ACCOUNT);
  await page.locator('[data-test="name-check"][data-decision="allow"]').waitFor();
  await e2e.screenshot(page, 'operator-account-new');
  await page.locator('[data-test="create-account"]').click();
  await page.waitForURL(/\/console\/accounts\/\d+$/);
  const accountId = Number(page.url().match(/accounts\/(\d+)/)[1]);
  await page.locator('[data-test="account-title"]', { hasText: ACCOUNT }).waitFor();

  const mine = (await s.request('GET', '/api/v1/me/accounts', { token })).json.accounts;
  assert.equal(mine.length, 1);
  assert.equal(mine[0].id, accountId);
  assert.equal(mine[0].name, ACCOUNT);
  assert.equal(mine[0].subject_id, subject.id);
  assert.equal(mine[0].category.id, 'technology');
  assert.equal(mine[0].disclosures.operating_place, '北京市朝阳区');
  if (mine[0].status === 'pending_review') {
    // A name or registration-data review: the demo moderator approves it, as a moderator would.
    const mod = await s.login(DEMO.moderator, DEMO_PASSWORD);
    const queue = await s.request('GET', '/api/v1/reviews', { token: mod });
    const item = queue.json.items.find((i) => i.account_id === accountId);
    assert.ok(item, queue.text);
    const d = await s.request('POST', `/api/v1/reviews/${item.id}/decision`, {
      token: mod,
      body: { decision: 'approve', reason_code: 'compliant' },
    });
    assert.equal(d.status, 200, d.text);
    await page.reload();
  }
  await page.locator('[data-test="account-status"]', { hasText: '正常' }).waitFor();
  await page.locator('[data-test="can-publish"]').waitFor();
  await e2e.screenshot(page, 'operator-account');
  assertNoPageErrors(assert, page);

  // Write the article: the preview is the server's rendering of the Markdown.
  await page.getByRole('tab', { name: '文章' }).click();
  await page.locator('[data-test="write-article"]').click();
  await page.waitForURL(new RegExp(`/console/accounts/${accountId}/articles/new$`));
  await page.getByLabel('标题').fill(TITLE);
  await page.getByLabel('摘要').fill('从这个月开始，每周一本。');
  await page
    .getByLabel('正文（Markdown）')
    .fill('## 第一周\n\n读完了**小王子**，记下两句话：\n\n- 真正重要的东西用眼睛是看不见的\n- 驯服\n\n| 书 | 页数 |\n|---|---|\n| 小王子 | 97 |\n');
  const preview = page.locator('[data-test="preview-html"]');
  await preview.locator('h2', { hasText: '第一周' }).waitFor();
  assert.equal(await preview.locator('strong').innerText(), '小王子');
  assert.equal(await preview.locator('li').count(), 2);
  assert.equal(await preview.locator('table td').first().innerText(), '小王子');
  assert.equal(await page.locator('[data-test="preview"] h1').innerText(), TITLE);
  // The preview follows the text as it is typed.
  await page.getByLabel('正文（Markdown）').press('End');
  await page.getByLabel('正文（Markdown）').pressSequentially('\n### 第二周\n');
  await preview.locator('h3', { hasText: '第二周' }).waitFor();
  await page.getByLabel('标签').fill('#读书, 笔记');
  await page.locator('[data-test="declare-original"]').click();
  await page.locator('[data-test="preview"] .el-tag', { hasText: '原创' }).waitFor();
  await page.waitForTimeout(300); // let the radio and tag transitions finish for the screenshot
  await e2e.screenshot(page, 'operator-editor');
  assertNoPageErrors(assert, page);

  await page.locator('[data-test="publish"]').click();
  const result = page.locator('[data-test="publish-result"]');
  await result.waitFor();
  assert.equal(await result.getAttribute('data-status'), 'published');
  const articleId = Number(await result.getAttribute('data-article-id'));

  const pub = await s.request('GET', `/api/v1/articles/${articleId}`);
  assert.equal(pub.status, 200, pub.text);
  assert.equal(pub.json.article.status, 'published');
  assert.equal(pub.json.article.title, TITLE);
  assert.equal(pub.json.article.account_id, accountId);
  assert.equal(pub.json.article.original, true);
  assert.deepEqual(pub.json.article.tags, ['读书', '笔记']);
  assert.match(pub.json.article.body_html, /<h2>第一周<\/h2>/);
  assert.match(pub.json.article.body_html, /<h3>第二周<\/h3>/);
  const listed = (await s.request('GET', `/api/v1/accounts/${accountId}/articles`)).json.items;
  assert.deepEqual(listed.map((a) => a.id), [articleId]);

  // The public article page shows it as published.
  await page.locator('[data-test="published-link"]').click();
  await page.waitForURL(new RegExp(`/articles/${articleId}$`));
  await page.getByRole('heading', { name: TITLE }).waitFor();
  await page.getByRole('heading', { name: '第一周' }).waitFor();
  await e2e.screenshot(page, 'operator-published-article');
  assertNoPageErrors(assert, page);

  // Back in the console the list shows it published, with its comments one click away.
  await page.goto(`/console/accounts/${accountId}?tab=articles`);
  const row = page.locator(`[data-test="article-row"][data-article-id="${articleId}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), new RegExp(TITLE));
  const statusCell = page.locator('tr', { has: row }).locator('[data-test="article-status"]');
  assert.equal(await statusCell.innerText(), '已发布');
  assertNoPageErrors(assert, page);
});

test('the demo operator sees his accounts, the followers chart and his sanctions', async () => {
  const page = await e2e.newPage();
  await e2e.login(page, DEMO.operator);
  await page.goto('/console');
  const table = page.locator('[data-test="my-accounts"]');
  await table.getByText('林间科技笔记').waitFor();
  for (const name of ['先驱文化', '林间理财课']) await table.getByText(name).waitFor();
  assert.ok((await table.locator('[data-test="account-status"]', { hasText: '审核中' }).count()) >= 1, 'pending accounts say so');
  await page.locator('[data-test="credit-score"]').first().waitFor();
  assert.ok((await page.locator('[data-test="notice"]').count()) >= 1);
  await e2e.screenshot(page, 'operator-dashboard');
  assertNoPageErrors(assert, page);

  // The side menu lists the accounts; the data tab draws the chart into a canvas.
  await page.locator('[data-test="menu-account"]', { hasText: '林间科技笔记' }).click();
  await page.waitForURL(/\/console\/accounts\/1$/);
  await page.getByRole('tab', { name: '数据' }).click();
  await page.locator('[data-test="stats-chart"] canvas').waitFor();
  const followers = (await e2e.server.request('GET', '/api/v1/accounts/1/followers/count')).json.followers;
  assert.equal(await page.locator('[data-test="followers-count"] .el-statistic__number').innerText(), String(followers));
  const box = await page.locator('[data-test="stats-chart"] canvas').boundingBox();
  assert.ok(box.width > 300 && box.height > 200, `chart size ${box.width}x${box.height}`);
  await e2e.screenshot(page, 'operator-stats');
  assertNoPageErrors(assert, page);

  // Sanctions: every one of mine, with measure and reason, and the way to appeal.
  await page.locator('[data-test="menu-sanctions"]').click();
  await page.waitForURL(/\/console\/sanctions$/);
  const rows = page.locator('[data-test="sanction-row"]');
  await rows.first().waitFor();
  const token = await e2e.server.login(DEMO.operator, DEMO_PASSWORD);
  const api = (await e2e.server.request('GET', '/api/v1/me/sanctions', { token })).json.sanctions;
  assert.equal(await rows.count(), api.length);
  const rumour = rows.filter({ hasText: '林间科技笔记' });
  assert.match(await rumour.locator('[data-test="sanction-measure"]').innerText(), /警告/);
  assert.match(await rumour.locator('[data-test="sanction-reason"]').innerText(), /谣言/);
  await e2e.screenshot(page, 'operator-sanctions');
  assertNoPageErrors(assert, page);
});

test('comment management on a demo article: select, pin, hide, reply and the comment mode', async () => {
  const s = e2e.server;
  const token = await s.login(DEMO.operator, DEMO_PASSWORD);
  const list = async () =>
    (await s.request('GET', '/api/v1/me/articles/1/comments', { token })).json.comments;
  const find = async (text) => (await list()).find((c) => c.body === text);
  const question = '请问备份时需要停机吗？';
  const follow = '同问，另外索引多了会不会影响写入？';
  assert.equal((await find(question)).selected, false);

  const page = await e2e.newPage();
  await e2e.login(page, DEMO.operator);
  await page.goto('/console/accounts/1?tab=articles');
  const articleRow = page.locator('tr', { has: page.locator('[data-test="article-row"][data-article-id="1"]') });
  await articleRow.locator('[data-test="article-comments"]').click();
  await page.waitForURL(/\/console\/articles\/1\/comments$/);
  // The row whose own text is `text` (replies quote their parent, so not just any row with it).
  const row = (text, attrs = '') =>
    page.locator(`[data-test="comment-row"]${attrs}`, {
      has: page.locator('[data-test="comment-body"]').getByText(text, { exact: true }),
    });
  await row(question).waitFor();

  // Select (精选) and pin the question.
  await row(question).locator('[data-test="comment-select"]').click();
  await row(question, '[data-selected="true"]').waitFor();
  assert.equal((await find(question)).selected, true);
  // An individual account pins one comment per article: unpin the demo's pinned one first.
  const pinned = '写得很清楚，WAL 模式确实解决了我们的锁等待问题。';
  assert.equal((await find(pinned)).pinned, true);
  await row(pinned).locator('[data-test="comment-unpin"]').click();
  await row(pinned, '[data-pinned="false"]').waitFor();
  assert.equal((await find(pinned)).pinned, false);
  await row(question).locator('[data-test="comment-pin"]').click();
  await row(question, '[data-pinned="true"]').waitFor();
  assert.equal((await find(question)).pinned, true);

  // Reply as the account.
  await row(question).locator('[data-test="comment-reply"]').click();
  await page.getByLabel('回复内容').fill('不需要停机，SQLite 有在线备份接口。');
  await page.locator('[data-test="reply-send"]').click();
  await row('不需要停机，SQLite 有在线备份接口。').waitFor();
  const reply = await find('不需要停机，SQLite 有在线备份接口。');
  assert.equal(reply.kind, 'author_reply');
  assert.equal(reply.parent_id, (await find(question)).id);

  // Hide the follow-up question, then show it again.
  await row(follow).locator('[data-test="comment-hide"]').click();
  await row(follow, '[data-status="hidden"]').waitFor();
  assert.equal((await find(follow)).status, 'hidden');
  const publicList = await s.request('GET', '/api/v1/articles/1/comments');
  assert.ok(!JSON.stringify(publicList.json).includes(follow), 'a hidden comment is not public');
  await row(follow).locator('[data-test="comment-unhide"]').click();
  await row(follow, '[data-status="visible"]').waitFor();
  assert.equal((await find(follow)).status, 'visible');
  await e2e.screenshot(page, 'operator-comments');

  // Close the article's comments, then follow the account's default again.
  await page.locator('[data-test="mode-closed"]').click();
  await page.locator('[data-test="comments-accepting"][data-accepting="false"]').waitFor();
  let settings = (await s.request('GET', '/api/v1/articles/1/comment-settings', { token })).json.settings;
  assert.equal(settings.override_mode, 'closed');
  assert.equal(settings.comments.accepting, false);
  await page.locator('[data-test="mode-account"]').click();
  await page.locator('[data-test="comments-accepting"][data-accepting="true"]').waitFor();
  settings = (await s.request('GET', '/api/v1/articles/1/comment-settings', { token })).json.settings;
  assert.equal(settings.override_mode, null);
  assertNoPageErrors(assert, page);
});

test('the chart draws the real daily reads: the period total is what GET /accounts/{id}/stats counted', async () => {
  const s = e2e.server;
  const token = await s.login(DEMO.operator, DEMO_PASSWORD);
  const articles = (await s.request('GET', '/api/v1/me/accounts/1/articles', { token })).json.articles;
  const published = articles.find((a) => a.status === 'published');
  assert.ok(published, 'the demo account has a published article');
  // Three readers today: a signed-in reader and two anonymous visitors.
  const reader = await s.login(DEMO.reader, DEMO_PASSWORD);
  await s.request('POST', `/api/v1/articles/${published.id}/read`, { token: reader });
  await s.request('POST', `/api/v1/articles/${published.id}/read`, { headers: { 'user-agent': 'E2E-Visitor/1' } });
  await s.request('POST', `/api/v1/articles/${published.id}/read`, { headers: { 'user-agent': 'E2E-Visitor/2' } });
  const days = (await s.request('GET', '/api/v1/accounts/1/stats?days=30', { token })).json.days;
  const total = days.reduce((n, d) => n + d.reads, 0);
  assert.ok(days[days.length - 1].reads >= 3, JSON.stringify(days[days.length - 1]));

  const page = await e2e.newPage();
  await e2e.login(page, DEMO.operator);
  const stats = page.waitForResponse((r) => /\/api\/v1\/accounts\/1\/stats\?days=30$/.test(r.url()));
  await page.goto('/console/accounts/1?tab=stats');
  const res = await stats;
  assert.equal(res.status(), 200);
  assert.equal((await res.json()).days.length, 30);
  await page.locator('[data-test="stats-chart"] canvas').waitFor();
  assert.equal(await page.locator('[data-test="reads-period"] .el-statistic__number').innerText(), String(total));
  // Another period asks the API again.
  const week = page.waitForResponse((r) => /\/api\/v1\/accounts\/1\/stats\?days=7$/.test(r.url()));
  await page.locator('[data-test="stats-days"]').getByText('近 7 天').click();
  assert.equal((await (await week).json()).days.length, 7);
  assertNoPageErrors(assert, page);
});

test('an editor finds the organisation account in the menu; an incoming transfer is accepted in the browser', async () => {
  const s = e2e.server;
  const phone = '13955557777';
  const password = 'editor-pass-2026';
  await s.register(phone, password);
  const token = await s.login(phone, password);
  const subject = await individualSubject(s, token, { name: '孙编辑', id: residentId('110101', '19930303', 357), phone });
  const me = (await s.request('GET', '/api/v1/me', { token })).json;
  const opToken = await s.login(DEMO.operator, DEMO_PASSWORD);
  const owned = (await s.request('GET', '/api/v1/me/accounts', { token: opToken })).json.accounts;
  const culture = owned.find((a) => a.name === '先驱文化');
  const finance = owned.find((a) => a.name === '林间理财课');
  const add = await s.request('POST', `/api/v1/me/accounts/${culture.id}/members`, { token: opToken, body: { user_id: me.id, role: 'editor' } });
  assert.equal(add.status, 201, add.text);
  const tr = await s.request('POST', `/api/v1/accounts/${finance.id}/transfers`, { token: opToken, body: { to_subject_id: subject.id } });
  assert.equal(tr.status, 201, tr.text);

  const page = await e2e.newPage();
  await e2e.login(page, phone, password);
  await page.goto('/console');
  const item = page.locator('[data-test="menu-member-account"]', { hasText: '先驱文化' });
  await item.waitFor();
  assert.match(await item.innerText(), /编辑/);
  await item.click();
  await page.waitForURL(new RegExp(`/console/accounts/${culture.id}$`));
  await page.locator('[data-test="member-role"]', { hasText: '编辑' }).waitFor();
  await page.locator('[data-test="member-drafts"]').waitFor();
  assert.equal(await page.locator('[data-test="account-title"]').innerText(), '先驱文化');
  await e2e.screenshot(page, 'operator-member-account');
  assertNoPageErrors(assert, page);

  // The transfer offer: listed, accepted after the confirmation, then waiting for the platform.
  await page.locator('[data-test="menu-transfers"]').click();
  await page.waitForURL(/\/console\/transfers$/);
  const row = page.locator('[data-test="transfer-offers"] tr', { hasText: '林间理财课' });
  await row.waitFor();
  await row.locator('[data-test="transfer-accept"]').click();
  await page.locator('.el-message-box').getByRole('button', { name: '确定' }).click();
  await row.locator('[data-test="transfer-status"]', { hasText: '平台审核中' }).waitFor();
  const offers = (await s.request('GET', '/api/v1/me/transfers', { token })).json.transfers;
  assert.equal(offers.find((o) => o.id === tr.json.transfer.id).status, 'accepted');
  await e2e.screenshot(page, 'operator-transfers');
  assertNoPageErrors(assert, page);
});
