import { describe, expect, it } from 'vitest';
import { scanSource } from '../../server/src/analysis/scan';
import { loadCatalogue } from '../../server/src/catalogue/load';
import { type AppliedValue, applyValues } from '../../server/src/refactor/apply';
import { unifiedDiff } from '../../server/src/refactor/applyResults';

/**
 * Issue 11 §3: applying a search's values is a pure rewrite of each value's own text, in the
 * source's style; everything else stays byte for byte. Real scans of real model code.
 */
const { catalogue } = loadCatalogue();
const hps = (text: string) => scanSource(text, catalogue, { tuneBudget: true }).hyperparameters;
const apply = (text: string, values: Record<string, AppliedValue>, recorded?: Record<string, { text: string }>) =>
  applyValues({ text, hyperparameters: hps(text), values, recorded });

const MODEL = `import keras
from keras import layers
# a comment that must survive   (odd spacing too)
UNITS = 64
CONFIG = {'lr': 1e-3, "act": 'relu'}

model = keras.Sequential([
    layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=[2,2]),
    layers.Conv2D(16, 3, activation='elu'),
    layers.Flatten(),
    layers.Dense(UNITS, activation=CONFIG["act"]),
    layers.Dropout(0.5),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=CONFIG['lr']), loss="mse")
model.fit(x, y, epochs=3, batch_size=32, validation_split=0.2)
`;

const idsOf = (text: string) => new Map(hps(text).map((h) => [h.id, h]));

