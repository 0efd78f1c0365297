// The HTTP contracts of the SMS gateway and the identity verifier (docs/identity.md), tested
// against stand-in providers started here: what Herald sends, how it reads the answers, and
// how it fails when a provider is down or answers nonsense.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { TestServer, expectError, skipReason, residentId } from './support.mjs';

let s, provider, providerUrl;
const sms = [];
const checks = [];
let verifierMode = 'normal';

before(async () => {
  if (skipReason) return;
  provider = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const json = JSON.parse(body);
      if (req.url === '/sms') {
        sms.push({ headers: req.headers, json });
        res.writeHead(json.to === '13500000099' ? 500 : 202).end();
        return;
      }
      checks.push(json);
      if (verifierMode === 'down') return res.writeHead(503).end('maintenance');
      if (verifierMode === 'garbage') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":1}');
      const match = json.name !== '冒名者';
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        match, reference: `ref-${checks.length}`, reason: match ? '' : 'name_mismatch', source: 'stand-in-provider',
      }));
    });
  });
  await new Promise((r) => provider.listen(0, '127.0.0.1', r));
  providerUrl = `http://127.0.0.1:${provider.address().port}`;
  s = await TestServer.start({ env: {
    HERALD_IDENTITY_SMS_GATEWAY: 'http', HERALD_IDENTITY_SMS_URL: `${providerUrl}/sms`,
    HERALD_IDENTITY_VERIFIER: 'http', HERALD_IDENTITY_VERIFIER_URL: `${providerUrl}/verify`,
    HERALD_IDENTITY_OTP_RESEND_COOLDOWN_SECONDS: '0',
  } });
});
after(async () => {
  if (s) await s.cleanup();
  if (provider) provider.close();
});

async function codeFor(token, phone) {
  const r = await s.request('POST', '/api/v1/otp', { token, body: { phone } });
  assert.equal(r.status, 201, r.text);
  const last = sms[sms.length - 1].json;
  assert.equal(last.to, phone);
  assert.equal(last.purpose, 'subject');
  return { otp_challenge: r.json.challenge_id, otp_code: last.text.match(/(\d{6})/)[1] };
}

test('SMS: each code is POSTed as {to, text, purpose}; a failing provider is sms_unavailable', { skip: skipReason }, async () => {
  await s.register('13500000001');
  const token = await s.login('13500000001');
  await codeFor(token, '13500000011');
  assert.equal(sms.at(-1).headers['content-type'], 'application/json');
  expectError(assert, await s.request('POST', '/api/v1/otp', { token, body: { phone: '13500000099' } }), 503, 'sms_unavailable');
});

