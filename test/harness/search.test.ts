import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, venvPython } from '../helpers/python';

/**
 * Issue 9 on real TensorFlow + hyperopt: the first trial is the code as written, budgets stay
 * out of the space, spatial ranges fit the input, draws whose model cannot be built are not
 * counted, seeds give independent searches, and a recorded trial seed reproduces a loss.
 */

const bin = join(repoRoot, 'bin', 'optpar.js');
const harnessDir = join(repoRoot, 'test', 'fixtures', 'harness');
const TIMEOUT = 240_000;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'optpar-search-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Row {
  number: number;
  params: Record<string, unknown>;
  status: string;
  phase: string | null;
  loss: number | null;
  error: string | null;
  seed: number | null;
  best_epoch: number | null;
  epochs: number | null;
}
interface Results {
  n_startup_jobs: number | null;
  trials_counted: number;
  build_failures: number;
  original: { params: Record<string, unknown>; loss: number | null; trial: number | null };
  best: { params: Record<string, unknown>; loss: number; trial: number; seed: number } | null;
  improvement: { loss: number; relative: number | null } | null;
  defaults: Record<string, unknown>;
  trials: Row[];
  reproduce: string | null;
}

function optpar(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

function python(args: string[], cwd: string) {
  return spawnSync(venvPython(), args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', PYTHONUNBUFFERED: '1' },
    timeout: TIMEOUT - 10_000,
    maxBuffer: 1 << 26,
  });
}

function generate(fixture: string, name: string, extra: string[]): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `tune_${basename(fixture)}`);
  optpar(['harness', join(harnessDir, fixture), '-o', out, '--force', ...extra]);
  return out;
}

function search(harness: string, seed: number): Results {
  const out = harness.replace(/\.py$/, `.seed${seed}`);
  const r = python([harness, '--seed', String(seed), '--out', out], join(harness, '..'));
  expect(r.status, r.stderr.slice(-3000)).toBe(0);
  return JSON.parse(readFileSync(`${out}.results.json`, 'utf8'));
}

type Space = { kind: string; options?: number[]; low?: number; high?: number };
const spaces = (fixture: string): Record<string, Space> => JSON.parse(optpar(['parametrize', join(harnessDir, fixture), '--json'])).space;

describe.sequential('searches that pay off (issue 9)', () => {
  it('budgets stay out of the space unless --tune-budget; each trial records its best epoch', () => {
    const plain = readFileSync(generate('small_image_cnn.py', 'budget', ['--max-evals', '2']), 'utf8');
    expect(plain).not.toMatch(/"fit\.epochs": hp\./);
    const tuned = readFileSync(generate('small_image_cnn.py', 'budget-tuned', ['--max-evals', '2', '--tune-budget']), 'utf8');
    expect(tuned).toMatch(/"fit\.epochs": hp\.uniformint\("fit\.epochs", 2, 50\)/);
  });

  let seed0: Results;
  let harness: string;
  it('the first trial is the code as written; results state the original loss, the best and the improvement', () => {
    harness = generate('small_image_cnn.py', 'seeds', ['--max-evals', '3']);
    seed0 = search(harness, 0);
    expect(seed0.trials).toHaveLength(3);
    expect(seed0.trials[0].params).toEqual(seed0.defaults);
    expect(seed0.original.trial).toBe(1);
    expect(seed0.original.loss).toBe(seed0.trials[0].loss);
    expect(seed0.best!.loss).toBeLessThanOrEqual(seed0.original.loss!);
    expect(seed0.improvement!.loss).toBeCloseTo(seed0.original.loss! - seed0.best!.loss, 12);
    expect(seed0.n_startup_jobs).toBe(5);
    for (const t of seed0.trials) {
      expect(t.status, t.error ?? '').toBe('ok');
      expect(t.best_epoch).toBeGreaterThanOrEqual(1);
      expect(t.best_epoch).toBeLessThanOrEqual(3);
      expect(Number.isInteger(t.seed)).toBe(true);
    }
    expect(new Set(seed0.trials.map((t) => t.seed)).size).toBe(3);
  }, TIMEOUT);

  it('another seed draws another sequence (not the same one shifted by a trial)', () => {
    const seed1 = search(harness, 1);
    expect(seed1.trials[0].params).toEqual(seed1.defaults);
    expect(seed1.trials[1].params).not.toEqual(seed0.trials[1].params);
    expect(seed1.trials[1].params).not.toEqual(seed0.trials[2].params);
    expect(seed1.trials.map((t) => t.seed)).not.toEqual(seed0.trials.map((t) => t.seed));
  }, TIMEOUT);

  it('--params with the recorded trial seed reproduces that trial\'s loss', () => {
    const t = seed0.trials[1];
    const r = python([harness, '--params', JSON.stringify(t.params), '--trial-seed', String(t.seed)], join(tmp, 'seeds'));
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const again = JSON.parse(r.stdout);
    expect(again.seed).toBe(t.seed);
    expect(Math.abs(again.loss - t.loss!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(t.loss!)));
  }, TIMEOUT);

  it('shape-safe: every kernel and pool at the top of its bounded range builds and trains; one step beyond fails while building', () => {
    const space = spaces('small_image_cnn.py');
    const top: Record<string, number> = {};
    for (const [id, s] of Object.entries(space)) {
      if (!/kernel_size|pool_size|strides/.test(id)) continue;
      top[id] = s.kind === 'choice' ? Math.max(...s.options!) : s.high!;
    }
    // 8 -> 6 -> 3 -> 2: only the pool can grow (to 3: 6 -> 2 -> 1); the kernels stay as written.
    expect(top).toEqual({ 'max_pooling2d.pool_size': 3 });
    const h = generate('small_image_cnn.py', 'shapes', ['--max-evals', '1']);
    const ok = python([h, '--params', JSON.stringify(top)], join(tmp, 'shapes'));
    expect(ok.status, ok.stderr.slice(-2000)).toBe(0);
    expect(JSON.parse(ok.stdout).status).toBe('ok');
    // One step past the bound: Keras refuses the shape before any training.
    const beyond = python([h, '--params', JSON.stringify({ 'max_pooling2d.pool_size': 4 })], join(tmp, 'shapes'));
    expect(beyond.status).toBe(1);
    const failed = JSON.parse(beyond.stdout);
    expect(failed.status).toBe('fail');
    expect(failed.phase).toBe('build');
    expect(failed.error).toMatch(/ValueError/);
  }, TIMEOUT);

  it('draws whose model cannot be built (input shape read from the data) are recorded with their error and not counted', () => {
    // Random search over the first kernel ({3, 5, 7}: only 3 fits) and the filters.
    const h = generate('conv_shapes_from_data.py', 'unbuilt', ['--max-evals', '3', '--algo', 'rand', '--ids', 'conv2d.kernel_size,conv2d.filters,conv2d_1.filters']);
    const r = python([h, '--seed', '4'], join(tmp, 'unbuilt'));
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    const results: Results = JSON.parse(readFileSync(h.replace(/\.py$/, '.results.json'), 'utf8'));
    const unbuilt = results.trials.filter((t) => t.phase === 'build');
    expect(unbuilt.length, 'seed 4 draws shapes that do not fit').toBeGreaterThanOrEqual(1);
    expect(results.build_failures).toBe(unbuilt.length);
    expect(results.trials_counted).toBe(results.trials.length - unbuilt.length);
    expect(results.trials_counted).toBe(3);
    for (const t of unbuilt) {
      expect(t.status).toBe('failed');
      expect(t.error).toMatch(/^ValueError: [^]*(negative|zero)/);
      expect(t.epochs).toBeNull();
    }
    expect(r.stdout).toMatch(/\d+ draw\(s\) could not build the model and were not counted/);
    expect(r.stderr).toMatch(/could not build the model \(not counted, no training spent\)/);
  }, TIMEOUT);
});

