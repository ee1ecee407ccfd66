import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Hyperparameter } from '../../server/src/analysis/types';
import { byId, scan } from './helpers';

/**
 * Shape-safe spaces (shapes.ts), checked against a simulator written here from the Keras output
 * size formulas, independent of the engine: every combination of the bounded values must leave
 * every feature map at least 1 wide, and values that fit must not be dropped.
 */

const dir = join(__dirname, '..', 'fixtures', 'shapes');

/** One layer of a fixture's chain, as the fixture's comment and code describe it. */
type Layer =
  | { kind: 'conv'; kernel: string; written: number; strides?: string; stride?: number }
  | { kind: 'pool'; size: string; written: number };

interface Chain {
  file: string;
  input: number;
  layers: Layer[];
}

const CHAINS: Chain[] = [
  {
    file: 'mnist_sequential.py',
    input: 28,
    layers: [
      { kind: 'conv', kernel: 'conv2d.kernel_size', written: 3 },
      { kind: 'pool', size: 'max_pooling2d.pool_size', written: 2 },
      { kind: 'conv', kernel: 'conv2d_1.kernel_size', written: 3 },
      { kind: 'pool', size: 'max_pooling2d_1.pool_size', written: 2 },
    ],
  },
  {
    file: 'functional_strided.py',
    input: 32,
    layers: [
      { kind: 'conv', kernel: 'conv2d.kernel_size', written: 3, strides: 'conv2d.strides', stride: 2 },
      { kind: 'conv', kernel: 'conv2d_1.kernel_size', written: 3 },
      { kind: 'pool', size: 'max_pooling2d.pool_size', written: 2 },
      { kind: 'conv', kernel: 'conv2d_2.kernel_size', written: 3 },
    ],
  },
  {
    file: 'tight_16.py',
    input: 16,
    layers: [
      { kind: 'conv', kernel: 'conv2d.kernel_size', written: 3 },
      { kind: 'pool', size: 'max_pooling2d.pool_size', written: 2 },
      { kind: 'conv', kernel: 'conv2d_1.kernel_size', written: 3 },
      { kind: 'pool', size: 'max_pooling2d_1.pool_size', written: 2 },
      { kind: 'conv', kernel: 'conv2d_2.kernel_size', written: 2 },
    ],
  },
];

/** The values a hyperparameter may take: its space when tuned, else the value written. */
function valuesOf(h: Hyperparameter | undefined, written: number): number[] {
  if (!h?.tunable || !h.space) return [written];
  if (h.space.kind === 'choice') return h.space.options as number[];
  if (h.space.kind === 'uniformint') {
    const out: number[] = [];
    for (let v = h.space.low; v <= h.space.high; v++) out.push(v);
    return out;
  }
  throw new Error(`${h.id}: unexpected space ${h.space.kind}`);
}

/** Valid padding, channels last: the smallest feature-map width along the chain for one draw. */
function smallestWidth(input: number, layers: Layer[], draw: Map<string, number>): number {
  let width = input;
  let smallest = input;
  for (const l of layers) {
    if (l.kind === 'conv') {
      const k = draw.get(l.kernel)!;
      const s = l.strides ? draw.get(l.strides)! : 1;
      width = Math.floor((width - k) / s) + 1;
    } else {
      const p = draw.get(l.size)!;
      width = Math.floor((width - p) / p) + 1;
    }
    smallest = Math.min(smallest, width);
  }
  return smallest;
}

function* draws(options: [string, number[]][], at = 0, draw = new Map<string, number>()): Generator<Map<string, number>> {
  if (at === options.length) {
    yield draw;
    return;
  }
  const [id, values] = options[at];
  for (const v of values) {
    draw.set(id, v);
    yield* draws(options, at + 1, draw);
  }
}

function spaceOf(chain: Chain): { options: [string, number[]][]; hps: Map<string, Hyperparameter> } {
  const hps = byId(scan(readFileSync(join(dir, chain.file), 'utf8')));
  const options: [string, number[]][] = [];
  for (const l of chain.layers) {
    if (l.kind === 'conv') {
      options.push([l.kernel, valuesOf(hps.get(l.kernel), l.written)]);
      if (l.strides) options.push([l.strides, valuesOf(hps.get(l.strides), l.stride!)]);
    } else {
      options.push([l.size, valuesOf(hps.get(l.size), l.written)]);
    }
  }
  return { options, hps };
}

describe('shape-safe spaces', () => {
  for (const chain of CHAINS) {
    it(`${chain.file}: every combination of the bounded values keeps every feature map at least 1 wide`, () => {
      const { options } = spaceOf(chain);
      let n = 0;
      for (const draw of draws(options)) {
        expect(smallestWidth(chain.input, chain.layers, draw), JSON.stringify([...draw])).toBeGreaterThanOrEqual(1);
        n++;
      }
      // The values as written are always in the space.
      for (const [id, values] of options) {
        const written = chain.layers.flatMap((l) => (l.kind === 'conv' ? [[l.kernel, l.written], [l.strides, l.stride]] : [[l.size, l.written]])).find(([k]) => k === id)![1];
        expect(values, id).toContain(written);
      }
      expect(n).toBeGreaterThan(0);
    });
  }

  it('a 28x28 chain keeps the kernels and pools that fit (the chain is followed from the input, not backwards)', () => {
    const { hps } = spaceOf(CHAINS[0]);
    for (const id of ['conv2d.kernel_size', 'conv2d_1.kernel_size']) expect(hps.get(id)?.space, id).toEqual({ kind: 'choice', options: [3, 5] });
    for (const id of ['max_pooling2d.pool_size', 'max_pooling2d_1.pool_size']) expect(hps.get(id)?.space, id).toEqual({ kind: 'uniformint', low: 2, high: 3 });
    // The largest draw the space allows fits; the catalogue's next kernel (7) would not.
    const top = new Map([['conv2d.kernel_size', 5], ['max_pooling2d.pool_size', 3], ['conv2d_1.kernel_size', 5], ['max_pooling2d_1.pool_size', 3]]);
    expect(smallestWidth(28, CHAINS[0].layers, top)).toBe(1);
    top.set('conv2d_1.kernel_size', 7);
    expect(smallestWidth(28, CHAINS[0].layers, top)).toBeLessThan(1);
  });

  it('a chain with no room to grow fixes its spatial values, with the reason', () => {
    const { hps } = spaceOf(CHAINS[2]);
    for (const l of CHAINS[2].layers) {
      const id = l.kind === 'conv' ? l.kernel : l.size;
      expect(hps.get(id)?.kind, id).toBe('fixed-by-task');
      expect(hps.get(id)?.reason, id).toMatch(/feature map is too small/);
    }
  });
});
