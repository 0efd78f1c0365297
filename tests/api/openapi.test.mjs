// docs/openapi.yaml and the server's routes describe the same API: same paths, methods and
// permissions, in both directions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { cli, ROOT } from './support.mjs';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

test('every registered route is documented and every documented route exists', () => {
  const r = cli(['routes', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const routes = JSON.parse(r.stdout);
  assert.ok(routes.length >= 10);
  const doc = YAML.parse(readFileSync(path.join(ROOT, 'docs/openapi.yaml'), 'utf8'));

  const documented = new Map();
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      if (item[m]) documented.set(`${m.toUpperCase()} ${p}`, item[m]);
    }
  }
  const served = new Map(routes.map((x) => [`${x.method} ${x.path}`, x]));

  for (const key of served.keys()) assert.ok(documented.has(key), `${key} is served but not in docs/openapi.yaml`);
  for (const key of documented.keys()) assert.ok(served.has(key), `${key} is documented but not served`);
  for (const [key, op] of documented) {
    assert.ok('x-permission' in op, `${key} has no x-permission`);
    assert.equal(op['x-permission'], served.get(key).permission, `${key}: permission differs`);
    const isPublic = op['x-permission'] === '';
    const security = op.security ?? doc.security;
    assert.equal(security.length === 0, isPublic, `${key}: security and x-permission disagree`);
  }
});
