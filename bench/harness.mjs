// Harness benchmark: per-trial overhead of an optpar harness against a hand-written hyperopt
// script (same model, data, epochs and tuned values), and harness generation time for the
// 3,500-line bench file. Per-trial cost = (time of a 6-trial run - time of a 1-trial run) / 5,
// which cancels Python start-up, imports and data loading. Runs interleaved, median of 5 rounds (TensorFlow timings wander by a few per cent).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateBenchModel } from './model.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { loadCatalogue } = require(join(root, 'dist/catalogue/load.js'));
const { generateHarness } = require(join(root, 'dist/harness/hyperopt.js'));
const python = join(root, '.venv/bin/python');
const { catalogue } = loadCatalogue([]);

// Generation time.
const bench = generateBenchModel(250);
generateHarness(bench, 'bench_model.py', catalogue, { maxEvals: 10, algo: 'tpe', seed: 0 });
const gen = [];
for (let i = 0; i < 10; i++) {
  const t0 = process.hrtime.bigint();
  generateHarness(bench, 'bench_model.py', catalogue, { maxEvals: 10, algo: 'tpe', seed: 0 });
  gen.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
gen.sort((a, b) => a - b);
console.log(`harness generation, ${bench.split('\n').length}-line file: median ${gen[5].toFixed(1)} ms`);

// Per-trial overhead.
const dir = mkdtempSync(join(tmpdir(), 'optpar-bench-'));
const modelPath = join(root, 'bench/harness_model.py');
const harness = generateHarness(readFileSync(modelPath, 'utf8'), 'harness_model.py', catalogue, {
  maxEvals: 6, algo: 'rand', seed: 0, ids: ['dropout.rate', 'compile.optimizer.learning_rate'],
});
const harnessPath = join(dir, 'tune_harness_model.py');
writeFileSync(harnessPath, harness.text);
const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' };
const time = (args) => {
  const t0 = process.hrtime.bigint();
  execFileSync(python, args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'ignore'] });
  return Number(process.hrtime.bigint() - t0) / 1e9;
};
const perTrial = { optpar: [], handwritten: [] };
for (let round = 0; round < 5; round++) {
  const h1 = time([harnessPath, '--max-evals', '1', '--algo', 'rand', '--fresh']);
  const h6 = time([harnessPath, '--max-evals', '6', '--algo', 'rand', '--fresh']);
  const b1 = time([join(root, 'bench/handwritten_digits.py'), '1']);
  const b6 = time([join(root, 'bench/handwritten_digits.py'), '6']);
  perTrial.optpar.push((h6 - h1) / 5);
  perTrial.handwritten.push((b6 - b1) / 5);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const o = median(perTrial.optpar);
const h = median(perTrial.handwritten);
console.log(`per-trial time, 5 trials: optpar harness ${o.toFixed(3)} s, hand-written hyperopt ${h.toFixed(3)} s, ratio ${(o / h).toFixed(3)} (goal <= 1.05)`);
