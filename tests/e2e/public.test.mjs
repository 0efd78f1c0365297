// End-to-end test of the public pages (issue 7): a new reader signs up in the browser, verifies
// her phone and real name, follows a demo account, reads an article (the read is counted),
// comments (a held comment says "in review" to her), and reports the article through its report
// button; an anonymous visitor reads a debunked article and reports it with a contact, then opens
// the one-time progress link. Everything the browser did is checked through the API as well.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { E2E, assertNoPageErrors, readOtp, residentId, DEMO, DEMO_PASSWORD } from './support.mjs';
import { pngImage } from '../api/support.mjs';

let e2e;
const PHONE = '13912345678';
const PASSWORD = 'reader-pass-2026';
const NAME = '李小红';

before(async () => {
  e2e = await E2E.start();
});
after(async () => {
  await e2e?.stop();
});

async function stats(id) {
  const r = await e2e.server.request('GET', `/api/v1/articles/${id}/stats`);
  assert.equal(r.status, 200, r.text);
  return r.json.stats;
}

test('home, search, account and article pages for a visitor who is not signed in', async () => {
  const page = await e2e.newPage();
  await page.goto('/');
  const cards = page.locator('[data-test="article-card"]');
  await cards.first().waitFor();
  assert.ok((await cards.count()) >= 5, 'the latest articles are listed');
  // The advertising article carries its label, the debunked one its rumour label.
  const ad = cards.filter({ hasText: '秋季书展合作推广' });
  assert.equal(await ad.locator('[data-test="ad-label"]').innerText(), '广告');
  const rumour = cards.filter({ hasText: '房贷利率' });
  assert.equal(await rumour.locator('[data-test="rumour-label"]').innerText(), '辟谣');
  assert.equal(await page.getByRole('tab', { name: '关注' }).count(), 0, 'no timeline tab without sign-in');
  await e2e.screenshot(page, 'public-home');
  assertNoPageErrors(assert, page);

  // Search from the home page: matches are highlighted.
  await page.getByLabel('搜索文章或账号').fill('SQLite');
  await page.getByRole('button', { name: '搜索', exact: true }).click();
  await page.waitForURL(/\/search\?q=SQLite/);
  await page.locator('[data-test="search-hit"]').first().waitFor();
  assert.ok((await page.locator('[data-test="search-hit"]').count()) >= 2);
  assert.equal(await page.locator('[data-test="search-hit"] mark').first().innerText(), 'SQLite');
  await page.locator('[data-test="search-type-accounts"]').click();
  await page.waitForURL(/type=accounts/);
  await page.getByLabel('搜索文章或账号').fill('科技');
  await page.getByLabel('搜索文章或账号').press('Enter');
  await page.locator('[data-test="search-hit"]', { hasText: '林间科技笔记' }).waitFor();
  await e2e.screenshot(page, 'public-search');
  assertNoPageErrors(assert, page);

  // The repost names its source and links the original.
  await page.goto('/articles/6');
  await page.locator('[data-test="article-title"]').waitFor();
  await page.locator('[data-test="attribution"]', { hasText: /转载自\s*林间科技笔记/ }).waitFor();
  await page.locator('[data-test="source-article"]').click();
  await page.waitForURL(/\/articles\/1$/);
  assert.match(await page.locator('[data-test="article-title"]').innerText(), /用 SQLite 做嵌入式存储的五个经验/);
  // Comments: pinned first, with the author's reply.
  const first = page.locator('[data-test="comment"]').first();
  await first.locator('[data-test="comment-pinned"]').waitFor();
  assert.match(await first.locator('[data-test="author-reply"]').innerText(), /作者回复/);
  assert.match(await page.locator('[data-test="comments"]').innerText(), /登录后发表评论/);

  // The advertising article shows the label the API gives; comments in selected mode say so.
  await page.goto('/articles/5');
  assert.match(await page.locator('[data-test="ad-label"]').innerText(), /广告/);
  assert.match(await page.locator('[data-test="comments-note"]').innerText(), /精选/);

  // A missing article says so instead of failing.
  await page.goto('/articles/999999');
  await page.getByText('文章不存在或已不再公开').waitFor();
  assertNoPageErrors(assert, page);
  await page.context().close();
});