describe.sequential('the optimizer class and implicit values in a real search (issue 10 §4)', () => {
  it('trial 1 builds the optimizer as written at the Keras batch size; other trials draw another class; every trial trains', () => {
    const h = generate('optimizer_object.py', 'optimizer', ['--max-evals', '4', '--algo', 'rand']);
    const text = readFileSync(h, 'utf8');
    // The Adam family does not take momentum: the rewrite leaves it out for them.
    expect(text).toContain(
      "optimizer=(lambda name: lambda *args, **kwargs: getattr(keras.optimizers, name)(*args, **{k: v for k, v in kwargs.items() if k not in {\"Adam\": (\"momentum\",), \"AdamW\": (\"momentum\",), \"Nadam\": (\"momentum\",)}.get(name, ())}))(params['compile.optimizer.class'])(learning_rate=params['compile.optimizer.learning_rate'], momentum=params['compile.optimizer.momentum'])",
    );
    expect(text).toContain("validation_split=0.2, verbose=0, batch_size=params['fit.batch_size'])");
    const results = search(h, 3);
    expect(results.trials[0].params).toMatchObject({ 'compile.optimizer.class': 'SGD', 'compile.optimizer.learning_rate': 0.05, 'compile.optimizer.momentum': 0.9, 'fit.batch_size': 32 });
    for (const t of results.trials) expect(t.status, t.error ?? '').toBe('ok');
    // Among the classes drawn, one that takes momentum and one that does not: each trained.
    const drawn = new Set(results.trials.map((t) => t.params['compile.optimizer.class']));
    expect([...drawn].some((c) => c === 'RMSprop' || c === 'SGD')).toBe(true);
    expect([...drawn].some((c) => ['Adam', 'AdamW', 'Nadam'].includes(c as string)), [...drawn].join(', ')).toBe(true);
  }, TIMEOUT);
});

describe.sequential('command-line defaults in a real search (issue 10 §1)', () => {
  it('an absl script: DEFINE_* defaults are tuned, each trial defines its flags afresh, and app.run ending the trial is no failure', () => {
    const dir = join(tmp, 'absl');
    mkdirSync(dir, { recursive: true });
    const h = join(dir, 'tune_absl_train.py');
    optpar(['harness', join(repoRoot, 'test', 'fixtures', 'flow', 'absl_train.py'), '-o', h, '--force', '--max-evals', '3']);
    const text = readFileSync(h, 'utf8');
    expect(text).toContain('flags.DEFINE_integer("batch_size", params[\'FLAGS.batch_size\'], "Batch size.")');
    const r = python([h], dir);
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    const results: Results = JSON.parse(readFileSync(h.replace(/\.py$/, '.results.json'), 'utf8'));
    expect(results.trials).toHaveLength(3);
    for (const t of results.trials) expect(t.status, t.error ?? '').toBe('ok');
    expect(r.stderr).not.toMatch(/DuplicateFlagError|TPE using/);
  }, TIMEOUT);
});
