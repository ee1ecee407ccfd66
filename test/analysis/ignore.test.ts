import { describe, expect, it } from 'vitest';
import { byId, scan } from './helpers';

describe('# optpar: ignore', () => {
  it('excludes all of a line, or only the listed parameters', () => {
    const src = [
      'import keras',
      'model = keras.Sequential([',
      '    keras.layers.Dense(32, activation="relu"),  # optpar: ignore',
      '    keras.layers.Dense(16, activation="relu"),  # optpar: ignore[units, rate]',
      '    keras.layers.Dropout(0.2),  # optpar:ignore[units,rate]',
      '    keras.layers.Dense(1),',
      '])',
      '',
    ].join('\n');
    const r = byId(scan(src));
    expect(Object.fromEntries([...r].map(([id, h]) => [id, h.kind]))).toEqual({
      'dense.units': 'ignored',
      'dense.activation': 'ignored',
      'dense_1.units': 'ignored',
      'dense_1.activation': 'hyperparameter',
      'dropout.rate': 'ignored',
      'dense_2.units': 'fixed-by-task',
    });
    expect(r.get('dense.units')!.space).toBeUndefined();
    expect(r.get('dense.units')!.reason).toMatch(/optpar: ignore/);
  });
  it('the same text inside a string is not a comment', () => {
    const src = [
      'import keras',
      'model = keras.Sequential([',
      '    keras.layers.Dense(32, activation="relu", name="""first # optpar: ignore',
      '"""),',
      '    keras.layers.Dense(1),',
      '])',
      '',
    ].join('\n');
    const tunable = scan(src).hyperparameters.filter((h) => h.param !== 'units' || h.value === '32');
    expect(tunable.map((h) => [h.param, h.kind])).toEqual([
      ['units', 'hyperparameter'],
      ['activation', 'hyperparameter'],
    ]);
  });
  it('on the line of a variable definition it excludes the variable', () => {
    const src = 'from keras import layers\nn = 64  # optpar: ignore\nh = layers.Dense(n)\n';
    expect(byId(scan(src)).get('n')!.kind).toBe('ignored');
  });
  it('does not unfix a value fixed by the task', () => {
    const src = 'from keras import layers, models\nm = models.Sequential([layers.Dense(8), layers.Dense(1)])  # optpar: ignore\n';
    const r = byId(scan(src));
    expect(r.get('dense.units')!.kind).toBe('ignored');
    expect(r.get('dense_1.units')!.kind).toBe('fixed-by-task');
  });
});