test('a new reader signs up, verifies her phone and real name, follows, reads, comments and reports', async () => {
  const page = await e2e.newPage();

  // Sign up. A number already registered is refused next to the phone field.
  await page.goto('/register');
  await page.getByLabel('手机号', { exact: true }).fill(DEMO.reader);
  await page.getByLabel('昵称').fill('小红');
  await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
  await page.getByLabel('确认密码').fill(PASSWORD);
  await page.getByRole('button', { name: '注册', exact: true }).click();
  await page.getByText('请阅读并同意服务协议').waitFor();
  await page.getByText('我已阅读并同意服务协议').click();
  await page.getByRole('button', { name: '注册', exact: true }).click();
  const phoneItem = page.locator('.el-form-item', { has: page.getByLabel('手机号', { exact: true }) });
  await phoneItem.getByText('该手机号已注册').waitFor();
  await e2e.screenshot(page, 'public-register');

  await page.getByLabel('手机号', { exact: true }).fill(PHONE);
  await page.getByRole('button', { name: '注册', exact: true }).click();
  await page.waitForURL(/\/verify\?welcome=1/);
  await page.locator('[data-test="current-user"]', { hasText: '小红' }).waitFor();
  const token = await e2e.server.login(PHONE, PASSWORD);

  // Real-name verification: a malformed ID number is caught next to its field, then the phone
  // is proved with the one-time code from the outbox.
  await page.getByLabel('真实姓名').fill(NAME);
  await page.getByLabel('身份证号').fill('110101199506152461');
  await page.getByLabel('手机号', { exact: true }).fill(PHONE);
  await page.getByRole('button', { name: '获取验证码' }).click();
  await page.locator('[data-test="code-sent"]').waitFor();
  await page.getByRole('button', { name: '提交认证' }).click();
  const idItem = page.locator('.el-form-item', { has: page.getByLabel('身份证号') });
  await idItem.getByText('身份证号校验位不正确').waitFor();
  const id = residentId('110101', '19950615', 246);
  await page.getByLabel('身份证号').fill(id);
  // A wrong code is refused by the server next to the code field.
  await page.getByLabel('验证码').fill('000000');
  await page.getByRole('button', { name: '提交认证' }).click();
  const codeItem = page.locator('.el-form-item', { has: page.getByLabel('验证码') });
  await codeItem.getByText(/验证码不正确/).waitFor();
  await page.getByLabel('验证码').fill(readOtp(e2e.server, PHONE));
  await e2e.screenshot(page, 'public-verify');
  await page.getByRole('button', { name: '提交认证' }).click();
  await page.locator('[data-test="verified"]').getByText('认证成功').waitFor();
  await page.locator('[data-test="my-subjects"]').getByText('已认证').waitFor();
  const subjects = await e2e.server.request('GET', '/api/v1/subjects', { token });
  assert.equal(subjects.status, 200);
  assert.equal(subjects.json.subjects.length, 1);
  assert.equal(subjects.json.subjects[0].status, 'verified');
  assert.equal(subjects.json.subjects[0].kind, 'individual');
  assertNoPageErrors(assert, page);

  // Follow a demo account by her own click.
  const before = (await e2e.server.request('GET', '/api/v1/accounts/1/followers/count')).json.followers;
  await page.goto('/accounts/1');
  await page.locator('[data-test="account-name"]', { hasText: '林间科技笔记' }).waitFor();
  await page.locator('[data-test="disclosures"]').getByText('北京市海淀区').waitFor();
  assert.match(await page.locator('[data-test="follower-count"]').innerText(), new RegExp(`${before} 人关注`));
  await page.getByRole('button', { name: '关注', exact: true }).click();
  await page.getByRole('button', { name: '取消关注' }).waitFor();
  assert.match(await page.locator('[data-test="follower-count"]').innerText(), new RegExp(`${before + 1} 人关注`));
  await e2e.screenshot(page, 'public-account');
  const follows = await e2e.server.request('GET', '/api/v1/me/follows', { token });
  assert.deepEqual(follows.json.follows.map((f) => f.account.id), [1]);
  // The following tab of the home page now lists the account's articles.
  await page.goto('/');
  await page.getByRole('tab', { name: '关注' }).click();
  await page.locator('[data-test="feed"]').nth(1).locator('[data-test="article-card"]').first().waitFor();
  assert.match(await page.locator('[data-test="feed"]').nth(1).innerText(), /林间科技笔记/);
  assertNoPageErrors(assert, page);

  // Read an article: the read is counted.
  const reads = (await stats(2)).reads;
  await page.goto('/articles/2');
  await page.locator('[data-test="article-title"]', { hasText: '开源软件许可证入门' }).waitFor();
  await page.locator('[data-test="reads"]', { hasText: `阅读 ${reads + 1}` }).waitFor();
  assert.equal((await stats(2)).reads, reads + 1);
  await page.locator('[data-test="like"]').click();
  await page.locator('[data-test="like"]', { hasText: '已点赞' }).waitFor();

  // Comment; a comment held by screening says "in review" to its author only.
  await page.getByLabel('写评论').fill('讲得很清楚，谢谢分享！');
  await page.getByRole('button', { name: '发表评论' }).click();
  await page.locator('[data-test="comment"]', { hasText: '讲得很清楚，谢谢分享！' }).waitFor();
  await page.getByLabel('写评论').fill('评论区有人在刷单吗？');
  await page.getByRole('button', { name: '发表评论' }).click();
  const held = page.locator('[data-test="comment"]', { hasText: '评论区有人在刷单吗？' });
  await held.locator('[data-test="comment-pending"]', { hasText: '审核中' }).waitFor();
  await e2e.screenshot(page, 'public-article');
  const mine = await e2e.server.request('GET', '/api/v1/articles/2/comments', { token });
  const bodies = mine.json.comments.map((c) => [c.body, c.mine, c.pending ?? null]);
  assert.deepEqual(
    bodies.sort(),
    [
      ['讲得很清楚，谢谢分享！', true, null],
      ['评论区有人在刷单吗？', true, 'in_review'],
    ].sort(),
  );
  const pub = await e2e.server.request('GET', '/api/v1/articles/2/comments');
  assert.deepEqual(pub.json.comments.map((c) => c.body), ['讲得很清楚，谢谢分享！']);

  // Report the article through its report button.
  await page.locator('[data-test="report-article"]').click();
  const dialog = page.locator('.report-dialog');
  await dialog.getByText('垃圾信息、虚假流量').waitFor();
  assert.equal(await dialog.getByLabel('联系方式').count(), 0, 'a signed-in reporter gives no contact');
  // The infringement categories ask for the rights holder and proof.
  await dialog.getByText('侵犯著作权').click();
  await dialog.getByLabel('权利人').waitFor();
  await dialog.getByText('垃圾信息、虚假流量').click();
  assert.equal(await dialog.getByLabel('权利人').count(), 0);
  await dialog.getByLabel('举报说明').fill('文章末尾夹带引流广告。');
  await dialog.getByLabel('证据链接').fill('https://example.cn/evidence-1');
  // A screenshot is uploaded (POST /api/v1/media) and shown before the report is sent.
  await dialog.getByLabel('截图').setInputFiles({ name: 'shot.png', mimeType: 'image/png', buffer: pngImage(64, 48, 3) });
  await dialog.locator('[data-test="uploaded-image"] img').waitFor();
  await e2e.screenshot(page, 'public-report-dialog');
  await dialog.getByRole('button', { name: '提交举报' }).click();
  const result = dialog.locator('[data-test="report-result"]');
  await result.getByText(/举报已受理，编号 \d+/).waitFor();
  assert.equal(await result.locator('[data-test="report-stage"]').innerText(), '初筛');
  assert.equal(await result.locator('[data-test="report-token"]').count(), 0);
  const reports = await e2e.server.request('GET', '/api/v1/me/reports', { token });
  assert.equal(reports.json.items.length, 1);
  const report = reports.json.items[0];
  assert.deepEqual(report.target, { type: 'article', id: 2 });
  assert.equal(report.category, 'spam');
  assert.equal(report.description, '文章末尾夹带引流广告。');
  assert.deepEqual(report.evidence.links, ['https://example.cn/evidence-1']);
  assert.equal(report.evidence.media_ids.length, 1);
  assert.match(report.evidence.media_ids[0], /^[0-9a-f]{64}$/);
  assert.match(await result.locator('[data-test="report-due"]').innerText(), /\d/);
  await result.getByRole('button', { name: '完成' }).click();

  // Report a comment through its report link.
  await page.locator('[data-test="comment"]', { hasText: '讲得很清楚' }).waitFor();
  const other = await e2e.server.request('GET', '/api/v1/articles/1/comments');
  await page.goto('/articles/1');
  const c = page.locator('[data-test="comment"]', { hasText: '请问备份时需要停机吗？' });
  await c.locator('[data-test="comment-report"]').click();
  await dialog.getByText('网络暴力').click();
  await dialog.getByLabel('举报说明').fill('测试评论举报');
  await dialog.getByRole('button', { name: '提交举报' }).click();
  await dialog.locator('[data-test="report-result"]').waitFor();
  const target = other.json.comments.find((x) => x.body === '请问备份时需要停机吗？').id;
  const after2 = await e2e.server.request('GET', '/api/v1/me/reports', { token });
  assert.deepEqual(after2.json.items[0].target, { type: 'comment', id: target });
  assertNoPageErrors(assert, page);

  // My reports and notifications show them.
  await page.goto('/me/reports');
  await page.locator('[data-test="my-report-stage"]').first().waitFor();
  assert.equal(await page.locator('[data-test="report-link"]').count(), 2);
  await page.goto('/notifications');
  await page.locator('[data-test="notification"]', { hasText: '举报已受理' }).first().waitFor();
  await page.locator('[data-test="read-all"]').click();
  await page.locator('[data-test="mark-read"]').first().waitFor({ state: 'detached' });
  const unread = await e2e.server.request('GET', '/api/v1/me/notifications', { token });
  assert.equal(unread.json.unread_count, 0);
  assertNoPageErrors(assert, page);
  await page.context().close();
});

