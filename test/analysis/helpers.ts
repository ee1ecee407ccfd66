import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { scanSource } from '../../server/src/analysis/scan';
import type { Hyperparameter, HyperparameterKind, ScanOptions, ScanResult } from '../../server/src/analysis/types';
import { loadCatalogue } from '../../server/src/catalogue/load';

export const fixtureDir = join(__dirname, '..', 'fixtures', 'keras');

export const FIXTURES = [
  'paper_figure2.py',
  'paper_figure5.py',
  'sequential_cnn.py',
  'functional_mlp.py',
  'build_model_constants.py',
  'subclassed_model.py',
  'lstm_sequences.py',
  'keras2_legacy.py',
  'variables_and_values.py',
  'ignore_comments.py',
  'syntax_error.py',
];

export function readFixture(name: string): string {
  return readFileSync(join(fixtureDir, name), 'utf8');
}

export function catalogue() {
  const { catalogue, errors } = loadCatalogue();
  expect(errors, 'the built-in catalogue loads without errors').toEqual([]);
  return catalogue;
}

export function scan(text: string, options: ScanOptions = {}): ScanResult {
  return scanSource(text, catalogue(), options);
}

export function scanFixture(name: string, options: ScanOptions = {}): { text: string; result: ScanResult } {
  const text = readFixture(name);
  return { text, result: scan(text, options) };
}

/** Offset of the nth occurrence of needle in text; fails the test when there is none. */
export function offsetOf(text: string, needle: string, nth = 0): number {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" (occurrence ${nth}) not found in the source`);
  }
  return at;
}

/** Where a value sits: in needle (its nth occurrence), delta characters in (default: where value first appears in needle). */
export type At = [needle: string, delta?: number, nth?: number];

export function locate(text: string, value: string, at: At): number {
  const [needle, delta, nth] = at;
  const d = delta ?? needle.indexOf(value);
  if (d < 0) throw new Error(`value ${value} is not in needle ${needle}`);
  return offsetOf(text, needle, nth ?? 0) + d;
}

const KINDS: Record<string, HyperparameterKind> = { T: 'hyperparameter', B: 'budget', F: 'fixed-by-task', N: 'not-a-literal', I: 'ignored', D: 'inert' };

export interface Expected {
  id: string;
  param: string;
  value: string;
  /** T tunable, B a training budget (kept as written), F fixed by the task, N not a literal, I ignored, D inert (the training never reaches it). */
  kind: 'T' | 'B' | 'F' | 'N' | 'I' | 'D';
  at: At;
  call?: string;
  type?: string;
  tupleSize?: number;
  element?: number;
  writtenAs?: string;
  definition?: string;
  /** Needles of the use sites (the argument expression starts at the needle's offset + delta). */
  uses?: At[];
  current?: unknown;
  reason?: RegExp;
  /** The text the span covers when it is not the value: '' where an implicit value would be inserted, the string optimizer="adam" for its implicit learning rate. */
  spanText?: string;
}

export function byId(result: ScanResult): Map<string, Hyperparameter> {
  return new Map(result.hyperparameters.map((h) => [h.id, h]));
}

/** Asserts the exact set of hyperparameters and every listed field of each. */
export function expectExactly(text: string, result: ScanResult, expected: Expected[]): void {
  const ids = result.hyperparameters.map((h) => h.id);
  expect(new Set(ids).size, 'ids are unique').toBe(ids.length);
  expect([...ids].sort()).toEqual(expected.map((e) => e.id).sort());
  const got = byId(result);
  for (const e of expected) {
    const h = got.get(e.id)!;
    const start = locate(text, e.value, e.at);
    const actual = {
      id: h.id,
      param: h.param,
      value: h.value,
      kind: h.kind,
      tunable: h.tunable,
      start: h.span.start,
      end: h.span.end,
      ...(e.call !== undefined ? { call: h.call } : {}),
      ...(e.type !== undefined ? { type: h.type } : {}),
      ...(e.tupleSize !== undefined || h.tupleSize !== undefined ? { tupleSize: h.tupleSize } : {}),
      ...(e.element !== undefined || h.element !== undefined ? { element: h.element } : {}),
      ...(e.writtenAs !== undefined || h.writtenAs !== undefined ? { writtenAs: h.writtenAs } : {}),
      definition: h.definition,
      uses: h.uses.map((u) => u.start),
      ...(e.current !== undefined ? { current: h.current } : {}),
    };
    const want = {
      id: e.id,
      param: e.param,
      value: e.value,
      kind: KINDS[e.kind],
      tunable: e.kind === 'T',
      start,
      end: start + (e.spanText ?? e.value).length,
      ...(e.call !== undefined ? { call: e.call } : {}),
      ...(e.type !== undefined ? { type: e.type } : {}),
      ...(e.tupleSize !== undefined || h.tupleSize !== undefined ? { tupleSize: e.tupleSize } : {}),
      ...(e.element !== undefined || h.element !== undefined ? { element: e.element } : {}),
      ...(e.writtenAs !== undefined || h.writtenAs !== undefined ? { writtenAs: e.writtenAs } : {}),
      definition: e.definition ?? 'argument',
      uses: (e.uses ?? []).map((u) => locate(text, '', [u[0], u[1] ?? 0, u[2]])),
      ...(e.current !== undefined ? { current: e.current } : {}),
    };
    expect(actual, `hyperparameter ${e.id}`).toEqual(want);
    // Tunable ones carry a search space and no reason; the others a reason and no space.
    if (e.kind === 'T') {
      expect(h.space, `${e.id} has a space`).toBeDefined();
      expect(h.reason).toBeUndefined();
    } else if (e.kind === 'B') {
      // A budget keeps the space it would be searched in (--tune-budget) and says why it is not.
      expect(h.space, `${e.id} has a space`).toBeDefined();
      expect(h.reason).toMatch(/budget/);
    } else {
      expect(h.space, `${e.id} has no space`).toBeUndefined();
      expect(h.reason, `${e.id} has a reason`).toMatch(/\S/);
    }
    if (e.reason) expect(h.reason).toMatch(e.reason);
  }
}
