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

function loadCatalogue(): { sources: string[]; callables: RawCallable[] } {
  const files = readdirSync(metadataDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const sources: string[] = [];
  const callables: RawCallable[] = [];
  for (const file of files) {
    const doc = parse(readFileSync(join(metadataDir, file), 'utf8')) as {
      source: string;
      callables?: RawCallable[];
    };
    sources.push(doc.source);
    for (const entry of doc.callables ?? []) callables.push({ ...entry, origin: file });
  }
  return { sources, callables };
}

function runCheck(callables: RawCallable[]): { status: number | null; report: Report; stderr: string } {
  const result = spawnSync(venvPython(), [script], {
    input: JSON.stringify({ callables }),
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
  const { sources, callables } = loadCatalogue();
  const paramCount = callables.reduce((n, c) => n + c.params.length, 0);

  it('records the pinned Keras version in every file', () => {
    expect(sources.length).toBeGreaterThanOrEqual(6);
    for (const source of sources) expect(source).toBe(`keras ${KERAS}`);
  });

  it('matches every name and position of the real signatures', { timeout: 120_000 }, () => {
    const { status, report, stderr } = runCheck(callables);
    expect(report.keras).toBe(KERAS);
    expect(report.errors, JSON.stringify(report.errors, null, 2)).toEqual([]);
    expect(status, stderr).toBe(0);
    expect(report.callables).toBe(callables.length);
    expect(report.checked).toBe(paramCount);
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
});
