// The herald command line: --help, migrate, admin create, demo, audit verify (including a
// tampered chain).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { cli, newDatabase, skipReason, BACKEND, TestServer } from './support.mjs';

function tempData() {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-cli-'));
  return { dir, args: ['--data', dir, '--db', newDatabase(dir)] };
}

test('--help lists every subcommand', async () => {
  const r = cli(['--help']);
  assert.equal(r.status, 0, r.stderr);
  for (const sub of ['serve', 'migrate', 'admin', 'demo', 'audit', 'routes', 'report', 'screen', 'dedup', 'names', 'jobs', 'keys']) {
    assert.match(r.stdout, new RegExp(`^\\s+${sub}\\s+\\S`, 'm'), `--help lacks ${sub}:\n${r.stdout}`);
  }
  const admin = cli(['admin', '--help']);
  assert.match(admin.stdout, /create/);
  const audit = cli(['audit', '--help']);
  assert.match(audit.stdout, /verify/);
});

test('bad usage and bad configuration exit 2 with a message', async () => {
  assert.equal(cli(['frobnicate']).status, 2);
  const bad = cli(['migrate', '--db', 'mysql://x'], {});
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /invalid_database_url/);
  const env = cli(['migrate'], { env: { HERALD_SERVER_PORT: 'eighty' } });
  assert.equal(env.status, 2);
  assert.match(env.stderr, /server\.port/);
});

test('a TOML config file is read, checked, and overridden by the environment', { skip: skipReason }, async () => {
  const d = tempData();
  try {
    const cfg = path.join(d.dir, 'herald.toml');
    writeFileSync(cfg, '[log]\nretention_days = 30\n');
    const short = cli(['--config', cfg, 'migrate', ...d.args]);
    assert.equal(short.status, 2);
    assert.match(short.stderr, /log\.retention_days/);
    const fixed = cli(['--config', cfg, 'migrate', ...d.args], { env: { HERALD_LOG_RETENTION_DAYS: '365' } });
    assert.equal(fixed.status, 0, fixed.stderr);
    writeFileSync(cfg, '[server]\nprot = 1\n');
    const typo = cli(['--config', cfg, 'migrate', ...d.args]);
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /server\.prot: unknown key/);
  } finally {
    rmSync(d.dir, { recursive: true, force: true });
  }
});

test('migrate is idempotent', { skip: skipReason }, async () => {
  const d = tempData();
  try {
    const first = cli(['migrate', ...d.args]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /migrations applied: [1-9]/);
    const second = cli(['migrate', ...d.args]);
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /migrations applied: 0/);
  } finally {
    rmSync(d.dir, { recursive: true, force: true });
  }
});

test('admin create, demo and audit verify', { skip: skipReason }, async () => {
  const d = tempData();
  try {
    const noPw = cli(['admin', 'create', '--phone', '13500000009', ...d.args]);
    assert.notEqual(noPw.status, 0);
    assert.match(noPw.stderr, /weak_password/);
    const created = cli(['admin', 'create', '--role', 'platform_admin', '--phone', '13500000009', '--password-stdin', ...d.args], {
      input: 'a-strong-password\n',
    });
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /135\*\*\*\*0009/);
    assert.ok(!created.stdout.includes('13500000009'));
    const badRole = cli(['admin', 'create', '--role', 'king', '--phone', '13500000009', ...d.args]);
    assert.equal(badRole.status, 2);

    const demo = cli(['demo', ...d.args]);
    assert.equal(demo.status, 0, demo.stderr);
    assert.match(demo.stdout, /platform_admin\s+13800000001/);
    assert.match(demo.stdout, /auditor\s+13800000004/);
    const again = cli(['demo', ...d.args]);
    assert.equal(again.status, 0, 'demo is idempotent: ' + again.stderr);
    // Issue 4: the demo ships the default screening dictionary, covering these categories, and a
    // sanction the regulator's report lists.
    const dict = readFileSync(path.join(d.dir, 'dictionaries', 'platform.tsv'), 'utf8');
    for (const c of ['gambling', 'fraud', 'drugs', 'pornography', 'weapons', 'illegal_services']) {
      assert.match(dict, new RegExp(`\\t${c}\\t(block|review)`), c);
    }
    const report = cli(['report', 'sanctions', '--from', '2000-01-01', '--to', '2100-01-01', ...d.args]);
    assert.equal(report.status, 0, report.stderr);
    assert.ok(JSON.parse(report.stdout).sanctions.some((x) => x.measure === 'warning' && x.reason_code === 'advertising_violation'));

    const ok = cli(['audit', 'verify', ...d.args]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /audit chain OK: \d+ entries/);
  } finally {
    rmSync(d.dir, { recursive: true, force: true });
  }
});

test('audit verify reports the first altered entry and exits 3', { skip: skipReason || BACKEND !== 'sqlite' }, async () => {
  const d = tempData();
  try {
    assert.equal(cli(['demo', ...d.args]).status, 0);
    const dbFile = path.join(d.dir, 'herald.db');
    // An attacker with file access drops the guard trigger and rewrites entry 3.
    execFileSync('sqlite3', [
      dbFile,
      "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET details = '{\"role\":\"platform_admin\"}' WHERE seq = 3;",
    ]);
    const r = cli(['audit', 'verify', ...d.args]);
    assert.equal(r.status, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /BROKEN at entry 3: hash_mismatch/);
  } finally {
    rmSync(d.dir, { recursive: true, force: true });
  }
});

test('audit verify detects a removed entry on PostgreSQL too', { skip: skipReason || BACKEND !== 'postgresql' }, async () => {
  const d = tempData();
  try {
    assert.equal(cli(['demo', ...d.args]).status, 0);
    const url = d.args[3];
    execFileSync('psql', [
      url,
      '-q',
      '-c',
      'ALTER TABLE audit_log DISABLE TRIGGER ALL; DELETE FROM audit_log WHERE seq = 2;',
    ]);
    const r = cli(['audit', 'verify', ...d.args]);
    assert.equal(r.status, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /BROKEN at entry 2: missing_entry/);
  } finally {
    rmSync(d.dir, { recursive: true, force: true });
  }
});

test('serve accepts --port 0 and prints the chosen port', { skip: skipReason }, async () => {
  const s = await TestServer.start();
  try {
    assert.match(s.base, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(new URL(s.base).port, '0');
  } finally {
    await s.cleanup();
  }
});
