import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type Postgres } from '../helpers/postgres';
import { killSecondWorkerMidTrial, optpar, readResults, runPython, studyTrials, tinyModel, writeHarness } from './backends';

/**
 * Issue 13 §2 on a real PostgreSQL (Debian's, started on loopback by this file and stopped after)
 * and real Optuna/TensorFlow worker processes: two workers on one study finish exactly
 * --max-evals trials, none lost and none run twice; a worker killed mid-trial (SIGKILL) loses
 * nothing: its trial is marked failed by the heartbeat and run again, and the other worker
 * finishes the study.
 */

const TIMEOUT = 300_000;
let tmp: string;
let pg: Postgres;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'optpar-workers-'));
  pg = await startPostgres();
}, 900_000);
afterAll(() => {
  pg?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe.sequential('Optuna workers on PostgreSQL', () => {
  it('optpar tune --backend optuna --workers 2 --storage postgresql://...: exactly max-evals trials, each once, by both workers', () => {
    const out = join(tmp, 'tune');
    const r = optpar(['tune', tinyModel, '--out', out, '--backend', 'optuna', '--max-evals', '4', '--workers', '2',
      '--storage', pg.url, '--study', 'two-workers', '--pruner', 'none']);
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    expect(r.stderr).toMatch(/started 1 more worker\(s\)/);
    // The URL as the harness opened it (with its driver when only psycopg2 is installed), so the command works as printed.
    expect(r.stderr).toMatch(/optuna-dashboard postgresql(\+psycopg2)?:\/\/optpar@127\.0\.0\.1:\d+\/postgres/);
    const results = readResults(join(out, 'results.json'));
    expect(results.trials.map((t) => t.number)).toEqual([1, 2, 3, 4]);
    expect(results.trials.every((t) => t.status === 'ok')).toBe(true);
    expect(results.trials_counted).toBe(4);
    expect(results.trials[0].params).toEqual(results.defaults);
    // No values run twice (the space is continuous in dropout and learning rate).
    expect(new Set(results.trials.map((t) => JSON.stringify(t.params))).size).toBe(4);
    const study = studyTrials(pg.url, 'two-workers');
    expect(study.filter((t) => t.state === 'COMPLETE')).toHaveLength(4);
    // Any other trial is a surplus start refused by the cap (never trained), none running or waiting.
    expect(study.filter((t) => t.state !== 'COMPLETE').every((t) => t.state === 'FAIL' && t.user_attrs.optpar_surplus)).toBe(true);
    const pids = new Set(study.filter((t) => t.state === 'COMPLETE').map((t) => (t.user_attrs.optpar_worker as { pid: number }).pid));
    expect(pids.size).toBe(2);
  }, TIMEOUT);

  it('a worker killed mid-trial: its trial is marked failed (heartbeat) and retried, the other worker finishes the study', async () => {
    const dir = join(tmp, 'kill');
    const harness = writeHarness(dir, ['--backend', 'optuna']);
    const { onLine, victim } = killSecondWorkerMidTrial();
    const r = await runPython(
      [harness, '--out', 'out/', '--max-evals', '4', '--workers', '2', '--storage', pg.url, '--study', 'killed-worker', '--pruner', 'none', '--heartbeat', '1'],
      dir,
      onLine,
    );
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(victim.trial, 'worker 1 never started a trial').toBeDefined();
    expect(r.stderr).toMatch(new RegExp(`worker pid ${victim.pid} was killed by signal 9`));
    const results = readResults(join(dir, 'out', 'results.json'));
    const lost = results.trials.find((t) => t.number === victim.trial)!;
    expect(lost.status).toBe('failed');
    expect(lost.phase).toBe('lost');
    const retry = Number(/retried as trial (\d+)/.exec(lost.error ?? '')?.[1]);
    expect(lost.error).toMatch(/no heartbeat/);
    const again = results.trials.find((t) => t.number === retry)!;
    expect(again.status).toBe('ok');
    expect(again.params).toEqual(lost.params);
    expect(again.notes).toContain(`retry of trial ${victim.trial}, lost with its worker`);
    // Exactly max-evals counted trials, all complete; the lost one is not counted.
    expect(results.trials.filter((t) => t.status === 'ok')).toHaveLength(4);
    expect(results.trials_counted).toBe(4);
    const study = studyTrials(pg.url, 'killed-worker');
    expect(study.filter((t) => t.state === 'RUNNING' || t.state === 'WAITING')).toEqual([]);
    expect(study.filter((t) => t.state === 'COMPLETE')).toHaveLength(4);
  }, TIMEOUT);
});
