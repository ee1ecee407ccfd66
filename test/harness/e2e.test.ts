import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, venvPython } from '../helpers/python';

/**
 * Issue 3, §4, §5 and §7 end to end: `optpar harness` writes the harness, the project's Python
 * environment (tensorflow-cpu, Keras 3, hyperopt, scikit-learn) runs it as a child process in a
 * temporary folder. Harness processes run one after another (the file's tests are sequential):
 * each costs a TensorFlow import (~3 s) plus ~1-5 s per trial.
 */

const bin = join(repoRoot, 'bin', 'optpar.js');
const kerasDir = join(repoRoot, 'test', 'fixtures', 'keras');
const harnessDir = join(repoRoot, 'test', 'fixtures', 'harness');
const TIMEOUT = 180_000;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'optpar-e2e-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function optpar(args: string[]): Run {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const pyEnv = (extra: Record<string, string> = {}) => ({ ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', PYTHONUNBUFFERED: '1', ...extra });

function python(args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const r = spawnSync(venvPython(), args, { cwd, encoding: 'utf8', env: pyEnv(env), timeout: TIMEOUT - 10_000, maxBuffer: 1 << 26 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

interface ScanHp {
  id: string;
  param: string;
  tunable: boolean;
}
interface Space {
  kind: string;
  options?: unknown[];
  low?: number;
  high?: number;
  q?: number;
  type: string;
  default: unknown;
}
interface TrialRow {
  number: number;
  params: Record<string, unknown>;
  status: string;
  loss: number | null;
  error: string | null;
  duration: number;
  epochs: number | null;
}
interface Results {
  source: string;
  max_evals: number;
  interrupted: boolean;
  best: { params: Record<string, unknown>; loss: number; trial: number } | null;
  defaults: Record<string, unknown>;
  trials: TrialRow[];
  reproduce: string;
}

function scanHps(file: string): ScanHp[] {
  const r = optpar(['scan', file, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout).files[0].hyperparameters;
}

/** Every tunable id except the epochs ones: trials stay as short as the fixture's own fit. */
function idsWithoutEpochs(file: string): string[] {
  return scanHps(file).filter((h) => h.tunable && h.param !== 'epochs').map((h) => h.id);
}

function spaceOf(file: string, ids: string[]): Record<string, Space> {
  const r = optpar(['parametrize', file, '--json', '--ids', ids.join(',')]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout).space;
}

function inside(s: Space, v: unknown): boolean {
  if (s.type === 'int' && !Number.isInteger(v)) return false;
  if (s.kind === 'choice') return s.options!.includes(v);
  if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  const slack = 1e-9 * Math.max(1, Math.abs(s.high!));
  const q = s.kind === 'qloguniform' ? s.q! : 0;
  const low = q ? Math.round(s.low! / q) * q : s.low!;
  const high = q ? Math.round(s.high! / q) * q : s.high!;
  return v >= low - slack && v <= high + slack;
}

function expectInsideSpace(params: Record<string, unknown>, space: Record<string, Space>, what: string) {
  expect(Object.keys(params).sort(), what).toEqual(Object.keys(space).sort());
  for (const [id, v] of Object.entries(params)) expect(inside(space[id], v), `${what}: ${id} = ${JSON.stringify(v)} in ${JSON.stringify(space[id])}`).toBe(true);
}

/** Generates the harness for `file` into its own folder; returns its path. */
function generate(file: string, name: string, extra: string[]): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `tune_${basename(file)}`);
  const r = optpar(['harness', file, '-o', out, ...extra]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toContain(`wrote ${out}`);
  return out;
}

const readResults = (harness: string): Results => JSON.parse(readFileSync(harness.replace(/\.py$/, '.results.json'), 'utf8'));
const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : []);

describe.sequential('harness end to end (real TensorFlow, Keras 3, hyperopt)', () => {
  describe.each([
    { fixture: 'sequential_cnn.py', shape: 'Sequential CNN on the digits images' },
    { fixture: 'functional_mlp.py', shape: 'functional-API MLP' },
    { fixture: 'build_model_constants.py', shape: 'build_model() with module-level constants' },
    { fixture: 'subclassed_model.py', shape: 'subclassed keras.Model' },
    { fixture: 'lstm_sequences.py', shape: 'LSTM on synthetic sequences' },
  ])('$fixture ($shape)', ({ fixture }) => {
    it('a 3-trial search records 3 trials with finite losses, best values inside their spaces', () => {
      const file = join(kerasDir, fixture);
      const hash = sha256(file);
      const ids = idsWithoutEpochs(file);
      expect(ids.length).toBeGreaterThan(0);
      const space = spaceOf(file, ids);
      const harness = generate(file, fixture.replace('.py', ''), ['--max-evals', '3', '--ids', ids.join(','), '--force']);
      const started = Date.now();
      const r = python([harness], join(tmp, fixture.replace('.py', '')));
      const seconds = (Date.now() - started) / 1000;
      expect(r.status, `${fixture} failed after ${seconds}s:\n${r.stderr.slice(-3000)}`).toBe(0);
      const results = readResults(harness);
      expect(results.source).toBe(fixture);
      expect(results.interrupted).toBe(false);
      expect(results.trials).toHaveLength(3);
      for (const t of results.trials) {
        expect(t.status, `${fixture} trial ${t.number}: ${t.error}`).toBe('ok');
        expect(Number.isFinite(t.loss), `trial ${t.number} loss ${t.loss}`).toBe(true);
        expect(t.epochs).toBe(2);
        expectInsideSpace(t.params, space, `${fixture} trial ${t.number}`);
      }
      expect(results.best).not.toBeNull();
      expect(results.best!.loss).toBe(Math.min(...results.trials.map((t) => t.loss!)));
      expectInsideSpace(results.best!.params, space, `${fixture} best`);
      expect(r.stdout).toMatch(/best loss [\d.e+-]+ \(trial \d of 3\)/);
      expect(r.stdout).toContain(`results: ${harness.replace(/\.py$/, '.results.json')}`);
      // The search never touches the user's file.
      expect(sha256(file)).toBe(hash);
    }, TIMEOUT);
  });

  describe('a fixture whose larger kernels and pools make Keras raise (conv_shapes.py)', () => {
    const file = join(harnessDir, 'conv_shapes.py');
    const ids = ['conv2d.kernel_size', 'max_pooling2d.pool_size', 'conv2d_1.kernel_size', 'max_pooling2d_1.pool_size'];
    let harness: string;

    it('--params with a 7x7 first kernel: one failed trial, printed as JSON with its error', () => {
      harness = generate(file, 'conv_shapes', ['--max-evals', '3', '--ids', ids.join(','), '--force']);
      const r = python([harness, '--params', '{"conv2d.kernel_size": 7}'], join(tmp, 'conv_shapes'));
      expect(r.status, r.stderr.slice(-2000)).toBe(1);
      const result = JSON.parse(r.stdout);
      expect(result.status).toBe('fail');
      expect(result.params).toEqual({ 'conv2d.kernel_size': 7 });
      expect(result.error).toMatch(/^ValueError: .*(negative|zero)/);
      expect(result.loss).toBeUndefined();
    }, TIMEOUT);

    it('the kernels and pools no other value fits are reported fixed (shapes.ts), and the harness searches none of them', () => {
      const hps = scanHps(file) as (ScanHp & { kind: string; reason: string | null })[];
      for (const id of ids) expect(hps.find((h) => h.id === id), id).toMatchObject({ tunable: false, kind: 'fixed-by-task', reason: expect.stringMatching(/feature map/) });
      const plain = readFileSync(generate(file, 'conv_shapes_all', ['--max-evals', '3', '--force']), 'utf8');
      for (const id of ids) expect(plain).not.toContain(`"${id}": hp.`);
    }, TIMEOUT);
  });

  it('a fit without validation data gets validation_split=0.2, said at the top, and trials are scored on val_loss', () => {
    const file = join(harnessDir, 'student_sgd_nesterov.py');
    const ids = idsWithoutEpochs(file);
    const harness = generate(file, 'student', ['--max-evals', '2', '--ids', ids.join(','), '--force']);
    const text = readFileSync(harness, 'utf8');
    expect(text).toMatch(/^# NOTE: a fit\(\) call has no validation data: the harness adds validation_split=0\.2/m);
    const dir = join(tmp, 'student');
    const r = python([harness], dir);
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    const results = readResults(harness);
    expect(results.trials).toHaveLength(2);
    for (const t of results.trials) {
      expect(t.status).toBe('ok');
      expect(Object.keys((t as unknown as { metrics: Record<string, number> }).metrics)).toContain('val_loss');
      expect(typeof t.params['sgd.nesterov']).toBe('boolean');
    }
    expect(existsSync(join(dir, 'pima.keras')), 'model.save is a no-op during the search').toBe(false);
  }, TIMEOUT);

  it('a rerun after the space changed warns, keeps the old trials aside and starts a new search', () => {
    const file = join(harnessDir, 'student_sgd_nesterov.py');
    const ids = idsWithoutEpochs(file).filter((id) => id !== 'sgd.nesterov');
    const harness = generate(file, 'student', ['--max-evals', '3', '--ids', ids.join(','), '--force']);
    const dir = join(tmp, 'student');
    const r = python([harness, '--max-evals', '1'], dir);
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    expect(r.stderr).toMatch(/WARNING: the search space changed since the trials in .*tune_student_sgd_nesterov\.trials\.pkl were saved/);
    expect(existsSync(`${harness.replace(/\.py$/, '')}.trials.pkl.old`)).toBe(true);
    const results = readResults(harness);
    expect(results.trials).toHaveLength(1);
    expect(Object.keys(results.trials[0].params)).not.toContain('sgd.nesterov');
  }, TIMEOUT);

  describe('counted_mlp.py: data loading, model building, side effects, one-off runs, resume', () => {
    const file = join(harnessDir, 'counted_mlp.py');
    let harness: string;
    let dir: string;
    let space: Record<string, Space>;

    it('a 3-trial search loads the data once, builds the model 3 times, and skips model.save', () => {
      const ids = idsWithoutEpochs(file);
      space = spaceOf(file, ids);
      harness = generate(file, 'counted', ['--max-evals', '3', '--ids', ids.join(','), '--force']);
      dir = join(tmp, 'counted');
      const counter = join(dir, 'loads.txt');
      const builds = join(dir, 'builds.txt');
      const r = python([harness], dir, { OPTPAR_TEST_COUNTER: counter, OPTPAR_TEST_BUILDS: builds });
      expect(r.status, r.stderr.slice(-3000)).toBe(0);
      expect(readResults(harness).trials).toHaveLength(3);
      expect(lines(counter)).toEqual(['load']);
      expect(lines(builds)).toEqual(['build 3', 'build 3', 'build 3']);
      expect(existsSync(join(dir, 'counted_mlp.keras')), 'model.save is a no-op during the search').toBe(false);
    }, TIMEOUT);

    it('--defaults trains the original model once, exactly as written, and prints JSON with status ok', () => {
      const counter = join(dir, 'defaults_loads.txt');
      const builds = join(dir, 'defaults_builds.txt');
      const r = python([harness, '--defaults'], dir, { OPTPAR_TEST_COUNTER: counter, OPTPAR_TEST_BUILDS: builds });
      expect(r.status, r.stderr.slice(-3000)).toBe(0);
      const result = JSON.parse(r.stdout);
      expect(result.status).toBe('ok');
      expect(Number.isFinite(result.loss)).toBe(true);
      expect(result.scored_on).toBe('val_loss');
      expect(result.epochs).toBe(2);
      expect(lines(counter)).toEqual(['load']);
      expect(lines(builds)).toEqual(['build 3']);
      expect(existsSync(join(dir, 'counted_mlp.keras')), '--defaults runs model.save as written').toBe(true);
    }, TIMEOUT);

    it("--params '{...}' runs one trial with those values and prints its result as JSON", () => {
      const values = { 'dense.units': 16, 'dense.activation': 'tanh', 'compile.optimizer.learning_rate': 0.01 };
      const r = python([harness, '--params', JSON.stringify(values)], dir);
      expect(r.status, r.stderr.slice(-3000)).toBe(0);
      const result = JSON.parse(r.stdout);
      expect(result.status).toBe('ok');
      expect(result.params).toEqual(values);
      expect(Number.isFinite(result.loss)).toBe(true);
      expect(result.epochs).toBe(2);
      // An unknown id is a failed trial that names it, not a crash.
      const bad = python([harness, '--params', '{"no.such": 1}'], dir);
      expect(bad.status).toBe(1);
      expect(JSON.parse(bad.stdout).error).toMatch(/unknown hyperparameter id\(s\): no\.such/);
    }, TIMEOUT);

    it('--save-best after a 2-trial search writes a model keras.models.load_model reads', () => {
      const best = join(dir, 'best.keras');
      const r = python([harness, '--max-evals', '2', '--out', join(dir, 'savebest'), '--save-best', best], dir);
      expect(r.status, r.stderr.slice(-3000)).toBe(0);
      const results: Results = JSON.parse(readFileSync(join(dir, 'savebest.results.json'), 'utf8'));
      expect(results.trials).toHaveLength(2);
      expectInsideSpace(results.best!.params, space, 'save-best');
      expect(r.stdout).toContain(`best model saved to ${best}`);
      expect(existsSync(best)).toBe(true);
      const units = results.best!.params['dense.units'];
      const load = python(['-c', `import keras, json; m = keras.models.load_model(${JSON.stringify(best)}); print(json.dumps([m.layers[0].units, m.count_params()]))`], dir);
      expect(load.status, load.stderr.slice(-2000)).toBe(0);
      const [loadedUnits, count] = JSON.parse(load.stdout.trim().split('\n').pop()!);
      expect(loadedUnits).toBe(units);
      expect(count).toBeGreaterThan(0);
    }, TIMEOUT);

    it('a search killed while trial 3 starts resumes from the 2 saved trials and ends with 3', async () => {
      const out = join(dir, 'resume');
      const counter = join(dir, 'resume_loads.txt');
      const args = [harness, '--out', out];
      const env = pyEnv({ OPTPAR_TEST_COUNTER: counter });
      const first = await new Promise<{ killed: boolean; stderr: string }>((resolve, reject) => {
        const child = spawn(venvPython(), args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        let killed = false;
        child.stderr.setEncoding('utf8');
        child.stderr.on('data', (chunk: string) => {
          stderr += chunk;
          if (!killed && /optpar: trial 3 started/.test(stderr)) {
            killed = true;
            child.kill('SIGKILL');
          }
        });
        child.on('error', reject);
        child.on('close', () => resolve({ killed, stderr }));
      });
      expect(first.killed, `never saw "trial 3 started":\n${first.stderr.slice(-2000)}`).toBe(true);
      expect(first.stderr).toMatch(/optpar: trial 2 done/);
      expect(existsSync(`${out}.trials.pkl`)).toBe(true);
      expect(existsSync(`${out}.results.json`), 'killed before the report').toBe(false);

      const again = python(args, dir, { OPTPAR_TEST_COUNTER: counter });
      expect(again.status, again.stderr.slice(-3000)).toBe(0);
      expect(again.stderr).toMatch(/optpar: resuming: 2 trial\(s\) already in /);
      expect(again.stderr).toContain('optpar: trial 3 started');
      expect(again.stderr).not.toContain('optpar: trial 1 started');
      const results: Results = JSON.parse(readFileSync(`${out}.results.json`, 'utf8'));
      expect(results.trials.map((t) => t.number)).toEqual([1, 2, 3]);
      for (const t of results.trials) expect(t.status).toBe('ok');
      // Each process loaded the data once.
      expect(lines(counter)).toEqual(['load', 'load']);
    }, TIMEOUT);

    it('Ctrl-C (SIGINT) while trial 3 starts stops with the best so far, writes the results and exits 130', async () => {
      const out = join(dir, 'interrupt');
      const args = [harness, '--max-evals', '10', '--out', out];
      const done = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(venvPython(), args, { cwd: dir, env: pyEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        let stdout = '';
        let sent = false;
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding('utf8');
        child.stderr.on('data', (chunk: string) => {
          stderr += chunk;
          if (!sent && /optpar: trial 3 started/.test(stderr)) {
            sent = true;
            child.kill('SIGINT');
          }
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect(done.code, done.stderr.slice(-2000)).toBe(130);
      expect(done.stderr).toContain('optpar: interrupted: stopping with the best so far');
      const results: Results = JSON.parse(readFileSync(`${out}.results.json`, 'utf8'));
      expect(results.interrupted).toBe(true);
      // Trial 3, cut short, is recorded as pruned (its values, no loss, why).
      expect(results.trials.map((t) => [t.number, t.status])).toEqual([[1, 'ok'], [2, 'ok'], [3, 'pruned']]);
      expect(results.trials[2].loss).toBeNull();
      expect(results.trials[2].error).toMatch(/interrupted/);
      const finished = results.trials.filter((t) => t.status === 'ok');
      expect(results.best!.loss).toBe(Math.min(...finished.map((t) => t.loss!)));
      expect(done.stdout).toContain(`results: ${out}.results.json`);
    }, TIMEOUT);
  });

  describe("the paper's Figure 2 model on the digits (paper_figure2_digits.py)", () => {
    const file = join(harnessDir, 'paper_figure2_digits.py');

    it("its space covers Figure 4's entries but not the output layer's units and activation nor the loss (reported fixed)", () => {
      const hps = scanHps(file) as (ScanHp & { reason: string | null })[];
      const r = optpar(['parametrize', file, '--json']);
      expect(r.status, r.stderr).toBe(0);
      const space: Record<string, Space> = JSON.parse(r.stdout).space;
      const figure4 = ['conv2d.filters', 'conv2d.activation', 'conv2d_1.filters', 'conv2d_1.activation', 'dense.units'];
      for (const id of figure4) expect(Object.keys(space), id).toContain(id);
      // Figure 4's kernels, pools and strides: on 8x8 inputs no other value fits (8 -> 6 -> 3 -> 2 -> 1).
      for (const id of ['conv2d.kernel_size', 'conv2d.strides', 'max_pooling2d.pool_size', 'conv2d_1.kernel_size', 'conv2d_1.strides', 'max_pooling2d_1.pool_size']) {
        expect(Object.keys(space)).not.toContain(id);
        expect(hps.find((x) => x.id === id)!.reason, id).toMatch(/feature map/);
      }
      for (const id of ['dense_1.units', 'dense_1.activation', 'compile.loss']) {
        expect(Object.keys(space)).not.toContain(id);
        const h = hps.find((x) => x.id === id);
        expect(h, `${id} is reported`).toBeDefined();
        expect(h!.tunable).toBe(false);
        expect(h!.reason).toMatch(/output layer|loss/);
      }
      for (const [id, s] of Object.entries(space)) expect(inside(s, s.default), id).toBe(true);
    });

    it('its harness runs 2 trials', () => {
      const hash = sha256(file);
      const ids = idsWithoutEpochs(file);
      const space = spaceOf(file, ids);
      const harness = generate(file, 'paper', ['--max-evals', '2', '--ids', ids.join(','), '--force']);
      const r = python([harness], join(tmp, 'paper'));
      expect(r.status, r.stderr.slice(-3000)).toBe(0);
      const results = readResults(harness);
      expect(results.trials).toHaveLength(2);
      for (const t of results.trials) {
        expectInsideSpace(t.params, space, `paper trial ${t.number}`);
        // The full Figure 4 space includes kernels, strides and pools too large for 8x8 images.
        if (t.status === 'ok') expect(Number.isFinite(t.loss)).toBe(true);
        else expect(t.error).toMatch(/^ValueError: /);
      }
      expect(sha256(file)).toBe(hash);
      // And the original values train.
      const d = python([harness, '--defaults'], join(tmp, 'paper'));
      expect(d.status, d.stderr.slice(-3000)).toBe(0);
      expect(JSON.parse(d.stdout).status).toBe('ok');
    }, TIMEOUT);
  });

  describe('refusals (§3, §7)', () => {
    it('does not overwrite an existing output without --force, and never touches the user file', () => {
      const file = join(kerasDir, 'functional_mlp.py');
      const hash = sha256(file);
      const out = join(tmp, 'existing.py');
      writeFileSync(out, '# mine\n');
      const r = optpar(['harness', file, '-o', out]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`optpar: ${out} exists; use --force to replace it`);
      expect(readFileSync(out, 'utf8')).toBe('# mine\n');
      const forced = optpar(['harness', file, '-o', out, '--force']);
      expect(forced.status, forced.stderr).toBe(0);
      expect(readFileSync(out, 'utf8')).toMatch(/^# Tuning harness for functional_mlp\.py/);
      // Writing over the user's own file needs --force too.
      const self = optpar(['harness', file, '-o', file]);
      expect(self.status).toBe(1);
      expect(sha256(file)).toBe(hash);
    });

    it('a file with no Keras model: exit 1, a clear message, nothing written', () => {
      const out = join(tmp, 'tune_no_model.py');
      const r = optpar(['harness', join(harnessDir, 'no_model.py'), '-o', out]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/no_model\.py: no Keras model found/);
      expect(existsSync(out)).toBe(false);
    });

    it('only fixed hyperparameters: a clear message, unless --ids names some', () => {
      const file = join(harnessDir, 'only_fixed.py');
      const out = join(tmp, 'tune_only_fixed.py');
      const r = optpar(['harness', file, '-o', out]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/only_fixed\.py: nothing to tune: every hyperparameter found is fixed.*name some with --ids/);
      expect(existsSync(out)).toBe(false);
      const named = optpar(['harness', file, '-o', out, '--ids', 'compile.loss']);
      expect(named.status, named.stderr).toBe(0);
      expect(readFileSync(out, 'utf8')).toContain(`"compile.loss": hp.choice("compile.loss", ["mse"])`);
    });

    it("Keras 2's fit_generator: refuses, naming the line and the Keras 3 way", () => {
      const file = join(kerasDir, 'augment_generator_keras2.py');
      const out = join(tmp, 'tune_augment_generator_keras2.py');
      const r = optpar(['harness', file, '-o', out]);
      expect(r.status).toBe(1);
      const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('.fit_generator(')) + 1;
      expect(r.stderr).toContain(`augment_generator_keras2.py: line ${line} trains with Keras 2's fit_generator, which Keras 3 removed; write model.fit(generator, ...)`);
      expect(existsSync(out)).toBe(false);
    });

    it('a syntax error in code the harness must move: refuses, naming the line', () => {
      const out = join(tmp, 'tune_syntax_error.py');
      const r = optpar(['harness', join(kerasDir, 'syntax_error.py'), '-o', out]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/syntax_error\.py: syntax error at line 5\b/);
      expect(existsSync(out)).toBe(false);
    });

    it('an unwritable output path: a clear message', () => {
      const r = optpar(['harness', join(kerasDir, 'functional_mlp.py'), '-o', join(tmp, 'no', 'such', 'dir', 'tune.py')]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/optpar: cannot write .*tune\.py: no such directory/);
      const dirOut = join(tmp, 'a_directory');
      mkdirSync(dirOut);
      const d = optpar(['harness', join(kerasDir, 'functional_mlp.py'), '-o', dirOut, '--force']);
      expect(d.status).toBe(1);
      expect(d.stderr).toMatch(/optpar: cannot write .*a_directory/);
      expect(d.stderr).not.toMatch(/at .*\.js:\d+/);
    });
  });
});
