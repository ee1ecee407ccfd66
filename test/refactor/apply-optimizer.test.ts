import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanSource } from '../../server/src/analysis/scan';
import { loadCatalogue } from '../../server/src/catalogue/load';
import { type AppliedValue, appliedIds, applyValues } from '../../server/src/refactor/apply';
import { repoRoot, venvPython } from '../helpers/python';

/**
 * Issue 10 §4 in apply: the implicit learning rate of an optimizer named by a string
 * (optimizer="adam") is written back as an optimizer object of the chosen class, named through
 * the Keras module the file already imports; at the class's Keras default the string stays.
 * Each applied file is then run with real Keras (.venv) up to its first fit: the optimizer its
 * compile builds must have the class and learning rate applied, and the rest of the file must be
 * byte for byte what it was.
 */
const { catalogue } = loadCatalogue();
const fixture = (path: string) => join(repoRoot, 'test', 'fixtures', path);
const hps = (text: string) => scanSource(text, catalogue, { tuneBudget: true }).hyperparameters;

interface Case {
  file: string;
  /** The values of the search, by id. */
  values: Record<string, AppliedValue>;
  /** The exact text changes expected: the file is the original with these replacements. */
  replace: [string, string][];
  /** Which compile() of the file (in the order it runs) builds the applied optimizer. */
  compile: number;
  cls: string;
  lr: number;
}

const CASES: Case[] = [
  {
    file: 'keras/subclassed_model.py', // import keras
    values: { 'compile.optimizer.learning_rate': 0.003 },
    replace: [['optimizer="adam"', 'optimizer=keras.optimizers.Adam(learning_rate=0.003)']],
    compile: 0,
    cls: 'Adam',
    lr: 0.003,
  },
  {
    file: 'keras/initializers_regularizers.py', // import tensorflow as tf; from tensorflow.keras import layers, ...
    values: { 'compile.optimizer.learning_rate': 0.00047, 'compile.optimizer': 'rmsprop' },
    replace: [['optimizer="adam"', 'optimizer=tf.keras.optimizers.RMSprop(learning_rate=0.00047)']],
    compile: 0,
    cls: 'RMSprop',
    lr: 0.00047,
  },
  {
    file: 'flow/autoencoder_gan.py', // from tensorflow import keras
    values: { 'compile.optimizer.learning_rate': 0.0021, 'compile.optimizer': 'adamw' },
    replace: [['autoencoder.compile(optimizer="adam"', 'autoencoder.compile(optimizer=keras.optimizers.AdamW(learning_rate=0.0021)']],
    compile: 0,
    cls: 'AdamW',
    lr: 0.0021,
  },
  {
    file: 'flow/residual_blocks.py', // a chosen class at its own Keras default: the string, renamed
    values: { 'compile.optimizer.learning_rate': 0.001, 'compile.optimizer': 'nadam' },
    replace: [['optimizer="adam"', 'optimizer="nadam"']],
    compile: 0,
    cls: 'Nadam',
    lr: 0.001,
  },
  {
    file: 'flow/heads_and_biases.py', // the third compile of the file; the two before are objects already
    values: { 'compile_2.optimizer.learning_rate': 0.0001, 'compile_2.optimizer': 'adam' },
    replace: [['clf.compile(optimizer="adam"', 'clf.compile(optimizer=keras.optimizers.Adam(learning_rate=0.0001)']],
    compile: 2,
    cls: 'Adam',
    lr: 0.0001,
  },
  {
    file: 'apply/layers_models_only.py', // from tensorflow.keras import layers, models: optimizers joins it
    values: { 'compile.optimizer.learning_rate': 0.004 },
    replace: [
      ['from tensorflow.keras import layers, models\n', 'from tensorflow.keras import layers, models, optimizers\n'],
      ['optimizer="adam",  # tuned later', 'optimizer=optimizers.Adam(learning_rate=0.004),  # tuned later'],
    ],
    compile: 0,
    cls: 'Adam',
    lr: 0.004,
  },
  {
    file: 'apply/submodule_imports.py', // classes from submodules only: one import line added
    values: { 'compile.optimizer.learning_rate': 0.0025, 'compile.optimizer': 'adam' },
    replace: [
      ['from tensorflow.keras.layers import Dense, Dropout\n', 'from tensorflow.keras.layers import Dense, Dropout\nfrom tensorflow.keras import optimizers\n'],
      ["optimizer='rmsprop'", 'optimizer=optimizers.Adam(learning_rate=0.0025)'],
    ],
    compile: 0,
    cls: 'Adam',
    lr: 0.0025,
  },
  {
    file: 'apply/optimizer_imported.py', // from keras.optimizers import SGD: the class joins that import
    values: { 'compile_1.optimizer.learning_rate': 0.01, 'compile_1.optimizer': 'rmsprop' },
    replace: [
      ['from keras.optimizers import SGD\n', 'from keras.optimizers import SGD, RMSprop\n'],
      ['second.compile(optimizer="adam"', 'second.compile(optimizer=RMSprop(learning_rate=0.01)'],
    ],
    compile: 1,
    cls: 'RMSprop',
    lr: 0.01,
  },
  {
    file: 'apply/optimizers_module.py', // from tensorflow.keras import optimizers: used as it is
    values: { 'compile.optimizer.learning_rate': 0.02, 'compile.optimizer': 'nadam' },
    replace: [["optimizer='nadam'", 'optimizer=optimizers.Nadam(learning_rate=0.02)']],
    compile: 0,
    cls: 'Nadam',
    lr: 0.02,
  },
  {
    file: 'harness/student_sgd_nesterov.py', // SGD(momentum=0.9, nesterov=True) becomes Adam: the keywords Adam does not take go with SGD
    values: { 'sgd.class': 'Adam', 'sgd.learning_rate': 0.003 },
    replace: [
      ['from tensorflow.keras.optimizers import SGD\n', 'from tensorflow.keras.optimizers import SGD, Adam\n'],
      ['sgd = SGD(learning_rate=0.01, momentum=0.9, nesterov=True)', 'sgd = Adam(learning_rate=0.003)'],
    ],
    compile: 0,
    cls: 'Adam',
    lr: 0.003,
  },
];

