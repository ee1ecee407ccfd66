import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, venvPython } from '../helpers/python';

/**
 * The models of the tuning-value benchmark (bench/value.mjs, issue 9 part 7) keep running: for
 * each fixture in test/fixtures/value/, optpar's generated harness (its default choice of values
 * and spaces) runs a 2-trial search with real hyperopt + TensorFlow from .venv, and the
 * hand-written expert search in bench/expert/ runs 2 trials. One Python process at a time.
 */

const bin = join(repoRoot, 'bin', 'optpar.js');
const fixtures = join(repoRoot, 'test', 'fixtures', 'value');
const experts = join(repoRoot, 'bench', 'expert');
const TIMEOUT = 120_000;
const MODELS = ['digits_cnn', 'config_mlp', 'subclassed_classifier', 'lstm_tokens', 'keras2_style'];

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'optpar-value-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function python(args: string[], cwd: string) {
  const r = spawnSync(venvPython(), args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', PYTHONUNBUFFERED: '1' },
    timeout: TIMEOUT - 10_000,
    maxBuffer: 1 << 26,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

interface TrialRow {
  status: string;
  loss: number | null;
  error: string | null;
}

describe.sequential('tuning-value benchmark models (real TensorFlow, Keras 3, hyperopt)', () => {
  describe.each(MODELS)('%s', (name) => {
    it('optpar harness: a 2-trial search completes both trials with finite losses', { timeout: TIMEOUT }, () => {
      const dir = join(tmp, name);
      mkdirSync(dir, { recursive: true });
      const harness = join(dir, `tune_${name}.py`);
      const gen = spawnSync(process.execPath, [bin, 'harness', join(fixtures, `${name}.py`), '-o', harness, '--max-evals', '2', '--seed', '0', '--force'], {
        encoding: 'utf8',
      });
      expect(gen.status, gen.stderr).toBe(0);
      const r = python([harness], dir);
      expect(r.status, `${name} harness exited ${r.status ?? r.signal}:\n${r.stderr.slice(-3000)}`).toBe(0);
      const resultsPath = harness.replace(/\.py$/, '.results.json');
      expect(existsSync(resultsPath)).toBe(true);
      const results = JSON.parse(readFileSync(resultsPath, 'utf8'));
      const trials: TrialRow[] = results.trials;
      expect(trials).toHaveLength(2);
      for (const t of trials) {
        expect(t.status, `${name}: ${t.error}`).toBe('ok');
        expect(Number.isFinite(t.loss), `${name}: loss ${t.loss}`).toBe(true);
      }
      expect(results.best.loss).toBe(Math.min(...trials.map((t) => t.loss as number)));
    });

    it('expert search: 2 trials with finite losses, reported as one JSON line', { timeout: TIMEOUT }, () => {
      const dir = join(tmp, `${name}-expert`);
      mkdirSync(dir, { recursive: true });
      const r = python([join(experts, `${name}.py`), '--seed', '1', '--max-evals', '2'], dir);
      expect(r.status, `${name} expert exited ${r.status ?? r.signal}:\n${r.stderr.slice(-3000)}`).toBe(0);
      const line = r.stdout.split('\n').filter((l) => l.startsWith('{')).pop();
      expect(line, r.stdout).toBeDefined();
      const report = JSON.parse(line!);
      expect(report.expert).toBe(name);
      expect(report.seed).toBe(1);
      expect(report.losses).toHaveLength(2);
      expect(report.failures).toBe(0);
      for (const loss of report.losses) expect(Number.isFinite(loss)).toBe(true);
      expect(report.best_loss).toBe(Math.min(...report.losses));
      expect(report.trials.map((t: { status: string }) => t.status)).toEqual(['ok', 'ok']);
    });
  });
});
