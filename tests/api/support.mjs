// Black-box test support: starts the real `herald` binary on port 0 with a temporary data
// directory and talks HTTP to it. The backend comes from HERALD_TEST_BACKEND (sqlite, the
// default, or postgresql, which needs HERALD_TEST_PG_URL; scripts/with_postgres.sh sets it).
import { spawn, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';

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
    s.env = env;
    s.extraArgs = extraArgs;
    await s.spawn();
    return s;
  }

  // Starts (again) the server process on this data directory and database.
  async spawn() {
    const s = this;
    s.proc = spawn(HERALD, ['serve', '--port', '0', ...s.args, ...s.extraArgs], {
      env: { ...process.env, HERALD_LOG_LEVEL: 'warn', ...s.env },
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

// --- identity helpers (issue 3) ---

// A resident ID number with a correct GB 11643 check character. Fictional: tests never use real
// people's numbers.
export function residentId(region = '110101', birth = '19900307', seq = 123) {
  const body = region + birth + String(seq).padStart(3, '0');
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * w[i];
  return body + '10X98765432'[sum % 11];
}

// A unified social credit code with a correct GB 32100 check character.
export function creditCode(body17 = '91110108MA01ABCD1') {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += alphabet.indexOf(body17[i]) * w[i];
  const c = (31 - (sum % 31)) % 31;
  return body17 + alphabet[c];
}

// The code of the newest development SMS sent to `phone` (from <data>/outbox).
export function readOtp(server, phone) {
  const dir = path.join(server.dataDir, 'outbox');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort((a, b) => {
    const [ta, na] = a.split(/[-.]/).map(Number);
    const [tb, nb] = b.split(/[-.]/).map(Number);
    return ta - tb || na - nb;
  });
  for (let i = files.length - 1; i >= 0; i--) {
    const msg = JSON.parse(readFileSync(path.join(dir, files[i]), 'utf8'));
    if (msg.to === phone) return msg.text.match(/(\d{6})/)[1];
  }
  throw new Error(`no SMS to ${phone}`);
}

// Sends a code to `phone` and returns {challenge_id, code}.
export async function otpFor(server, token, phone) {
  const r = await server.request('POST', '/api/v1/otp', { token, body: { phone, purpose: 'subject' } });
  if (r.status !== 201) throw new Error(`otp: ${r.status} ${r.text}`);
  return { otp_challenge: r.json.challenge_id, otp_code: readOtp(server, phone) };
}

// Verifies an individual subject for the caller; returns the subject JSON.
export async function individualSubject(server, token, { name = '张三丰', id = residentId(), phone } = {}) {
  const otp = await otpFor(server, token, phone);
  const r = await server.request('POST', '/api/v1/subjects', {
    token,
    body: { kind: 'individual', real_name: name, id_number: id, phone, ...otp },
  });
  if (r.status !== 201) throw new Error(`subject: ${r.status} ${r.text}`);
  return r.json.subject;
}

export async function acceptAgreement(server, token) {
  const doc = await server.request('GET', '/api/v1/documents/service_agreement');
  const r = await server.request('POST', '/api/v1/documents/service_agreement/accept', {
    token,
    body: { version: doc.json.document.version },
  });
  if (r.status !== 200) throw new Error(`accept: ${r.status} ${r.text}`);
}

// A registered, logged-in user with a verified individual subject who accepted the agreement.
export async function operator(server, phone, opts = {}) {
  await server.register(phone);
  const token = await server.login(phone);
  const subject = await individualSubject(server, token, { phone, ...opts });
  await acceptAgreement(server, token);
  return { token, subject };
}

export function accountBody(subject_id, name, extra = {}) {
  return {
    subject_id,
    name,
    bio: '一个测试账号',
    category: 'technology',
    registered_place: '北京市',
    operating_place: '北京市',
    contact: 'ops@example.cn',
    ...extra,
  };
}

// A real PNG image (RGB, w x h, a gradient), encoded here so tests need no fixture files.
export function pngImage(w = 16, h = 16, seed = 0) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = (x * 16 + seed) & 0xff;
      raw[o + 1] = (y * 16) & 0xff;
      raw[o + 2] = (x * y + seed * 7) & 0xff;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
