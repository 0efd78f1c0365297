// Black-box test support: starts the real `herald` binary on port 0 with a temporary data
// directory and talks HTTP to it. The backend comes from HERALD_TEST_BACKEND (sqlite, the
// default, or postgresql, which needs HERALD_TEST_PG_URL; scripts/with_postgres.sh sets it).
import { spawn, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const HERALD = process.env.HERALD_BIN || path.join(ROOT, 'build/src/app/herald');
export const BACKEND = process.env.HERALD_TEST_BACKEND || 'sqlite';

export function backendAvailable() {
  return BACKEND !== 'postgresql' || !!process.env.HERALD_TEST_PG_URL;
}
export const skipReason = backendAvailable()
  ? false
  : 'PostgreSQL not available: set HERALD_TEST_PG_URL (scripts/with_postgres.sh does)';

// A fresh database URL for one server.
export function newDatabase(dataDir) {
  if (BACKEND === 'sqlite') return `sqlite://${path.join(dataDir, 'herald.db')}`;
  const admin = process.env.HERALD_TEST_PG_URL;
  const name = 'herald_api_' + randomBytes(6).toString('hex');
  execFileSync('psql', [admin, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const u = new URL(admin);
  u.pathname = '/' + name;
  return u.toString();
}

// Runs the herald CLI synchronously; returns {status, stdout, stderr}.
export function cli(args, { env = {}, input } = {}) {
  const r = spawnSync(HERALD, args, {
    env: { ...process.env, ...env },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export class TestServer {
  static async start({ env = {}, extraArgs = [] } = {}) {
    const s = new TestServer();
    s.dataDir = mkdtempSync(path.join(tmpdir(), 'herald-api-'));
    s.db = newDatabase(s.dataDir);
    s.args = ['--data', s.dataDir, '--db', s.db];
    s.proc = spawn(HERALD, ['serve', '--port', '0', ...s.args, ...extraArgs], {
      env: { ...process.env, HERALD_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    s.stderr = '';
    s.proc.stderr.on('data', (d) => (s.stderr += d));
    s.base = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('server did not start: ' + s.stderr)), 20_000);
      s.proc.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/listening on (http:\/\/[0-9.]+:\d+)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      s.proc.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code}: ${s.stderr}`));
      });
    });
    return s;
  }

  // Runs a CLI subcommand against this server's data dir and database.
  cli(args, opts) {
    return cli([...args, ...this.args], opts);
  }

  async request(method, urlPath, { body, token, headers = {}, raw } = {}) {
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload;
    if (raw !== undefined) {
      payload = raw;
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.base + urlPath, { method, headers: h, body: payload });
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  async register(phone, password = 'password-123', extra = {}) {
    const r = await this.request('POST', '/api/v1/auth/register', {
      body: { phone, password, ...extra },
    });
    if (r.status !== 201) throw new Error(`register ${phone}: ${r.status} ${r.text}`);
    return r.json.user;
  }

  async login(phone, password = 'password-123') {
    const r = await this.request('POST', '/api/v1/auth/login', { body: { phone, password } });
    if (r.status !== 200) throw new Error(`login ${phone}: ${r.status} ${r.text}`);
    return r.json.token;
  }

  // Creates (or promotes) a user with `role` through `herald admin create` and logs in.
  async userWithRole(phone, role, password = 'password-123') {
    const r = this.cli(['admin', 'create', '--role', role, '--phone', phone], {
      env: { HERALD_ADMIN_PASSWORD: password },
    });
    if (r.status !== 0) throw new Error(`admin create: ${r.stderr}`);
    return this.login(phone, password);
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      const exited = new Promise((resolve) => this.proc.on('exit', resolve));
      this.proc.kill('SIGTERM');
      await exited;
    }
  }

  async cleanup() {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  // Every regular file under the data directory, recursively.
  files(dir = this.dataDir) {
    const out = [];
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) out.push(...this.files(p));
      else out.push(p);
    }
    return out;
  }

  readAll() {
    return this.files().map((f) => ({ file: f, data: readFileSync(f) }));
  }
}

export function expectError(assert, res, status, code, field) {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  assert.ok(res.json && res.json.error, `error body expected: ${res.text}`);
  assert.equal(res.json.error.code, code);
  assert.equal(typeof res.json.error.message, 'string');
  if (field !== undefined) assert.equal(res.json.error.field, field);
}
