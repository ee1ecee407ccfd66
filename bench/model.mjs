// Generates synthetic Keras model files for the benchmarks. Deterministic: every run measures
// the same text. API (stable, imported by other benchmarks):
//   generateBenchModel(functions = 250) -> string  (imports, 14 lines per function, a few module lines: ~3,500 lines)
//   generateLargeFile(lines = 100000)   -> string  (exactly `lines` lines of similar content)
//   largeFileFunctionCount(lines)       -> number of model functions generateLargeFile(lines) holds

const HEADER = [
  '# Generated benchmark model file (optpar bench).',
  'import numpy as np',
  'from tensorflow import keras',
  'from tensorflow.keras import layers',
  'from tensorflow.keras.optimizers import Adam',
  '',
];

const FILTERS = [16, 32, 48, 64, 96, 128];
const KERNELS = [3, 5, 7];
const UNITS = [32, 64, 128, 256, 512];
const RATES = ['0.1', '0.2', '0.25', '0.3', '0.4', '0.5'];
const LRS = ['1e-3', '3e-4', '0.001', '0.0005', '1e-4', '0.01'];
const BATCHES = [16, 32, 64, 128];
const ACTS = ['relu', 'tanh', 'elu', 'selu'];

/** The 14 lines of model-building function number i (values vary with i). */
function modelFunction(i) {
  const f = FILTERS[i % FILTERS.length];
  const k = KERNELS[i % KERNELS.length];
  const u = UNITS[i % UNITS.length];
  const r = RATES[i % RATES.length];
  const lr = LRS[i % LRS.length];
  const b = BATCHES[i % BATCHES.length];
  const a = ACTS[i % ACTS.length];
  const epochs = 5 + (i % 20);
  return [
    `def build_model_${i}(x_train, y_train):`,
    `    model = keras.Sequential([`,
    `        layers.Conv2D(${f}, kernel_size=(${k}, ${k}), activation='${a}', input_shape=(28, 28, 1)),`,
    `        layers.MaxPooling2D(pool_size=(2, 2)),`,
    `        layers.Conv2D(${f * 2}, (${k}, ${k}), activation='relu'),`,
    `        layers.MaxPooling2D(pool_size=(2, 2)),`,
    `        layers.Flatten(),`,
    `        layers.Dense(${u}, activation='${a}'),`,
    `        layers.Dropout(${r}),`,
    `        layers.Dense(10, activation='softmax'),`,
    `    ])`,
    `    model.compile(optimizer=Adam(learning_rate=${lr}), loss='categorical_crossentropy', metrics=['accuracy'])`,
    `    model.fit(x_train, y_train, epochs=${epochs}, batch_size=${b}, validation_split=0.1)`,
    `    return model`,
  ];
}

/** Hyperparameters scanSource reports for one generated function (tunable + fixed). */
// 19 written values, the optimizer class (Adam(...) may become AdamW, Nadam or RMSprop) and
// validation_split (reported as fixed: it defines what trials are scored on).
export const HYPERPARAMETERS_PER_FUNCTION = 21;

const FOOTER = [
  '',
  'x_train = np.zeros((100, 28, 28, 1))',
  'y_train = np.zeros((100, 10))',
  'MODEL = build_model_0(x_train, y_train)',
];

/** ~3,500-line model file: imports, `functions` model-building functions, a few module-level lines. */
export function generateBenchModel(functions = 250) {
  const out = [...HEADER];
  for (let i = 0; i < functions; i++) out.push(...modelFunction(i));
  out.push(...FOOTER);
  return out.join('\n') + '\n';
}

/** A file of exactly `lines` lines (default 100,000): model functions, then comment filler. */
export function generateLargeFile(lines = 100000) {
  const out = [...HEADER];
  let i = 0;
  while (out.length + 14 <= lines) out.push(...modelFunction(i++));
  while (out.length < lines) out.push(`# filler ${out.length}`);
  return out.slice(0, lines).join('\n') + '\n';
}

/** Number of model functions in generateLargeFile(lines). */
export function largeFileFunctionCount(lines = 100000) {
  return lines < HEADER.length ? 0 : Math.floor((lines - HEADER.length) / 14);
}
