// bench/scale.mjs N OUT: a definition of N states for the check/build scaling
// benchmark (bench/scale.sh).  Every state kind the checker walks takes part:
// Pass with Parameters (paths, an intrinsic), ResultPath and Assign; Choice
// with And/Or rules and a Default; Task with Retry and Catch; Wait; a Map
// every 100 states with a two-state processor; a Succeed at the end.
// Every state is reachable and every variable read is assigned.
import { writeFileSync } from 'node:fs';

const n = Number(process.argv[2] || 4000);
const out = process.argv[3] || `scale${n}.asl.json`;
const states = {};
const name = (i) => `S${i}`;
for (let i = 0; i < n; i++) {
  const next = i + 1 < n ? name(i + 1) : undefined;
  if (!next) { states[name(i)] = { Type: 'Succeed' }; break; }
  switch (i % 5) {
    case 0:
      states[name(i)] = {
        Type: 'Pass',
        Parameters: { 'id.$': '$.id', 'n.$': 'States.MathAdd($.n, 1)', tag: `t${i}` },
        ResultPath: '$.acc',
        Assign: { [`v${i}`]: i, 'w.$': '$.n' },
        Next: next,
      };
      break;
    case 1:
      states[name(i)] = {
        Type: 'Choice',
        Choices: [
          { And: [{ Variable: '$.n', NumericGreaterThan: 5 }, { Variable: '$.id', IsPresent: true }], Next: next },
          { Variable: '$.tag', StringMatches: 'x*', Next: next },
        ],
        Default: next,
      };
      break;
    case 2:
      states[name(i)] = {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'f', 'Payload.$': '$' },
        Retry: [{ ErrorEquals: ['States.Timeout'], MaxAttempts: 2 }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: next, ResultPath: '$.err' }],
        Next: next,
      };
      break;
    case 3:
      if (i % 100 === 3) {
        states[name(i)] = {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: {
            StartAt: `M${i}a`,
            States: { [`M${i}a`]: { Type: 'Pass', Next: `M${i}b` }, [`M${i}b`]: { Type: 'Pass', End: true } },
          },
          ResultPath: '$.mapped',
          Next: next,
        };
      } else {
        states[name(i)] = { Type: 'Wait', Seconds: 0, Next: next };
      }
      break;
    default:
      states[name(i)] = { Type: 'Pass', InputPath: '$', OutputPath: '$', Next: next };
  }
}
writeFileSync(out, JSON.stringify({ Comment: `${n}-state scaling benchmark`, StartAt: 'S0', States: states }) + '\n');
