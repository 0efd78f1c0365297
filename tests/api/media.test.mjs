// Image uploads (issue 5, "Media"): validated by decoding, stored content-addressed, served with
// their type and cache headers; POST /api/v1/media has a body limit of its own (the image byte
// limit, 5 MiB) above the server's 1 MiB for JSON bodies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import net from 'node:net';
import { TestServer, expectError, skipReason, pngImage } from './support.mjs';

let s, token;

before(async () => {
  if (skipReason) return;
  s = await TestServer.start();
  await s.register('13500007001');
  token = await s.login('13500007001');
});
after(async () => s && (await s.cleanup()));

// A PNG of random pixels (does not compress): about w * h * 3 bytes.
function noisePng(w, h) {
  const png = pngImage(w, h);
  const raw = Buffer.alloc((w * 3 + 1) * h);
  const rnd = crypto.randomBytes(w * 3 * h);
  for (let y = 0; y < h; y++) rnd.copy(raw, y * (w * 3 + 1) + 1, y * w * 3, (y + 1) * w * 3);
  const idat = zlib.deflateSync(raw, { level: 0 });
  // Reuse the signature, IHDR and IEND of pngImage; replace IDAT.
  const ihdrEnd = 8 + 8 + 13 + 4;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(idat.length);
  const td = Buffer.concat([Buffer.from('IDAT'), idat]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32 ? zlib.crc32(td) : crc32(td));
  return Buffer.concat([png.subarray(0, ihdrEnd), len, td, crc, png.subarray(png.length - 12)]);
}
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

test('an image above the 1 MiB JSON body limit uploads and is served with its type and cache headers', { skip: skipReason }, async () => {
  const png = noisePng(800, 600); // ~1.44 MB
  assert.ok(png.length > 1.2 * 1024 * 1024, `${png.length}`);
  const up = await s.request('POST', '/api/v1/media', { token, raw: png, headers: { 'content-type': 'image/png' } });
  assert.equal(up.status, 201, up.text);
  const m = up.json.media;
  assert.equal(m.width, 800);
  assert.equal(m.height, 600);
  const res = await fetch(`${s.base}${m.url}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  assert.match(res.headers.get('cache-control'), /immutable/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.ok(bytes.equals(png));
  // Content-addressed: the same bytes again are the same object.
  const again = await s.request('POST', '/api/v1/media', { token, raw: png, headers: { 'content-type': 'image/png' } });
  assert.equal(again.json.media.id, m.id);
});

test('uploads over the image limit get 413 and other routes keep the 1 MiB limit', { skip: skipReason }, async () => {
  // Refused from the Content-Length alone, before the body is sent (a client that sends a
  // large body anyway gets the 413 and, past 1 MiB of unread input, a closed connection).
  const port = new URL(s.base).port;
  const reply = await new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => {
      sock.write(`POST /api/v1/media HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${token}\r\nContent-Type: image/png\r\nContent-Length: ${5 * 1024 * 1024 + 1}\r\n\r\n`);
    });
    let data = '';
    sock.on('data', (d) => (data += d));
    sock.on('end', () => resolve(data));
    sock.on('error', reject);
  });
  assert.match(reply, /^HTTP\/1\.1 413 /);
  assert.match(reply, /"code":"body_too_large"/);
  assert.match(reply, /5242880 bytes/);
  const big = Buffer.from(JSON.stringify({ phone: '13500007002', password: 'x'.repeat(1_300_000) }));
  expectError(assert, await s.request('POST', '/api/v1/auth/register', { raw: big, headers: { 'content-type': 'application/json' } }), 413, 'body_too_large');
  // Without a session the upload is refused before its body matters.
  expectError(assert, await s.request('POST', '/api/v1/media', { raw: pngImage(8, 8), headers: { 'content-type': 'image/png' } }), 401, 'unauthenticated');
});
