#!/usr/bin/env node
// Writes the benchmark workloads for bench/run.sh into OUTDIR (default bench/work/wl).
//
//   node gen.mjs [OUTDIR]
//
// For every workload NAME it writes
//   NAME.asl.json       the state machine
//   NAME.input.json     its input
//   NAME.expected.json  the output it must produce
// and one line of OUTDIR/manifest.tsv: name, kind (jsonpath | jsonata), state transitions
// of one execution, number of states, a short description.
//
// The expected outputs are NOT produced by running an ASL engine: each workload is built
// together with a small plain-JavaScript model of what its states do, and the model's result
// is the expected output. Both aslc and the peer are checked against it before any timing.
// Everything is deterministic (no UUIDs, random numbers, clocks or context fields).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] || join(here, 'work', 'wl');
mkdirSync(out, { recursive: true });
const manifest = [['name', 'kind', 'transitions', 'states', 'what']];

function emit(name, kind, def, input, expected, transitions, what) {
  writeFileSync(join(out, `${name}.asl.json`), JSON.stringify(def, null, 1) + '\n');
  writeFileSync(join(out, `${name}.input.json`), JSON.stringify(input) + '\n');
  writeFileSync(join(out, `${name}.expected.json`), JSON.stringify(expected) + '\n');
  manifest.push([name, kind, transitions, countStates(def), what]);
}

function countStates(def) {
  let n = 0;
  for (const st of Object.values(def.States)) {
    n++;
    for (const br of st.Branches || []) n += countStates(br);
    if (st.ItemProcessor) n += countStates(st.ItemProcessor);
  }
  return n;
}

// ---------------------------------------------------------------------------------------
// The ~50 KB document the chains walk over: 200 records of ~250 bytes.
function makeDocument() {
  const records = [];
  for (let i = 0; i < 200; i++) {
    records.push({
      id: i,
      name: `rec-${String(i).padStart(4, '0')}`,
      score: (i * 37) % 101,
      tags: [`t${i % 7}`, `g${i % 13}`, `k${i % 3}`],
      address: { street: `${i} Benchmark Avenue`, city: `Town${i % 17}`, zip: String(20000 + i) },
      notes: 'n'.repeat(90 + (i % 50)),
    });
  }
  return {
    doc: { meta: { source: 'aslc-bench', version: 7, labels: ['red', 'green', 'blue'] }, records },
    acc: { hi: { n: 0, last: -1 }, lo: { n: 0, last: -1 }, cur: null },
  };
}

// A chain of exactly N states (N = 4*B + 4) made of B blocks
//   A<b>  Pass    InputPath a record, Parameters with States.MathAdd/States.Format, ResultPath $.acc.cur
//   C<b>  Choice  Or(NumericGreaterThanEquals, StringMatches) / NumericLessThanPath -> H<b>, else L<b>
//   H<b>  Pass    counts into $.acc.hi with States.MathAdd          (one of H/L runs)
//   L<b>  Pass    counts into $.acc.lo
// then Count (States.ArrayLength), Sum (States.MathAdd), Finish (OutputPath $.acc), Done (Succeed).
// Every Pass keeps the whole document as its output, so each transition carries ~50 KB.
function chain(N) {
  if ((N - 4) % 4 !== 0 || N < 8) throw new Error('chain: N must be 4*B + 4');
  const B = (N - 4) / 4;
  const states = {};
  const input = makeDocument();
  const m = structuredClone(input); // the model's state
  let transitions = 0;
  for (let b = 0; b < B; b++) {
    const k = (b * 7) % 200;
    const next = b + 1 < B ? `A${b + 1}` : 'Count';
    states[`A${b}`] = {
      Type: 'Pass',
      InputPath: `$.doc.records[${k}]`,
      Parameters: {
        'id.$': '$.id',
        'score.$': `States.MathAdd($.score, ${b % 60})`,
        'tag.$': "States.Format('{}/{}', $.name, $.tags[1])",
        'city.$': '$.address.city',
        block: b,
      },
      ResultPath: '$.acc.cur',
      Next: `C${b}`,
    };
    states[`C${b}`] = {
      Type: 'Choice',
      Choices: [
        {
          Or: [
            { Variable: '$.acc.cur.score', NumericGreaterThanEquals: 120 },
            { Variable: '$.acc.cur.tag', StringMatches: '*/g1' },
          ],
          Next: `H${b}`,
        },
        { Variable: '$.acc.cur.id', NumericLessThanPath: '$.acc.hi.n', Next: `H${b}` },
      ],
      Default: `L${b}`,
    };
    for (const side of ['hi', 'lo']) {
      states[`${side === 'hi' ? 'H' : 'L'}${b}`] = {
        Type: 'Pass',
        Parameters: { 'n.$': `States.MathAdd($.acc.${side}.n, 1)`, 'last.$': '$.acc.cur.id' },
        ResultPath: `$.acc.${side}`,
        Next: next,
      };
    }
    // model
    const r = m.doc.records[k];
    m.acc.cur = { id: r.id, score: r.score + (b % 60), tag: `${r.name}/${r.tags[1]}`, city: r.address.city, block: b };
    const hi = m.acc.cur.score >= 120 || m.acc.cur.tag.endsWith('/g1') || m.acc.cur.id < m.acc.hi.n;
    const side = hi ? 'hi' : 'lo';
    m.acc[side] = { n: m.acc[side].n + 1, last: m.acc.cur.id };
    transitions += 3;
  }
  states.Count = {
    Type: 'Pass',
    Parameters: { 'records.$': 'States.ArrayLength($.doc.records)', 'labels.$': 'States.ArrayLength($.doc.meta.labels)' },
    ResultPath: '$.acc.count',
    Next: 'Sum',
  };
  states.Sum = {
    Type: 'Pass',
    Parameters: { 'total.$': 'States.MathAdd($.acc.hi.n, $.acc.lo.n)' },
    ResultPath: '$.acc.sum',
    Next: 'Finish',
  };
  states.Finish = { Type: 'Pass', OutputPath: '$.acc', Next: 'Done' };
  states.Done = { Type: 'Succeed' };
  m.acc.count = { records: 200, labels: 3 };
  m.acc.sum = { total: m.acc.hi.n + m.acc.lo.n };
  transitions += 4;
  const def = {
    Comment: `aslc bench: ${N}-state chain of Pass and Choice states over a ~50 KB document`,
    StartAt: 'A0',
    States: states,
  };
  return { def, input, expected: m.acc, transitions };
}

