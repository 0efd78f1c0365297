// End-to-end test of the moderation console (issue 7): the demo moderator opens the review queue
// in the browser, opens a held article and sees its matched terms marked, claims it and rejects it
// with a reason code; decides the demo appeal; issues a sanction against one of the demo operator's
// accounts from the console, which the operator then sees at /console/sanctions; the auditor reads
// the audit log with the chain verified and is offered no decision. What the browser did is
// checked through the API as well.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { E2E, assertNoPageErrors, DEMO, DEMO_PASSWORD } from './support.mjs';

let e2e;
let operatorToken;
let moderatorToken;
let heldReview; // the review item of an article held for its terms
const NOTE = `请删除文中的推广链接 e2e-${Date.now()}`;

before(async () => {
  e2e = await E2E.start();
  operatorToken = await e2e.server.login(DEMO.operator, DEMO_PASSWORD);
  moderatorToken = await e2e.server.login(DEMO.moderator, DEMO_PASSWORD);
  // The demo operator publishes an article with `review` terms: it is held for the queue.
  const r = await e2e.server.request('POST', '/api/v1/accounts/1/articles', {
    token: operatorToken,
    body: {
      title: '警惕刷单骗局',
      summary: '刷单返利都是骗局',
      body: '最近有人以刷单为名诈骗。\n\n请大家注意，不要参与任何刷单或套现活动。',
    },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.article.status, 'held');
  heldReview = r.json.review_id;
  assert.ok(heldReview > 0);
});
after(async () => {
  await e2e?.stop();
});

// Chooses an option of an Element Plus select found by its label, opening it from the keyboard.
async function choose(page, label, option) {
  const select = page.getByLabel(label, { exact: true });
  await select.focus();
  await page.keyboard.press('ArrowDown');
  await page.getByRole('option', { name: option, exact: true }).click();
  await page.waitForFunction(
    ([el, text]) => document.getElementById(el)?.closest('.el-select')?.textContent?.includes(text),
    [await select.getAttribute('id'), option],
  );
}

test('the moderator works the queue: opens a held article, sees the marked terms, decides with a reason code', async () => {
  const page = await e2e.newPage();
  await e2e.login(page, DEMO.moderator);
  await page.locator('[data-test="nav-moderation"]').click();
  await page.waitForURL(/\/moderation$/);

  // The side menu offers the moderator's pages only.
  const menu = page.locator('[data-test="moderation-menu"]');
  await menu.locator('[data-test="menu-queue"]').waitFor();
  assert.equal(await menu.locator('[data-test="menu-sanctions"]').count(), 1);
  assert.equal(await menu.locator('[data-test="menu-audit"]').count(), 0, 'no audit log for a moderator');
  assert.equal(await menu.locator('[data-test="menu-users"]').count(), 1, 'users.read');
  assert.equal(await menu.locator('[data-test="menu-documents"]').count(), 0);

  // The queue: the demo items and the held article, with due times.
  const rows = page.locator('[data-test="review-open"]');
  await rows.first().waitFor();
  assert.ok((await rows.count()) >= 6, `the demo items are in the queue (${await rows.count()})`);
  const held = page.locator(`[data-test="review-open"][data-id="${heldReview}"]`);
  assert.equal(await held.innerText(), 'held: 警惕刷单骗局');
  assert.ok((await page.locator('[data-test="review-due"]').count()) >= 6);
  assert.match(await page.locator('[data-test="summary-content"]').innerText(), /内容 · 1/);
  // Filtering by kind narrows the list.
  await page.locator('[data-test="summary-content"]').click();
  await page.waitForFunction(
    () => document.querySelectorAll('[data-test="review-open"]').length === 1,
  );
  assert.equal(await rows.first().getAttribute('data-kind'), 'content');
  await e2e.screenshot(page, 'moderation-queue');
  assertNoPageErrors(assert, page);

  // The item: the submitted text with every matched term marked.
  await held.click();
  await page.waitForURL(new RegExp(`/moderation/reviews/${heldReview}$`));
  const text = page.locator('[data-test="review-text"]');
  await text.locator('mark').first().waitFor();
  const marks = await text.locator('[data-test="highlighted-text"] mark').allInnerTexts();
  assert.deepEqual(marks, ['刷单', '刷单', '刷单', '刷单', '套现']);
  assert.match(await text.innerText(), /最近有人以刷单为名诈骗/);
  assert.equal(await page.locator('[data-test="match-table"] tbody tr').count(), 5);

  // Claim it, then try to reject without a reason: the form says what is missing.
  await page.locator('[data-test="detail-claim"]').click();
  await page.locator('[data-test="detail-release"]').waitFor();
  await page.locator('[data-test="decision-reject"]').click();
  await page.locator('[data-test="decision-submit"]').click();
  await page.getByText('请选择理由代码').waitFor();
  await choose(page, '理由代码', '违法违规内容');
  await page.getByLabel('说明（将告知运营者）').fill('文章宣传刷单返利，不予发布。');
  await e2e.screenshot(page, 'moderation-item');
  await page.locator('[data-test="decision-submit"]').click();
  await page.locator('[data-test="review-status"]', { hasText: '已驳回' }).waitFor();
  assert.match(await page.locator('[data-test="review-decision"]').innerText(), /驳回 · 违法违规内容/);
  assert.equal(await page.locator('[data-test="decision-card"]').count(), 0, 'nothing left to decide');
  assertNoPageErrors(assert, page);

  // The API agrees.
  const r = await e2e.server.request('GET', `/api/v1/reviews/${heldReview}`, { token: moderatorToken });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.item.status, 'rejected');
  assert.equal(r.json.item.reason_code, 'illegal_content');
  assert.equal(r.json.item.note, '文章宣传刷单返利，不予发布。');
  assert.equal(r.json.item.decided_by, 'user:3');
  const article = await e2e.server.request('GET', `/api/v1/articles/${r.json.item.ref_id}`);
  assert.equal(article.status, 404, 'a rejected article stays hidden');
});

