// Tuning-value benchmark (issue 9, part 7): does optpar's automatic search find better models
// than the code as written, than random search in its own space, and than a hyperopt search a
// practitioner writes by hand?
//
// Five runnable models that ship with the tests (test/fixtures/value/), each with a hand-written
// expert search (bench/expert/). For every model and seed, at the same trial budget and the
// script's own epochs, one after another (2 cores, one TensorFlow process at a time):
//   original  the loss of the values as written (the harness's first trial when it has one,
//             else `--defaults`)
//   optpar    the generated harness, --algo tpe
//   random    the same harness, --algo rand
//   expert    bench/expert/<model>.py (its own space, TPE, same scoring and per-trial seeding)
// Every search scores a trial by its minimum val_loss over the epochs. Per model it prints the
// original loss, the median over seeds of each search's best loss, ratios against the baselines
// measured in this run, and the fraction of failed trials; then checks the goals of issue 9.
//
// Usage: node bench/value.mjs [--quick] [--resume] [--tpe-first] [--strict] [--models a,b]
//   OPTPAR_VALUE_TRIALS  trials per search (default 20; --quick: 3)
//   OPTPAR_VALUE_SEEDS   comma-separated seeds (default 0,1,2; --quick: 0)
//   --resume             reuse finished runs saved in bench/out/value-runs/ (same files, budget, seed)
//   --tpe-first          optpar's TPE and the expert for every seed first, then random search (implies --resume)
//   --report-only        no new searches: the table from the runs saved so far (whole seeds only)
//   --strict             exit 1 when a goal is not met
// Writes bench/out/value.json (and a timestamped copy).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = process.env.OPTPAR_VALUE_BIN ?? join(root, 'bin', 'optpar.js');
const python = join(root, '.venv', 'bin', 'python');
const fixtures = join(root, 'test', 'fixtures', 'value');
const experts = join(root, 'bench', 'expert');
const outDir = join(root, 'bench', 'out');
const runsDir = join(outDir, 'value-runs');

const MODELS = [
  { name: 'digits_cnn', shape: 'Sequential CNN, 8x8x1 digits' },
  { name: 'config_mlp', shape: 'functional MLP, CONFIG dict' },
  { name: 'subclassed_classifier', shape: 'subclassed keras.Model' },
  { name: 'lstm_tokens', shape: 'Embedding + LSTM, token ids' },
  { name: 'keras2_style', shape: 'Keras 2 style Sequential' },
];

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('--quick');
const reportOnly = flag('--report-only');
const tpeFirst = flag('--tpe-first');
const resume = flag('--resume') || reportOnly || tpeFirst;
const strict = flag('--strict');
const trialsPerSearch = Number(process.env.OPTPAR_VALUE_TRIALS ?? (quick ? 3 : 20));
const seeds = (process.env.OPTPAR_VALUE_SEEDS ?? (quick ? '0' : '0,1,2')).split(',').map(Number);
const only = option('--models')?.split(',');
const models = MODELS.filter((m) => !only || only.includes(m.name));
if (!Number.isInteger(trialsPerSearch) || trialsPerSearch < 1 || seeds.some((s) => !Number.isInteger(s)) || !models.length) {
  console.error('bench/value: bad OPTPAR_VALUE_TRIALS, OPTPAR_VALUE_SEEDS or --models');
  process.exit(2);
}
if (!existsSync(python)) {
  console.error(`bench/value: no Python environment at ${python} (node test/python-env.mjs makes it)`);
  process.exit(1);
}

const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', PYTHONUNBUFFERED: '1' };
const sha = (...texts) => createHash('sha256').update(texts.join('\0')).digest('hex').slice(0, 16);
const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x, digits = 4) => (x == null ? 'n/a' : x.toPrecision(digits));
const ratio = (a, b) => (a == null || b == null || b === 0 ? null : a / b);

