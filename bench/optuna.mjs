// Optuna backend benchmark (issue 13 §4).
// 1. Per-trial time of the Optuna harness against a hand-written Optuna objective (same model,
//    data, epochs and tuned values as bench/harness.mjs's): 6 trials each, the per-trial time read
//    from each script's trial-start lines ((start of trial 6 - start of trial 1) / 5: Python
//    start-up, imports and data loading left out), interleaved rounds, median. Goal <= 1.05x.
// 2. Wall time of 8 trials with --workers 2 against --workers 1 on the same model (the whole
//    command: each worker process imports TensorFlow and loads the data), as a ratio.
// `node bench/optuna.mjs [--rounds N]` (default 5; after npm run build, with .venv).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { loadCatalogue } = require(join(root, 'dist/catalogue/load.js'));
const { generateOptunaHarness } = require(join(root, 'dist/harness/optuna.js'));
const python = join(root, '.venv/bin/python');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;
const { catalogue } = loadCatalogue([]);

const dir = mkdtempSync(join(tmpdir(), 'optpar-bench-optuna-'));
const modelPath = join(root, 'bench/harness_model.py');
const harness = generateOptunaHarness(readFileSync(modelPath, 'utf8'), 'harness_model.py', catalogue, {
  maxEvals: 6, algo: 'rand', seed: 0, ids: ['dropout.rate', 'compile.optimizer.learning_rate'],
});
const harnessPath = join(dir, 'tune_harness_model.py');
writeFileSync(harnessPath, harness.text);
const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', PYTHONUNBUFFERED: '1' };

/** Runs a script; resolves with its wall time and the times of its trial-start lines (stderr). */
const run = (args) =>
  new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(python, args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const starts = [];
    let buffer = '';
    let tail = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      buffer += chunk;
      tail = (tail + chunk).slice(-2000);
      const lines = buffer.split('\n');
      buffer = lines.pop();
      for (const line of lines) if (/trial \d* ?started/.test(line)) starts.push(performance.now());
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${tail}`));
      else resolve({ wall: (performance.now() - t0) / 1000, starts });
    });
  });
const perTrial = ({ starts }) => {
  if (starts.length < 6) throw new Error(`only ${starts.length} trial starts`);
  return (starts[5] - starts[0]) / 5 / 1000;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const times = { optpar: [], handwritten: [] };
for (let round = 0; round < rounds; round++) {
  times.optpar.push(perTrial(await run([harnessPath, '--max-evals', '6', '--algo', 'rand', '--pruner', 'none', '--fresh', '--out', join(dir, 'one/')])));
  times.handwritten.push(perTrial(await run([join(root, 'bench/handwritten_optuna.py'), '6'])));
}
const fmt = (xs) => xs.map((x) => x.toFixed(3)).join(' ');
console.log(`rounds: optpar Optuna harness ${fmt(times.optpar)}; hand-written Optuna ${fmt(times.handwritten)}`);
const o = median(times.optpar);
const h = median(times.handwritten);
console.log(`per-trial time over 5 trials (median of ${rounds} rounds): Optuna harness ${o.toFixed(3)} s, hand-written Optuna objective ${h.toFixed(3)} s, ratio ${(o / h).toFixed(3)} (goal <= 1.05)`);

// Workers: 8 trials, each configuration on a fresh journal study, interleaved.
const walls = { 1: [], 2: [] };
const workerRounds = Math.max(1, Math.min(3, rounds));
for (let round = 0; round < workerRounds; round++) {
  for (const workers of [1, 2]) {
    const out = join(dir, `workers${workers}/`);
    const r = await run([harnessPath, '--max-evals', '8', '--algo', 'rand', '--pruner', 'none', '--fresh', '--workers', String(workers), '--out', out]);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    if (results.trials_counted !== 8) throw new Error(`--workers ${workers}: ${results.trials_counted} trials counted, not 8`);
    walls[workers].push(r.wall);
  }
}
const w1 = median(walls[1]);
const w2 = median(walls[2]);
console.log(`8 trials, wall time (median of ${workerRounds}): --workers 1 ${w1.toFixed(1)} s (${fmt(walls[1])}), --workers 2 ${w2.toFixed(1)} s (${fmt(walls[2])}), ratio 2/1 ${(w2 / w1).toFixed(2)} on ${require('node:os').availableParallelism()} cores`);
rmSync(dir, { recursive: true, force: true });
