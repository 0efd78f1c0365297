// Rumours and false information (PA-13.2; docs/rumours.md): the verdict with its debunk and
// source, the label on the article, its near-copies and forwards, readers and forwarders
// notified once, tracing to the earliest source, the producer's warning and a repeat producer's
// blacklist, the early warning of fast-spreading articles, and the public debunk list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, expectError, skipReason, residentId, operator, accountBody } from './support.mjs';

const ENV = {
  HERALD_IDENTITY_OTP_RESEND_COOLDOWN_SECONDS: '0',
  HERALD_RUMOURS_WARNING_MIN_FORWARDS: '3',
};

let s, mod, cso;
let phoneSeq = 0;
const nextPhone = () => `1360000${String(++phoneSeq).padStart(4, '0')}`;
let idSeq = 700;
const nextId = () => residentId('440106', '19880511', ++idSeq);

before(async () => {
  if (skipReason) return;
  s = await TestServer.start({ env: ENV });
  mod = await s.userWithRole('13600009998', 'moderator');
  cso = await s.userWithRole('13600009996', 'content_security_officer');
});
after(async () => s && (await s.cleanup()));

const RUMOUR = '紧急扩散：据说本市自来水明天起全部停水三天，所有超市的矿泉水都会涨价五倍，请大家今晚之前赶紧囤水囤粮，转发给身边的亲朋好友，晚了就来不及了，这是内部人士透露的可靠消息。';

async function newAccount(name, category) {
  const phone = nextPhone();
  const op = await operator(s, phone, { id: nextId(), phone });
  const extra = category ? { category } : {};
  const r = await s.request('POST', '/api/v1/accounts', { token: op.token, body: accountBody(op.subject.id, name, extra) });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.account.status, 'active', r.text);
  return { ...op, account: r.json.account };
}

async function newReader() {
  const phone = nextPhone();
  const user = await s.register(phone);
  return { user, token: await s.login(phone) };
}

