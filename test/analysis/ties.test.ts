import { describe, expect, it } from 'vitest';
import { tiesAmong } from '../../server/src/analysis/ties';
import { applyProjectConfig, parseProjectConfig } from '../../server/src/config/projectConfig';
import { chooseHyperparameters } from '../../server/src/refactor/parametrize';
import { byId, scan } from './helpers';

/** Issue 9: values written alike in one model are searched as one (ties.ts). */
const SRC = [
  'from keras import layers, models',
  '',
  'def generator():',
  '    return models.Sequential([',
  '        layers.Dense(64, activation="relu", kernel_initializer="he_normal"),',
  '        layers.Dense(64, activation="relu", kernel_initializer="he_normal"),',
  '        layers.Dense(32, activation="Relu"),',
  '        layers.Dense(32, activation="tanh"),',
  '        layers.Dense(10, activation="softmax"),',
  '    ])',
  '',
  'def critic():',
  '    return models.Sequential([',
  '        layers.Dense(64, activation="relu"),',
  '        layers.Dense(64, activation="relu"),',
  '        layers.Dense(1, activation="sigmoid"),',
  '    ])',
  '',
].join('\n');

function tiedTo(text: string): Record<string, string> {
  return Object.fromEntries(scan(text).hyperparameters.filter((h) => h.tiedTo).map((h) => [h.id, h.tiedTo!]));
}

describe('ties', () => {
  it('ties a categorical value to the first written alike (exactly: the first trial runs each as written) for the same parameter in the same function; never numbers, never across functions', () => {
    expect(tiedTo(SRC)).toEqual({
      'dense_1.activation': 'dense.activation',
      'dense_1.kernel_initializer': 'dense.kernel_initializer',
      'dense_6.activation': 'dense_5.activation',
    });
  });

  it('module-level code is one model definition; a class is another', () => {
    const src = [
      'import keras',
      'from keras import layers',
      'a = layers.Conv2D(8, 3, activation="relu")',
      'b = layers.Conv2D(8, 3, activation="relu")',
      'class Net(keras.Model):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.c = layers.Dense(8, activation="relu")',
      '        self.d = layers.Dense(8, activation="relu")',
      '',
    ].join('\n');
    expect(tiedTo(src)).toEqual({ 'b.activation': 'a.activation', 'd.activation': 'c.activation' });
  });

  it('among the values a search tunes: --ids without the leader re-leads; a range of its own unties; optpar.yaml untie separates', () => {
    const hps = scan(SRC).hyperparameters;
    const all = tiesAmong(chooseHyperparameters(hps).chosen);
    expect(all.get('dense_1.activation')).toBe('dense.activation');
    const some = tiesAmong(chooseHyperparameters(hps, ['dense_1.activation', 'dense_5.activation', 'dense_6.activation']).chosen);
    expect([...some]).toEqual([['dense_6.activation', 'dense_5.activation']]);

    const own = parseProjectConfig('ranges:\n  dense_1.activation: {choices: [relu, elu]}\n').config;
    const ranged = tiesAmong(chooseHyperparameters(applyProjectConfig(hps, own)).chosen);
    expect(ranged.has('dense_1.activation')).toBe(false);
    expect(ranged.get('dense_1.kernel_initializer')).toBe('dense.kernel_initializer');

    const byParam = parseProjectConfig('untie: [activation]\n').config;
    expect([...tiesAmong(chooseHyperparameters(applyProjectConfig(hps, byParam)).chosen)]).toEqual([['dense_1.kernel_initializer', 'dense.kernel_initializer']]);
    // Untying a leader leaves its followers tied among themselves.
    const three = scan(SRC.replace('activation="Relu"', 'activation="relu"')).hyperparameters;
    expect(byId({ hyperparameters: three, errors: [] }).get('dense_2.activation')!.tiedTo).toBe('dense.activation');
    const r = byId({ hyperparameters: applyProjectConfig(three, parseProjectConfig('untie: [dense.activation]\n').config), errors: [] });
    expect(r.get('dense.activation')!.tiedTo).toBeUndefined();
    expect(r.get('dense_1.activation')!.tiedTo).toBeUndefined();
    expect(r.get('dense_2.activation')!.tiedTo).toBe('dense_1.activation');
  });

  it('optpar.yaml untie must be a list of strings', () => {
    expect(parseProjectConfig('untie: activation\n').errors.map((e) => e.message)).toEqual(['"untie" must be a list of hyperparameter ids or Keras parameter names']);
  });
});
