#!/usr/bin/env node
// Layering check: fails when a file in src/<module>/ includes a header of a Herald module that
// <module> does not declare (directly or transitively) in the DEPS of its herald_module() call,
// or includes a third-party header that must stay inside another module.
//   node scripts/check_layering.mjs            (exit 0 = clean, 1 = violations listed)
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const src = path.join(root, 'src');

// Third-party headers and the only modules allowed to include them (STYLE.md habit 3).
const PRIVATE_HEADERS = [
  { pattern: /^<sqlite3\.h>/, owners: ['storage'] },
  { pattern: /^<libpq-fe\.h>/, owners: ['storage'] },
  { pattern: /^<sodium/, owners: ['core'] },
  { pattern: /^<toml\+\+/, owners: ['core', 'credit'] },  // credit: its rules document (private)
  { pattern: /^<spdlog/, owners: ['core'] },
  { pattern: /^<boost\//, owners: ['http', 'api', 'gateways'] },
  { pattern: /^<CLI\//, owners: ['app'] },
  { pattern: /^<hs\//, owners: ['moderation'] },
  { pattern: /^<opencc/, owners: ['text'] },
  { pattern: /^<unicode\//, owners: ['text'] },
  { pattern: /^<png\.h>/, owners: ['media'] },
  { pattern: /^<jpeglib\.h>/, owners: ['media'] },
  { pattern: /^<webp\//, owners: ['media'] },
  { pattern: /^<stb\//, owners: ['media'] },
  { pattern: /^<cmark/, owners: ['content'] },
];

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (/\.(h|hh|hpp|cc|cpp)$/.test(name)) out.push(p);
  }
  return out;
}

const modules = new Map(); // name -> { deps: [] }
for (const name of readdirSync(src)) {
  const cm = path.join(src, name, 'CMakeLists.txt');
  if (!existsSync(cm)) continue;
  const text = readFileSync(cm, 'utf8');
  const call = text.match(/herald_module\(\s*(\w+)([\s\S]*?)\)\s*$/m) || text.match(/herald_module\(\s*(\w+)([\s\S]*?)\n\)/);
  if (!call) continue;
  const body = call[2];
  const depsMatch = body.match(/\bDEPS\b([\s\S]*?)(?:\b(?:SOURCES|PRIVATE_DEPS|TESTS|PGTESTS|TEST_DEPS)\b|$)/);
  const deps = depsMatch ? [...depsMatch[1].matchAll(/herald::(\w+)/g)].map((m) => m[1]) : [];
  const testDeps = [...(body.match(/\bTEST_DEPS\b([\s\S]*?)(?:\b(?:SOURCES|DEPS|PRIVATE_DEPS|TESTS|PGTESTS)\b|$)/)?.[1] ?? '').matchAll(/herald::(\w+)/g)].map((m) => m[1]);
  modules.set(call[1], { dir: name, deps, testDeps });
}

function closure(name, seen = new Set()) {
  for (const d of modules.get(name)?.deps ?? []) {
    if (!seen.has(d)) {
      seen.add(d);
      closure(d, seen);
    }
  }
  return seen;
}

const moduleDirs = new Set([...modules.values()].map((m) => m.dir));
const violations = [];
for (const [name, info] of modules) {
  const allowed = closure(name);
  allowed.add(name);
  for (const file of walk(path.join(src, info.dir))) {
    const rel = path.relative(root, file);
    const isTest = /_(test|pgtest)\.(cc|h)$/.test(file) || /_contract_test\.h$/.test(file);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const m = line.match(/^\s*#\s*include\s+("([^"]+)"|<[^>]+>)/);
      if (!m) return;
      if (m[2]) {
        const top = m[2].split('/')[0];
        if (!moduleDirs.has(top)) return;
        // storage_testing lives in storage/ and is allowed where declared as a test dependency.
        const target = top;
        if (allowed.has(target)) return;
        if (isTest && info.testDeps.some((d) => d.startsWith(target))) return;
        violations.push(`${rel}:${i + 1}: module '${name}' includes "${m[2]}" but does not declare herald::${target}`);
      } else {
        const inc = m[1];
        for (const rule of PRIVATE_HEADERS) {
          if (rule.pattern.test(inc) && !rule.owners.includes(name) && !isTest) {
            violations.push(`${rel}:${i + 1}: ${inc} may only be included by ${rule.owners.join(', ')}`);
          }
        }
      }
    });
  }
}

if (violations.length) {
  console.error('Layering violations:\n  ' + violations.join('\n  '));
  process.exit(1);
}
console.log(`layering: ${modules.size} modules checked, no violations`);
