// Article bodies: Markdown rendered at publish to sanitised HTML (issue 5, "Articles and
// media"): GFM tables and the rest render; raw HTML, script and unsafe links do not survive;
// masks of `replace` terms stay masks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, skipReason, residentId, operator, accountBody, expectError, pngImage } from './support.mjs';

let s;
let phoneSeq = 0;
const nextPhone = () => `1350000${String(++phoneSeq).padStart(4, '0')}`;
let idSeq = 500;
const nextId = () => residentId('510104', '19960606', ++idSeq);

before(async () => {
  if (skipReason) return;
  s = await TestServer.start({ env: { HERALD_IDENTITY_OTP_RESEND_COOLDOWN_SECONDS: '0' } });
});
after(async () => s && (await s.cleanup()));

async function newAccount(name) {
  const phone = nextPhone();
  const op = await operator(s, phone, { id: nextId(), phone });
  const r = await s.request('POST', '/api/v1/accounts', { token: op.token, body: accountBody(op.subject.id, name) });
  assert.equal(r.status, 201, r.text);
  return { ...op, account: r.json.account };
}

function publish(who, body) {
  return s.request('POST', `/api/v1/accounts/${who.account.id}/articles`, { token: who.token, body });
}

// Every tag of `html` (text carries &lt;, so each '<' opens one): no script-capable element, no
// on* or style attribute, no href/src whose scheme (as a browser reads it) is unsafe.
function assertInert(html) {
  assert.doesNotMatch(html, /<\s*(script|iframe|object|embed|style|svg|math)/i);
  for (const tag of html.match(/<[^>]*>/g) ?? []) {
    assert.doesNotMatch(tag.replace(/"[^"]*"/g, '""'), /\s(on\w*|style)(\s|=|\/?>)/i, tag);
    for (const [, name, value] of tag.matchAll(/\s(href|src)="([^"]*)"/gi)) {
      const url = value
        .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
        .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
        .replace(/&amp;/g, '&')
        .replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '')
        .replace(/[\t\n\r]/g, '')
        .toLowerCase();
      assert.doesNotMatch(url, /^(javascript|vbscript|file|data):/, `${name}=${value}`);
    }
  }
}

const MARKDOWN = [
  '## 本周水果价格',
  '',
  '菜市场的**最新**行情，见[市场官网](https://example.cn/market "官网")。',
  '',
  '| 水果 | 价格 |',
  '|:---|---:|',
  '| 苹果 | 5 |',
  '| 梨 | ~~6~~ 4 |',
  '',
  '- [x] 已核对',
  '- [ ] 待更新',
  '',
  '<script>alert(document.cookie)</script>',
  '',
  '点这里 <img src=x onerror=alert(1)> 看看 [领奖](javascript:alert(1)) 或 [这里](&#106;avascript:alert(2))',
  '或 [那里](java&#x09;script:alert(3)) 和 <javascript:alert(4)>，',
  '![图](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+) <a href="https://evil.example" onclick="x()">链接</a>',
  '',
  '```js',
  'const a = "<b>";',
  '```',
].join('\n');

test('issue 5: a Markdown body is rendered to sanitised HTML at publish (tables, links, no script)', { skip: skipReason }, async () => {
  const a = await newAccount('水果价格周报');
  const r = await publish(a, { title: '本周水果价格', body: MARKDOWN });
  assert.equal(r.status, 201, r.text);
  const art = r.json.article;
  assert.equal(art.status, 'published', r.text);
  assert.equal(art.body, MARKDOWN, 'the Markdown is kept as written');
  const html = art.body_html;
  assert.equal(typeof html, 'string');

  // What the Markdown says is there.
  assert.match(html, /<h2>本周水果价格<\/h2>/);
  assert.match(html, /<strong>最新<\/strong>/);
  assert.match(html, /<a href="https:\/\/example\.cn\/market" title="官网">市场官网<\/a>/);
  assert.match(html, /<table>\n<thead>\n<tr>\n<th align="left">水果<\/th>\n<th align="right">价格<\/th>/);
  assert.match(html, /<td align="left">梨<\/td>\n<td align="right"><del>6<\/del> 4<\/td>/);
  assert.match(html, /<input type="checkbox" checked="" disabled="" \/> 已核对/);
  assert.match(html, /<pre><code class="language-js">const a = &quot;&lt;b&gt;&quot;;\n<\/code><\/pre>/);

  // What the attacks wanted is not.
  assertInert(html);
  assert.doesNotMatch(html, /cookie|alert\([123]\)|onerror|onclick|evil\.example|<img|<a href="java/, html);
  assert.match(html, /和 javascript:alert\(4\)，/, 'an unsafe autolink is left as inert text');
  assert.match(html, /领奖/, 'an unsafe link keeps its text');
  assert.match(html, /这里/);
  assert.match(html, /图/, 'an unsafe image keeps its alt text');

  // Readers get the same HTML from every public read.
  const got = await s.request('GET', `/api/v1/articles/${art.id}`);
  assert.equal(got.status, 200, got.text);
  assert.equal(got.json.article.body_html, html);
  assert.equal(got.json.article.body, undefined, 'readers get the HTML, not the Markdown source');
  const byUid = await s.request('GET', art.url);
  assert.equal(byUid.json.article.body_html, html);
  assert.equal(byUid.json.article.body, undefined);
  const mine = await s.request('GET', `/api/v1/me/accounts/${a.account.id}/articles`, { token: a.token });
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.json.articles[0].body, MARKDOWN, 'the operator keeps the Markdown for editing');
  const list = await s.request('GET', `/api/v1/accounts/${a.account.id}/articles`);
  assert.equal(list.json.items[0].id, art.id);
  assert.equal(list.json.items[0].body_html, undefined, 'lists carry no body');
});

