import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { venvPython } from '../helpers/python';
import type { Hyperparameter, ScanResult, SearchSpace } from '../../server/src/analysis/types';
import { type Expected, expectExactly, scan, scanFixture } from './helpers';

/**
 * What the catalogue's data-pipeline, augmentation, initializer and regularizer entries make
 * optpar report on code written in the styles people use: a Keras 2 script with
 * ImageDataGenerator and fit_generator, a keras.io script with image_dataset_from_directory and
 * augmentation layers, and layers with initializers and regularizers on every weight argument.
 *
 * Each fixture's report is checked for exactly the hyperparameters these entries produce (ids,
 * values, kinds, positions, definitions and search spaces); the model's other values (units,
 * the optimizer...) are covered by scan.test.ts and are left out here by the filter below, so
 * that this test states what the catalogue adds and nothing else.
 */

/** The callables and layer arguments this test is about (by the last segment of `call`). */
const COVERED_CALLS = new Set([
  'ImageDataGenerator', 'flow', 'flow_from_directory', 'flow_from_dataframe', 'fit_generator', 'evaluate_generator',
  'image_dataset_from_directory', 'text_dataset_from_directory', 'audio_dataset_from_directory', 'timeseries_dataset_from_array',
  'RandomFlip', 'RandomRotation', 'RandomZoom', 'RandomTranslation', 'RandomContrast', 'RandomBrightness', 'RandomCrop',
  'RandomShear', 'MixUp', 'RandAugment',
  'RandomNormal', 'TruncatedNormal', 'RandomUniform', 'VarianceScaling', 'Orthogonal', 'GlorotUniform', 'GlorotNormal',
  'HeNormal', 'HeUniform', 'LecunNormal', 'LecunUniform', 'Constant', 'Zeros', 'Ones', 'Identity',
  'L1', 'L2', 'L1L2', 'OrthogonalRegularizer',
]);
const COVERED_PARAMS = /_(initializer|regularizer)$/;

function covered(result: ScanResult): ScanResult {
  const keep = (h: Hyperparameter) => COVERED_CALLS.has(h.call.slice(h.call.lastIndexOf('.') + 1)) || COVERED_PARAMS.test(h.param);
  return { ...result, hyperparameters: result.hyperparameters.filter(keep) };
}

/** A batch size's space: powers of two from half to twice the value as written. */
const batch = (v: number): SearchSpace => ({ kind: 'choice', options: [v / 2, v, v * 2] });
const KERNEL_INITS = ['glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal', 'lecun_normal'];
const REG: SearchSpace = { kind: 'loguniform', low: 1e-6, high: 0.1 };

interface Case extends Expected {
  /** The search space reported (tunable ones and budgets). */
  space?: SearchSpace;
  /** Checked as a pattern: a method's path is Owner.method or Model.method depending on the analysis. */
  callLike?: RegExp;
}

function check(name: string, cases: Case[]): void {
  const { text, result } = scanFixture(name);
  expect(result.errors).toEqual([]);
  const mine = covered(result);
  expectExactly(text, mine, cases);
  const byId = new Map(mine.hyperparameters.map((h) => [h.id, h]));
  for (const c of cases) {
    const h = byId.get(c.id)!;
    if (c.space) expect(h.space, `${c.id} space`).toEqual(c.space);
    else if (c.kind === 'T' || c.kind === 'B') throw new Error(`case ${c.id}: give its space`);
    if (c.callLike) expect(h.call, `${c.id} call`).toMatch(c.callLike);
  }
}