// ---------------------------------------------------------------------------------------
// 1. compile time: a 100-state machine (also run and checked)
{
  const c = chain(100);
  emit('compile100', 'jsonpath', c.def, c.input, c.expected, c.transitions, '100-state Pass/Choice chain (compile time)');
}

// 2. start-up: Pass -> Succeed
emit('trivial', 'jsonpath', {
  Comment: 'aslc bench: start-up (Pass -> Succeed)',
  StartAt: 'Hello',
  States: { Hello: { Type: 'Pass', Next: 'Done' }, Done: { Type: 'Succeed' } },
}, { hello: 'world' }, { hello: 'world' }, 2, 'Pass -> Succeed (start-up, peak memory)');

// 3. a 1000-state chain over ~50 KB
{
  const c = chain(1000);
  emit('chain1000', 'jsonpath', c.def, c.input, c.expected, c.transitions, '1000-state Pass/Choice chain over a ~50 KB document');
}

// 4a. Map over 10,000 items, two Pass states per item. Items and results stay well under the
// 256 KiB Step Functions payload limit (input ~90 KB, output ~50 KB), which aslc enforces
// on the execution input and on every state's output as AWS does.
{
  const items = [];
  for (let i = 0; i < 10000; i++) items.push({ v: i % 97, k: i % 10 });
  const def = {
    Comment: 'aslc bench: inline Map over 10,000 items, 2 Pass states each',
    StartAt: 'EachItem',
    States: {
      EachItem: {
        Type: 'Map',
        ItemsPath: '$.items',
        MaxConcurrency: 0,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Compute',
          States: {
            Compute: {
              Type: 'Pass',
              Parameters: { 'd.$': 'States.MathAdd($.v, $.k)', 'l.$': "States.Format('{}-{}', $.v, $.k)" },
              ResultPath: '$.calc',
              Next: 'Shape',
            },
            Shape: { Type: 'Pass', InputPath: '$.calc.d', End: true },
          },
        },
        ResultPath: '$.results',
        OutputPath: '$.results',
        End: true,
      },
    },
  };
  const expected = items.map((it) => it.v + it.k);
  emit('map10k', 'jsonpath', def, { items }, expected, 1 + 2 * items.length, 'Map, 10,000 items x 2 Pass states');
}

// 4b. Parallel, 8 branches x 100 Pass states
{
  const branches = [];
  const expected = [];
  for (let b = 0; b < 8; b++) {
    const states = {};
    for (let s = 0; s < 100; s++) {
      const st = { Type: 'Pass', Parameters: { b, 'n.$': 'States.MathAdd($.n, 1)' } };
      if (s === 99) st.End = true; else st.Next = `B${b}S${s + 1}`;
      states[`B${b}S${s}`] = st;
    }
    branches.push({ StartAt: `B${b}S0`, States: states });
    expected.push({ b, n: 100 });
  }
  emit('par8', 'jsonpath', {
    Comment: 'aslc bench: Parallel, 8 branches x 100 Pass states',
    StartAt: 'Fan',
    States: { Fan: { Type: 'Parallel', Branches: branches, End: true } },
  }, { n: 0 }, expected, 801, 'Parallel, 8 branches x 100 Pass states');
}

