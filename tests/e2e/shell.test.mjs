// End-to-end test of what every page shares (issue 7): the strict Content-Security-Policy on
// the document, forms usable by keyboard alone with a label on every input, the language switch
// (Simplified Chinese first, English second), the sign-in guard and the permission guard of the
// consoles, the not-found page, and the unread badge of the inbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { E2E, assertNoPageErrors, DEMO, DEMO_PASSWORD } from './support.mjs';

let e2e;
before(async () => {
  e2e = await E2E.start();
});
after(async () => {
  await e2e?.stop();
});

// Inputs, selects and text areas on the page that a screen reader could not name.
async function unlabelled(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('input, textarea, select')]
      .filter((el) => el.type !== 'hidden' && el.offsetParent !== null)
      .filter((el) => {
        const labelled = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label');
        const byId = el.getAttribute('aria-labelledby');
        return !labelled && !(byId && document.getElementById(byId.split(' ')[0]));
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

test('the document carries the strict CSP and the app runs under it', async () => {
  const page = await e2e.newPage();
  const res = await page.goto('/');
  const csp = res.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self';/);
  assert.match(csp, /style-src 'self';/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  await page.locator('[data-test="article-card"]').first().waitFor();
  assertNoPageErrors(assert, page);  // a CSP violation would be reported here
});

test('forms work by keyboard alone and every input has a label', async () => {
  const page = await e2e.newPage();
  for (const path of ['/login', '/register']) {
    await page.goto(path);
    await page.locator('form input').first().waitFor();
    assert.deepEqual(await unlabelled(page), [], `inputs without a label on ${path}`);
  }
  await page.goto('/login');
  await page.getByLabel('手机号').focus();
  await page.keyboard.type(DEMO.reader);
  await page.keyboard.press('Tab');
  assert.equal(
    await page.evaluate(() => document.activeElement?.getAttribute('type')),
    'password',
    'Tab moves from the phone number to the password',
  );
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-test="current-user"]');
  await page.goto('/verify');
  await page.locator('form input').first().waitFor();
  assert.deepEqual(await unlabelled(page), [], 'inputs without a label on /verify');
  assertNoPageErrors(assert, page);
});

test('the language switch turns the site to English and back, and is remembered', async () => {
  const page = await e2e.newPage();
  await page.goto('/');
  const nav = page.locator('header nav');
  assert.match(await nav.innerText(), /首页/);
  await page.locator('[data-test="locale"]').click();
  await page.waitForFunction(() => document.querySelector('header nav')?.textContent?.includes('Home'));
  await page.reload();
  assert.match(await page.locator('header nav').innerText(), /Home/);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await e2e.screenshot(page, 'shell-english-home');
  await page.locator('[data-test="locale"]').click();
  await page.waitForFunction(() => document.querySelector('header nav')?.textContent?.includes('首页'));
  assertNoPageErrors(assert, page);
});

test('consoles need sign-in and the right permissions; unknown pages say so', async () => {
  const page = await e2e.newPage();
  await page.goto('/console');
  await page.waitForURL(/\/login\?redirect=(%2F|\/)console$/);
  await page.goto('/no/such/page');
  await page.getByText('页面不存在').waitFor();

  await e2e.login(page, DEMO.reader);
  assert.equal(await page.locator('[data-test="nav-moderation"]').count(), 0, 'no moderation link for a reader');
  await page.goto('/moderation');
  await page.waitForURL(/\/forbidden/);
  await page.getByText('您没有权限访问此页面').waitFor();
  // The API refuses the same, whatever the page shows.
  const token = await e2e.server.login(DEMO.reader, DEMO_PASSWORD);
  assert.equal((await e2e.server.request('GET', '/api/v1/reviews', { token })).status, 403);

  // The inbox badge shows the API's unread count.
  const inbox = await e2e.server.request('GET', '/api/v1/me/notifications', { token });
  await page.goto('/');
  const badge = page.locator('[data-test="unread-badge"] sup');
  if (inbox.json.unread_count > 0) {
    await badge.waitFor();
    assert.equal(await badge.innerText(), String(Math.min(inbox.json.unread_count, 99)));
  } else {
    assert.equal(await badge.isVisible(), false);
  }
  assertNoPageErrors(assert, page);
});
