/**
 * The catalogue's Keras facts (names, positional indices, paths) checked against the pinned
 * Keras by introspection: metadata/check_keras.py run with the project's Python environment.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot, venvPython } from '../helpers/python';

const KERAS = '3.15.1';
const metadataDir = join(repoRoot, 'metadata');
const script = join(metadataDir, 'check_keras.py');

interface RawParam {
  name: string;
  position?: number;
  [field: string]: unknown;
}
interface RawCallable {
  name: string;
  kind: string;
  paths: string[];
  params: RawParam[];
  origin?: string;
  [field: string]: unknown;
}
interface CheckError {
  callable: string | null;
  param: string | null;
  set?: string;
  message: string;
}
interface Report {
  keras: string;
  source: string[];
  errors: CheckError[];
  info: unknown[];
  callables: number;
  checked: number;
}

function loadCatalogue(): { sources: string[]; callables: RawCallable[]; sets: Record<string, unknown[]> } {
  const files = readdirSync(metadataDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const sources: string[] = [];
  const callables: RawCallable[] = [];
  const sets: Record<string, unknown[]> = {};
  for (const file of files) {
    const doc = parse(readFileSync(join(metadataDir, file), 'utf8')) as {
      source: string;
      sets?: Record<string, unknown[]>;
      callables?: RawCallable[];
    };
    sources.push(doc.source);
    Object.assign(sets, doc.sets ?? {});
    for (const entry of doc.callables ?? []) callables.push({ ...entry, origin: file });
  }
  return { sources, callables, sets };
}

function runCheck(callables: RawCallable[], sets: Record<string, unknown[]> = {}): { status: number | null; report: Report; stderr: string } {
  const result = spawnSync(venvPython(), [script], {
    input: JSON.stringify({ callables, sets }),
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
    timeout: 110_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  let report: Report;
  try {
    report = JSON.parse(result.stdout) as Report;
  } catch {
    throw new Error(`check_keras.py printed no JSON (status ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return { status: result.status, report, stderr: result.stderr };
}

describe('catalogue facts against the installed Keras', () => {
  const { sources, callables, sets } = loadCatalogue();
  // Third-party callables (tensorflow_addons) have no Keras or TensorFlow path to check against.
  const thirdParty = (c: { paths: string[] }) => c.paths.every((p) => !/^(keras|tensorflow|Model)\./.test(p) && !/^[A-Z]\w*\.\w+$/.test(p));
  const paramCount = callables.filter((c) => !thirdParty(c)).reduce((n, c) => n + c.params.length, 0);

  it('records the pinned Keras version in every file', () => {
    expect(sources.length).toBeGreaterThanOrEqual(6);
    for (const source of sources) expect(source).toBe(`keras ${KERAS}`);
  });

  it('matches every name and position of the real signatures', { timeout: 120_000 }, () => {
    const { status, report, stderr } = runCheck(callables, sets);
    expect(report.keras).toBe(KERAS);
    expect(report.errors, JSON.stringify(report.errors, null, 2)).toEqual([]);
    expect(status, stderr).toBe(0);
    expect(report.callables).toBe(callables.length);
    expect(report.checked).toBe(paramCount);
    expect(report.info.filter((i: { message: string }) => /third-party/.test(i.message)).length).toBe(callables.filter(thirdParty).length);
    expect(report.callables).toBeGreaterThan(60);
    expect(report.checked).toBeGreaterThan(400);
  });

  it('fails on a wrong position (Dense units at 3)', { timeout: 120_000 }, () => {
    const broken = structuredClone(callables);
    const dense = broken.find((c) => c.name === 'Dense' && c.kind === 'layer');
    const units = dense?.params.find((p) => p.name === 'units');
    expect(units?.position).toBe(0);
    units!.position = 3;

    const { status, report } = runCheck(broken);
    expect(status).toBe(1);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ callable: 'Dense', param: 'units' });
    expect(report.errors[0].message).toMatch(/position 3 .* 0 in Keras/);
  });

  it('fails on wrong facts of every kind of entry: tf.keras-only classes, their methods, Keras 2-only methods, tensorflow.* paths, set values', { timeout: 120_000 }, () => {
    const broken = structuredClone(callables);
    const param = (callable: string, name: string) => {
      const p = broken.find((c) => c.name === callable)?.params.find((q) => q.name === name);
      expect(p, `${callable}.${name} is in the catalogue`).toBeDefined();
      return p!;
    };
    // ImageDataGenerator exists only in tf.keras under Keras 3; flow is its method.
    param('ImageDataGenerator', 'rotation_range').position = 5;
    param('flow', 'batch_size').position = 3;
    // fit_generator is not in Keras 3: checked against the recorded Keras 2 signature.
    param('fit_generator', 'epochs').position = 1;
    param('fit_generator', 'steps_per_epoch').name = 'steps_per_epok';
    // A tensorflow.* path beside a keras.* one is checked against its own signature.
    broken.push({ name: 'Mixed', kind: 'initializer', paths: ['keras.initializers.RandomNormal', 'tensorflow.random_uniform_initializer'], params: [{ name: 'stddev', position: 1 }] });
    const badSets = { ...sets, kernel_initializers: [...(sets.kernel_initializers ?? []), 'he_normall'] };

    const { status, report } = runCheck(broken, badSets);
    expect(status).toBe(1);
    const summary = report.errors.map((e) => `${e.callable ?? e.set}.${e.param}: ${e.message}`);
    expect(summary, summary.join('\n')).toHaveLength(6);
    expect(summary).toEqual(expect.arrayContaining([
      expect.stringMatching(/^ImageDataGenerator\.rotation_range: position 5 .* 6 in Keras/),
      expect.stringMatching(/^flow\.batch_size: position 3 .* 2 in Keras \(ImageDataGenerator\.flow\)/),
      expect.stringMatching(/^fit_generator\.epochs: position 1 .* 2 in Keras \(Keras 2 Model\.fit_generator\)/),
      expect.stringMatching(/^fit_generator\.steps_per_epok: no parameter steps_per_epok in Keras 2 Model\.fit_generator/),
      expect.stringMatching(/^Mixed\.stddev: no parameter stddev in tensorflow\.random_uniform_initializer/),
      expect.stringMatching(/^kernel_initializers\.null: .*he_normall/),
    ]));
  });

  it('fails on a wrong implicit default and on a "removed" argument that Keras still has', { timeout: 120_000 }, () => {
    const broken = structuredClone(callables);
    const sgd = broken.find((c) => c.name === 'SGD' && c.kind === 'optimizer')!;
    const rate = sgd.params.find((p) => p.name === 'learning_rate') as { implicit?: number };
    expect(rate.implicit).toBe(0.01);
    rate.implicit = 0.001;
    const adam = broken.find((c) => c.name === 'Adam' && c.kind === 'optimizer')!;
    (adam.params as unknown[]).push({ name: 'amsgrad', removed: 'not really' });
    // SGD's decay (removed, and indeed gone) and Adam's real default rate pass.
    const { status, report } = runCheck(broken.filter((c) => c.name === 'SGD' || c.name === 'Adam'));
    expect(status).toBe(1);
    const summary = report.errors.map((e) => `${e.callable}.${e.param}: ${e.message}`);
    expect(summary, summary.join('\n')).toEqual(expect.arrayContaining([
      expect.stringMatching(/^SGD\.learning_rate: implicit default 0\.001 in the catalogue, 0\.01 in Keras/),
      expect.stringMatching(/^Adam\.amsgrad: marked removed, but .* still has it/),
    ]));
    expect(summary).toHaveLength(2);
  });
});
