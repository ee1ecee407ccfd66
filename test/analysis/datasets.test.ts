import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { byId, readFixture, scan } from './helpers';

/** Issue 10 §5: the batch size of the tf.data pipeline fit trains on. */
describe('tf.data pipelines (tfdata_pipeline.py)', () => {
  const text = readFixture('tfdata_pipeline.py');
  const hps = byId(scan(text));

  it("reports the training dataset's .batch(N), at the definition that reaches it, searched like fit's batch size", () => {
    const h = hps.get('BATCH_SIZE')!;
    expect(h).toMatchObject({ kind: 'hyperparameter', call: 'tensorflow.data.Dataset.batch', param: 'batch_size', value: '64', definition: 'variable', current: 64, space: { kind: 'choice', options: [32, 64, 128] } });
    expect(h.span.start).toBe(text.indexOf('BATCH_SIZE = 64') + 'BATCH_SIZE = '.length);
    expect(h.uses.map((u) => text.slice(u.start, u.end))).toEqual(['BATCH_SIZE']);
  });

  it("leaves the validation dataset's batch alone, and implies no batch size for fit on a dataset", () => {
    expect([...hps.values()].filter((h) => h.value === '256')).toEqual([]);
    expect(hps.has('fit.batch_size')).toBe(false);
  });

  it('an inline pipeline is named dataset.batch_size', () => {
    const r = byId(scan('import tensorflow as tf\nmodel.fit(tf.data.Dataset.from_tensor_slices((x, y)).shuffle(64).batch(16), epochs=1)\n'));
    expect(r.get('dataset.batch_size')).toMatchObject({ value: '16', kind: 'hyperparameter', definition: 'argument' });
  });

  it('a data utility that only feeds validation or evaluation is not tuned; a batch size shared with the training data is', () => {
    const text = readFileSync(join(__dirname, '..', 'fixtures', 'flow', 'datasets_scoring_only.py'), 'utf8');
    const r = byId(scan(text));
    expect(r.get('BATCH')).toMatchObject({ kind: 'hyperparameter', value: '32', space: { kind: 'choice', options: [16, 32, 64] } });
    expect(r.get('test_ds.batch_size')).toMatchObject({ kind: 'fixed-by-task', value: '64', reason: expect.stringMatching(/not trained on/) });
    // A fit on data optpar cannot trace (a parameter) leaves every data utility's batch size tuned.
    const untraced = byId(scan(text.replace('model.fit(train_ds,', 'def train(ds):\n    model.fit(ds,')));
    expect(untraced.get('test_ds.batch_size')).toMatchObject({ kind: 'hyperparameter' });
  });
});