interface Built {
  class: string;
  learning_rate: number;
}

let tmp: string;
let built: Record<string, Built[]>;
const applied = new Map<string, string>();

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'optpar-apply-optimizer-'));
  const paths: string[] = [];
  for (const [i, c] of CASES.entries()) {
    const original = readFileSync(fixture(c.file), 'utf8');
    const r = applyValues({ text: original, hyperparameters: hps(original), values: c.values, catalogue });
    applied.set(c.file, r.text);
    const dir = join(tmp, String(i));
    for (const sub of ['original', 'applied']) mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, 'original', basename(c.file)), original);
    writeFileSync(join(dir, 'applied', basename(c.file)), r.text);
    paths.push(join(dir, 'original', basename(c.file)), join(dir, 'applied', basename(c.file)));
  }
  const run = spawnSync(venvPython(), [join(repoRoot, 'test', 'refactor', 'build_optimizers.py'), ...paths], {
    encoding: 'utf8',
    cwd: tmp,
    env: { ...process.env, PYTHONHASHSEED: '0', TF_CPP_MIN_LOG_LEVEL: '3' },
    timeout: 400_000,
    maxBuffer: 1 << 26,
  });
  if (run.status !== 0) throw new Error(`build_optimizers.py failed:\n${run.stderr.slice(-4000)}`);
  built = JSON.parse(run.stdout.trim().split('\n').pop()!);
}, 420_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('apply: the implicit learning rate of optimizer="name", built by real Keras', () => {
  it.each(CASES.map((c, i) => [c.file, i, c] as const))('%s', (_, i, c) => {
    const original = readFileSync(fixture(c.file), 'utf8');
    // Byte for byte the original but for the expected replacements.
    let expected = original;
    for (const [from, to] of c.replace) {
      expect(expected.split(from).length, `${c.file}: "${from}" occurs once`).toBe(2);
      expected = expected.replace(from, to);
    }
    expect(applied.get(c.file)).toBe(expected);
    // The optimizer real Keras builds from the applied file: the class and rate applied.
    const dir = join(tmp, String(i));
    const before = built[join(dir, 'original', basename(c.file))];
    const after = built[join(dir, 'applied', basename(c.file))];
    expect(after.length, 'compile() calls run before the first fit').toBe(before.length);
    expect(after[c.compile].class).toBe(c.cls);
    expect(Math.abs(after[c.compile].learning_rate - c.lr) / c.lr).toBeLessThan(1e-6);
    // The file's other optimizers are built as before.
    for (const [k, b] of before.entries()) if (k !== c.compile) expect(after[k]).toEqual(b);
    // And the original gave the rate the scan reports (for a string, the catalogue's implicit default).
    const rate = hps(original).find((h) => h.id === Object.keys(c.values).find((id) => id.endsWith('.learning_rate')));
    expect(rate?.definition).toBe(Object.keys(c.values).some((id) => id.endsWith('.class')) ? 'argument' : 'implicit');
    expect(Math.abs(before[c.compile].learning_rate - (rate!.current as number)) / (rate!.current as number)).toBeLessThan(1e-6);
  });
});

