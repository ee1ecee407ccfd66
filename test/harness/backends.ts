/**
 * Shared by the backend tests (Optuna, workers, Spark): the tiny fixture's harness written by the
 * real CLI, run by the project's Python, and its results file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { repoRoot, venvPython } from '../helpers/python';

export const bin = join(repoRoot, 'bin', 'optpar.js');
export const tinyModel = join(repoRoot, 'test', 'fixtures', 'backends', 'tiny_mlp.py');
export const pyEnv = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', PYTHONUNBUFFERED: '1' };

export interface Row {
  number: number;
  params: Record<string, unknown>;
  status: string;
  phase: string | null;
  loss: number | null;
  error: string | null;
  seed: number | null;
  epochs: number | null;
  notes: string[] | null;
}
export interface Results {
  version: number;
  backend: string;
  algo: string;
  max_evals: number;
  trials_counted: number;
  build_failures: number;
  interrupted: boolean;
  original: { params: Record<string, unknown>; loss: number | null; trial: number | null };
  best: { params: Record<string, unknown>; loss: number; trial: number; seed: number } | null;
  defaults: Record<string, unknown>;
  trials: Row[];
  reproduce: string | null;
  [key: string]: unknown;
}

export function optpar(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: pyEnv, maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes the tiny model's harness for a backend into DIR; returns its path. */
export function writeHarness(dir: string, extra: string[]): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'tune_tiny_mlp.py');
  const r = optpar(['harness', tinyModel, '-o', out, '--force', ...extra]);
  expect(r.status, r.stderr).toBe(0);
  return out;
}

/** Runs a harness to its end; resolves with its exit code and output. */
export function runPython(args: string[], cwd: string, onStderrLine?: (line: string) => void) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(venvPython(), args, { cwd, env: pyEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      const lines = (partial + s).split('\n');
      partial = lines.pop()!;
      for (const line of lines) onStderrLine?.(line);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export const readResults = (path: string): Results => JSON.parse(readFileSync(path, 'utf8'));

/** Python that prints a study's trials as JSON (state, user attributes, params), read with Optuna itself. */
export function studyTrials(storage: string, study: string): { number: number; state: string; user_attrs: Record<string, unknown>; params: Record<string, unknown> }[] {
  const code = [
    'import json, sys, optuna',
    'from optuna.storages.journal import JournalFileBackend, JournalStorage',
    'url, name = sys.argv[1], sys.argv[2]',
    // SQLAlchemy 2.1 reads postgresql:// as psycopg 3; the environment has psycopg2 (as the harness does).
    'storage = url.replace("postgresql://", "postgresql+psycopg2://") if "://" in url else JournalStorage(JournalFileBackend(url))',
    'study = optuna.load_study(study_name=name, storage=storage)',
    'print(json.dumps([{"number": t.number, "state": t.state.name, "user_attrs": t.user_attrs, "params": t.params} for t in study.get_trials()]))',
  ].join('\n');
  const r = spawnSync(venvPython(), ['-c', code, storage, study], { encoding: 'utf8', env: pyEnv });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

/**
 * Watches a --workers 2 run's output and SIGKILLs the second worker as soon as it starts a
 * trial: `victim.pid` and `victim.trial` say which, for the assertions that follow.
 */
export function killSecondWorkerMidTrial(): { onLine: (line: string) => void; victim: { pid?: number; trial?: number } } {
  const victim: { pid?: number; trial?: number } = {};
  const onLine = (line: string) => {
    const started = /started 1 more worker\(s\): pids (\d+)/.exec(line);
    if (started) victim.pid = Number(started[1]);
    const trial = /worker 1: trial (\d+) started/.exec(line);
    if (trial && victim.pid && victim.trial === undefined) {
      victim.trial = Number(trial[1]);
      process.kill(victim.pid, 'SIGKILL');
    }
  };
  return { onLine, victim };
}