async function publish(who, title, body = RUMOUR) {
  const r = await s.request('POST', `/api/v1/accounts/${who.account.id}/articles`, { token: who.token, body: { title, body } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.article.status, 'published', r.text);
  return r.json.article;
}

const read = (id, who) => s.request('POST', `/api/v1/articles/${id}/read`, { token: who.token });
async function forward(id, who, from) {
  const r = await s.request('POST', `/api/v1/articles/${id}/forwards`, { token: who.token, body: from ? { from_forward_id: from } : {} });
  assert.equal(r.status, 201, r.text);
  return r.json.forward;
}

const verdict = (extra) => ({
  debunk: '经核实，本市供水正常，没有任何停水计划，矿泉水价格平稳。',
  source_name: '市水务局',
  source_url: 'https://water.example.gov.cn/notice/2026-1',
  ...extra,
});

async function mark(body, token = mod) {
  const r = await s.request('POST', '/api/v1/rumours', { token, body });
  assert.equal(r.status, 201, r.text);
  return r.json.rumour;
}

async function debunks(who) {
  const r = await s.request('GET', '/api/v1/me/notifications?limit=100', { token: who.token });
  assert.equal(r.status, 200, r.text);
  return r.json.items.filter((n) => n.kind === 'rumour_debunk');
}

function runJobs(at = new Date(Date.now() + 60e3).toISOString()) {
  const r = s.cli(['jobs', 'run', '--at', at], { env: ENV });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('PA-13.2: a verdict labels the article, its near-copy and its forwards; the debunk list is public', { skip: skipReason }, async () => {
  const a = await newAccount('城市传闻速递');
  const b = await newAccount('转载一下');
  const c = await newAccount('安静科技');
  const first = await publish(a, '停水通知');
  const copy = await publish(b, '转：停水通知', RUMOUR.replace('，', '。').replace('紧急扩散：', '扩散！'));
  const other = await publish(c, '新手机评测', '这款手机的电池续航表现不错，拍照也很清晰，值得推荐给大家。');
  const fan = await newReader();
  const fwd = await forward(copy.id, fan);

  // Before the verdict: no label.
  let got = await s.request('GET', `/api/v1/articles/${first.id}`);
  assert.equal(got.status, 200, got.text);
  assert.equal(got.json.rumour_label, null);

  // Only moderators and the content security officer give verdicts.
  expectError(assert, await s.request('POST', '/api/v1/rumours', { body: verdict({ article_id: first.id }) }), 401, 'unauthenticated');
  expectError(assert, await s.request('POST', '/api/v1/rumours', { token: a.token, body: verdict({ article_id: first.id }) }), 403, 'permission_denied');
  // Bad input is refused with the field, and nothing is written.
  expectError(assert, await s.request('POST', '/api/v1/rumours', { token: mod, body: verdict({}) }), 400, 'invalid_target', 'article_id');
  expectError(assert, await s.request('POST', '/api/v1/rumours', { token: mod, body: verdict({ article_id: first.id, source_url: 'ftp://x.cn/1' }) }), 400, 'invalid_source_url', 'source_url');
  expectError(assert, await s.request('POST', '/api/v1/rumours', { token: mod, body: verdict({ article_id: first.id, debunk: '' }) }), 400, 'invalid_debunk', 'debunk');
  expectError(assert, await s.request('POST', '/api/v1/rumours', { token: mod, body: verdict({ article_id: first.id, source_name: '' }) }), 400, 'invalid_source_name', 'source_name');
  expectError(assert, await s.request('POST', '/api/v1/rumours', { token: mod, body: verdict({ article_id: 999999 }) }), 404, 'article_not_found');
  expectError(assert, await s.request('POST', '/api/v1/rumours', { token: mod, body: verdict({ article_id: first.id, remove: 'yes' }) }), 400, 'invalid_type', 'remove');
  assert.equal((await s.request('GET', `/api/v1/articles/${first.id}`)).json.rumour_label, null);

  const rumour = await mark(verdict({ article_id: first.id }), cso);
  assert.deepEqual(rumour.article_ids, [first.id, copy.id].sort((x, y) => x - y));
  assert.equal(rumour.source.url, 'https://water.example.gov.cn/notice/2026-1');
  assert.equal(rumour.removed, false);

  for (const [id, via] of [[first.id, 'verdict'], [copy.id, 'near_copy']]) {
    got = await s.request('GET', `/api/v1/articles/${id}`);
    assert.equal(got.status, 200, got.text);
    const label = got.json.rumour_label;
    assert.ok(label, got.text);
    assert.equal(label.rumour_id, rumour.id);
    assert.equal(label.via, via);
    assert.equal(label.debunk, rumour.debunk);
    assert.deepEqual(label.source, { name: '市水务局', url: 'https://water.example.gov.cn/notice/2026-1' });
    assert.ok(label.marked_at);
    const own = await s.request('GET', `/api/v1/articles/${id}/rumour`);
    assert.equal(own.status, 200, own.text);
    assert.equal(own.json.rumour_label.rumour_id, rumour.id);
  }
  // The forward shows its article's label.
  const f = await s.request('GET', `/api/v1/forwards/${fwd.id}`);
  assert.equal(f.status, 200, f.text);
  assert.equal(f.json.rumour_label.rumour_id, rumour.id);
  // An unrelated article carries none.
  assert.equal((await s.request('GET', `/api/v1/articles/${other.id}`)).json.rumour_label, null);
  expectError(assert, await s.request('GET', `/api/v1/articles/${other.id}/rumour`), 404, 'rumour_not_found');
  // Marked once only.
  expectError(assert, await s.request('POST', '/api/v1/rumours', { token: mod, body: verdict({ article_id: copy.id }) }), 409, 'already_debunked');

  // The public debunk page: newest first, without the moderators' fields.
  const list = await s.request('GET', '/api/v1/rumours');
  assert.equal(list.status, 200, list.text);
  const shown = list.json.rumours.find((x) => x.id === rumour.id);
  assert.ok(shown, list.text);
  assert.equal(shown.debunk, rumour.debunk);
  assert.equal(shown.producer_account_id, undefined);
  const one = await s.request('GET', `/api/v1/rumours/${rumour.id}`);
  assert.equal(one.status, 200, one.text);
  assert.deepEqual(one.json.rumour.article_ids, rumour.article_ids);
  expectError(assert, await s.request('GET', '/api/v1/rumours/999999'), 404, 'rumour_not_found');

  // Audited with the labelled articles.
  const audit = await s.request('GET', '/api/v1/audit?action=rumour.mark', { token: cso });
  assert.equal(audit.status, 200, audit.text);
  const entry = audit.json.entries.find((e) => e.subject === `rumour:${rumour.id}`);
  assert.ok(entry, audit.text);
  assert.deepEqual(entry.details.article_ids, rumour.article_ids);
});

test('PA-13.2: with remove the labelled articles are taken down and kept', { skip: skipReason }, async () => {
  const a = await newAccount('夜间快讯');
  const art = await publish(a, '银行停兑', '最新通知：本周六起本市所有银行暂停取款业务十天，储户的存款将被冻结，赶紧把钱取出来，这是银行朋友私下透露的，请尽快转发给家人朋友。');
  const r = await mark(verdict({ article_id: art.id, remove: true, debunk: '经核实，各银行营业正常，不存在暂停取款的情况。', source_name: '人民银行分行', source_url: 'http://bank.example.gov.cn/a' }));
  assert.equal(r.removed, true);
  assert.equal(r.removed_count, 1);
  expectError(assert, await s.request('GET', `/api/v1/articles/${art.id}`), 404, 'article_not_found');
  const kept = await s.request('GET', `/api/v1/me/accounts/${a.account.id}/articles`, { token: a.token });
  assert.equal(kept.json.articles[0].status, 'removed');
  assert.equal(kept.json.articles[0].status_reason, 'rumour');
  // The label stays findable.
  assert.equal((await s.request('GET', `/api/v1/articles/${art.id}/rumour`)).json.rumour_label.rumour_id, r.id);
});

test('PA-13.2: every signed-in reader and forwarder of a labelled article is notified exactly once', { skip: skipReason }, async () => {
  const a = await newAccount('地铁消息通');
  const b = await newAccount('地铁消息转');
  const text = '重大消息：明天全市地铁停运一周，公交也全部停开，所有学校和单位放假，消息来自内部文件，请大家提前做好准备，互相转告，千万不要等到最后一刻才知道。';
  const first = await publish(a, '地铁停运', text);
  const copy = await publish(b, '转：地铁停运', text + '！！');
  const alice = await newReader();
  const bob = await newReader();
  const carol = await newReader();
  const dave = await newReader();
  const erin = await newReader();
  assert.equal((await read(first.id, alice)).status, 200);
  assert.equal((await read(copy.id, alice)).status, 200); // both copies: still one notice
  await forward(first.id, bob);
  assert.equal((await read(copy.id, carol)).status, 200);
  assert.equal((await s.request('POST', `/api/v1/articles/${first.id}/read`)).status, 200); // anonymous

  const r = await mark(verdict({ article_id: first.id, debunk: '经核实，地铁运营正常，没有停运计划。', source_name: '市交通委', source_url: 'https://jtw.example.gov.cn/n/9' }));
  assert.equal(r.notified_count, 3);
  for (const who of [alice, bob, carol]) {
    const got = await debunks(who);
    assert.equal(got.length, 1, JSON.stringify(got));
    assert.equal(got[0].ref, `rumour:${r.id}`);
    assert.match(got[0].body, /地铁运营正常/);
    assert.equal(got[0].link, `/api/v1/rumours/${r.id}`);
  }
  assert.deepEqual(await debunks(dave), []);

  // A later reader is notified at once; reading again, or the job, adds nothing.
  assert.equal((await read(first.id, dave)).status, 200);
  assert.equal((await read(first.id, alice)).status, 200);
  assert.equal((await debunks(dave)).length, 1);
  // A later forwarder is caught up by the job, once.
  await forward(copy.id, erin);
  assert.deepEqual(await debunks(erin), []);
  const jobs = runJobs();
  assert.ok(jobs.rumours.notified >= 1, JSON.stringify(jobs));
  assert.equal((await debunks(erin)).length, 1);
  runJobs();
  for (const who of [alice, bob, carol, dave, erin]) assert.equal((await debunks(who)).length, 1);
  assert.equal((await s.request('GET', `/api/v1/rumours/${r.id}`)).json.rumour.notified_count, 5);
});

test('PA-13.2: the trace names the earliest source and the forward chains', { skip: skipReason }, async () => {
  const origin = await newAccount('谣言源头号');
  const relay = await newAccount('搬运工小号');
  const text = '内部爆料：下个月起全国高速公路全部收费翻倍，私家车一律限行单双号，有车的朋友赶紧转发，政府还没有正式公布，晚了就来不及了。';
  const first = await publish(origin, '高速收费', text);
  const later = await publish(relay, '高速收费（转）', text + '速看');
  const u1 = await newReader();
  const u2 = await newReader();
  const u3 = await newReader();
  const root = await forward(first.id, u1);
  const hop = await forward(first.id, u2, root.id);
  await forward(later.id, u3);
  // The verdict names the later copy; the trace finds the earlier original.
  const r = await mark(verdict({ article_id: later.id, debunk: '经核实，高速公路收费标准没有调整。', source_name: '交通运输部门', source_url: 'https://mot.example.gov.cn/x' }));
  expectError(assert, await s.request('GET', `/api/v1/rumours/${r.id}/trace`, { token: origin.token }), 403, 'permission_denied');
  const t = await s.request('GET', `/api/v1/rumours/${r.id}/trace`, { token: mod });
  assert.equal(t.status, 200, t.text);
  const trace = t.json.trace;
  assert.deepEqual(trace.articles.map((x) => x.article_id), [first.id, later.id]);
  assert.equal(trace.earliest_source.article.article_id, first.id);
  assert.equal(trace.earliest_source.article.account_id, origin.account.id);
  assert.equal(trace.earliest_source.producer_account_id, origin.account.id);
  assert.equal(trace.earliest_source.forward.id, root.id);
  const h = trace.forwards.find((x) => x.id === hop.id);
  assert.equal(h.from_forward_id, root.id);
  assert.equal(h.from_user_id, u1.user.id);
  assert.equal(trace.forwards.length, 3);
  expectError(assert, await s.request('GET', '/api/v1/rumours/999999/trace', { token: mod }), 404, 'rumour_not_found');
});

test('PA-13.2: the producer gets a rumour warning; a repeat producer is blacklisted', { skip: skipReason }, async () => {
  const p = await newAccount('屡教不改号');
  const texts = [
    '独家消息：本市明天开始全面封城，所有小区只进不出，超市全部关门，赶紧去抢购物资，这是街道办工作人员亲口说的，千万别告诉别人。',
    '惊天内幕：某品牌奶粉被检测出含有致癌物质，已经有上百名婴儿住院，厂家正在秘密召回，家里有这个奶粉的赶紧扔掉，转给所有宝妈。',
    '紧急提醒：今晚十二点起手机号码实名制重新登记，没有登记的号码明天全部停机，请马上到营业厅排队办理，否则号码将被永久回收。',
  ];
  // Published first: each warning costs credit, and low credit limits publishing (PA-13.1).
  const arts = [];
  for (let i = 0; i < texts.length; i++) arts.push(await publish(p, `消息${i + 1}`, texts[i]));
  const rumours = [];
  for (const art of arts) rumours.push(await mark(verdict({ article_id: art.id })));
  // A warning with reason code `rumour` on the producing account each time.
  const onAccount = await s.request('GET', `/api/v1/sanctions?target_type=account&target_id=${p.account.id}`, { token: mod });
  assert.equal(onAccount.status, 200, onAccount.text);
  const warnings = onAccount.json.sanctions.filter((x) => x.measure === 'warning' && x.reason_code === 'rumour');
  assert.equal(warnings.length, 3, onAccount.text);
  assert.ok(warnings.every((w) => w.account_id === p.account.id && w.subject_id === p.subject.id), onAccount.text);
  // The producer sees them.
  const mine = await s.request('GET', '/api/v1/me/sanctions', { token: p.token });
  assert.equal(mine.status, 200, mine.text);
  // The third upheld verdict within a year blacklists the subject, not before.
  assert.equal(rumours[0].blacklist_sanction_id, null);
  assert.equal(rumours[1].blacklist_sanction_id, null);
  assert.ok(rumours[2].blacklist_sanction_id, JSON.stringify(rumours[2]));
  const onSubject = await s.request('GET', `/api/v1/sanctions?target_type=subject&target_id=${p.subject.id}`, { token: mod });
  const bl = onSubject.json.sanctions.filter((x) => x.measure === 'blacklist');
  assert.equal(bl.length, 1, onSubject.text);
  assert.equal(bl[0].reason_code, 'rumour');
  assert.deepEqual(bl[0].evidence, rumours.map((r) => `rumour:${r.id}`));
  // Blacklisted: the producer can no longer publish.
  const refused = await s.request('POST', `/api/v1/accounts/${p.account.id}/articles`, { token: p.token, body: { title: '又来了', body: '新的内容' } });
  expectError(assert, refused, 409, 'sanctioned');
});

test('PA-13.2: early warning queues a fast-spreading article in a rumour-prone category for review, once', { skip: skipReason }, async () => {
  const food = await newAccount('养生美食说', 'food');
  const calm = await newAccount('数码评测室', 'technology');
  const hot = await publish(food, '大蒜防百病', '听说每天吃三瓣生大蒜就能预防所有流感病毒，医生都不会告诉你，赶紧转发给家里老人。');
  const tech = await publish(calm, '新品发布', '某品牌今天发布了新款笔记本电脑，续航二十小时，售价五千元。');
  for (let i = 0; i < 3; i++) {
    const r = await newReader();
    await forward(hot.id, r);
    await forward(tech.id, r);
  }
  const jobs = runJobs();
  assert.equal(jobs.rumours.warnings_queued, 1, JSON.stringify(jobs));
  const queue = await s.request('GET', '/api/v1/reviews?kind=rumour_warning', { token: mod });
  assert.equal(queue.status, 200, queue.text);
  const items = queue.json.items.filter((x) => x.ref_id === hot.id);
  assert.equal(items.length, 1, queue.text);
  assert.equal(items[0].detail.forwards_last_hour, 3);
  assert.equal(items[0].detail.rumour_prone_category, true);
  assert.equal(items[0].detail.forwards_threshold, 3);
  assert.equal(queue.json.items.filter((x) => x.ref_id === tech.id).length, 0);
  // At most one open item per article.
  assert.equal(runJobs().rumours.warnings_queued, 0);
  assert.equal((await s.request('GET', '/api/v1/reviews?kind=rumour_warning', { token: mod })).json.items.filter((x) => x.ref_id === hot.id).length, 1);
  // Hours later the burst is over.
  assert.equal(runJobs(new Date(Date.now() + 3 * 3600e3).toISOString()).rumours.warnings_queued, 0);
});

test('PA-13.2: a near-duplicate cluster is debunked at once, and a later copy gets the label from the job', { skip: skipReason }, async () => {
  const spam = '震惊！喝醋泡黑豆三天就能根治高血压糖尿病，医院都不想让你知道的秘方，今天免费公开，赶快转发给家人朋友吧，晚了就删了！';
  const accs = [];
  for (let i = 0; i < 5; i++) accs.push(await newAccount(`健康秘方${i + 1}`));
  let cluster = null;
  const ids = [];
  for (let i = 0; i < 5; i++) {
    const r = await s.request('POST', `/api/v1/accounts/${accs[i].account.id}/articles`, { token: accs[i].token, body: { title: `秘方${i}`, body: spam + '！'.repeat(i) } });
    assert.equal(r.status, 201, r.text);
    ids.push(r.json.article.id);
    if (r.json.provenance.cluster_id) cluster = r.json.provenance.cluster_id;
  }
  assert.ok(cluster, 'a cluster was raised');
  const r = await mark(verdict({ cluster_id: cluster, debunk: '经核实，醋泡黑豆不能治疗高血压和糖尿病，请遵医嘱。', source_name: '市卫健委', source_url: 'https://wjw.example.gov.cn/rumour/3' }));
  assert.equal(r.cluster_id, cluster);
  for (const id of ids) assert.ok(r.article_ids.includes(id), JSON.stringify(r));
  for (const id of ids) assert.equal((await s.request('GET', `/api/v1/articles/${id}`)).json.rumour_label.rumour_id, r.id);

  const late = await newAccount('后来者');
  const copy = await publish(late, '秘方再现', spam + '。');
  assert.equal((await s.request('GET', `/api/v1/articles/${copy.id}`)).json.rumour_label, null);
  const jobs = runJobs();
  assert.ok(jobs.rumours.labels_added >= 1, JSON.stringify(jobs));
  const label = (await s.request('GET', `/api/v1/articles/${copy.id}`)).json.rumour_label;
  assert.equal(label.rumour_id, r.id);
  assert.equal(label.via, 'later_copy');
});
