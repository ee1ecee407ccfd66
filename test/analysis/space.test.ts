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
    expect(checked).toBeGreaterThan(70);
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
    expect(r.get('c.kernel_size')!.space).toEqual({ kind: 'choice', options: [3, 5, 7, 11] });
  });

  it('units and filters: powers of two from a quarter to 4 times the value as written, clamped', () => {
    const src = 'from keras import layers\na = layers.Dense(16)\nb = layers.Dense(512)\nc = layers.LSTM(64)\nd = layers.Conv2D(100, 3)\ne = layers.Dense(4)\n';
    const r = byId(scan(src));
    expect(r.get('a.units')!.space).toEqual({ kind: 'choice', options: [4, 8, 16, 32, 64] });
    expect(r.get('b.units')!.space).toEqual({ kind: 'choice', options: [128, 256, 512, 1024] });
    expect(r.get('c.units')!.space).toEqual({ kind: 'choice', options: [16, 32, 64, 128, 256] });
    // Not a power of two: kept, with the powers of two around it.
    expect(r.get('d.filters')!.space).toEqual({ kind: 'choice', options: [32, 64, 100, 128, 256] });
    expect(r.get('e.units')!.space).toEqual({ kind: 'choice', options: [4, 8, 16] });
  });

  it('learning rates: a log range from a tenth to 30 times the value as written, capped at 1', () => {
    const src = 'from keras import optimizers\na = optimizers.Adam(learning_rate=3e-4)\nb = optimizers.SGD(learning_rate=0.1)\nc = optimizers.SGD(0.5)\n';
    const r = byId(scan(src));
    expect(r.get('a.learning_rate')!.space).toEqual({ kind: 'loguniform', low: 3e-5, high: 9e-3 });
    expect(r.get('b.learning_rate')!.space).toEqual({ kind: 'loguniform', low: 0.01, high: 1 });
    expect(r.get('c.learning_rate')!.space).toEqual({ kind: 'loguniform', low: 0.05, high: 1 });
  });

  it('batch sizes: powers of two from half to twice the value as written (a trial costs at most twice the original)', () => {
    const src = [
      'from keras import layers, models',
      'model = models.Sequential([layers.Dense(1)])',
      'model.fit(x, y, batch_size=64, epochs=3)',
      'model.fit(x, y, batch_size=100)',
      'model.fit(x, y, batch_size=8)',
      '',
    ].join('\n');
    const fits = scan(src).hyperparameters.filter((h) => h.param === 'batch_size');
    expect(fits.map((h) => h.space)).toEqual([
      { kind: 'choice', options: [32, 64, 128] },
      { kind: 'choice', options: [64, 100, 128] },
      { kind: 'choice', options: [8, 16] },
    ]);
  });

  it('dropout in [0, 0.5] (or up to a larger value as written); hidden activations from a short modern list plus the current one', () => {
    const src = 'from keras import layers\na = layers.Dropout(0.2)\nb = layers.Dense(8, activation="sigmoid")\nc = layers.Dense(8, activation="relu")\n';
    const r = byId(scan(src));
    expect(r.get('a.rate')!.space).toEqual({ kind: 'uniform', low: 0, high: 0.5 });
    expect(r.get('b.activation')!.space).toEqual({ kind: 'choice', options: ['relu', 'gelu', 'swish', 'elu', 'tanh', 'sigmoid'] });
    expect(r.get('c.activation')!.space).toEqual({ kind: 'choice', options: ['relu', 'gelu', 'swish', 'elu', 'tanh'] });
  });

  it('epochs, patience and steps_per_epoch are budgets: reported with their range, kept as written unless tuneBudget', () => {
    const src = [
      'from keras import callbacks',
      'es = callbacks.EarlyStopping(patience=3)',
      'model.fit(x, y, epochs=20, steps_per_epoch=100, callbacks=[es])',
      '',
    ].join('\n');
    const r = byId(scan(src));
    for (const id of ['es.patience', 'fit.epochs', 'fit.steps_per_epoch']) {
      expect(r.get(id), id).toMatchObject({ kind: 'budget', tunable: false });
      expect(r.get(id)!.reason, id).toMatch(/more training can only lower the best val_loss: a budget, not a hyperparameter/);
      expect(spaceContains(r.get(id)!.space!, r.get(id)!.current!), id).toBe(true);
    }
    const tuned = byId(scan(src, { tuneBudget: true }));
    for (const id of ['es.patience', 'fit.epochs', 'fit.steps_per_epoch']) expect(tuned.get(id), id).toMatchObject({ kind: 'hyperparameter', tunable: true });
  });

  it('a value of the wrong type is reported, not tuned', () => {
    const r = byId(scan('from keras import layers\na = layers.Dense(64.5)\nb = layers.Dropout("x")\n'));
    expect(r.get('a.units')!).toMatchObject({ tunable: false, kind: 'not-a-literal' });
    expect(r.get('a.units')!.reason).toMatch(/int/);
    expect(r.get('b.rate')!.tunable).toBe(false);
  });
});
