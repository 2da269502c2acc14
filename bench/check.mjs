#!/usr/bin/env node
// Compares two JSON files by value: objects key-order-free, numbers as IEEE doubles
// (so 1.5 and 1.50 agree, and a C runtime's "%.17g" text equals JavaScript's shortest one).
//
//   node check.mjs EXPECTED.json ACTUAL.json [ACTUAL2.json ...]
//
// Exit 0 when every ACTUAL equals EXPECTED; else prints the first difference of each
// that differs (as a JSON pointer) and exits 1.
import { readFileSync } from 'node:fs';

function diff(a, b, at) {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) {
    return `${at || '/'}: type ${describe(a)} vs ${describe(b)}`;
  }
  if (Array.isArray(a)) {
    if (a.length !== b.length) return `${at || '/'}: array length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = diff(a[i], b[i], `${at}/${i}`);
      if (d) return d;
    }
    return null;
  }
  if (a !== null && typeof a === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.join('\u0000') !== kb.join('\u0000')) {
      const miss = ka.filter((k) => !(k in b));
      const extra = kb.filter((k) => !(k in a));
      return `${at || '/'}: keys missing [${miss.join(',')}] extra [${extra.join(',')}]`;
    }
    for (const k of ka) {
      const d = diff(a[k], b[k], `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      if (d) return d;
    }
    return null;
  }
  return a === b ? null : `${at || '/'}: ${JSON.stringify(a).slice(0, 80)} vs ${JSON.stringify(b).slice(0, 80)}`;
}

function describe(v) {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

const [expectedFile, ...actualFiles] = process.argv.slice(2);
if (!expectedFile || actualFiles.length === 0) {
  console.error('usage: check.mjs EXPECTED.json ACTUAL.json [ACTUAL2.json ...]');
  process.exit(2);
}
const expected = JSON.parse(readFileSync(expectedFile, 'utf8'));
let bad = 0;
for (const f of actualFiles) {
  let actual;
  try {
    actual = JSON.parse(readFileSync(f, 'utf8'));
  } catch (e) {
    console.log(`${f}: not JSON: ${e.message}`);
    bad++;
    continue;
  }
  const d = diff(expected, actual, '');
  if (d) {
    console.log(`${f}: differs from expected at ${d}`);
    bad++;
  }
}
process.exit(bad ? 1 : 0);
