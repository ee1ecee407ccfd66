import { describe, expect, it } from 'vitest';
import { byId, scan } from './helpers';

/** ids -> [call, value] of what a source reports. */
function report(src: string): Record<string, [string, string]> {
  return Object.fromEntries(scan(src).hyperparameters.map((h) => [h.id, [h.call, h.value]]));
}

describe('name resolution: every import style', () => {
  it('import keras; keras.layers.Dense', () => {
    expect(report('import keras\nh = keras.layers.Dense(64)\n')).toEqual({ 'h.units': ['keras.layers.Dense', '64'] });
  });
  it('from tensorflow import keras; keras.layers.Dense', () => {
    expect(report('from tensorflow import keras\nh = keras.layers.Dense(64)\n')).toEqual({ 'h.units': ['keras.layers.Dense', '64'] });
  });
  it('import tensorflow as tf; tf.keras.layers.Dense', () => {
    expect(report('import tensorflow as tf\nh = tf.keras.layers.Dense(64)\n')).toEqual({ 'h.units': ['keras.layers.Dense', '64'] });
  });
  it('from keras.layers import Dense as D', () => {
    expect(report('from keras.layers import Dense as D\nh = D(64)\n')).toEqual({ 'h.units': ['keras.layers.Dense', '64'] });
  });
  it('from tensorflow.keras import layers; layers.Dense', () => {
    expect(report('from tensorflow.keras import layers\nh = layers.Dense(64)\n')).toEqual({ 'h.units': ['keras.layers.Dense', '64'] });
  });
  it('from tensorflow.keras import layers as L; import tensorflow.keras.layers as KL', () => {
    expect(report('from tensorflow.keras import layers as L\nimport tensorflow.keras.layers as KL\na = L.Dense(16)\nb = KL.Dense(8)\n')).toEqual({
      'a.units': ['keras.layers.Dense', '16'],
      'b.units': ['keras.layers.Dense', '8'],
    });
  });
  it('Keras 2 module path keras.layers.core.Dense', () => {
    const r = scan('import keras\nh = keras.layers.core.Dense(64)\n');
    expect(r.hyperparameters.map((h) => [h.id, h.param, h.value])).toEqual([['h.units', 'units', '64']]);
  });
  it('star imports: from keras.layers import * and from tensorflow.keras.layers import *', () => {
    expect(report('from keras.layers import *\nh = Dense(64)\n')).toEqual({ 'h.units': ['keras.layers.Dense', '64'] });
    expect(report('from tensorflow.keras.layers import *\nh = Dense(32)\n')).toEqual({ 'h.units': ['keras.layers.Dense', '32'] });
  });
  it('names by keyword and by position (Conv2D filters, kernel_size, strides)', () => {
    const r = byId(scan('from keras import layers\nc = layers.Conv2D(8, 3, 2)\nd = layers.Conv2D(kernel_size=5, filters=16)\n'));
    expect([...r.keys()].sort()).toEqual(['c.filters', 'c.kernel_size', 'c.strides', 'd.filters', 'd.kernel_size']);
    expect(r.get('c.strides')!.value).toBe('2');
    expect(r.get('d.filters')!.value).toBe('16');
  });
  it('arguments after *args have unknown positions and are not matched; keywords still are', () => {
    const r = scan('from keras import layers\nc = layers.Dense(*args, 64, activation="relu")\n');
    expect(r.hyperparameters.map((h) => h.id)).toEqual(['c.activation']);
  });
  it('legacy keywords report the current name, writtenAs the old one', () => {
    const src = [
      'from keras.layers import Dense, Dropout, Conv2D, LeakyReLU',
      'from keras.optimizers import Adam',
      'a = Dense(output_dim=32)',
      'b = Dropout(p=0.1)',
      'c = Conv2D(nb_filter=16, kernel_size=3)',
      'd = LeakyReLU(alpha=0.3)',
      'e = Adam(lr=0.01)',
      '',
    ].join('\n');
    const got = scan(src).hyperparameters.map((h) => [h.id, h.param, h.writtenAs]);
    expect(got).toEqual([
      ['a.units', 'units', 'output_dim'],
      ['b.rate', 'rate', 'p'],
      ['c.filters', 'filters', 'nb_filter'],
      ['c.kernel_size', 'kernel_size', undefined],
      ['d.negative_slope', 'negative_slope', 'alpha'],
      ['e.class', 'class', undefined],
      ['e.learning_rate', 'learning_rate', 'lr'],
    ]);
  });
});

describe('calls that are not Keras are ignored', () => {
  it('a class named Dense defined in the file', () => {
    const src = 'class Dense:\n    def __init__(self, n):\n        self.n = n\n\nx = Dense(64)\n';
    expect(scan(src).hyperparameters).toEqual([]);
  });
  // BUG: a star import wins over a later local definition of the same name (Python rebinds it).
  it('a class named Dense defined after a star import of keras.layers shadows it', () => {
    const src = 'from tensorflow.keras.layers import *\n\nclass Dense:\n    def __init__(self, n):\n        self.n = n\n\nx = Dense(64)\n';
    expect(scan(src).hyperparameters).toEqual([]);
  });
  it('Dense imported from another library', () => {
    expect(scan('from mylib import Dense\nx = Dense(64)\n').hyperparameters).toEqual([]);
  });
  it('re.compile(...) is not Model.compile, and np.zeros/fit-alikes of imported modules are not model methods', () => {
    const src = 'import re\nimport sklearn.linear_model as lm\np = re.compile("adam")\nlm.fit(x, y, epochs=3)\n';
    expect(scan(src).hyperparameters).toEqual([]);
  });
  it('model.compile on a model object is Model.compile', () => {
    const r = scan('import re\nmodel.compile(optimizer="sgd")\np = re.compile("x")\n');
    expect(r.hyperparameters.map((h) => [h.id, h.call, h.value])).toEqual([
      ['compile.optimizer', 'Model.compile', '"sgd"'],
      // SGD's learning rate, not written: its Keras default.
      ['compile.optimizer.learning_rate', 'Model.compile', '0.01'],
    ]);
  });
});