test('issue 5: masks of replace terms stay literal asterisks in the HTML, never emphasis', { skip: skipReason }, async () => {
  const a = await newAccount('路况吐槽');
  const r = await publish(a, { title: '早高峰', body: '那个傻逼司机加塞，又一个傻逼司机跟着加塞。\n\n*我的* 看法' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.article.body, '那个**司机加塞，又一个**司机跟着加塞。\n\n*我的* 看法');
  assert.equal(r.json.article.body_html, '<p>那个**司机加塞，又一个**司机跟着加塞。</p>\n<p><em>我的</em> 看法</p>\n');
});

test('issue 5: raw HTML, script and unsafe URLs are dropped whatever the trick', { skip: skipReason }, async () => {
  const a = await newAccount('安全测试号');
  const attacks = [
    '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<svg/onload=alert(1)>',
    '[x](JaVaScRiPt:alert(1))',
    '[x](javascript&colon;alert(1))',
    '[x](&#x20;javascript:alert(1))',
    '[x](<java script:alert(1)>)',
    '[x](vbscript:msgbox(1))',
    '[x](file:///etc/passwd)',
    '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '[x][r]\n\n[r]: javascript:alert(1)',
    '![x](https://example.cn/a.png "\\" onerror=\\"alert(1)")',
    '```" onmouseover="alert(1)\ncode\n```',
  ];
  for (const [i, body] of attacks.entries()) {
    const r = await publish(a, { title: `测试 ${i}`, body });
    assert.equal(r.status, 201, r.text);
    assertInert(r.json.article.body_html);
  }
});

test('issue 5: an article carries a cover image (shown as cover_url) and normalised tags', { skip: skipReason }, async () => {
  const a = await newAccount('封面标签周报');
  const up = await s.request('POST', '/api/v1/media', { token: a.token, raw: pngImage(40, 30, 9), headers: { 'content-type': 'image/png' } });
  assert.equal(up.status, 201, up.text);
  const cover = up.json.media.id;
  expectError(assert, await publish(a, { title: '无图', body: '正文', cover_media_id: 'a'.repeat(64) }), 404, 'media_not_found', 'cover_media_id');
  expectError(assert, await publish(a, { title: '坏图', body: '正文', cover_media_id: 'not-a-media-id' }), 400, 'invalid_cover_media_id', 'cover_media_id');
  expectError(assert, await publish(a, { title: '坏标签', body: '正文', tags: 'rust' }), 400, 'invalid_type', 'tags');
  const r = await publish(a, { title: '有封面', body: '正文', cover_media_id: cover, tags: [' #Weekly ', '周报', 'weekly'] });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.article.cover_url, `/api/v1/media/${cover}`);
  assert.deepEqual(r.json.article.tags, ['weekly', '周报']);
  const pub = await s.request('GET', `/api/v1/articles/${r.json.article.id}`);
  assert.equal(pub.json.article.cover_url, `/api/v1/media/${cover}`);
  assert.deepEqual(pub.json.article.tags, ['weekly', '周报']);
  assert.equal(pub.json.article.version, 1);
  const img = await s.request('GET', pub.json.article.cover_url);
  assert.equal(img.status, 200);
  assert.equal(img.headers.get('content-type'), 'image/png');
  // An edit replaces the cover (null removes it) and keeps the tags unless given.
  const e = await s.request('PUT', `/api/v1/articles/${r.json.article.id}`, { token: a.token, body: { cover_media_id: null } });
  assert.equal(e.status, 200, e.text);
  assert.equal(e.json.article.cover_url, null);
  assert.deepEqual(e.json.article.tags, ['weekly', '周报']);
});