describe('catalogue coverage: data augmentation, batch sizes, budgets, initializers, regularizers', () => {
  it('augment_generator_keras2.py: ImageDataGenerator, flow, flow_from_directory, fit_generator and evaluate_generator (Keras 2 and Keras 1 names)', () => {
    check('augment_generator_keras2.py', [
      // batch_size = 32 reaches flow(batch_size=batch_size): the variable is the hyperparameter.
      { id: 'batch_size', param: 'batch_size', value: '32', kind: 'T', at: ['batch_size = 32'], definition: 'variable', uses: [['batch_size=batch_size)', 11]], callLike: /(^|\.)flow$/, space: batch(32) },
      // epochs = 100 reaches fit_generator: a budget, kept as written.
      { id: 'epochs', param: 'epochs', value: '100', kind: 'B', at: ['epochs = 100'], definition: 'variable', uses: [['epochs=epochs', 7]], callLike: /(^|\.)fit_generator$/, space: { kind: 'uniformint', low: 2, high: 100 } },
      { id: 'datagen.rotation_range', param: 'rotation_range', value: '15', kind: 'T', at: ['rotation_range=15'], call: 'keras.preprocessing.image.ImageDataGenerator', type: 'float', current: 15, space: { kind: 'uniform', low: 0, high: 45 } },
      { id: 'datagen.width_shift_range', param: 'width_shift_range', value: '0.1', kind: 'T', at: ['width_shift_range=0.1'], space: { kind: 'uniform', low: 0, high: 0.3 } },
      { id: 'datagen.height_shift_range', param: 'height_shift_range', value: '0.1', kind: 'T', at: ['height_shift_range=0.1'], space: { kind: 'uniform', low: 0, high: 0.3 } },
      // Shear is an angle in degrees in Keras: 0.2 is searched up to 20 degrees.
      { id: 'datagen.shear_range', param: 'shear_range', value: '0.2', kind: 'T', at: ['shear_range=0.2'], space: { kind: 'uniform', low: 0, high: 20 } },
      // A [lower, upper] zoom pair: each bound searched on its side of 1.
      { id: 'datagen.zoom_range.0', param: 'zoom_range', value: '0.9', kind: 'T', at: ['zoom_range=[0.9, 1.1]', 12], type: 'float', tupleSize: 2, element: 0, current: 0.9, space: { kind: 'uniform', low: 0.7, high: 1 } },
      { id: 'datagen.zoom_range.1', param: 'zoom_range', value: '1.1', kind: 'T', at: ['zoom_range=[0.9, 1.1]', 17], type: 'float', tupleSize: 2, element: 1, current: 1.1, space: { kind: 'uniform', low: 1, high: 1.3 } },
      // In the units of the pixels: searched relative to the value written (0.05 on 0-1 pixels).
      { id: 'datagen.channel_shift_range', param: 'channel_shift_range', value: '0.05', kind: 'T', at: ['channel_shift_range=0.05'], space: { kind: 'uniform', low: 0.0125, high: 0.2 } },
      { id: 'datagen.horizontal_flip', param: 'horizontal_flip', value: 'True', kind: 'T', at: ['horizontal_flip=True', undefined, 0], type: 'bool', space: { kind: 'choice', options: [true, false] } },
      { id: 'datagen.vertical_flip', param: 'vertical_flip', value: 'False', kind: 'T', at: ['vertical_flip=False'], space: { kind: 'choice', options: [true, false] } },
      { id: 'datagen.validation_split', param: 'validation_split', value: '0.0', kind: 'F', at: ['validation_split=0.0'], reason: /scored on/ },
      { id: 'fit_generator.steps_per_epoch', param: 'steps_per_epoch', value: 'x_train.shape[0] // batch_size', kind: 'N', at: ['x_train.shape[0] // batch_size'], reason: /depends on the data/ },
      { id: 'train_datagen.zoom_range', param: 'zoom_range', value: '0.2', kind: 'T', at: ['zoom_range=0.2'], space: { kind: 'uniform', low: 0, high: 0.3 } },
      { id: 'train_datagen.horizontal_flip', param: 'horizontal_flip', value: 'True', kind: 'T', at: ['horizontal_flip=True', undefined, 1], space: { kind: 'choice', options: [true, false] } },
      { id: 'flow_from_directory.target_size', param: 'target_size', value: '(150, 150)', kind: 'F', at: ['target_size=(150, 150)'], reason: /input shape/, callLike: /(^|\.)flow_from_directory$/ },
      { id: 'flow_from_directory.batch_size', param: 'batch_size', value: '16', kind: 'T', at: ['batch_size=16'], space: batch(16) },
      { id: 'flow_from_directory.class_mode', param: 'class_mode', value: "'binary'", kind: 'F', at: ["class_mode='binary'"], reason: /task/ },
      // Keras 1 names, read as their Keras 2 parameters.
      { id: 'fit_generator_1.steps_per_epoch', param: 'steps_per_epoch', value: '2000', kind: 'B', at: ['samples_per_epoch=2000'], writtenAs: 'samples_per_epoch', space: { kind: 'qloguniform', low: 10, high: 2000, q: 1 } },
      { id: 'fit_generator_1.epochs', param: 'epochs', value: '50', kind: 'B', at: ['nb_epoch=50'], writtenAs: 'nb_epoch', space: { kind: 'uniformint', low: 2, high: 50 } },
      // Validation and evaluation steps define what is measured: never tuned.
      { id: 'fit_generator_1.validation_steps', param: 'validation_steps', value: '800', kind: 'F', at: ['nb_val_samples=800'], writtenAs: 'nb_val_samples', reason: /scored on/ },
      { id: 'evaluate_generator.steps', param: 'steps', value: '50', kind: 'F', at: ['train_generator, 50)'], reason: /measured/, callLike: /(^|\.)evaluate_generator$/ },
    ]);
  });

  it('augment_layers_datasets.py: image/text/timeseries datasets and augmentation layers (keras.io style)', () => {
    check('augment_layers_datasets.py', [
      { id: 'image_size', param: 'image_size', value: '(180, 180)', kind: 'F', at: ['image_size = (180, 180)'], definition: 'variable', uses: [['image_size=image_size', 11]], call: 'keras.utils.image_dataset_from_directory', reason: /input shape/ },
      { id: 'batch_size', param: 'batch_size', value: '128', kind: 'T', at: ['batch_size = 128'], definition: 'variable', uses: [['batch_size=batch_size', 11]], call: 'keras.utils.image_dataset_from_directory', space: batch(128) },
      { id: 'image_dataset_from_directory.validation_split', param: 'validation_split', value: '0.2', kind: 'F', at: ['validation_split=0.2', undefined, 0], reason: /scored on/ },
      { id: 'random_flip.mode', param: 'mode', value: '"horizontal"', kind: 'T', at: ['RandomFlip("horizontal")'], call: 'keras.layers.RandomFlip', space: { kind: 'choice', options: ['horizontal', 'vertical', 'horizontal_and_vertical'] } },
      { id: 'random_rotation.factor', param: 'factor', value: '0.1', kind: 'T', at: ['RandomRotation(0.1)'], space: { kind: 'uniform', low: 0, high: 0.3 } },
      { id: 'random_zoom.height_factor', param: 'height_factor', value: '0.2', kind: 'T', at: ['RandomZoom(0.2'], space: { kind: 'uniform', low: 0, high: 0.3 } },
      // A (lower, upper) pair: each bound searched on its side of 0.
      { id: 'random_zoom.width_factor.0', param: 'width_factor', value: '-0.1', kind: 'T', at: ['width_factor=(-0.1, 0.1)', 14], tupleSize: 2, element: 0, space: { kind: 'uniform', low: -0.3, high: 0 } },
      { id: 'random_zoom.width_factor.1', param: 'width_factor', value: '0.1', kind: 'T', at: ['width_factor=(-0.1, 0.1)', 20], tupleSize: 2, element: 1, space: { kind: 'uniform', low: 0, high: 0.3 } },
      { id: 'random_translation.height_factor', param: 'height_factor', value: '0.1', kind: 'T', at: ['height_factor=0.1'], space: { kind: 'uniform', low: 0, high: 0.3 } },
      { id: 'random_translation.width_factor', param: 'width_factor', value: '0.05', kind: 'T', at: ['width_factor=0.05'], space: { kind: 'uniform', low: 0, high: 0.3 } },
      { id: 'random_contrast.factor', param: 'factor', value: '0.3', kind: 'T', at: ['factor=0.3'], space: { kind: 'uniform', low: 0, high: 0.5 } },
      // value_range is set by how the pixels are scaled: not reported.
      { id: 'random_brightness.factor', param: 'factor', value: '0.2', kind: 'T', at: ['RandomBrightness(0.2'], space: { kind: 'uniform', low: 0, high: 0.5 } },
      { id: 'random_crop.height', param: 'height', value: '160', kind: 'F', at: ['RandomCrop(160'], reason: /image size/ },
      { id: 'random_crop.width', param: 'width', value: '160', kind: 'F', at: ['RandomCrop(160, 160', 16], reason: /image size/ },
      // The text and time-series datasets are never read by what fit trains: inert here.
      { id: 'raw_train_ds.batch_size', param: 'batch_size', value: '32', kind: 'D', at: ['batch_size=32'], call: 'keras.utils.text_dataset_from_directory', reason: /not used by the training this file runs \(model\.fit\)/ },
      { id: 'raw_train_ds.validation_split', param: 'validation_split', value: '0.2', kind: 'F', at: ['validation_split=0.2', undefined, 1], reason: /scored on/ },
      { id: 'sequence_length', param: 'sequence_length', value: '120', kind: 'F', at: ['sequence_length = 120'], definition: 'variable', uses: [['sequence_length=sequence_length', 16]], call: 'keras.utils.timeseries_dataset_from_array', reason: /input shape/ },
      { id: 'dataset_train.batch_size', param: 'batch_size', value: '256', kind: 'D', at: ['batch_size=256'], reason: /not used by the training/ },
    ]);
  });

  it('initializers_regularizers.py: initializer strings and objects, regularizers on every weight argument', () => {
    check('initializers_regularizers.py', [
      // An initializer object in a variable, used by two layers: tuned once, where it is built.
      { id: 'init.stddev', param: 'stddev', value: '0.02', kind: 'T', at: ['RandomNormal(stddev=0.02)'], call: 'keras.initializers.RandomNormal', space: { kind: 'loguniform', low: 1e-3, high: 0.2 } },
      // RandomUniform(-0.05, 0.05): bounds kept; GlorotUniform(), HeNormal(seed=7), Constant(0.1): nothing to tune.
      { id: 'embedding.embeddings_regularizer.l2', param: 'l2', value: '1e-6', kind: 'T', at: ['l2(1e-6)'], call: 'keras.regularizers.L2', space: REG },
      { id: 'lstm.recurrent_initializer', param: 'recurrent_initializer', value: '"orthogonal"', kind: 'T', at: ['"orthogonal"'], call: 'keras.layers.LSTM', space: { kind: 'choice', options: ['orthogonal', 'glorot_uniform', 'glorot_normal'] } },
      { id: 'lstm.recurrent_regularizer.l2', param: 'l2', value: '1e-5', kind: 'T', at: ['l2(1e-5)'], space: REG },
      { id: 'conv1d.kernel_initializer', param: 'kernel_initializer', value: '"he_normal"', kind: 'T', at: ['"he_normal"'], call: 'keras.layers.Conv1D', type: 'string', space: { kind: 'choice', options: KERNEL_INITS } },
      // bias_initializer="zeros" is not a hyperparameter: not reported.
      { id: 'conv1d.kernel_regularizer.l2', param: 'l2', value: '5e-4', kind: 'T', at: ['l2(5e-4)'], space: REG },
      { id: 'conv1d.bias_regularizer.l1', param: 'l1', value: '1e-5', kind: 'T', at: ['l1(1e-5)'], call: 'keras.regularizers.L1', space: REG },
      { id: 'conv1d.activity_regularizer.l1', param: 'l1', value: '1e-6', kind: 'T', at: ['l1=1e-6'], call: 'keras.regularizers.L1L2', space: REG },
      { id: 'conv1d.activity_regularizer.l2', param: 'l2', value: '1e-5', kind: 'T', at: ['l2=1e-5'], space: REG },
      { id: 'separable_conv1d.depthwise_initializer', param: 'depthwise_initializer', value: '"he_uniform"', kind: 'T', at: ['"he_uniform"'], space: { kind: 'choice', options: KERNEL_INITS } },
      { id: 'separable_conv1d.depthwise_regularizer.l2', param: 'l2', value: '1e-4', kind: 'T', at: ['l2(1e-4)'], call: 'keras.regularizers.L2', space: REG },
      { id: 'dense.kernel_initializer.scale', param: 'scale', value: '2.0', kind: 'T', at: ['scale=2.0'], call: 'keras.initializers.VarianceScaling', space: { kind: 'loguniform', low: 0.1, high: 4 } },
      { id: 'dense.kernel_initializer.mode', param: 'mode', value: '"fan_in"', kind: 'T', at: ['"fan_in"'], space: { kind: 'choice', options: ['fan_in', 'fan_out', 'fan_avg'] } },
      { id: 'dense.kernel_initializer.distribution', param: 'distribution', value: '"truncated_normal"', kind: 'T', at: ['"truncated_normal"'], space: { kind: 'choice', options: ['truncated_normal', 'untruncated_normal', 'uniform'] } },
      // OrthogonalRegularizer needs a rank-2 kernel (Dense, not a convolution's).
      { id: 'dense.kernel_regularizer.factor', param: 'factor', value: '0.01', kind: 'T', at: ['factor=0.01'], call: 'keras.regularizers.OrthogonalRegularizer', space: { kind: 'loguniform', low: 1e-4, high: 0.1 } },
      // TensorFlow's own initializer (DCGAN/pix2pix style), positional: mean kept, stddev tuned.
      { id: 'dense_3.kernel_initializer.stddev', param: 'stddev', value: '0.01', kind: 'T', at: ['tf.random_normal_initializer(0.0, 0.01)', 34], call: 'keras.initializers.RandomNormal', space: { kind: 'loguniform', low: 1e-3, high: 0.2 } },
    ]);
  });

  it('the other entries: flow_from_dataframe, audio datasets, RandomShear, MixUp, RandAugment, TruncatedNormal, Orthogonal', () => {
    const text = [
      'import keras',
      'from keras import layers, initializers',
      'train_gen = datagen.flow_from_dataframe(df, "imgs", x_col="f", target_size=(64, 64), class_mode="raw", batch_size=48)',
      'audio_ds = keras.utils.audio_dataset_from_directory("clips", batch_size=64, output_sequence_length=16000, validation_split=0.2, subset="both", seed=0)',
      'aug = keras.Sequential([layers.RandomShear(0.1, 0.2), layers.MixUp(alpha=0.2), layers.RandAugment(value_range=(0, 255), num_ops=2, factor=0.5)])',
      'rnn = layers.SimpleRNN(16, kernel_initializer=initializers.TruncatedNormal(stddev=0.05), recurrent_initializer=initializers.Orthogonal(gain=1.0))',
      'emb = layers.Embedding(100, 8, embeddings_initializer=initializers.RandomUniform(minval=-0.1, maxval=0.1, seed=3))',
    ].join('\n');
    const result = covered(scan(text));
    const got = Object.fromEntries(result.hyperparameters.map((h) => [h.id, { kind: h.kind, value: h.value, space: h.space }]));
    expect(got).toEqual({
      'flow_from_dataframe.target_size': { kind: 'fixed-by-task', value: '(64, 64)', space: undefined },
      'flow_from_dataframe.class_mode': { kind: 'fixed-by-task', value: '"raw"', space: undefined },
      'flow_from_dataframe.batch_size': { kind: 'hyperparameter', value: '48', space: { kind: 'choice', options: [32, 48, 64] } },
      'audio_ds.batch_size': { kind: 'hyperparameter', value: '64', space: batch(64) },
      'audio_ds.output_sequence_length': { kind: 'fixed-by-task', value: '16000', space: undefined },
      'audio_ds.validation_split': { kind: 'fixed-by-task', value: '0.2', space: undefined },
      'random_shear.x_factor': { kind: 'hyperparameter', value: '0.1', space: { kind: 'uniform', low: 0, high: 0.3 } },
      'random_shear.y_factor': { kind: 'hyperparameter', value: '0.2', space: { kind: 'uniform', low: 0, high: 0.3 } },
      'mix_up.alpha': { kind: 'hyperparameter', value: '0.2', space: { kind: 'loguniform', low: 0.05, high: 1 } },
      'rand_augment.num_ops': { kind: 'hyperparameter', value: '2', space: { kind: 'uniformint', low: 1, high: 4 } },
      'rand_augment.factor': { kind: 'hyperparameter', value: '0.5', space: { kind: 'uniform', low: 0.1, high: 1 } },
      'rnn.kernel_initializer.stddev': { kind: 'hyperparameter', value: '0.05', space: { kind: 'loguniform', low: 1e-3, high: 0.2 } },
      'rnn.recurrent_initializer.gain': { kind: 'hyperparameter', value: '1.0', space: { kind: 'loguniform', low: 0.5, high: 2 } },
    });
  });

  it('fit: validation steps define what trials are scored on (fixed); the validation batch size is not reported', () => {
    const text = 'history = model.fit(train_ds, epochs=5, steps_per_epoch=200, validation_data=val_ds, validation_steps=50, validation_batch_size=64)';
    const got = scan(text).hyperparameters.map((h) => ({ id: h.id, kind: h.kind, value: h.value, reason: h.reason }));
    expect(got).toEqual([
      { id: 'fit.epochs', kind: 'budget', value: '5', reason: expect.stringMatching(/budget/) },
      { id: 'fit.steps_per_epoch', kind: 'budget', value: '200', reason: expect.stringMatching(/budget/) },
      { id: 'fit.validation_steps', kind: 'fixed-by-task', value: '50', reason: 'validation steps define what trials are scored on' },
    ]);
  });

  it('initializer strings: the choice set gains the value as written, legacy Keras 1 names map to the current ones', () => {
    const text = [
      'from keras.layers import Dense, Embedding, LSTM',
      "from keras.regularizers import l2",
      "a = Dense(64, init='uniform', W_regularizer=l2(0.01), b_regularizer=l2(0.001))",
      "e = Embedding(1000, 32, embeddings_initializer='normal')",
      "r = LSTM(32, inner_init='glorot_uniform', U_regularizer=l2(1e-4))",
    ].join('\n');
    const result = covered(scan(text));
    const got = Object.fromEntries(result.hyperparameters.map((h) => [h.id, { param: h.param, writtenAs: h.writtenAs, value: h.value, kind: h.kind, space: h.space }]));
    expect(got).toEqual({
      'a.kernel_initializer': { param: 'kernel_initializer', writtenAs: 'init', value: "'uniform'", kind: 'hyperparameter', space: { kind: 'choice', options: [...KERNEL_INITS, 'uniform'] } },
      'a.kernel_regularizer.l2': { param: 'l2', writtenAs: undefined, value: '0.01', kind: 'hyperparameter', space: REG },
      'a.bias_regularizer.l2': { param: 'l2', writtenAs: undefined, value: '0.001', kind: 'hyperparameter', space: REG },
      'e.embeddings_initializer': { param: 'embeddings_initializer', writtenAs: undefined, value: "'normal'", kind: 'hyperparameter', space: { kind: 'choice', options: ['uniform', 'random_normal', 'truncated_normal', 'glorot_uniform', 'normal'] } },
      'r.recurrent_initializer': { param: 'recurrent_initializer', writtenAs: 'inner_init', value: "'glorot_uniform'", kind: 'hyperparameter', space: { kind: 'choice', options: ['orthogonal', 'glorot_uniform', 'glorot_normal'] } },
      'r.recurrent_regularizer.l2': { param: 'l2', writtenAs: undefined, value: '1e-4', kind: 'hyperparameter', space: REG },
    });
  });

  it('a (lower, upper) pair: every corner of its two spaces builds and runs in real Keras (lower never above upper)', () => {
    const { result } = scanFixture('augment_layers_datasets.py');
    const [lo, hi] = ['random_zoom.width_factor.0', 'random_zoom.width_factor.1'].map((id) => result.hyperparameters.find((h) => h.id === id)!.space as { low: number; high: number });
    expect(lo.high).toBeLessThanOrEqual(hi.low);
    const corners = [lo.low, lo.high].flatMap((a) => [hi.low, hi.high].map((b) => [a, b]));
    const py = String.raw`
import json, sys
import numpy as np
import keras
out = []
for a, b in json.load(sys.stdin):
    layer = keras.layers.RandomZoom(0.2, width_factor=(a, b))
    y = layer(np.ones((1, 16, 16, 3), "float32"), training=True)
    out.append(list(y.shape))
print(json.dumps(out))
`;
    const stdout = execFileSync(venvPython(), ['-c', py], { input: JSON.stringify(corners), encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual(corners.map(() => [1, 16, 16, 3]));
  });
});
