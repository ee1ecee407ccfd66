import { describe, expect, it } from 'vitest';
import { spaceContains } from '../../server/src/analysis/space';
import { byId, FIXTURES, readFixture, scan } from './helpers';

describe('default search spaces', () => {
  it('every tunable space, in every fixture, contains the current value; ints stay ints', () => {
    let checked = 0;
    for (const name of FIXTURES) {
      for (const h of scan(readFixture(name)).hyperparameters) {
        if (!h.tunable) continue;
        checked++;
        expect(h.space, `${name} ${h.id}`).toBeDefined();
        expect(h.current, `${name} ${h.id}`).toBeDefined();
        expect(spaceContains(h.space!, h.current!), `${name} ${h.id}: ${JSON.stringify(h.space)} has ${h.current}`).toBe(true);
        if (h.type === 'int') {
          expect(Number.isInteger(h.current), `${name} ${h.id}`).toBe(true);
          const s = h.space!;
          if (s.kind === 'choice') for (const o of s.options) expect(Number.isInteger(o), `${name} ${h.id}`).toBe(true);
          else {
            expect(['uniformint', 'qloguniform'], `${name} ${h.id} is an integer space`).toContain(s.kind);
            expect(Number.isInteger(s.low) && Number.isInteger(s.high), `${name} ${h.id}`).toBe(true);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(80);
  });

  it('learning rates and regularization factors are searched on a log scale', () => {
    const src = [
      'from keras import layers, optimizers, regularizers',
      'o = optimizers.Adam(learning_rate=0.5)',
      'p = optimizers.SGD(learning_rate=1e-7)',
      'd = layers.Dense(8, kernel_regularizer=regularizers.l2(1e-3), bias_regularizer=regularizers.l1(0.01))',
      '',
    ].join('\n');
    const r = byId(scan(src));
    for (const id of ['o.learning_rate', 'p.learning_rate', 'd.kernel_regularizer.l2', 'd.bias_regularizer.l1']) {
      const h = r.get(id)!;
      expect(h.space!.kind, id).toBe('loguniform');
      expect(spaceContains(h.space!, h.current!), id).toBe(true);
    }
  });

  it('values outside the default range widen it; values outside a choice set join it', () => {
    const src = 'from keras import layers\na = layers.Dense(3000, activation="mish")\nb = layers.Dropout(0.9)\nc = layers.Conv2D(16, 11)\n';
    const r = byId(scan(src));
    expect(r.get('a.units')!.space).toMatchObject({ kind: 'choice' });
    expect(spaceContains(r.get('a.units')!.space!, 3000)).toBe(true);
    expect(spaceContains(r.get('a.activation')!.space!, 'mish')).toBe(true);
    expect(r.get('b.rate')!.space).toMatchObject({ kind: 'uniform', high: 0.9 });
    expect(r.get('c.kernel_size')!.space).toMatchObject({ kind: 'uniformint', high: 11 });
  });

  it('a value of the wrong type is reported, not tuned', () => {
    const r = byId(scan('from keras import layers\na = layers.Dense(64.5)\nb = layers.Dropout("x")\n'));
    expect(r.get('a.units')!).toMatchObject({ tunable: false, kind: 'not-a-literal' });
    expect(r.get('a.units')!.reason).toMatch(/int/);
    expect(r.get('b.rate')!.tunable).toBe(false);
  });
});
