import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { venvPython } from '../helpers/python';
import { readResults, runPython, writeHarness } from './backends';

/**
 * Issue 13 §2 on a real local Spark: the hyperopt harness with --spark-parallelism 2 runs its
 * trials through hyperopt's SparkTrials on Spark in local mode (local[2], loopback only), with
 * pyspark from PyPI in the project's Python environment and Java from Debian. The trials
 * complete, the first is the original values, and the results file is written as usual.
 */

const TIMEOUT = 400_000;
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'optpar-spark-'));
  // Fail with the reason, not a Spark stack trace, when a component is missing.
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.status !== 0) throw new Error('Spark needs Java 17 or later: apt-get install openjdk-17-jre-headless');
  const pyspark = spawnSync(venvPython(), ['-c', 'import pyspark, hyperopt; print(pyspark.__version__)'], { encoding: 'utf8' });
  if (pyspark.status !== 0) throw new Error(`pyspark is missing from .venv (test/requirements.txt pins it): ${pyspark.stderr.trim().split('\n').pop()}`);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('hyperopt with SparkTrials', () => {
  it('--spark-parallelism 2 in local mode: two trials run at once and complete and the results file is written', async () => {
    const dir = join(tmp, 'run');
    const harness = writeHarness(dir, ['--max-evals', '2']);
    const r = await runPython([harness, '--out', 'out/', '--spark-parallelism', '2'], dir);
    expect(r.code, r.stderr.slice(-4000)).toBe(0);
    expect(r.stderr).toMatch(/starting Spark \(local\[2\]\) for 2 trials at a time/);
    // Spark's own INFO/WARN lines stay out of the output (the harness's log4j2 settings).
    expect(r.stderr).not.toMatch(/log4j2-defaults|NativeCodeLoader|INFO /);
    const results = readResults(join(dir, 'out', 'results.json'));
    expect(results.backend).toBe('hyperopt');
    expect(results.spark_parallelism).toBe(2);
    expect(results.trials).toHaveLength(2);
    for (const t of results.trials) {
      expect(t.status, t.error ?? '').toBe('ok');
      expect(t.loss).toBeGreaterThan(0);
      expect(Number.isInteger(t.seed)).toBe(true);
    }
    expect(results.trials[0].params).toEqual(results.defaults);
    expect(results.original.loss).toBe(results.trials[0].loss);
    expect(results.trials_counted).toBe(2);
    expect(results.best!.loss).toBe(Math.min(...results.trials.map((t) => t.loss!)));
    // The trial seed recorded by a Spark task reproduces its trial in this process.
    const t = results.trials[1];
    const again = spawnSync(venvPython(), [harness, '--params', JSON.stringify(t.params), '--trial-seed', String(t.seed)], {
      cwd: dir, encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
    });
    expect(again.status, again.stderr.slice(-2000)).toBe(0);
    expect(Math.abs(JSON.parse(again.stdout).loss - t.loss!)).toBeLessThan(1e-5);
  }, TIMEOUT);
});