// ---------------------------------------------------------------------------------------
// 5. JSONata: one Pass state whose Output is the expression, over a 10,000-element array.
// Inputs and outputs stay under the 256 KiB payload limit (~220 KB at most), so elements
// are compact: c category, p price, q quantity.
const orders = [];
for (let i = 0; i < 10000; i++) orders.push({ c: i % 8, p: (i * 37) % 200, q: 1 + (i % 5) });
function jsonataMachine(what, expr) {
  return {
    Comment: `aslc bench: JSONata, ${what}`,
    QueryLanguage: 'JSONata',
    StartAt: 'Eval',
    States: { Eval: { Type: 'Pass', Output: `{% ${expr} %}`, End: true } },
  };
}

// filter + map + aggregate
{
  const expr = '( $f := $states.input.orders[q > 1 and p > 50]; ' +
    '{ "count": $count($f), "revenue": $sum($f.(p * q)), "maxPrice": $max($f.p), ' +
    '"minQty": $min($f.q), "avgQty": $average($f.q), "totals": $f.(p * q) } )';
  const f = orders.filter((o) => o.q > 1 && o.p > 50);
  const expected = {
    count: f.length,
    revenue: f.reduce((s, o) => s + o.p * o.q, 0),
    maxPrice: Math.max(...f.map((o) => o.p)),
    minQty: Math.min(...f.map((o) => o.q)),
    avgQty: f.reduce((s, o) => s + o.q, 0) / f.length,
    totals: f.map((o) => o.p * o.q),
  };
  emit('jn_filter', 'jsonata', jsonataMachine('filter + map + aggregate', expr), { orders }, expected, 1,
    'JSONata filter + map + aggregate, 10,000 elements');
}

// group by category (object constructor grouping)
{
  const expr = '$states.input.orders[q > 1]{ "c" & $string(c): $sum($.(p * q)) }';
  const expected = {};
  for (const o of orders) if (o.q > 1) expected[`c${o.c}`] = (expected[`c${o.c}`] || 0) + o.p * o.q;
  emit('jn_group', 'jsonata', jsonataMachine('group-by aggregate', expr), { orders }, expected, 1,
    'JSONata group-by sum, 10,000 elements');
}

// string building
{
  const expr = '( $s := $join($states.input.orders.($uppercase("c" & $string(c)) & ":" & $string(p * q)), ";"); ' +
    '{ "len": $length($s), "head": $substring($s, 0, 40), "parts": $count($split($s, ";")), "s": $s } )';
  const s = orders.map((o) => `C${o.c}:${o.p * o.q}`).join(';');
  const expected = { len: s.length, head: s.substring(0, 40), parts: orders.length, s };
  emit('jn_string', 'jsonata', jsonataMachine('string building', expr), { orders }, expected, 1,
    'JSONata string building, 10,000 parts');
}

// date formatting: ISO 8601 (the default picture) and an explicit picture string. The
// 10,000 formatted dates are summarised (count, first, last, total length of all of them)
// so that the output stays small while every date is still formatted.
{
  const ts = [];
  for (let i = 0; i < 10000; i++) ts.push(1700000000000 + i * 3600 * 1000 + (i % 60) * 60000);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  const pictured = (ms) => {
    const d = new Date(ms);
    return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
      `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
  };
  const iso = (ms) => new Date(ms).toISOString();
  const summary = (d) => ({ n: d.length, first: d[0], last: d[d.length - 1], chars: d.join('').length,
    back: Date.parse('2023-11-14T22:13:20.000Z') });
  const expr = (call) => `( $d := $states.input.ts.${call}; ` +
    '{ "n": $count($d), "first": $d[0], "last": $d[-1], "chars": $length($join($d, "")), ' +
    '"back": $toMillis("2023-11-14T22:13:20.000Z") } )';
  emit('jn_date_iso', 'jsonata', jsonataMachine('date formatting (ISO 8601)', expr('$fromMillis($)')), { ts },
    summary(ts.map(iso)), 1, 'JSONata $fromMillis ISO 8601, 10,000 dates');
  emit('jn_date', 'jsonata',
    jsonataMachine('date formatting (picture)', expr('$fromMillis($, "[Y0001]-[M01]-[D01] [H01]:[m01]")')), { ts },
    summary(ts.map(pictured)), 1, 'JSONata $fromMillis picture string, 10,000 dates');
}

writeFileSync(join(out, 'manifest.tsv'), manifest.map((r) => r.join('\t')).join('\n') + '\n');
