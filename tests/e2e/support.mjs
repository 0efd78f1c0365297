// End-to-end test support: the real `herald` binary with the demo data set and the built web front
// end (web/dist, served by `herald serve --web`), driven by playwright-core in Debian's chromium
// (headless). Every page opened through newPage() records Content-Security-Policy violations,
// uncaught page errors and console errors; assertNoPageErrors() fails a test on any of them.
// Screenshots go to tests/e2e/screenshots/ (not committed).
import { chromium } from 'playwright-core';
import { mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { TestServer, ROOT, readOtp, residentId, creditCode } from '../api/support.mjs';

export { readOtp, residentId, creditCode };
export const WEB_DIST = process.env.HERALD_WEB_DIST || path.join(ROOT, 'web/dist');
export const CHROMIUM = process.env.HERALD_CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'tests/e2e/screenshots');
export const DEMO_PASSWORD = 'herald-demo-2026';
export const DEMO = {
  admin: '13800000001',
  cso: '13800000002',
  moderator: '13800000003',
  auditor: '13800000004',
  operator: '13800000005',
  reader: '13800000006',
};

// A server with the demo data loaded and the web front end, plus a browser.
export class E2E {
  static async start() {
    if (!existsSync(path.join(WEB_DIST, 'index.html'))) {
      throw new Error(`${WEB_DIST}/index.html missing: build the web front end (cd web && npm run build)`);
    }
    const e = new E2E();
    e.server = await TestServer.start({ extraArgs: ['--web', WEB_DIST] });
    await e.server.stop();
    const demo = e.server.cli(['demo']);
    if (demo.status !== 0) throw new Error(`herald demo failed: ${demo.stderr}`);
    await e.server.spawn();
    e.base = e.server.base;
    e.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--headless', '--disable-gpu'],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
    return e;
  }

  // A fresh browser context (own localStorage: a different user) and page.
  async newPage({ locale = 'zh-CN' } = {}) {
    const context = await this.browser.newContext({
      baseURL: this.base,
      locale,
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    page.problems = [];
    page.on('pageerror', (err) => page.problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      // A failed API call shows up as a console error of the resource; tests assert on the UI.
      if (/Failed to load resource/.test(text)) return;
      page.problems.push(`console: ${text}`);
    });
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (ev) => {
        console.error(`CSP violation: ${ev.violatedDirective} ${ev.blockedURI}`);
      });
    });
    return page;
  }

  // Signs in through the login page.
  async login(page, phone, password = DEMO_PASSWORD) {
    await page.goto('/login');
    await page.getByLabel(/手机号|Phone/).fill(phone);
    await page.getByLabel(/密码|Password/).fill(password);
    await page.getByRole('button', { name: /登录|Log in/ }).click();
    await page.waitForSelector('[data-test="current-user"]');
  }

  async screenshot(page, name) {
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  async stop() {
    await this.browser?.close();
    await this.server?.cleanup();
  }
}

export function assertNoPageErrors(assert, page) {
  assert.deepEqual(page.problems, [], `the page reported problems:\n${page.problems.join('\n')}`);
}