/** Runs one Python process; resolves with its exit code, stdout and the tail of its stderr. */
function runPython(args, cwd, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(python, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c) => {
      stderr = (stderr + c).slice(-20000);
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Generates the model's harness (optpar's defaults: which values to tune and their spaces). */
function generateHarness(model, dir) {
  const source = join(fixtures, `${model.name}.py`);
  const harness = join(dir, `tune_${model.name}.py`);
  const r = spawnSync(process.execPath, [bin, 'harness', source, '-o', harness, '--max-evals', String(trialsPerSearch), '--force'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`optpar harness ${model.name} failed:\n${r.stderr}`);
  return harness;
}

/** What a results file says about the original values: its own field when the harness has one,
 * else the first trial when that trial ran the defaults. */
function originalFrom(results) {
  for (const key of ['original', 'defaults_trial', 'baseline']) {
    const o = results[key];
    if (o && typeof o === 'object' && typeof o.loss === 'number') return { loss: o.loss, from: `results.${key}` };
  }
  const first = results.trials?.[0];
  if (first && first.loss != null && results.defaults && sameValues(first.params, results.defaults)) {
    return { loss: first.loss, from: 'trial 1 (original values)' };
  }
  return null;
}

function sameValues(params, defaults) {
  if (!params) return false;
  return Object.entries(params).every(([k, v]) => {
    const d = defaults[k];
    if (typeof v === 'number' && typeof d === 'number') return Math.abs(v - d) <= 1e-9 * Math.max(1, Math.abs(d));
    return JSON.stringify(v) === JSON.stringify(d);
  });
}

function summariseHarness(results) {
  const trials = results.trials ?? [];
  // Every draw that did not give a loss is a failure here, including those the harness did not
  // count toward max_evals because the model could not be built (phase "build").
  const failed = trials.filter((t) => t.status !== 'ok').length;
  const build = trials.filter((t) => t.status !== 'ok' && t.phase === 'build').length;
  return {
    best: results.best?.loss ?? null,
    bestParams: results.best?.params ?? null,
    trials: trials.length,
    failed,
    buildFailures: build,
    losses: trials.map((t) => t.loss),
    original: originalFrom(results),
    nStartupJobs: results.n_startup_jobs ?? null,
  };
}

async function harnessSearch(model, harness, algo, seed, dir) {
  const out = join(dir, `${model.name}-${algo}-${seed}`);
  rmSync(`${out}.trials.pkl`, { force: true });
  const args = [harness, '--algo', algo, '--seed', String(seed), '--max-evals', String(trialsPerSearch), '--out', out, '--fresh'];
  const r = await runPython(args, dir, 60 * 60_000);
  const resultsPath = `${out}.results.json`;
  if (r.code !== 0 || !existsSync(resultsPath)) {
    return { error: `exit ${r.code ?? r.signal}: ${r.stderr.slice(-1500)}` };
  }
  return summariseHarness(JSON.parse(readFileSync(resultsPath, 'utf8')));
}

async function defaultsRun(harness, dir) {
  const r = await runPython([harness, '--defaults'], dir, 20 * 60_000);
  try {
    const result = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
    if (typeof result.loss === 'number') return { loss: result.loss, from: '--defaults' };
  } catch {}
  return { loss: null, from: '--defaults', error: r.stderr.slice(-1500) };
}

async function expertSearch(model, seed, dir) {
  const script = join(experts, `${model.name}.py`);
  const r = await runPython([script, '--seed', String(seed), '--max-evals', String(trialsPerSearch)], dir, 60 * 60_000);
  const line = r.stdout.split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.code !== 0 || !line) return { error: `exit ${r.code ?? r.signal}: ${r.stderr.slice(-1500)}` };
  const j = JSON.parse(line);
  return { best: j.best_loss, bestParams: j.best_params, trials: j.losses.length, failed: j.failures, losses: j.losses };
}

/** One search, or its saved result when --resume and nothing it depends on changed. */
async function cached(key, fingerprint, run) {
  const path = join(runsDir, `${key}.json`);
  if (resume && existsSync(path)) {
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    if (saved.fingerprint === fingerprint && !saved.result.error) return { ...saved.result, reused: true };
  }
  if (reportOnly) return { missing: true, best: null };
  const started = Date.now();
  const result = await run();
  result.seconds = Math.round((Date.now() - started) / 100) / 10;
  writeFileSync(path, JSON.stringify({ fingerprint, result }, null, 2));
  return result;
}

function describeSpace(s) {
  if (s.kind === 'choice') return `{${s.options.map((o) => JSON.stringify(o)).join(',')}}`;
  if ('low' in s) return `${s.kind}[${s.low}, ${s.high}]`;
  return JSON.stringify(s);
}

function describe(label, r) {
  if (r.missing) return `${label}: not run yet`;
  if (r.error) return `${label}: ERROR ${r.error.split('\n').slice(-3).join(' | ')}`;
  const failed = r.trials != null ? `, ${r.failed}/${r.trials} failed` : '';
  return `${label}: ${"best" in r ? `best ${fmt(r.best)}` : `loss ${fmt(r.loss)}`}${failed}${r.seconds != null ? `, ${r.seconds} s` : ''}${r.reused ? ' (reused)' : ''}`;
}

mkdirSync(runsDir, { recursive: true });
console.log(`tuning-value benchmark: ${models.length} models x seeds ${seeds.join(',')} x ${trialsPerSearch} trials per search`);
const started = Date.now();
const perModel = [];
let crashed = 0;
const prepared = models.map((model) => {
  const dir = join(outDir, 'value-work', model.name);
  mkdirSync(dir, { recursive: true });
  const harness = generateHarness(model, dir);
  const harnessText = readFileSync(harness, 'utf8');
  const expertText = readFileSync(join(experts, `${model.name}.py`), 'utf8') + readFileSync(join(experts, '_search.py'), 'utf8');
  const spaceLine = harnessText.match(/^OPTPAR_SPACE_DESCRIPTION = (.*)$/m);
  let space = {};
  try {
    // A Python literal: JSON apart from True, False and None.
    space = spaceLine ? JSON.parse(spaceLine[1].replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false').replace(/\bNone\b/g, 'null')) : {};
  } catch {}
  console.log(`${model.name} (${model.shape}): optpar tunes ${Object.keys(space).length} values: ${Object.entries(space).map(([id, s]) => `${id} ${describeSpace(s)}`).join('; ')}`);
  return { model, dir, harness, harnessText, expertText, space, runs: [] };
});

const tpeRun = ({ model, dir, harness, harnessText }, seed) =>
  cached(`${model.name}-${trialsPerSearch}-${seed}-tpe`, sha(harnessText, String(trialsPerSearch), String(seed)), () => harnessSearch(model, harness, 'tpe', seed, dir));
const expertRun = ({ model, dir, expertText }, seed) =>
  cached(`${model.name}-${trialsPerSearch}-${seed}-expert`, sha(expertText, String(trialsPerSearch), String(seed)), () => expertSearch(model, seed, dir));

// --tpe-first: optpar's TPE and the expert for every seed before any random search, so that a
// run cut short on a slow machine still answers the main question (the full pass below reuses them).
if (tpeFirst && !reportOnly) {
  for (const seed of seeds) {
    for (const p of prepared) {
      console.log(`   ${p.model.name} seed ${seed} ${describe('optpar tpe', await tpeRun(p, seed))}; ${describe('expert', await expertRun(p, seed))}`);
    }
  }
}

// Seed by seed, so that a run cut short still has whole seeds for every model (see --report-only).
for (const seed of seeds) {
  console.log(`\n## seed ${seed}`);
  for (const p of prepared) {
    const { model, dir, harness, harnessText } = p;
    const base = `${model.name}-${trialsPerSearch}-${seed}`;
    const hfp = sha(harnessText, String(trialsPerSearch), String(seed));
    const optpar = await tpeRun(p, seed);
    console.log(`   ${model.name} seed ${seed} ${describe('optpar tpe', optpar)}`);
    const random = await cached(`${base}-rand`, hfp, () => harnessSearch(model, harness, 'rand', seed, dir));
    console.log(`   ${model.name} seed ${seed} ${describe('optpar rand', random)}`);
    let original = optpar.original ?? random.original;
    if (!original && !reportOnly) {
      original = await cached(`${model.name}-defaults-${seed}`, sha(harnessText, String(seed)), () => defaultsRun(harness, dir));
    }
    original ??= { loss: null, from: 'missing' };
    console.log(`   ${model.name} seed ${seed} original: loss ${fmt(original.loss)} (${original.from})`);
    const expert = await expertRun(p, seed);
    console.log(`   ${model.name} seed ${seed} ${describe('expert', expert)}`);
    for (const r of [optpar, random, expert]) if (r.error) crashed++;
    // A seed counts once optpar's TPE and the expert have run; random search may still be missing (--report-only after --tpe-first).
    if ([optpar, expert].some((r) => r.missing)) continue;
    p.runs.push({ seed, original, optpar, random, expert });
  }
}

for (const { model, space, runs } of prepared) {
  const row = {
    model: model.name,
    shape: model.shape,
    space,
    original: median(runs.map((r) => r.original.loss)),
    optpar: median(runs.map((r) => r.optpar.best)),
    random: median(runs.map((r) => r.random.best)),
    expert: median(runs.map((r) => r.expert.best)),
    optparWorseThanOriginal: runs.filter((r) => r.optpar.best != null && r.original.loss != null && r.optpar.best > r.original.loss + 1e-12).length,
    failed: {
      optpar: [runs.reduce((n, r) => n + (r.optpar.failed ?? 0), 0), runs.reduce((n, r) => n + (r.optpar.trials ?? 0), 0)],
      random: [runs.reduce((n, r) => n + (r.random.failed ?? 0), 0), runs.reduce((n, r) => n + (r.random.trials ?? 0), 0)],
      expert: [runs.reduce((n, r) => n + (r.expert.failed ?? 0), 0), runs.reduce((n, r) => n + (r.expert.trials ?? 0), 0)],
    },
    runs,
  };
  row.optparVsOriginal = ratio(row.optpar, row.original);
  row.optparVsRandom = ratio(row.optpar, row.random);
  row.optparVsExpert = ratio(row.optpar, row.expert);
  perModel.push(row);
}

// The table.
const pct = ([f, n]) => (n ? `${((100 * f) / n).toFixed(0)}%` : 'n/a');
const header = ['model', 'original', 'optpar', 'random', 'expert', 'opt/orig', 'opt/rand', 'opt/expert', 'failed opt', 'failed rand', 'failed exp'];
const rows = perModel.map((r) => [
  r.model, fmt(r.original), fmt(r.optpar), fmt(r.random), fmt(r.expert),
  fmt(r.optparVsOriginal, 3), fmt(r.optparVsRandom, 3), fmt(r.optparVsExpert, 3),
  pct(r.failed.optpar), pct(r.failed.random), pct(r.failed.expert),
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(`\nbest val_loss, median over seeds ${seeds.join(',')}; ${trialsPerSearch} trials per search; ratios < 1 mean optpar is lower (better)`);
console.log(line(header));
for (const r of rows) console.log(line(r));

// The goals of issue 9.
const ratios = perModel.map((r) => r.optparVsExpert).filter((x) => x != null);
const medianRatio = median(ratios);
const better = perModel.filter((r) => r.optpar != null && r.original != null && r.optpar < r.original).length;
const neverWorse = perModel.every((r) => r.optparWorseThanOriginal === 0 && r.optpar != null);
const totalFailed = perModel.reduce((n, r) => n + r.failed.optpar[0], 0);
const totalTrials = perModel.reduce((n, r) => n + r.failed.optpar[1], 0);
const need = Math.min(4, perModel.length);
const goals = [
  { goal: 'never worse than the original (every model, every seed)', met: neverWorse, figure: perModel.map((r) => `${r.model} ${r.optparWorseThanOriginal}/${r.runs.length} worse`).join(', ') },
  { goal: `better than the original on at least ${need} of ${perModel.length} models`, met: better >= need, figure: `${better} of ${perModel.length}` },
  { goal: 'median model: optpar best <= expert best (ratio <= 1)', met: medianRatio != null && medianRatio <= 1, figure: `median optpar/expert ${fmt(medianRatio, 3)}` },
  { goal: 'no model worse than 1.25x the expert', met: ratios.length === perModel.length && ratios.every((x) => x <= 1.25), figure: `max optpar/expert ${fmt(Math.max(...ratios), 3)}` },
  { goal: 'fewer than 10% of optpar trials fail', met: totalTrials > 0 && totalFailed / totalTrials < 0.1, figure: `${totalFailed}/${totalTrials} (${pct([totalFailed, totalTrials])})` },
];
console.log('\ngoals (issue 9):');
for (const g of goals) console.log(`  ${g.met ? 'met    ' : 'NOT MET'}  ${g.goal}: ${g.figure}`);
const seconds = Math.round((Date.now() - started) / 1000);
console.log(`\n${seconds} s in all${crashed ? `; ${crashed} search(es) crashed (see above)` : ''}`);

const summary = {
  date: new Date().toISOString(),
  commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim(),
  optpar: bin, trialsPerSearch, seeds, quick, seconds,
  models: perModel, goals,
  medianOptparVsExpert: medianRatio,
};
writeFileSync(join(outDir, 'value.json'), JSON.stringify(summary, null, 2));
writeFileSync(join(outDir, `value-${summary.date.replace(/[:.]/g, '-')}.json`), JSON.stringify(summary, null, 2));
console.log(`summary: ${join('bench', 'out', 'value.json')}`);
process.exitCode = crashed ? 1 : strict && goals.some((g) => !g.met) ? 1 : 0;
