// Harness benchmark: per-trial time of an optpar harness against a hand-written hyperopt
// script (same model, data, epochs and tuned values), and harness generation time for the
// 3,500-line bench file. Each script runs 6 trials and logs each trial's start; the per-trial
// time is (start of trial 6 - start of trial 1) / 5, which leaves out Python start-up, imports
// and data loading. The two scripts run interleaved, 5 rounds, and the median is reported.
import { spawn } from 'node:child_process';
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
const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', PYTHONUNBUFFERED: '1' };
/** Seconds per trial from the trial-start lines a script writes to stderr. */
const perTrialOf = (args) =>
  new Promise((resolve, reject) => {
    const child = spawn(python, args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const starts = [];
    let buffer = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop();
      for (const line of lines) if (/trial \d* ?started/.test(line)) starts.push(performance.now());
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || starts.length < 6) reject(new Error(`${args[0]} exited ${code} after ${starts.length} trial starts`));
      else resolve((starts[5] - starts[0]) / 5 / 1000);
    });
  });
const perTrial = { optpar: [], handwritten: [] };
for (let round = 0; round < 5; round++) {
  perTrial.optpar.push(await perTrialOf([harnessPath, '--max-evals', '6', '--algo', 'rand', '--fresh']));
  perTrial.handwritten.push(await perTrialOf([join(root, 'bench/handwritten_digits.py'), '6']));
}
console.log(`rounds: optpar ${perTrial.optpar.map((x) => x.toFixed(3)).join(" ")}; hand-written ${perTrial.handwritten.map((x) => x.toFixed(3)).join(" ")}`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const o = median(perTrial.optpar);
const h = median(perTrial.handwritten);
console.log(`per-trial time over 5 trials (median of 5 rounds): optpar harness ${o.toFixed(3)} s, hand-written hyperopt ${h.toFixed(3)} s, ratio ${(o / h).toFixed(3)} (goal <= 1.05)`);
