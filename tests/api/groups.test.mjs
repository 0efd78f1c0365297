// Chat groups, first part (issue 4's group obligations): screening of group names,
// descriptions and messages (GR-10) and the group side of the sanction model (GR-11.1-11.3).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, expectError, skipReason, residentId, operator } from './support.mjs';

let s, mod;
let phoneSeq = 0;
const nextPhone = () => `1330000${String(++phoneSeq).padStart(4, '0')}`;
let idSeq = 400;
const nextId = () => residentId('330106', '19910101', ++idSeq);

before(async () => {
  if (skipReason) return;
  s = await TestServer.start({ env: { HERALD_IDENTITY_OTP_RESEND_COOLDOWN_SECONDS: '0' } });
  mod = await s.userWithRole('13300009998', 'moderator');
});
after(async () => s && (await s.cleanup()));

async function person() {
  const phone = nextPhone();
  const op = await operator(s, phone, { id: nextId(), phone });
  const me = await s.request('GET', '/api/v1/me', { token: op.token });
  return { ...op, id: me.json.id };
}

async function group(owner, name, description = '') {
  const r = await s.request('POST', '/api/v1/groups', { token: owner.token, body: { name, description } });
  assert.equal(r.status, 201, r.text);
  return r.json.group;
}

const post = (who, g, text) => s.request('POST', `/api/v1/groups/${g.id}/messages`, { token: who.token, body: { text } });
const sanction = (body) => s.request('POST', '/api/v1/sanctions', { token: mod, body });

test('GR-10, GR-6: group names, descriptions and messages are screened; only verified people create and join', { skip: skipReason }, async () => {
  const phone = nextPhone();
  await s.register(phone);
  const anon = await s.login(phone);
  expectError(assert, await s.request('POST', '/api/v1/groups', { token: anon, body: { name: '读书会' } }), 403, 'subject_required');

  const owner = await person();
  expectError(assert, await s.request('POST', '/api/v1/groups', { token: owner.token, body: { name: '网上賭·博交流群' } }), 400, 'illegal_content', 'name');
  expectError(assert, await s.request('POST', '/api/v1/groups', { token: owner.token, body: { name: '好友群', description: '代开发票 请私聊' } }), 400, 'illegal_content', 'description');
  const held = await group(owner, '小额贷款互助群');
  assert.equal(held.status, 'pending_review');
  const item = (await s.request('GET', '/api/v1/reviews?kind=group', { token: mod })).json.items.find((i) => i.ref_id === held.id);
  assert.ok(item);
  assert.equal((await s.request('POST', `/api/v1/reviews/${item.id}/decision`, { token: mod, body: { decision: 'reject', reason_code: 'illegal_content' } })).status, 200);
  assert.equal((await s.request('GET', `/api/v1/groups/${held.id}`, { token: owner.token })).json.group.status, 'rejected');

  const g = await group(owner, '周末登山队', '每周六早上集合');
  assert.equal(g.status, 'active');
  const member = await person();
  expectError(assert, await post(member, g, '大家好'), 403, 'not_group_member');
  assert.equal((await s.request('POST', `/api/v1/groups/${g.id}/join`, { token: member.token })).status, 200);
  expectError(assert, await s.request('POST', `/api/v1/groups/${g.id}/join`, { token: member.token }), 409, 'already_member');
  assert.equal((await post(member, g, '大家好，我是新来的')).status, 201);
  expectError(assert, await post(member, g, '出售冰 毒'), 400, 'illegal_content', 'text');
  const h = await post(member, g, '有人知道哪里能买到手枪吗');
  assert.equal(h.json.message.status, 'held');
  let seen = (await s.request('GET', `/api/v1/groups/${g.id}/messages`, { token: owner.token })).json.messages;
  assert.ok(!seen.some((m) => m.id === h.json.message.id), 'held messages are not shown to others');
  const mi = (await s.request('GET', '/api/v1/reviews?kind=group_message', { token: mod })).json.items.find((i) => i.ref_id === h.json.message.id);
  assert.equal((await s.request('POST', `/api/v1/reviews/${mi.id}/decision`, { token: mod, body: { decision: 'reject', reason_code: 'illegal_content' } })).status, 200);
  seen = (await s.request('GET', `/api/v1/groups/${g.id}/messages`, { token: member.token })).json.messages;
  assert.ok(!seen.some((m) => m.id === h.json.message.id), 'a rejected message is gone');
  const masked = await post(member, g, '这个傻逼天气');
  assert.equal(masked.json.message.text, '这个**天气');
});