test('an anonymous visitor reads a debunked article and reports it with a contact', async () => {
  const page = await e2e.newPage();
  const reads = (await stats(7)).reads;
  await page.goto('/articles/7');
  const label = page.locator('[data-test="rumour-label"]');
  await label.waitFor();
  assert.match(await label.innerText(), /辟谣/);
  assert.match(await page.locator('[data-test="rumour-debunk"]').innerText(), /LPR/);
  await page.locator('[data-test="reads"]', { hasText: `阅读 ${reads + 1}` }).waitFor();
  assert.equal((await stats(7)).reads, reads + 1);

  await page.locator('[data-test="report-article"]').click();
  const dialog = page.locator('.report-dialog');
  await dialog.getByText('谣言、虚假信息').click();
  await dialog.getByLabel('举报说明').fill('虚假的房贷政策，已被辟谣仍在传播。');
  await dialog.getByText('截图证据须登录后上传').waitFor();
  // Without a contact the dialog asks for one next to its field.
  await dialog.getByRole('button', { name: '提交举报' }).click();
  const contactItem = dialog.locator('.el-form-item', { has: page.getByLabel('联系方式') });
  await contactItem.getByText('未登录举报须留下手机号或电子邮箱').waitFor();
  await dialog.getByLabel('联系方式').fill('13700001111');
  await dialog.getByRole('button', { name: '提交举报' }).click();
  const token = await dialog.locator('[data-test="report-access-token"]').innerText();
  assert.match(token, /^hr_/);
  assert.match(await dialog.locator('[data-test="report-result"]').innerText(), /只显示这一次/);
  const idText = await dialog.getByText(/举报已受理，编号 \d+/).innerText();
  const id = Number(idText.match(/(\d+)/)[1]);
  await e2e.screenshot(page, 'public-report-anonymous');

  const api = await e2e.server.request('GET', `/api/v1/reports/${id}?token=${encodeURIComponent(token)}`);
  assert.equal(api.status, 200, api.text);
  assert.deepEqual(api.json.report.target, { type: 'article', id: 7 });
  assert.equal(api.json.report.category, 'rumour');
  assert.equal(api.json.report.contact, '137****1111');
  assert.equal((await e2e.server.request('GET', `/api/v1/reports/${id}`)).status, 404);

  // The one-time link shows the progress.
  await dialog.locator('[data-test="report-access-link"]').click();
  await page.waitForURL(new RegExp(`/reports/${id}\\?token=`));
  await page.getByText(`举报 #${id}`).waitFor();
  assert.equal(await page.locator('[data-test="report-stage"]').innerText(), '初筛');
  await e2e.screenshot(page, 'public-report-progress');
  assertNoPageErrors(assert, page);
  await page.context().close();
});

test('log in: wrong password shows the error, success returns to ?redirect=', async () => {
  const page = await e2e.newPage();
  await page.goto('/notifications');
  await page.waitForURL(/\/login\?redirect=/);
  await page.getByLabel('手机号').fill(DEMO.reader);
  await page.getByLabel('密码').fill('wrong-password');
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('[data-test="login-error"]', { hasText: '手机号或密码错误' }).waitFor();
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByLabel('密码').press('Enter');
  await page.waitForURL(/\/notifications$/);
  await page.locator('[data-test="notification"]', { hasText: '辟谣' }).first().waitFor();
  await e2e.screenshot(page, 'public-notifications');
  assertNoPageErrors(assert, page);
  await page.context().close();
});
