import { describe, expect, it } from 'vitest';
import { type Expected, expectExactly, FIXTURES, scan, scanFixture } from './helpers';

/**
 * Each fixture's exact report: ids, params, values (source text), tunable/fixed and positions
 * (found by searching the fixture text). Expectations follow Keras 3 semantics and issue 2.
 */
const EXPECTED: Record<string, Expected[]> = {
  'paper_figure2.py': [
    // optimizer='adam' leaves Adam's learning rate at its Keras default: reported on the string.
    { id: 'compile.optimizer.learning_rate', param: 'learning_rate', value: '0.001', kind: 'T', at: ["'adam'", 0], definition: 'implicit', spanText: "'adam'", current: 0.001 },
    { id: 'conv2d.filters', param: 'filters', value: '32', kind: 'T', at: ['Conv2D(32, (3, 3)'], call: 'keras.layers.Conv2D', type: 'int' },
    // 64x64 inputs, strides 3 and 2x2 pools leave a 1x1 map: with strides up to 3, only the first
    // pool can grow (to 3: 64 -> 21 -> 7 -> 2 -> 1); the kernels and the last pool stay (shapes.ts).
    { id: 'conv2d.kernel_size', param: 'kernel_size', value: '(3, 3)', kind: 'F', at: ['Conv2D(32, (3, 3)'], type: 'int', tupleSize: 2, current: 3, reason: /feature map/ },
    // Keras 2/3: the third positional argument of Conv2D is strides.
    { id: 'conv2d.strides', param: 'strides', value: '3', kind: 'T', at: ['), 3, input_shape', 3] },
    { id: 'conv2d.input_shape', param: 'input_shape', value: '(64, 64, 3)', kind: 'F', at: ['input_shape = (64, 64, 3)'], reason: /input shape/ },
    { id: 'conv2d.activation', param: 'activation', value: "'relu'", kind: 'T', at: ["(64, 64, 3), activation = 'relu'"] },
    { id: 'max_pooling2d.pool_size', param: 'pool_size', value: '(2, 2)', kind: 'T', at: ['pool_size = (2, 2)', undefined, 0], tupleSize: 2, type: 'int' },
    { id: 'conv2d_1.filters', param: 'filters', value: '32', kind: 'T', at: ['Conv2D(32, 3, 3'] },
    { id: 'conv2d_1.kernel_size', param: 'kernel_size', value: '3', kind: 'F', at: ['Conv2D(32, 3, 3', 11], type: 'int', reason: /feature map/ },
    { id: 'conv2d_1.strides', param: 'strides', value: '3', kind: 'T', at: ['Conv2D(32, 3, 3', 14] },
    { id: 'conv2d_1.activation', param: 'activation', value: "'relu'", kind: 'T', at: ["3, 3, activation = 'relu'"] },
    { id: 'max_pooling2d_1.pool_size', param: 'pool_size', value: '(2, 2)', kind: 'F', at: ['pool_size = (2, 2)', undefined, 1], tupleSize: 2, reason: /feature map/ },
    { id: 'dense.units', param: 'units', value: '64', kind: 'T', at: ['Dense(64'], call: 'keras.layers.Dense' },
    { id: 'dense.activation', param: 'activation', value: "'relu'", kind: 'T', at: ["Dense(64, activation = 'relu'"] },
    // The paper tuned these; the output layer's width and activation are set by the task.
    { id: 'dense_1.units', param: 'units', value: '1', kind: 'F', at: ['Dense(1,'], reason: /output layer/ },
    { id: 'dense_1.activation', param: 'activation', value: "'sigmoid'", kind: 'F', at: ["'sigmoid'"], reason: /output layer/ },
    { id: 'compile.optimizer', param: 'optimizer', value: "'adam'", kind: 'T', at: ["'adam'"], call: 'Model.compile' },
    { id: 'compile.loss', param: 'loss', value: "'binary_crossentropy'", kind: 'F', at: ["'binary_crossentropy'"], reason: /loss/ },
    { id: 'compile.metrics', param: 'metrics', value: "['accuracy']", kind: 'F', at: ["['accuracy']"], reason: /metrics/ },
  ],
  'paper_figure5.py': [
    { id: 'dense.units', param: 'units', value: '128', kind: 'T', at: ['keras.layers.Dense(128'], call: 'keras.layers.Dense' },
    { id: 'dense.activation', param: 'activation', value: "'relu'", kind: 'T', at: ["keras.layers.Dense(128, activation='relu'"] },
    { id: 'dense_1.units', param: 'units', value: '128', kind: 'T', at: ["model.add(Dense(128, activation='relu'))"] },
    { id: 'dense_1.activation', param: 'activation', value: "'relu'", kind: 'T', at: ["model.add(Dense(128, activation='relu'))"] },
    // actv = ReLU(...) then activation=actv: negative_slope at its definition, named after the variable.
    { id: 'actv.negative_slope', param: 'negative_slope', value: '0.1', kind: 'T', at: ['ReLU(negative_slope=0.1)', undefined, 0], call: 'keras.layers.ReLU' },
    { id: 'dense_2.units', param: 'units', value: '128', kind: 'T', at: ['Dense(128, activation=actv'] },
    { id: 'dense_3.units', param: 'units', value: '128', kind: 'T', at: ['Dense(128, activation=ReLU'] },
    { id: 'dense_3.activation.negative_slope', param: 'negative_slope', value: '0.1', kind: 'T', at: ['ReLU(negative_slope=0.1)', undefined, 1] },
    { id: 'dense_4.units', param: 'units', value: '10', kind: 'F', at: ['Dense(10'] },
    { id: 'dense_4.activation', param: 'activation', value: "'softmax'", kind: 'F', at: ["'softmax'"] },
    { id: 'dense_5.units', param: 'units', value: '24', kind: 'T', at: ['units=24', 6] },
    { id: 'dense_5.activation', param: 'activation', value: "'relu'", kind: 'T', at: ["units=24, activation='relu'"] },
    { id: 'dense_6.units', param: 'units', value: '3', kind: 'F', at: ['Dense(3)'] },
  ],
  'sequential_cnn.py': [
    { id: 'compile.optimizer.class', param: 'class', value: 'keras.optimizers.Adam', kind: 'T', at: ['keras.optimizers.Adam(learning_rate=1e-3'], current: 'Adam' },
    { id: 'input.shape', param: 'shape', value: '(8, 8, 1)', kind: 'F', at: ['shape=(8, 8, 1)'], call: 'keras.Input' },
    { id: 'conv2d.filters', param: 'filters', value: '16', kind: 'T', at: ['Conv2D(16'] },
    { id: 'conv2d.kernel_size', param: 'kernel_size', value: '(3, 3)', kind: 'T', at: ['kernel_size=(3, 3)'], tupleSize: 2, type: 'int', current: 3 },
    { id: 'conv2d.activation', param: 'activation', value: '"relu"', kind: 'T', at: ['(3, 3), activation="relu"', undefined, 0] },
    { id: 'max_pooling2d.pool_size', param: 'pool_size', value: '(2, 2)', kind: 'T', at: ['pool_size=(2, 2)'], tupleSize: 2, call: 'keras.layers.MaxPooling2D' },
    { id: 'conv2d_1.filters', param: 'filters', value: '32', kind: 'T', at: ['Conv2D(32'] },
    { id: 'conv2d_1.kernel_size', param: 'kernel_size', value: '(3, 3)', kind: 'T', at: ['Conv2D(32, (3, 3)'], tupleSize: 2 },
    { id: 'conv2d_1.activation', param: 'activation', value: '"relu"', kind: 'T', at: ['(3, 3), activation="relu"', undefined, 1] },
    { id: 'dropout.rate', param: 'rate', value: '0.25', kind: 'T', at: ['Dropout(0.25'], type: 'float' },
    { id: 'dense.units', param: 'units', value: '10', kind: 'F', at: ['Dense(10'] },
    { id: 'dense.activation', param: 'activation', value: '"softmax"', kind: 'F', at: ['"softmax"'] },
    { id: 'compile.optimizer.learning_rate', param: 'learning_rate', value: '1e-3', kind: 'T', at: ['learning_rate=1e-3'], call: 'keras.optimizers.Adam', current: 0.001 },
    { id: 'compile.loss', param: 'loss', value: '"sparse_categorical_crossentropy"', kind: 'F', at: ['"sparse_categorical_crossentropy"'] },
    { id: 'compile.metrics', param: 'metrics', value: '["accuracy"]', kind: 'F', at: ['["accuracy"]'] },
    { id: 'fit.batch_size', param: 'batch_size', value: '32', kind: 'T', at: ['batch_size=32'], call: 'Model.fit' },
    { id: 'fit.epochs', param: 'epochs', value: '2', kind: 'B', at: ['epochs=2'] },
  ],
  'functional_mlp.py': [
    { id: 'fit.validation_split', param: 'validation_split', value: '0.2', kind: 'F', at: ['validation_split=0.2'], reason: /what trials are scored on/ },
    { id: 'compile.optimizer.class', param: 'class', value: 'tf.keras.optimizers.SGD', kind: 'T', at: ['tf.keras.optimizers.SGD(0.01'], current: 'SGD' },
    { id: 'inputs.shape', param: 'shape', value: '(features.shape[1],)', kind: 'F', at: ['shape=(features', 6], call: 'keras.Input' },
    { id: 'dense.units', param: 'units', value: '64', kind: 'T', at: ['Dense(64'], call: 'keras.layers.Dense' },
    { id: 'dense.activation', param: 'activation', value: '"relu"', kind: 'T', at: ['"relu"'] },
    { id: 'dropout.rate', param: 'rate', value: '0.2', kind: 'T', at: ['rate=0.2'] },
    { id: 'dense_1.units', param: 'units', value: '32', kind: 'T', at: ['Dense(32'] },
    { id: 'dense_1.activation', param: 'activation', value: '"tanh"', kind: 'T', at: ['"tanh"'] },
    { id: 'dense_1.kernel_regularizer.l2', param: 'l2', value: '1e-4', kind: 'T', at: ['l2(1e-4)'], call: 'keras.regularizers.L2', type: 'float' },
    { id: 'dense_2.units', param: 'units', value: '10', kind: 'F', at: ['Dense(10'] },
    { id: 'dense_2.activation', param: 'activation', value: '"softmax"', kind: 'F', at: ['"softmax"'] },
    { id: 'compile.optimizer.learning_rate', param: 'learning_rate', value: '0.01', kind: 'T', at: ['SGD(0.01'], call: 'keras.optimizers.SGD' },
    { id: 'compile.optimizer.momentum', param: 'momentum', value: '0.9', kind: 'T', at: ['momentum=0.9'] },
    { id: 'compile.loss', param: 'loss', value: '"sparse_categorical_crossentropy"', kind: 'F', at: ['"sparse_categorical_crossentropy"'] },
    { id: 'compile.metrics', param: 'metrics', value: '["accuracy"]', kind: 'F', at: ['["accuracy"]'] },
    { id: 'fit.epochs', param: 'epochs', value: '2', kind: 'B', at: ['epochs=2'] },
    { id: 'fit.batch_size', param: 'batch_size', value: '64', kind: 'T', at: ['batch_size=64'] },
  ],
  'build_model_constants.py': [
    { id: 'fit.validation_split', param: 'validation_split', value: '0.2', kind: 'F', at: ['validation_split=0.2'], reason: /what trials are scored on/ },
    { id: 'compile.optimizer.class', param: 'class', value: 'keras.optimizers.RMSprop', kind: 'T', at: ['keras.optimizers.RMSprop(learning_rate'], current: 'RMSprop' },
    { id: 'input.shape', param: 'shape', value: '(64,)', kind: 'F', at: ['shape=(64,)'], call: 'keras.Input' },
    { id: 'HIDDEN_UNITS', param: 'units', value: '48', kind: 'T', at: ['HIDDEN_UNITS = 48'], definition: 'variable', uses: [['Dense(HIDDEN_UNITS', 6]], current: 48 },
    { id: 'build_model.activation', param: 'activation', value: '"relu"', kind: 'T', at: ['activation="relu"'], definition: 'parameter-default', uses: [['activation=activation', 11]] },
    { id: 'DROPOUT', param: 'rate', value: '0.3', kind: 'T', at: ['DROPOUT = 0.3'], definition: 'variable', uses: [['Dropout(DROPOUT)', 8]] },
    // num_classes has no default; its value comes from the one caller, build_model(10): fixed, it is the output width.
    { id: 'build_model.num_classes', param: 'units', value: '10', kind: 'F', at: ['build_model(10)', 12], uses: [['Dense(num_classes', 6]], reason: /output layer/ },
    { id: 'dense_1.activation', param: 'activation', value: '"softmax"', kind: 'F', at: ['"softmax"'] },
    { id: 'LEARNING_RATE', param: 'learning_rate', value: '0.002', kind: 'T', at: ['LEARNING_RATE = 0.002'], definition: 'variable', uses: [['learning_rate=LEARNING_RATE', 14]], call: 'keras.optimizers.RMSprop' },
    { id: 'compile.loss', param: 'loss', value: '"sparse_categorical_crossentropy"', kind: 'F', at: ['"sparse_categorical_crossentropy"'] },
    { id: 'compile.metrics', param: 'metrics', value: '["accuracy"]', kind: 'F', at: ['["accuracy"]'] },
    { id: 'CONFIG.epochs', param: 'epochs', value: '2', kind: 'B', at: ['"epochs": 2'], definition: 'dict-entry', uses: [['epochs=CONFIG', 7]] },
    { id: 'CONFIG.batch_size', param: 'batch_size', value: '32', kind: 'T', at: ['"batch_size": 32'], definition: 'dict-entry', uses: [['batch_size=CONFIG', 11]] },
  ],
  'subclassed_model.py': [
    { id: 'fit.validation_split', param: 'validation_split', value: '0.2', kind: 'F', at: ['validation_split=0.2'], reason: /what trials are scored on/ },
    { id: 'compile.optimizer.learning_rate', param: 'learning_rate', value: '0.001', kind: 'T', at: ['"adam"', 0], definition: 'implicit', spanText: '"adam"', current: 0.001 },
    { id: 'DigitNet.hidden', param: 'units', value: '96', kind: 'T', at: ['hidden = 96'], definition: 'class-attribute', uses: [['Dense(self.hidden', 6]] },
    { id: 'd1.activation', param: 'activation', value: '"relu"', kind: 'T', at: ['"relu"'] },
    { id: 'DigitNet.dropout', param: 'rate', value: '0.1', kind: 'T', at: ['dropout=0.1'], definition: 'parameter-default', uses: [['Dropout(dropout)', 8]] },
    // The layer call() returns: its width is the number of classes even when held in a default.
    { id: 'DigitNet.num_classes', param: 'units', value: '10', kind: 'F', at: ['num_classes=10'], definition: 'parameter-default', uses: [['Dense(num_classes', 6]], reason: /output layer/ },
    { id: 'out.activation', param: 'activation', value: '"softmax"', kind: 'F', at: ['"softmax"'] },
    { id: 'compile.optimizer', param: 'optimizer', value: '"adam"', kind: 'T', at: ['"adam"'] },
    { id: 'compile.loss', param: 'loss', value: '"sparse_categorical_crossentropy"', kind: 'F', at: ['"sparse_categorical_crossentropy"'] },
    { id: 'compile.metrics', param: 'metrics', value: '["accuracy"]', kind: 'F', at: ['["accuracy"]'] },
    { id: 'fit.epochs', param: 'epochs', value: '2', kind: 'B', at: ['epochs=2'] },
    { id: 'fit.batch_size', param: 'batch_size', value: '32', kind: 'T', at: ['batch_size=32'] },
  ],
  'lstm_sequences.py': [
    { id: 'fit.validation_split', param: 'validation_split', value: '0.25', kind: 'F', at: ['validation_split=0.25'], reason: /what trials are scored on/ },
    { id: 'compile.optimizer.class', param: 'class', value: 'Adam', kind: 'T', at: ['Adam(learning_rate=0.005'], current: 'Adam' },
    { id: 'embedding.input_dim', param: 'input_dim', value: '2', kind: 'F', at: ['input_dim=2'], reason: /vocabulary/ },
    { id: 'embedding.output_dim', param: 'output_dim', value: '8', kind: 'T', at: ['output_dim=8'] },
    { id: 'lstm.units', param: 'units', value: '16', kind: 'T', at: ['LSTM(16'], call: 'keras.layers.LSTM' },
    { id: 'lstm.dropout', param: 'dropout', value: '0.1', kind: 'T', at: ['dropout=0.1'] },
    { id: 'dense.units', param: 'units', value: '1', kind: 'F', at: ['Dense(1,'] },
    { id: 'dense.activation', param: 'activation', value: '"sigmoid"', kind: 'F', at: ['"sigmoid"'] },
    { id: 'compile.optimizer.learning_rate', param: 'learning_rate', value: '0.005', kind: 'T', at: ['learning_rate=0.005'], call: 'keras.optimizers.Adam' },
    { id: 'compile.loss', param: 'loss', value: '"binary_crossentropy"', kind: 'F', at: ['"binary_crossentropy"'] },
    { id: 'compile.metrics', param: 'metrics', value: '["accuracy"]', kind: 'F', at: ['["accuracy"]'] },
    { id: 'fit.batch_size', param: 'batch_size', value: '64', kind: 'T', at: ['batch_size=64'] },
    { id: 'fit.epochs', param: 'epochs', value: '2', kind: 'B', at: ['epochs=2'] },
  ],
  'keras2_legacy.py': [
    { id: 'compile.optimizer.class', param: 'class', value: 'SGD', kind: 'T', at: ['SGD(lr=0.1'], current: 'SGD' },
    { id: 'conv2d.filters', param: 'filters', value: '64', kind: 'T', at: ['nb_filter=64'], writtenAs: 'nb_filter' },
    { id: 'conv2d.kernel_size', param: 'kernel_size', value: '5', kind: 'T', at: ['kernel_size=5'], type: 'int', current: 5 },
    { id: 'conv2d.input_shape', param: 'input_shape', value: '(28, 28, 1)', kind: 'F', at: ['(28, 28, 1)'] },
    { id: 'leaky_relu.negative_slope', param: 'negative_slope', value: '0.2', kind: 'T', at: ['alpha=0.2'], writtenAs: 'alpha' },
    { id: 'dense.units', param: 'units', value: '256', kind: 'T', at: ['output_dim=256'], writtenAs: 'output_dim' },
    { id: 'dropout.rate', param: 'rate', value: '0.5', kind: 'T', at: ['p=0.5'], writtenAs: 'p' },
    { id: 'dense_1.units', param: 'units', value: '10', kind: 'F', at: ['Dense(10'] },
    { id: 'dense_1.activation', param: 'activation', value: "'softmax'", kind: 'F', at: ["'softmax'"] },
    { id: 'compile.optimizer.learning_rate', param: 'learning_rate', value: '0.1', kind: 'T', at: ['lr=0.1'], writtenAs: 'lr', call: 'keras.optimizers.SGD' },
    { id: 'compile.optimizer.momentum', param: 'momentum', value: '0.9', kind: 'T', at: ['momentum=0.9'] },
    { id: 'compile.loss', param: 'loss', value: "'categorical_crossentropy'", kind: 'F', at: ["'categorical_crossentropy'"] },
  ],
  'variables_and_values.py': [
    { id: 'opt.class', param: 'class', value: 'keras.optimizers.Adam', kind: 'T', at: ['keras.optimizers.Adam(learning_rate=PARAMS'], current: 'Adam' },
    // One hyperparameter for a variable used twice: at its definition, both uses listed.
    { id: 'units', param: 'units', value: '64', kind: 'T', at: ['units = 64'], definition: 'variable',
      uses: [['Dense(units, activation="relu", input', 6], ['Dense(units, activation="relu"),', 6]] },
    { id: 'dense.activation', param: 'activation', value: '"relu"', kind: 'T', at: ['Dense(units, activation="relu", input'] },
    { id: 'dense.input_dim', param: 'input_dim', value: 'x_train.shape[1]', kind: 'F', at: ['input_dim=x_train', 10], reason: /input shape/ },
    { id: 'dense_1.activation', param: 'activation', value: '"relu"', kind: 'T', at: ['Dense(units, activation="relu"),'] },
    { id: 'make.width', param: 'units', value: '32', kind: 'T', at: ['width=32', 6], definition: 'parameter-default', uses: [['Dense(width', 6]] },
    { id: 'make.depth_units', param: 'units', value: 'None', kind: 'N', at: ['depth_units=None', 12], definition: 'parameter-default', uses: [['Dense(depth_units', 6]], reason: /None/ },
    { id: 'dense_4.units', param: 'units', value: 'x_train.shape[1] * 2', kind: 'N', at: ['Dense(x_train', 6], reason: /depends on the data/ },
    { id: 'PARAMS.dropout', param: 'rate', value: '0.2', kind: 'T', at: ['"dropout": 0.2'], definition: 'dict-entry', uses: [['Dropout(PARAMS', 8]] },
    { id: 'dense_5.units', param: 'units', value: '1', kind: 'F', at: ['Dense(1)'] },
    { id: 'conv.filters', param: 'filters', value: '8', kind: 'T', at: ['Conv2D(8'] },
    { id: 'Hyper.kernel', param: 'kernel_size', value: '(5, 5)', kind: 'T', at: ['kernel = (5, 5)'], definition: 'class-attribute', tupleSize: 2, uses: [['Hyper.kernel,']], current: 5 },
    // An unequal tuple is tuned element by element.
    { id: 'conv.strides.0', param: 'strides', value: '1', kind: 'T', at: ['strides=(1, 2)', 9], tupleSize: 2, element: 0, current: 1 },
    { id: 'conv.strides.1', param: 'strides', value: '2', kind: 'T', at: ['strides=(1, 2)', 12], tupleSize: 2, element: 1, current: 2 },
    { id: 'PARAMS.lr', param: 'learning_rate', value: '3e-4', kind: 'T', at: ['"lr": 3e-4', 6], definition: 'dict-entry', uses: [['learning_rate=PARAMS', 14]] },
  ],
  'ignore_comments.py': [
    { id: 'dense.units', param: 'units', value: '128', kind: 'I', at: ['Dense(128'], reason: /optpar: ignore/ },
    { id: 'dense.activation', param: 'activation', value: '"relu"', kind: 'I', at: ['128, activation="relu"'] },
    { id: 'dense_1.units', param: 'units', value: '64', kind: 'I', at: ['Dense(64'] },
    { id: 'dense_1.activation', param: 'activation', value: '"relu"', kind: 'T', at: ['64, activation="relu"'] },
    { id: 'dropout.rate', param: 'rate', value: '0.5', kind: 'T', at: ['Dropout(0.5'] },
    { id: 'dense_2.units', param: 'units', value: '1', kind: 'F', at: ['Dense(1)'] },
  ],
  'syntax_error.py': [
    { id: 'dense.units', param: 'units', value: '32', kind: 'T', at: ['Dense(32'] },
    { id: 'dense.activation', param: 'activation', value: '"relu"', kind: 'T', at: ['"relu"'] },
    { id: 'dense_1.units', param: 'units', value: '16', kind: 'T', at: ['Dense(16'] },
    { id: 'dense_1.activation', param: 'activation', value: '"tanh"', kind: 'T', at: ['"tanh"'] },
    { id: 'dense_2.units', param: 'units', value: '1', kind: 'F', at: ['Dense(1)'] },
  ],
};