test('GR-11.1, GR-11.2, GR-11.3: groups, creators, admins and members are sanctioned, recorded and reportable', { skip: skipReason }, async () => {
  const owner = await person();
  const member = await person();
  const g = await group(owner, '城市夜跑群');
  assert.equal((await s.request('POST', `/api/v1/groups/${g.id}/join`, { token: member.token })).status, 200);
  const from = new Date(Date.now() - 1000).toISOString();

  // GR-11.1: warning, suspended posting, closing.
  assert.equal((await sanction({ target_type: 'group', target_id: g.id, measure: 'warning', reason_code: 'group_mismanagement', note: '群内广告泛滥，请整改' })).status, 201);
  const sp = await sanction({ target_type: 'group', target_id: g.id, measure: 'restrict', function: 'group_post', reason_code: 'group_mismanagement', duration_days: 7 });
  assert.equal(sp.status, 201, sp.text);
  assert.equal(sp.json.sanction.party_user_id, owner.id);
  expectError(assert, await post(member, g, '今晚跑吗'), 409, 'sanctioned');
  expectError(assert, await post(owner, g, '今晚跑吗'), 409, 'sanctioned');
  assert.equal((await s.request('POST', `/api/v1/sanctions/${sp.json.sanction.id}/lift`, { token: mod, body: { reason: '已整改' } })).status, 200);
  assert.equal((await post(member, g, '今晚跑吗')).status, 201);
  const close = await sanction({ target_type: 'group', target_id: g.id, measure: 'close_group', reason_code: 'illegal_content' });
  assert.equal(close.status, 201, close.text);
  assert.equal((await s.request('GET', `/api/v1/groups/${g.id}`, { token: owner.token })).json.group.status, 'closed');
  const late = await person();
  expectError(assert, await s.request('POST', `/api/v1/groups/${g.id}/join`, { token: late.token }), 409, 'group_not_active');
  expectError(assert, await s.request('GET', `/api/v1/groups/${g.id}/messages`, { token: member.token }), 409, 'group_not_active');
  expectError(assert, await sanction({ target_type: 'account', target_id: 1, measure: 'close_group', reason_code: 'spam' }), 400, 'invalid_measure', 'measure');
  expectError(assert, await sanction({ target_type: 'group', target_id: 999999, measure: 'warning', reason_code: 'spam' }), 404, 'group_not_found');
  assert.equal((await s.request('POST', `/api/v1/sanctions/${close.json.sanction.id}/lift`, { token: mod, body: { reason: '申诉成立' } })).status, 200);
  assert.equal((await s.request('GET', `/api/v1/groups/${g.id}`, { token: owner.token })).json.group.status, 'active');

  // GR-11.2: the creator's admin rights suspended; the right to create groups revoked.
  assert.equal((await sanction({ target_type: 'user', target_id: owner.id, measure: 'restrict', function: 'group_admin', reason_code: 'group_mismanagement', duration_days: 30 })).status, 201);
  expectError(assert, await s.request('POST', `/api/v1/groups/${g.id}/admins`, { token: owner.token, body: { user_id: member.id } }), 409, 'sanctioned');
  expectError(assert, await s.request('DELETE', `/api/v1/groups/${g.id}/members/${member.id}`, { token: owner.token }), 409, 'sanctioned');
  assert.equal((await sanction({ target_type: 'user', target_id: owner.id, measure: 'restrict', function: 'create_group', reason_code: 'group_mismanagement' })).status, 201);
  expectError(assert, await s.request('POST', '/api/v1/groups', { token: owner.token, body: { name: '新的跑步群' } }), 409, 'sanctioned');

  // GR-11.3: a blacklisted member cannot join or post anywhere.
  const other = await group(member, '摄影爱好者');
  const troll = await person();
  assert.equal((await sanction({ target_type: 'user', target_id: troll.id, measure: 'blacklist', reason_code: 'cyber_violence' })).status, 201);
  expectError(assert, await s.request('POST', `/api/v1/groups/${other.id}/join`, { token: troll.token }), 409, 'sanctioned');
  // Admin tools still work for an admin in good standing.
  const m2 = await person();
  assert.equal((await s.request('POST', `/api/v1/groups/${other.id}/join`, { token: m2.token })).status, 200);
  assert.equal((await s.request('DELETE', `/api/v1/groups/${other.id}/members/${m2.id}`, { token: member.token })).status, 204);

  // Recorded and reportable.
  const auditor = await s.userWithRole('13300009990', 'auditor');
  const to = new Date(Date.now() + 1000).toISOString();
  const report = await s.request('GET', `/api/v1/reports/sanctions?from=${from}&to=${to}`, { token: auditor });
  const groupRows = report.json.sanctions.filter((x) => x.target_type === 'group');
  assert.deepEqual(groupRows.map((x) => x.measure), ['warning', 'restrict', 'close_group']);
  assert.equal(groupRows[2].status, 'lifted');
});
