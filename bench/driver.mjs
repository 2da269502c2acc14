#!/usr/bin/env node
// Runs one workload through a peer and prints its output JSON on stdout.
//
//   node driver.mjs alsf    [--phases] [--construct-only] DEFINITION.json INPUT.json
//   node driver.mjs jsonata [--phases] DEFINITION.json INPUT.json
//
// alsf     aws-local-stepfunctions (validation on, as a user runs it): load the module,
//          new StateMachine(definition) (parse + validate), run(input), await the result.
// jsonata  the JSONata reference implementation (npm jsonata): the definition must be one
//          Pass state whose Output is "{% EXPR %}"; EXPR is compiled and evaluated with
//          $states bound to { input }, as Step Functions binds it.
// --phases          also print one line on stderr: phases load=MS construct=MS run=MS
//                   (load: module import; construct: alsf parse+validate / jsonata compile;
//                   run: the execution / evaluation), measured in-process.
// --construct-only  (alsf) stop after new StateMachine(): what the peer does before running,
//                   the nearest thing it has to a compile step.
// Exit: 0 success, 2 the execution failed (error on stderr), 1 usage error.
// Peers are resolved from bench/node_modules (npm ci in bench/).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const t0 = performance.now();
const argv = process.argv.slice(2);
const peer = argv.shift();
let phases = false;
let constructOnly = false;
const files = [];
for (const a of argv) {
  if (a === '--phases') phases = true;
  else if (a === '--construct-only') constructOnly = true;
  else files.push(a);
}
if (!['alsf', 'jsonata'].includes(peer) || files.length !== 2) {
  console.error('usage: driver.mjs alsf|jsonata [--phases] [--construct-only] DEFINITION.json INPUT.json');
  process.exit(1);
}
const definition = JSON.parse(readFileSync(files[0], 'utf8'));
const input = JSON.parse(readFileSync(files[1], 'utf8'));
const require = createRequire(import.meta.url);

function done(t1, t2, t3, result) {
  if (phases) {
    const ms = (a, b) => (b - a).toFixed(3);
    console.error(`phases load=${ms(t0, t1)} construct=${ms(t1, t2)} run=${ms(t2, t3)}`);
  }
  if (result !== undefined) process.stdout.write(JSON.stringify(result) + '\n');
}

function fail(name, cause) {
  console.error(JSON.stringify({ error: name, cause }));
  process.exit(2);
}

if (peer === 'alsf') {
  const { StateMachine } = require('aws-local-stepfunctions');
  const t1 = performance.now();
  const sm = new StateMachine(definition);
  const t2 = performance.now();
  if (constructOnly) {
    done(t1, t2, t2, undefined);
    process.exit(0);
  }
  let result;
  try {
    result = await sm.run(input).result;
  } catch (e) {
    fail(e.name, e.message);
  }
  done(t1, t2, performance.now(), result);
} else {
  const jsonata = require('jsonata');
  const t1 = performance.now();
  const start = definition.States[definition.StartAt];
  const m = /^\{%([\s\S]*)%\}$/.exec(start && typeof start.Output === 'string' ? start.Output.trim() : '');
  if (!m) {
    console.error('driver.mjs jsonata: the start state needs an Output "{% EXPR %}"');
    process.exit(1);
  }
  const expr = jsonata(m[1]);
  const t2 = performance.now();
  let result;
  try {
    result = await expr.evaluate({}, { states: { input } });
  } catch (e) {
    fail(e.code || 'States.QueryEvaluationError', e.message);
  }
  done(t1, t2, performance.now(), result);
}
