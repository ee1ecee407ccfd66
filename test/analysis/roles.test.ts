import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { byId, scan } from './helpers';

const fixed = (src: string) =>
  scan(src).hyperparameters.filter((h) => h.kind === 'fixed-by-task').map((h) => h.id).sort();

describe('task awareness: what the task fixes', () => {
  it('Sequential list: the last layer, and the one before it through Dropout', () => {
    const src = 'from keras import layers, models\nm = models.Sequential([layers.Dense(64, activation="relu"), layers.Dense(3, activation="softmax"), layers.Dropout(0.1)])\n';
    expect(fixed(src)).toEqual(['dense_1.activation', 'dense_1.units']);
    expect(byId(scan(src)).get('dropout.rate')!.tunable).toBe(true);
  });
  it('model.add sequence', () => {
    const src = 'from keras import layers, models\nm = models.Sequential()\nm.add(layers.Dense(64))\nm.add(layers.Dense(5, activation="softmax"))\n';
    expect(fixed(src)).toEqual(['dense_1.activation', 'dense_1.units']);
  });
  it('functional API: through Dropout and Activation (passthrough layers) to the Dense that sets the width', () => {
    const src = [
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
      'inp = keras.Input(shape=(20,))',
      'h = layers.Dense(64, activation="relu")(inp)',
      'h = layers.Dense(10)(h)',
      'h = layers.Dropout(0.5)(h)',
      'out = layers.Activation("softmax")(h)',
      'model = keras.Model(inp, out)',
      '',
    ].join('\n');
    expect(fixed(src)).toEqual(['activation.activation', 'dense_1.units', 'inp.shape']);
    const r = byId(scan(src));
    expect(r.get('dense.units')!.tunable).toBe(true);
    expect(r.get('dropout.rate')!.tunable).toBe(true);
  });
  it('functional API with outputs= keyword and a list of outputs', () => {
    const src = [
      'import keras',
      'inp = keras.Input(shape=(8,))',
      'a = keras.layers.Dense(4, name="head_a")(inp)',
      'b = keras.layers.Dense(2, name="head_b")(inp)',
      'm = keras.Model(inputs=inp, outputs=[a, b])',
      '',
    ].join('\n');
    expect(fixed(src)).toEqual(['head_a.units', 'head_b.units', 'inp.shape']);
  });
  it('subclassed Model: the layer call() returns', () => {
    const src = [
      'import keras',
      'class Net(keras.Model):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.h = keras.layers.Dense(32)',
      '        self.o = keras.layers.Dense(4)',
      '    def call(self, x):',
      '        return self.o(self.h(x))',
      '',
    ].join('\n');
    expect(fixed(src)).toEqual(['o.units']);
    expect(byId(scan(src)).get('h.units')!.tunable).toBe(true);
  });
  it('Bidirectional output wraps the layer whose units are fixed', () => {
    const src = 'from keras import layers, models\nm = models.Sequential([layers.Embedding(100, 16), layers.Bidirectional(layers.LSTM(8))])\n';
    expect(fixed(src)).toEqual(['embedding.input_dim', 'lstm.units']);
  });
  it('loss and metrics are fixed; input_shape, input_dim, Input(shape) and Embedding input_dim too', () => {
    const src = [
      'from keras import layers, models, Input',
      'i = Input(shape=(4,))',
      'm = models.Sequential([layers.Dense(8, input_dim=4), layers.Dense(8, input_shape=(4,)), layers.Embedding(input_dim=50, output_dim=8), layers.Dense(1)])',
      'm.compile(optimizer="adam", loss="mse", metrics=["mae"])',
      '',
    ].join('\n');
    const r = byId(scan(src));
    for (const id of ['i.shape', 'dense.input_dim', 'dense_1.input_shape', 'embedding.input_dim', 'dense_2.units', 'compile.loss', 'compile.metrics'])
      expect(r.get(id), id).toMatchObject({ kind: 'fixed-by-task', tunable: false });
    expect(r.get('compile.loss')!.reason).toMatch(/task/);
    expect(r.get('embedding.input_dim')!.reason).toMatch(/vocabulary/);
    expect(r.get('compile.optimizer')!.tunable).toBe(true);
    expect(r.get('embedding.output_dim')!.tunable).toBe(true);
  });

  it('residual widths: a helper that adds its reassigned input back, and both sides of a fork that is added', () => {
    const text = readFileSync(join(__dirname, '..', 'fixtures', 'flow', 'residual_widths.py'), 'utf8');
    const r = byId(scan(text));
    // x = Conv2D(filters, ...)(x) reassigns the parameter x: the block's width meets the shortcut's.
    expect(r.get('residual_block.filters')).toMatchObject({ kind: 'fixed-by-task', reason: expect.stringMatching(/^the width must agree with the other inputs of layers\.add\(\[shortcut, x\]\)/) });
    // The shortcut carries the width of what the caller hands the block: Conv2D(64)(inputs), fixed too.
    expect(r.get('conv2d_2.filters')).toMatchObject({ kind: 'fixed-by-task', reason: expect.stringMatching(/^the width must agree with the other inputs of layers\.add\(\[shortcut, x\]\)/) });
    // add([y, Dense(64)(y)]): the fork's width is one side's, the second Dense the other's.
    for (const id of ['dense.units', 'dense_1.units']) expect(r.get(id), id).toMatchObject({ kind: 'fixed-by-task', reason: expect.stringMatching(/^the width must agree/) });
    expect(r.get('conv2d.kernel_size')).toMatchObject({ kind: 'hyperparameter' });
  });

  it('residual widths: a block whose shortcut is a projection to its own width leaves the caller free', () => {
    const text = [
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
      'def block(x, filters):',
      '    shortcut = layers.Conv2D(filters, 1)(x)',
      '    x = layers.Conv2D(filters, 3, padding="same")(x)',
      '    return layers.add([shortcut, x])',
      'inputs = keras.Input(shape=(32, 32, 3))',
      'x = layers.Conv2D(32, 3, padding="same")(inputs)',
      'x = block(x, 64)',
      'outputs = layers.Dense(10, activation="softmax")(layers.Flatten()(x))',
      'model = keras.Model(inputs, outputs)',
      '',
    ].join('\n');
    const r = byId(scan(text));
    for (const id of ['conv2d_2.filters', 'block.filters']) expect(r.get(id), id).toMatchObject({ kind: 'hyperparameter' });
  });
});
