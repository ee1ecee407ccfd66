import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanSource } from '../../server/src/analysis/scan';
import { loadCatalogue } from '../../server/src/catalogue/load';
import { repoRoot } from '../helpers/python';

/**
 * Issue 10 §7's detection report as a regression test: the engine (its sources, not dist/) scans
 * the real-style fixture corpus and bench/detection.mjs compares what it offers with
 * bench/detection/expected.yaml, written by reading each file as a practitioner would. Fails
 * when a value that changes the task or breaks the script is offered, when an inert one is, or
 * when fewer expert values are found in a file than the figure recorded in README.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Report = { files: any[]; total: Record<string, number> };
const load = async (): Promise<{ detect: (o: object) => Report; loadExpectations: () => { file: string; tune: { line: number }[]; never: { line: number }[]; inert: { line: number }[]; may: { line: number }[] }[] }> =>
  // @ts-expect-error: a plain ES module without types
  import('../../bench/detection.mjs');

/** Expert values found per file, as recorded in README's detection report (found / expected). */
const RECORDED: Record<string, [number, number]> = {
  'test/fixtures/flow/absl_train.py': [5, 5],
  'test/fixtures/flow/argparse_train.py': [6, 6],
  'test/fixtures/flow/autoencoder_gan.py': [7, 7],
  'test/fixtures/flow/config_objects.py': [10, 10],
  'test/fixtures/flow/custom_layers.py': [12, 12],
  'test/fixtures/flow/depth_loops.py': [22, 22],
  'test/fixtures/flow/heads_and_biases.py': [5, 5],
  'test/fixtures/flow/keras2_script.py': [6, 6],
  'test/fixtures/flow/notebook_export.py': [6, 6],
  'test/fixtures/flow/residual_blocks.py': [14, 14],
  'test/fixtures/flow/subclassed_blocks.py': [8, 8],
  'test/fixtures/flow/transformer_functional.py': [12, 12],
  'test/fixtures/value/config_mlp.py': [8, 8],
  'test/fixtures/value/digits_cnn.py': [10, 10],
  'test/fixtures/value/keras2_style.py': [10, 10],
  'test/fixtures/value/lstm_tokens.py': [5, 5],
  'test/fixtures/value/subclassed_classifier.py': [8, 8],
  'examples/digits_cnn.py': [12, 12],
  'test/fixtures/keras/augment_generator_keras2.py': [15, 15],
  'test/fixtures/keras/augment_layers_datasets.py': [10, 10],
  'test/fixtures/keras/build_model_constants.py': [6, 6],
  'test/fixtures/keras/functional_mlp.py': [10, 10],
  'test/fixtures/keras/keras2_legacy.py': [8, 8],
  'test/fixtures/keras/lstm_sequences.py': [6, 6],
  'test/fixtures/keras/sequential_cnn.py': [10, 10],
  'test/fixtures/keras/subclassed_model.py': [6, 6],
  'test/fixtures/keras/tfdata_pipeline.py': [5, 5],
  'test/fixtures/keras/initializers_regularizers.py': [19, 19],
  'test/fixtures/keras/paper_figure2.py': [8, 8],
  'test/fixtures/harness/paper_figure2_digits.py': [9, 9],
  'test/fixtures/harness/small_image_cnn.py': [10, 10],
  'test/fixtures/harness/student_sgd_nesterov.py': [10, 10],
};

/**
 * Task-changing or breaking offers the engine still makes, each a known bug handed to the
 * analysis's owner and named in README's detection report; any other one fails the test. None
 * today (datagen.fit's implicit batch_size, found by the first report, is no longer offered).
 */
const KNOWN_TASK_CHANGING: string[] = [];

describe('detection report (issue 10 §7)', () => {
  it('expected.yaml names lines that exist in each file, and the corpus is the recorded one', async () => {
    const { loadExpectations } = await load();
    const expectations = loadExpectations();
    expect(expectations.map((e) => e.file).sort()).toEqual(Object.keys(RECORDED).sort());
    for (const e of expectations) {
      const lines = readFileSync(join(repoRoot, e.file), 'utf8').split('\n');
      for (const entry of [...e.tune, ...e.never, ...e.inert, ...e.may]) {
        expect(lines[entry.line - 1]?.trim(), `${e.file}:${entry.line}`).toBeTruthy();
      }
      expect(e.tune.length, `${e.file}: expected values as recorded`).toBe(RECORDED[e.file][1]);
    }
  });

  it('no value that changes the task or breaks the script is offered, none inert; no file finds fewer expert values than recorded', async () => {
    const { detect } = await load();
    const report = detect({ engine: { scanSource, loadCatalogue } });
    const taskChanging = report.files.flatMap((f) => f.taskChanging.map((t: { offered: string }) => `${f.file} ${t.offered.split(' ')[0]}`));
    expect(taskChanging.filter((t) => !KNOWN_TASK_CHANGING.includes(t)), 'task-changing values offered').toEqual([]);
    // Issue 10: "offer nothing inert" (values of a model built but never trained, of a dataset fit never reads).
    expect(report.files.flatMap((f) => f.inert.map((t: { offered: string }) => `${f.file} ${t.offered}`)), 'inert values offered').toEqual([]);
    for (const f of report.files) {
      expect(f.found, `${f.file}: expert values found (missed: ${f.misses.map((m: { expected: string; reported: string }) => `${m.expected}: ${m.reported}`).join('; ')})`).toBeGreaterThanOrEqual(RECORDED[f.file][0]);
    }
    const found = Object.values(RECORDED).reduce((a, [n]) => a + n, 0);
    expect(report.total.found).toBeGreaterThanOrEqual(found);
    expect(report.total.expected).toBe(Object.values(RECORDED).reduce((a, [, n]) => a + n, 0));
  });

  it('the comparison can fail: an offered value listed as never is counted task-changing, a listed value not offered is a miss', async () => {
    const { detect, loadExpectations } = await load();
    const [absl] = loadExpectations().filter((e) => e.file === 'test/fixtures/flow/absl_train.py');
    // Line 10's units (flags.DEFINE_integer("units", default=256)) moved from tune to never; an expert value on a blank line.
    const units = absl.tune.find((t) => t.line === 10)!;
    const doctored = { ...absl, tune: [...absl.tune.filter((t) => t !== units), { line: 12, params: ['units'], text: '12 units' }], never: [...absl.never, units] };
    const report = detect({ engine: { scanSource, loadCatalogue }, expectations: [doctored] });
    expect(report.files[0].taskChanging.map((t: { offered: string }) => t.offered)).toEqual(['FLAGS.units (line 10, units=256)']);
    expect(report.files[0].misses).toEqual([{ expected: '12 units', note: undefined, reported: 'not reported' }]);
    expect(report.files[0].found).toBe(4);
  });
});