describe('scanSource on the fixtures: exact reports', () => {
  it('has an expectation for every fixture', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...FIXTURES].sort());
  });

  for (const name of FIXTURES) {
    it(name, () => {
      const { text, result } = scanFixture(name);
      expectExactly(text, result, EXPECTED[name]);
      if (name !== 'syntax_error.py') expect(result.errors).toEqual([]);
    });
  }

  it('syntax_error.py: one syntax error naming line 5, the intact layers still reported', () => {
    const { text, result } = scanFixture('syntax_error.py');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].message).toMatch(/syntax error at line 5\b/);
    expect(result.errors[0].span!.start).toBeGreaterThanOrEqual(text.indexOf('def broken'));
    expect(result.errors[0].span!.start).toBeLessThan(text.indexOf('    pass'));
  });

  it("fit on a receiver that is no Keras model (ImageDataGenerator, scikit-learn) is not Model.fit; an untraced receiver still is", () => {
    const text = [
      'from sklearn.preprocessing import StandardScaler',
      'from tensorflow import keras',
      'from tensorflow.keras.preprocessing.image import ImageDataGenerator',
      'scaler = StandardScaler()',
      'scaler.fit(x)',
      'datagen = ImageDataGenerator(horizontal_flip=True)',
      'datagen.fit(x)',
      'model = keras.models.load_model("m.keras")',
      'model.fit(datagen.flow(x, y, batch_size=64), epochs=3, validation_data=(xv, yv))',
      '',
    ].join('\n');
    const hps = scan(text).hyperparameters;
    const fits = hps.filter((h) => h.call === 'Model.fit').map((h) => [h.id, text.slice(0, h.span.start).split('\n').length]);
    expect(fits).toEqual([['fit.epochs', 9], ['fit.validation_data', 9]].filter(([id]) => hps.some((h) => h.id === id)));
    expect(fits.map(([, line]) => line)).not.toContain(5);
    expect(fits.map(([, line]) => line)).not.toContain(7);
    expect(hps.find((h) => h.id === 'fit.epochs')).toMatchObject({ kind: 'budget' });
    expect(hps.find((h) => h.param === 'batch_size')).toMatchObject({ value: '64', call: expect.stringMatching(/flow$/) });
  });

  it('a width written as a literal base times a computed scale tunes the base; a factor, a constant product or a data size does not', () => {
    const text = 'from keras import layers\nunits = 64\na = layers.Dense(64 * k)\nb = layers.Dense(units * 2)\nc = layers.Dense(7 * 7 * 64)\nd = layers.Dense(x.shape[1] * 8)\n';
    const got = scan(text).hyperparameters.map((h) => [h.id, h.value, h.kind]);
    expect(got).toEqual([
      ['a.units', '64', 'hyperparameter'],
      ['b.units', 'units * 2', 'not-a-literal'],
      ['c.units', '7 * 7 * 64', 'not-a-literal'],
      ['d.units', 'x.shape[1] * 8', 'not-a-literal'],
    ]);
  });

  it('is deterministic: two scans give the same result', () => {
    for (const name of FIXTURES) {
      const a = scanFixture(name).result;
      const b = scanFixture(name).result;
      expect(b).toEqual(a);
    }
  });
});
