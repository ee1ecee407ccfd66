import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Hyperparameter } from '../../server/src/analysis/types';
import { scan } from './helpers';

/**
 * Issue 10 §1 "offer nothing inert": values the training a file runs never reaches (training.ts)
 * are reported as `inert`, with the reason; values that reach it through helpers, globals, a
 * `with` block, a model used as a layer, a custom loop or a training function never are.
 */

const dir = join(__dirname, '..', 'fixtures', 'training');
const read = (name: string) => readFileSync(join(dir, name), 'utf8');
const kinds = (text: string) => new Map(scan(text).hyperparameters.map((h) => [h.id, h]));
const inertIds = (text: string) => scan(text).hyperparameters.filter((h) => h.kind === 'inert').map((h) => h.id).sort();

describe('values the training never reaches', () => {
  it('a draft builder never called, a model compiled and saved but not trained, a layer stored and never called: inert, with the reason', () => {
    const got = kinds(read('unused_parts.py'));
    const dead = ['DRAFT_WIDTH', 'dense.activation', 'dense_2.units', 'dense_2.activation', 'compile.optimizer.class', 'compile.optimizer.learning_rate'];
    const unused = ['spare.units', 'spare.activation'];
    expect(inertIds(read('unused_parts.py'))).toEqual([...dead, ...unused].sort());
    for (const id of dead) {
      const h = got.get(id)!;
      expect({ tunable: h.tunable, space: h.space, reason: h.reason }, id).toEqual({ tunable: false, space: undefined, reason: 'not used by the training this file runs (net.fit): tuning it changes nothing' });
    }
    for (const id of unused) expect(got.get(id)!.reason, id).toBe('self.spare is built but never used: tuning it changes nothing');
    // What the trained model uses stays offered: its width (a module constant), its layer, its optimizer, fit's batch size.
    for (const id of ['WIDTH', 'hidden.activation', 'compile_1.optimizer.class', 'compile_1.optimizer.learning_rate', 'fit.batch_size']) {
      expect(got.get(id)?.kind, id).toBe('hyperparameter');
    }
  });

  it('values reaching the training through a helper that changes the model, a global, a with block, a model used as a layer and a training function: none inert', () => {
    const text = read('reaches_training.py');
    const got = kinds(text);
    expect(inertIds(text)).toEqual([]);
    const offered = (id: string) => expect(got.get(id)?.kind, id).toBe('hyperparameter');
    // model.add inside the with block (not its output: add_head goes on adding), the loop that
    // adds Dropout, the helper's layer and width, the optimizer
    ['dense_4.units', 'dense_4.activation', 'dropout.repeats', 'dropout.rate', 'dense.activation', 'add_head.width', 'compile.optimizer.class', 'compile.optimizer.learning_rate'].forEach(offered);
    // the trunk built by a function through `global`, the augmentation model called as a layer, the second model's optimizer, fit's batch size
    ['dense_2.units', 'dense_2.activation', 'gaussian_noise.stddev', 'compile_1.optimizer', 'compile_1.optimizer.learning_rate', 'fit.batch_size'].forEach(offered);
    expect(got.get('dense_1.units')?.kind, 'the output layer, added by the helper').toBe('fixed-by-task');
  });

  it('the same file without the helper call or the call of the trunk builder: what they build becomes inert', () => {
    const text = read('reaches_training.py');
    // (the helper's width then has no value: add_head.width is no longer reported)
    expect(inertIds(text.replace('    add_head(model, 32)\n', ''))).toEqual(['dense.activation']);
    // Without build_trunk(), nothing binds the global `trunk` before it is read... but the function
    // still writes it whenever it is called, so the slice keeps it (it cannot know no one calls it).
    expect(inertIds(text.replace('build_trunk()\n', ''))).toEqual([]);
    // Without its calls, train() trains whatever some other code hands it: nothing here is inert.
    expect(inertIds(text.replace(/    train\(\w+, 1\)\n/g, '    pass\n'))).toEqual([]);
  });

  it('a custom training loop (GradientTape, apply_gradients) trains: none inert', () => {
    const got = kinds(read('custom_loop.py'));
    expect([...got.values()].filter((h: Hyperparameter) => h.kind === 'inert')).toEqual([]);
    for (const id of ['dense.units', 'optimizer.learning_rate']) expect(got.get(id)?.kind, id).toBe('hyperparameter');
  });

  it('keras.io styles: a GAN whose train_step trains the generator and discriminator built beside it; fine-tuning in two phases beside a baseline only evaluated', () => {
    const gan = kinds(read('gan_train_step.py'));
    expect([...gan.values()].filter((h) => h.kind === 'inert').map((h) => h.id)).toEqual([]);
    for (const id of ['conv2d.filters', 'conv2d_transpose.filters', 'leaky_relu_1.negative_slope', 'adam.learning_rate', 'adam_1.learning_rate']) expect(gan.get(id)?.kind, id).toBe('hyperparameter');
    const tuned = kinds(read('fine_tuning.py'));
    // Both phases' optimizers and batch sizes reach a fit; the baseline is evaluated, never trained.
    for (const id of ['dense.units', 'compile.optimizer.learning_rate', 'compile_1.optimizer.learning_rate', 'fit.batch_size', 'fit_1.batch_size']) expect(tuned.get(id)?.kind, id).toBe('hyperparameter');
    expect(inertIds(read('fine_tuning.py'))).toEqual(['compile_2.optimizer', 'compile_2.optimizer.learning_rate', 'dense_2.activation', 'dense_2.units']);
  });

  it('a model library that trains nothing: none inert (whoever imports it trains)', () => {
    expect(inertIds(read('no_training.py'))).toEqual([]);
    expect(scan(read('no_training.py')).hyperparameters.filter((h) => h.kind === 'hyperparameter').length).toBe(7);
  });

  it('attributes read by reflection (getattr) are not judged unused', () => {
    const text = read('unused_parts.py').replace('        return self.out(self.hidden(x))', '        return self.out(getattr(self, "hidden")(x))');
    expect(inertIds(text)).not.toContain('spare.units');
  });
});