test('the moderator decides the demo appeal through the appeal decision', async () => {
  const page = await e2e.newPage();
  await e2e.login(page, DEMO.moderator);
  await page.goto('/moderation/appeals');
  const open = page.locator('[data-test="appeal-open"]').first();
  await open.waitFor();
  await open.click();
  await page.waitForURL(/\/moderation\/reviews\/\d+$/);
  await page.locator('[data-test="appeal-decision"]').waitFor();
  assert.match(await page.locator('[data-test="review-appeal"]').innerText(), /公益活动介绍/);
  // The generic decision is not offered for an appeal.
  assert.equal(await page.locator('[data-test="decision-form"]').count(), 0);
  await page.getByLabel('裁决理由（将告知申诉人）').fill('文章含商业推广内容，维持警示。');
  await page.locator('[data-test="appeal-submit"]').click();
  await page.locator('[data-test="review-status"]', { hasText: '已驳回' }).or(
    page.locator('[data-test="review-status"]', { hasText: '已通过' }),
  ).waitFor();
  assertNoPageErrors(assert, page);

  const r = await e2e.server.request('GET', '/api/v1/appeals/1', { token: moderatorToken });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.appeal.status, 'upheld');
  assert.equal(r.json.appeal.reason, '文章含商业推广内容，维持警示。');
  assert.equal(r.json.appeal.decided_by, 'user:3');
});