test('verifier: decisions and their source are recorded; mismatch refuses; outages are 503', { skip: skipReason }, async () => {
  await s.register('13500000002');
  const token = await s.login('13500000002');
  const admin = await s.userWithRole('13500000098', 'platform_admin');
  const id = residentId('210102', '19800101', 5);
  let r = await s.request('POST', '/api/v1/subjects', { token, body: { kind: 'individual', real_name: '冒名者', id_number: id, phone: '13500000012', ...(await codeFor(token, '13500000012')) } });
  expectError(assert, r, 409, 'identity_mismatch', 'id_number');
  assert.deepEqual(checks.at(-1), { kind: 'resident_id', name: '冒名者', number: id });

  verifierMode = 'down';
  r = await s.request('POST', '/api/v1/subjects', { token, body: { kind: 'individual', real_name: '真名', id_number: id, phone: '13500000012', ...(await codeFor(token, '13500000012')) } });
  expectError(assert, r, 503, 'verifier_unavailable');
  verifierMode = 'garbage';
  r = await s.request('POST', '/api/v1/subjects', { token, body: { kind: 'individual', real_name: '真名', id_number: id, phone: '13500000012', ...(await codeFor(token, '13500000012')) } });
  expectError(assert, r, 503, 'verifier_unavailable');

  verifierMode = 'normal';
  r = await s.request('POST', '/api/v1/subjects', { token, body: { kind: 'individual', real_name: '真名', id_number: id, phone: '13500000012', ...(await codeFor(token, '13500000012')) } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.subject.verification.source, 'stand-in-provider');
  assert.match(r.json.subject.verification.reference, /^ref-\d+$/);
  const audit = await s.request('GET', '/api/v1/audit?action=identity.verification', { token: admin });
  const decisions = audit.json.entries.map((e) => `${e.details.decision}/${e.details.source}`);
  assert.ok(decisions.includes('match/stand-in-provider'), decisions.join());
  assert.ok(decisions.includes('mismatch/stand-in-provider'), decisions.join());
});

test('PA-9.3: re-verification on a trigger and on schedule; a failing identity restricts its accounts', { skip: skipReason }, async () => {
  const { acceptAgreement, accountBody } = await import('./support.mjs');
  await s.register('13500000003');
  const token = await s.login('13500000003');
  const mod = await s.userWithRole('13500000097', 'moderator');
  const id = residentId('230102', '19830303', 7);
  const r = await s.request('POST', '/api/v1/subjects', { token, body: { kind: 'individual', real_name: '原名', id_number: id, phone: '13500000013', ...(await codeFor(token, '13500000013')) } });
  assert.equal(r.status, 201, r.text);
  const subject = r.json.subject;
  await acceptAgreement(s, token);
  const acc = await s.request('POST', '/api/v1/accounts', { token, body: accountBody(subject.id, '复核测试号') });
  assert.equal(acc.status, 201, acc.text);

  // Scheduled: a year later the identity is checked again (still fine).
  const env = {
    HERALD_IDENTITY_SMS_GATEWAY: 'http', HERALD_IDENTITY_SMS_URL: `${providerUrl}/sms`,
    HERALD_IDENTITY_VERIFIER: 'http', HERALD_IDENTITY_VERIFIER_URL: `${providerUrl}/verify`,
  };
  const before = checks.length;
  // Asynchronously: the stand-in provider lives in this process and must keep answering.
  const { execFile } = await import('node:child_process');
  const { HERALD } = await import('./support.mjs');
  const job = await new Promise((resolve) => execFile(HERALD,
    ['jobs', 'run', '--at', new Date(Date.now() + 366 * 86400e3).toISOString(), ...s.args],
    { env: { ...process.env, ...env } }, (err, stdout, stderr) => resolve({ err, stdout, stderr })));
  assert.equal(job.err, null, job.stderr);
  const report = JSON.parse(job.stdout);
  assert.ok(report.subjects_reverified >= 1, job.stdout);
  assert.equal(report.subjects_revoked, 0);
  assert.ok(checks.slice(before).some((c) => c.number === id));

  // Triggered: the provider now says the name does not match → subject revoked, account restricted.
  verifierMode = 'normal';
  const origName = '原名';
  const revoke = async () => {
    // Make the stand-in provider refuse this person from now on.
    const old = provider.listeners('request')[0];
    provider.removeAllListeners('request');
    provider.on('request', (req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const json = JSON.parse(body);
        if (req.url === '/verify' && json.name === origName) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ match: false, reason: 'id_cancelled', reference: 'ref-x', source: 'stand-in-provider' }));
          return;
        }
        old(Object.assign(req, { on: (ev, fn) => (ev === 'data' ? fn(body) : ev === 'end' ? fn() : null) }), res);
      });
    });
  };
  await revoke();
  expectError(assert, await s.request('POST', `/api/v1/subjects/${subject.id}/reverify`, { token }), 403, 'permission_denied');
  const rv = await s.request('POST', `/api/v1/subjects/${subject.id}/reverify`, { token: mod });
  assert.equal(rv.status, 200, rv.text);
  assert.equal(rv.json.subject.status, 'revoked');
  const mine = await s.request('GET', '/api/v1/me/accounts', { token });
  const view = mine.json.accounts.find((a) => a.id === acc.json.account.id);
  assert.equal(view.status, 'restricted');
  assert.equal(view.status_reason, 'registration_data_mismatch');
  assert.equal(view.can_publish, false);
});