describe('apply: the rules of the rewrite', () => {
  const text = readFileSync(fixture('keras/subclassed_model.py'), 'utf8');
  const apply = (t: string, values: Record<string, AppliedValue>) => applyValues({ text: t, hyperparameters: hps(t), values, catalogue });

  it("at the Keras default of the name's own class the string stays as written (nothing edited)", () => {
    const r = apply(text, { 'compile.optimizer.learning_rate': 0.001, 'compile.optimizer': 'adam' });
    expect(r.edits).toEqual([]);
    expect(r.text).toBe(text);
    expect(r.unchanged.sort()).toEqual(['compile.optimizer', 'compile.optimizer.learning_rate']);
  });

  it('a chosen name alone (the rate not searched) rewrites only the string, in its quotes', () => {
    const r = apply(text, { 'compile.optimizer': 'rmsprop' });
    expect(r.text).toBe(text.replace('optimizer="adam"', 'optimizer="rmsprop"'));
    expect(appliedIds(r.edits)).toEqual(['compile.optimizer']);
  });

  it('an object rewrite counts both values as applied; applying the same values again changes nothing', () => {
    const values = { 'compile.optimizer.learning_rate': 0.0003, 'compile.optimizer': 'nadam' };
    const r = apply(text, values);
    expect(r.skipped).toEqual([]);
    expect(appliedIds(r.edits).sort()).toEqual(['compile.optimizer', 'compile.optimizer.learning_rate']);
    expect(r.text).toBe(text.replace('optimizer="adam"', 'optimizer=keras.optimizers.Nadam(learning_rate=0.0003)'));
    // The rewritten file holds an object now: its class choice and written rate are those values.
    const again = apply(r.text, values);
    expect(again.skipped).toEqual([]);
    expect(again.edits).toEqual([]);
    expect(again.unchanged.sort()).toEqual(['compile.optimizer', 'compile.optimizer.learning_rate']);
    // Another class for the object: its callee changes.
    const other = apply(r.text, { 'compile.optimizer': 'adam' });
    expect(other.text).toBe(r.text.replace('keras.optimizers.Nadam(', 'keras.optimizers.Adam('));
  });

  it('a class that does not take some keywords written: they are removed with the class, and their own values are not written', () => {
    const student = readFileSync(fixture('harness/student_sgd_nesterov.py'), 'utf8');
    const r = apply(student, { 'sgd.class': 'RMSprop', 'sgd.momentum': 0.5, 'sgd.nesterov': false });
    // RMSprop takes momentum (written, with its new value), not nesterov (removed, with the separator before it).
    expect(r.text).toBe(student.replace(' import SGD\n', ' import SGD, RMSprop\n').replace('SGD(learning_rate=0.01, momentum=0.9, nesterov=True)', 'RMSprop(learning_rate=0.01, momentum=0.5)'));
    expect(r.skipped).toEqual([{ id: 'sgd.nesterov', reason: 'removed with sgd.class (RMSprop does not take nesterov)' }]);
    const adam = apply(student, { 'sgd.class': 'Adam', 'sgd.momentum': 0.5 });
    expect(adam.skipped).toEqual([{ id: 'sgd.momentum', reason: 'removed with sgd.class (Adam does not take momentum, nesterov)' }]);
    // Written over several lines with a comment between the arguments: nothing removed, said why.
    const commented = student.replace('SGD(learning_rate=0.01, momentum=0.9, nesterov=True)', 'SGD(\n    learning_rate=0.01,\n    momentum=0.9,  # heavy\n    nesterov=True,\n)');
    const c = apply(commented, { 'sgd.class': 'Adam' });
    expect(c.text).toBe(commented);
    expect(c.skipped).toEqual([{ id: 'sgd.class', reason: 'Adam does not take momentum, nesterov, and removing them would remove a comment: set it by hand' }]);
    // One per line, no comment: the lines go.
    const lines = commented.replace('  # heavy', '');
    expect(apply(lines, { 'sgd.class': 'Adam' }).text).toBe(lines.replace(' import SGD\n', ' import SGD, Adam\n').replace('SGD(\n    learning_rate=0.01,\n    momentum=0.9,\n    nesterov=True,\n)', 'Adam(\n    learning_rate=0.01,\n)'));
  });

  it('the object is named through the file\'s own binding of Keras, never a name the file lacks', () => {
    const body = 'm = models.Sequential([layers.Dense(1)])\nm.compile(optimizer="adam", loss="mse")\n';
    const cases: [string, string][] = [
      ['import keras\nfrom keras import layers, models\n', 'keras.optimizers.Adam('],
      ['import keras as K\nfrom keras import layers, models\n', 'K.optimizers.Adam('],
      ['import tensorflow as tf\nfrom tensorflow.keras import layers, models\n', 'tf.keras.optimizers.Adam('],
      ['from tensorflow import keras\nfrom tensorflow.keras import layers, models\n', 'keras.optimizers.Adam('],
      ['from keras import layers, models, optimizers as opt\n', 'opt.Adam('],
      ['from keras import layers, models\nfrom keras.optimizers import Adam as A\n', 'A('],
      ['from keras import layers, models\nfrom keras.optimizers import *\n', 'Adam('],
    ];
    for (const [head, ref] of cases) {
      const t = head + body;
      const r = apply(t, { 'compile.optimizer.learning_rate': 0.005 });
      expect(r.skipped, head).toEqual([]);
      expect(r.text, head).toBe(t.replace('optimizer="adam"', `optimizer=${ref}learning_rate=0.005)`));
    }
  });

  it('two named optimizers needing the same import add it once', () => {
    const t = 'from tensorflow.keras.models import Sequential\nfrom tensorflow.keras.layers import Dense\na = Sequential([Dense(1)])\na.compile(optimizer="adam", loss="mse")\nb = Sequential([Dense(1)])\nb.compile(optimizer="adam", loss="mse")\n';
    const r = apply(t, { 'compile.optimizer.learning_rate': 0.002, 'compile_1.optimizer.learning_rate': 0.0005 });
    expect(r.skipped).toEqual([]);
    expect(r.text).toBe(
      t
        .replace('import Dense\n', 'import Dense\nfrom tensorflow.keras import optimizers\n')
        .replace('a.compile(optimizer="adam"', 'a.compile(optimizer=optimizers.Adam(learning_rate=0.002)')
        .replace('b.compile(optimizer="adam"', 'b.compile(optimizer=optimizers.Adam(learning_rate=0.0005)'),
    );
  });

  it('no Keras import to name the class through, or its name taken: skipped with the reason, nothing written', () => {
    const bare = 'def train(model, x, y):\n    model.compile(optimizer="adam", loss="mse")\n    model.fit(x, y)\n';
    const r = apply(bare, { 'compile.optimizer.learning_rate': 0.002 });
    expect(r.text).toBe(bare);
    expect(r.skipped).toEqual([{ id: 'compile.optimizer.learning_rate', reason: 'the file imports no Keras module to write keras.optimizers.Adam through: set it by hand' }]);
    const taken = 'from keras.layers import Dense\nfrom keras.models import Sequential\noptimizers = ["adam"]\nm = Sequential([Dense(1)])\nm.compile(optimizer="adam", loss="mse")\n';
    const t = apply(taken, { 'compile.optimizer.learning_rate': 0.002 });
    expect(t.text).toBe(taken);
    expect(t.skipped[0].reason).toMatch(/its name optimizers is taken/);
  });
});