test('a sanction issued from the console reaches the operator', async () => {
  const page = await e2e.newPage();
  await e2e.login(page, DEMO.moderator);
  await page.goto('/moderation/sanctions');
  await page.locator('[data-test="sanction-id"]').first().waitFor();
  const before = await page.locator('[data-test="sanction-id"]').count();

  await page.getByRole('tab', { name: '新建处罚' }).click();
  await page.getByLabel('对象 ID').fill('2');
  await page.locator('[data-test="measure-stop_advertising"]').click();
  assert.match(await page.locator('[data-test="sanction-blocks"]').innerText(), /限制：\s*广告/);
  await choose(page, '处罚理由', '违规广告');
  await page.getByLabel('告知内容').fill(NOTE);
  await page.getByLabel('证据').fill('article:5');
  await page.locator('[data-test="period-days"]').click();
  await page.locator('[data-test="sanction-days"] input').fill('30');
  await e2e.screenshot(page, 'moderation-sanction-form');
  await page.locator('[data-test="sanction-submit"]').click();

  // Back on the list, newest first.
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-test="sanction-id"]').length === n + 1,
    before,
  );
  assert.equal(await page.locator('[data-test="sanction-measure"]').first().innerText(), '停止广告');
  await e2e.screenshot(page, 'moderation-sanctions');
  assertNoPageErrors(assert, page);

  // Through the API: the operator's sanctions name it.
  const mine = await e2e.server.request('GET', '/api/v1/me/sanctions', { token: operatorToken });
  assert.equal(mine.status, 200, mine.text);
  const s = mine.json.sanctions.find((x) => x.note === NOTE);
  assert.ok(s, 'the operator has the new sanction');
  assert.equal(s.measure, 'stop_advertising');
  assert.equal(s.reason_code, 'advertising_violation');
  assert.equal(s.account_id, 2);
  assert.equal(s.status, 'active');
  assert.equal(s.issued_by, 'user:3');
  assert.deepEqual(s.evidence, ['article:5']);
  assert.equal(s.permanent, false);

  // And in the operator's console.
  const op = await e2e.newPage();
  await e2e.login(op, DEMO.operator);
  await op.goto('/console/sanctions');
  const row = op.locator(`[data-test="sanction-row"][data-sanction-id="${s.id}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute('data-measure'), 'stop_advertising');
  assert.match(await row.innerText(), new RegExp(NOTE));
  assertNoPageErrors(assert, op);
});

test('the auditor reads the audit log with the chain verified and is offered no decision', async () => {
  const page = await e2e.newPage();
  await e2e.login(page, DEMO.auditor);
  await page.locator('[data-test="nav-moderation"]').click();
  // No review queue for the auditor: the console opens on the first page the auditor may read.
  await page.waitForURL(/\/moderation\/reports$/);
  const menu = page.locator('[data-test="moderation-menu"]');
  assert.equal(await menu.locator('[data-test="menu-queue"]').count(), 0);
  assert.equal(await menu.locator('[data-test="menu-audit"]').count(), 1);

  await menu.locator('[data-test="menu-audit"]').click();
  await page.waitForURL(/\/moderation\/audit$/);
  const ok = page.locator('[data-test="audit-chain-ok"]');
  await ok.waitFor();
  assert.match(await ok.innerText(), /哈希链完整：已校验 \d+ 条记录/);
  const actions = page.locator('[data-test="audit-action"]');
  await actions.first().waitFor();
  const seen = await actions.allInnerTexts();
  for (const a of ['review.decide', 'sanction.issue', 'appeal.decide']) {
    assert.ok(seen.includes(a), `the log shows ${a}`);
  }
  // Filter by action.
  await page.getByLabel('操作', { exact: true }).fill('sanction.*');
  await page.locator('[data-test="audit-search"]').click();
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-test="audit-action"]')].every((e) =>
      e.textContent.startsWith('sanction.'),
    ),
  );
  await e2e.screenshot(page, 'moderation-audit');
  assert.equal(await page.locator('button', { hasText: /提交决定|认领|解除/ }).count(), 0);

  // Sanctions: readable, nothing to issue or lift.
  await menu.locator('[data-test="menu-sanctions"]').click();
  await page.locator('[data-test="sanction-id"]').first().waitFor();
  assert.equal(await page.getByRole('tab', { name: '新建处罚' }).count(), 0);
  assert.equal(await page.locator('[data-test="sanction-lift"]').count(), 0);

  // A review item is not for the auditor.
  await page.goto(`/moderation/reviews/${heldReview}`);
  await page.waitForURL(/\/forbidden$/);
  assert.equal(await page.locator('[data-test="decision-submit"]').count(), 0);
  assertNoPageErrors(assert, page);
});

test('the moderator sees a held registration: the account name and bio the public API hides', async () => {
  const s = e2e.server;
  const queue = (await s.request('GET', '/api/v1/reviews?kind=registration_data', { token: moderatorToken })).json.items;
  let held = null;
  let account = null;
  for (const i of queue.filter((x) => x.account_id)) {
    const a = (await s.request('GET', `/api/v1/moderation/accounts/${i.account_id}`, { token: moderatorToken })).json.account;
    if (a.name === '先驱生活账本') [held, account] = [i, a];
  }
  assert.ok(held, JSON.stringify(queue));
  assert.equal((await s.request('GET', `/api/v1/accounts/${held.account_id}`)).status, 404);

  const page = await e2e.newPage();
  await e2e.login(page, DEMO.moderator);
  await page.goto(`/moderation/reviews/${held.id}`);
  const card = page.locator('[data-test="review-account"]');
  await card.waitFor();
  assert.equal(await card.locator('[data-test="held-account-name"]').innerText(), account.name);
  assert.match(await card.locator('[data-test="held-account-bio"]').innerText(), /贷款/);
  await e2e.screenshot(page, 'moderation-held-registration');
  assertNoPageErrors(assert, page);
});