describe('applyValues: values written in the source\'s own style', () => {
  it('scan ids this test relies on', () => {
    const ids = [...idsOf(MODEL).keys()];
    for (const id of ['conv2d.filters', 'conv2d.kernel_size', 'conv2d.activation', 'max_pooling2d.pool_size', 'conv2d_1.kernel_size', 'conv2d_1.activation', 'UNITS', 'CONFIG.act', 'dropout.rate', 'CONFIG.lr', 'fit.batch_size'])
      expect(ids, id).toContain(id);
  });

  it('ints stay ints, tuples stay tuples (a square kernel as (5, 5)), lists keep their spacing, a bare kernel stays bare, strings keep their quotes, exponent floats stay exponents', () => {
    const r = apply(MODEL, {
      'conv2d.filters': 64.0, // hyperopt may hand an int as a float
      'conv2d.kernel_size': 5,
      'conv2d.activation': 'gelu',
      'max_pooling2d.pool_size': 3,
      'conv2d_1.kernel_size': 5,
      'conv2d_1.activation': 'relu',
      UNITS: 128,
      'CONFIG.act': 'tanh',
      'dropout.rate': 0.25,
      'CONFIG.lr': 0.00031,
      'fit.batch_size': 16,
    });
    expect(r.skipped).toEqual([]);
    const byId = Object.fromEntries(r.edits.map((e) => [e.id, e.newText]));
    expect(byId).toEqual({
      'conv2d.filters': '64',
      'conv2d.kernel_size': '(5, 5)',
      'conv2d.activation': '"gelu"',
      'max_pooling2d.pool_size': '[3,3]',
      'conv2d_1.kernel_size': '5',
      'conv2d_1.activation': "'relu'",
      UNITS: '128',
      'CONFIG.act': "'tanh'",
      'dropout.rate': '0.25',
      'CONFIG.lr': '3.1e-4',
      'fit.batch_size': '16',
    });
    // Byte-exact elsewhere: the new text is the old one with exactly these replacements.
    let expected = MODEL;
    for (const e of [...r.edits].sort((a, b) => b.span.start - a.span.start)) expected = expected.slice(0, e.span.start) + e.newText + expected.slice(e.span.end);
    expect(r.text).toBe(expected);
    expect(r.text).toContain('# a comment that must survive   (odd spacing too)');
    // Re-scanning finds the applied values.
    const after = idsOf(r.text);
    expect(after.get('conv2d.kernel_size')!.value).toBe('(5, 5)');
    expect(after.get('UNITS')!.current).toBe(128);
    expect(after.get('CONFIG.lr')!.current).toBe(0.00031);
    expect(after.get('conv2d.activation')!.current).toBe('gelu');
  });

  it('a value already as chosen is left alone (no edit); floats keep full precision and an integral float keeps its point', () => {
    const r = apply(MODEL, { 'conv2d.filters': 32, 'dropout.rate': 1, 'CONFIG.lr': 0.0001234567890123 });
    expect(r.unchanged).toEqual(['conv2d.filters']);
    const byId = Object.fromEntries(r.edits.map((e) => [e.id, e.newText]));
    expect(byId['dropout.rate']).toBe('1.0');
    expect(byId['CONFIG.lr']).toBe('1.234567890123e-4');
    expect(Number(byId['CONFIG.lr'])).toBe(0.0001234567890123);
  });

  it('a value whose text changed since the search is skipped and named; the others are applied', () => {
    const edited = MODEL.replace('layers.Dropout(0.5)', 'layers.Dropout(0.4)');
    const recorded = Object.fromEntries([...idsOf(MODEL).values()].map((h) => [h.id, { text: MODEL.slice(h.span.start, h.span.end) }]));
    const r = applyValues({ text: edited, hyperparameters: hps(edited), values: { 'dropout.rate': 0.1, UNITS: 32 }, recorded });
    expect(r.skipped).toEqual([{ id: 'dropout.rate', reason: 'changed since the search (was 0.5, now 0.4)' }]);
    expect(r.edits.map((e) => e.id)).toEqual(['UNITS']);
    expect(r.text).toContain('layers.Dropout(0.4)');
    expect(r.text).toContain('UNITS = 32');
  });

  it('an id the model no longer has is skipped and named', () => {
    const r = apply(MODEL, { 'dense_9.units': 8 });
    expect(r.skipped).toEqual([{ id: 'dense_9.units', reason: 'not found in the model any more' }]);
    expect(r.text).toBe(MODEL);
  });

  it('strings with the quote character or a backslash are escaped in the literal\'s own quotes', () => {
    const r = apply(MODEL, { 'conv2d_1.activation': "it's" });
    expect(r.edits[0].newText).toBe("'it\\'s'");
  });

  it('an optimizer class choice becomes that class: at a dotted callee in place, at an imported name with the import extended', () => {
    const dotted = apply(MODEL, { 'compile.optimizer.class': 'Nadam' });
    expect(dotted.skipped).toEqual([]);
    expect(dotted.text).toBe(MODEL.replace('keras.optimizers.Adam(', 'keras.optimizers.Nadam('));
    const bare = 'from keras.optimizers import Adam  # the optimizer\nimport keras\nm = keras.Sequential([keras.layers.Dense(8)])\nm.compile(optimizer=Adam(learning_rate=0.01), loss="mse")\nm.fit(x, y, validation_split=0.2)\n';
    const r = apply(bare, { 'compile.optimizer.class': 'RMSprop' });
    expect(r.skipped).toEqual([]);
    expect(r.text).toBe(bare.replace('import Adam  #', 'import Adam, RMSprop  #').replace('optimizer=Adam(', 'optimizer=RMSprop('));
  });

  it('an implicit value (a Keras default not written) is inserted as a keyword argument; the rate of an optimizer string makes it an object (test/refactor/apply-optimizer.test.ts)', () => {
    const text = 'import keras\nm = keras.Sequential([keras.layers.Dense(8)])\nm.compile(optimizer="adam", loss="mse")\nm.fit(x, y, epochs=2, validation_split=0.2)\n';
    const ids = idsOf(text);
    expect(ids.get('fit.batch_size')?.definition).toBe('implicit');
    const same = apply(text, { 'fit.batch_size': 32 });
    expect(same.edits).toEqual([]);
    expect(same.unchanged).toEqual(['fit.batch_size']);
    const r = applyValues({ text, hyperparameters: hps(text), values: { 'fit.batch_size': 64, 'compile.optimizer.learning_rate': 0.003 }, catalogue });
    expect(r.text).toBe(text.replace('validation_split=0.2)', 'validation_split=0.2, batch_size=64)').replace('optimizer="adam"', 'optimizer=keras.optimizers.Adam(learning_rate=0.003)'));
    expect(r.skipped).toEqual([]);
    // Without the catalogue the optimizer's class and its default are unknown: named, not guessed.
    expect(apply(text, { 'compile.optimizer.learning_rate': 0.003 }).skipped).toEqual([{ id: 'compile.optimizer.learning_rate', reason: 'the catalogue is needed to write an optimizer object' }]);
    expect(idsOf(r.text).get('fit.batch_size')!.current).toBe(64);
  });

  it('unifiedDiff prints hunks patch(1) understands: context, old lines, new lines', () => {
    const r = apply(MODEL, { 'conv2d.filters': 8, 'fit.batch_size': 64 });
    const diff = unifiedDiff('model.py', MODEL, r.edits);
    expect(diff.split('\n').slice(0, 3)).toEqual(['--- a/model.py', '+++ b/model.py', '@@ -5,7 +5,7 @@']);
    expect(diff).toContain('-    layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),\n+    layers.Conv2D(8, kernel_size=(3, 3), activation="relu"),');
    expect(diff).toContain('-model.fit(x, y, epochs=3, batch_size=32, validation_split=0.2)\n+model.fit(x, y, epochs=3, batch_size=64, validation_split=0.2)');
  });
});
