import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseSyntax } from '../../server/src/analysis/parse';
import type { Hyperparameter } from '../../server/src/analysis/types';
import { applyEdits } from '../../server/src/refactor/edits';
import { chooseHyperparameters, parametrize } from '../../server/src/refactor/parametrize';
import { venvPython } from '../helpers/python';
import { byId, readFixture, scan } from './helpers';

/**
 * Issue 10 §4: the optimizer class as a choice (only classes that accept the arguments as
 * written), learning rates and batch sizes that are not written reported at their Keras default
 * where the keyword would go, and Keras 2's `decay` reported with the reason it cannot be used.
 */

const text = readFixture('optimizer_objects.py');
const result = scan(text);
const hps = byId(result);
const at = (needle: string, delta = 0, nth = 0) => {
  let i = -1;
  for (let n = 0; n <= nth; n++) i = text.indexOf(needle, i + 1);
  expect(i, needle).toBeGreaterThanOrEqual(0);
  return i + delta;
};

describe('optimizer objects and implicit values (optimizer_objects.py)', () => {
  it('offers the optimizer class, among the sensible ones that accept every written argument', () => {
    expect(hps.get('opt.class')).toMatchObject({ kind: 'hyperparameter', value: 'keras.optimizers.Adam', current: 'Adam', space: { kind: 'choice', options: ['Adam', 'AdamW', 'Nadam', 'RMSprop'] } });
    expect(hps.get('opt.class')!.span).toEqual({ start: at('keras.optimizers.Adam()'), end: at('keras.optimizers.Adam()') + 'keras.optimizers.Adam'.length });
    // momentum: only SGD and RMSprop take it; the Adam family is offered too, without it.
    expect(hps.get('compile_1.optimizer.class')).toMatchObject({ current: 'SGD', space: { kind: 'choice', options: ['SGD', 'Adam', 'AdamW', 'Nadam', 'RMSprop'] } });
    expect(Object.fromEntries(Object.entries(hps.get('compile_1.optimizer.class')!.dropsFor!).map(([k, d]) => [k, d.keywords]))).toEqual({ Adam: ['momentum'], AdamW: ['momentum'], Nadam: ['momentum'] });
    // beta_1: RMSprop is offered without it.
    expect(hps.get('compile_4.optimizer.class')).toMatchObject({ current: 'Nadam', space: { kind: 'choice', options: ['Nadam', 'Adam', 'AdamW', 'RMSprop'] } });
    expect(Object.keys(hps.get('compile_4.optimizer.class')!.dropsFor!)).toEqual(['RMSprop']);
    // Every keyword taken by every class: a plain getattr, nothing to leave out.
    expect(hps.get('opt.class')!.dropsFor).toBeUndefined();
    // A bare import: the module is imported by name in the rewrite.
    expect(hps.get('compile_2.optimizer.class')!.template).toBe('getattr(__import__("keras.optimizers", fromlist=["RMSprop"]), {})');
    expect(hps.get('compile_2.optimizer.class')!.dropsFor).toBeUndefined();
    // Keywords some classes do not take: filtered by the class drawn.
    expect(hps.get('compile_1.optimizer.class')!.template).toBe(
      '(lambda name: lambda *args, **kwargs: getattr(tf.keras.optimizers, name)(*args, **{k: v for k, v in kwargs.items() if k not in {"Adam": ("momentum",), "AdamW": ("momentum",), "Nadam": ("momentum",)}.get(name, ())}))({})',
    );
    // tensorflow_addons optimizers are recognised (their AdamW takes weight_decay first), not offered another class.
    expect(hps.get('compile_3.optimizer.weight_decay')).toMatchObject({ value: '1e-4', call: 'tensorflow_addons.optimizers.AdamW' });
    expect(hps.has('compile_3.optimizer.class')).toBe(false);
  });

  it('reports unwritten learning rates at the Keras default of their class, where the keyword goes', () => {
    const lr = hps.get('opt.learning_rate')!;
    expect(lr).toMatchObject({ definition: 'implicit', kind: 'hyperparameter', current: 0.001, value: '0.001', insertion: { before: '', keyword: 'learning_rate' } });
    expect(lr.span).toEqual({ start: at('Adam()', 5), end: at('Adam()', 5) });
    expect(lr.space).toEqual({ kind: 'loguniform', low: 1e-4, high: 0.03 });
    expect(hps.get('compile_3.optimizer.learning_rate')).toMatchObject({ definition: 'implicit', current: 0.001, insertion: { before: ', ', keyword: 'learning_rate' } });
    // A trailing comma: inserted right after the last argument, before the comma.
    const nadam = hps.get('compile_4.optimizer.learning_rate')!;
    expect(nadam.span.start).toBe(at('beta_1=0.85', 'beta_1=0.85'.length));
    // Written learning rates are plain arguments (lr= is the legacy name of learning_rate).
    expect(hps.get('compile_1.optimizer.learning_rate')).toMatchObject({ definition: 'argument', value: '0.05' });
    expect(hps.get('compile_2.optimizer.learning_rate')).toMatchObject({ definition: 'argument', value: '0.001', writtenAs: 'lr' });
  });

  it("reports fit's batch size at 32 when fit trains on arrays, and not for a tf.data dataset", () => {
    expect(hps.get('fit.batch_size')).toMatchObject({ definition: 'implicit', current: 32, insertion: { before: ', ', keyword: 'batch_size' } });
    expect(hps.get('fit.batch_size')!.span.start).toBe(at('validation_split=0.2', 'validation_split=0.2'.length));
    expect([...hps.keys()].filter((id) => id.startsWith('fit_1.'))).toEqual(['fit_1.epochs']);
  });

  it("reports Keras 2's decay with the reason, never tuned", () => {
    expect(hps.get('compile_2.optimizer.decay')).toMatchObject({ tunable: false, kind: 'not-a-literal', value: '1e-6', reason: expect.stringMatching(/Keras 3 optimizers no longer accept it/) });
  });

  it('at the defaults, every rewritten optimizer is built exactly as the original (real Keras: same class, same config)', () => {
    const { chosen } = chooseHyperparameters(result.hyperparameters);
    const p = parametrize(text, chosen);
    const root = parseSyntax(text).root;
    const pairs: { original: string; rewritten: string; id: string; options: string[]; param: string }[] = [];
    for (const h of result.hyperparameters.filter((h: Hyperparameter) => h.template)) {
      let call = root.descendantForIndex(h.span.start, h.span.end);
      while (call.type !== 'call') call = call.parent!;
      const inside = p.edits.filter((e) => e.span.start >= call.startIndex && e.span.end <= call.endIndex);
      const shifted = inside.map((e) => ({ ...e, span: { start: e.span.start - call.startIndex, end: e.span.end - call.startIndex } }));
      const options = h.param === 'class' && h.space?.kind === 'choice' ? (h.space.options as string[]) : [];
      pairs.push({ original: call.text, rewritten: applyEdits(call.text, shifted), id: h.id, options, param: h.param });
    }
    expect(pairs).toHaveLength(4);
    const py = String.raw`
import json, sys
import keras
import tensorflow as tf
from keras.optimizers import RMSprop
data = json.load(sys.stdin)
out = []
for pair in data["pairs"]:
    if "decay=" in pair["original"]:
        # Keras 3 refuses Keras 2's decay: compare the class chosen, built without it.
        pair = {k: v.replace(", decay=1e-6", "").replace("lr=", "learning_rate=") if isinstance(v, str) else v for k, v in pair.items()}
    a = eval(pair["original"])
    b = eval(pair["rewritten"], dict(globals(), params=data["defaults"]))
    ca, cb = a.get_config(), b.get_config()
    ca.pop("name", None); cb.pop("name", None)
    # Whichever class is drawn builds: the keywords it does not take are left out.
    drawn = []
    for name in pair["options"]:
        c = eval(pair["rewritten"], dict(globals(), params=dict(data["defaults"], **{pair["id"]: name})))
        drawn.append(type(c).__name__ == name)
    out.append({"original": pair["original"], "same": type(a) is type(b) and ca == cb, "drawn": all(drawn), "classes": len(drawn)})
print(json.dumps(out))
`;
    const stdout = execFileSync(venvPython(), ['-c', py], {
      input: JSON.stringify({ pairs, defaults: p.defaults }),
      encoding: 'utf8',
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
    });
    const checks: { original: string; same: boolean; drawn: boolean; classes: number }[] = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(checks.filter((c) => !c.same || !c.drawn)).toEqual([]);
    expect(checks).toHaveLength(4);
    // Class choices of 4, 5, 4 and 2 classes (opt, compile_1, compile_4, compile_2), each built.
    expect(checks.map((c) => c.classes).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(12);
  });
});

describe('learning-rate schedules (lr_schedules.py)', () => {
  const sched = byId(scan(readFixture('lr_schedules.py')));

  it("a schedule's initial rate is the learning rate, tuned where it is defined, on the learning-rate range", () => {
    expect(sched.get('INITIAL_LR')).toMatchObject({ call: 'keras.optimizers.schedules.ExponentialDecay', param: 'initial_learning_rate', definition: 'variable', kind: 'hyperparameter', space: { kind: 'loguniform', low: 3e-5, high: 9e-3 } });
    // tf.keras paths too; a warmup's peak is a learning rate as well.
    expect(sched.get('warmup.initial_learning_rate')).toMatchObject({ call: 'keras.optimizers.schedules.CosineDecay', kind: 'hyperparameter' });
    expect(sched.get('warmup.warmup_target')).toMatchObject({ kind: 'hyperparameter', space: { kind: 'loguniform', low: 1e-4, high: 0.03 } });
    expect(sched.get('lr_schedule.decay_rate')).toMatchObject({ kind: 'hyperparameter', current: 0.96 });
  });

  it('step counts stay as written, and an optimizer given a schedule has no implicit rate', () => {
    for (const id of sched.keys()) expect(id).not.toMatch(/decay_steps|warmup_steps|staircase/);
    expect([...sched.values()].filter((h) => h.definition === 'implicit' && h.param === 'learning_rate')).toEqual([]);
    // The optimizer class is still a choice; SGD's momentum is left out for the Adam family.
    expect(sched.get('compile_1.optimizer.class')!.space).toEqual({ kind: 'choice', options: ['SGD', 'Adam', 'AdamW', 'Nadam', 'RMSprop'] });
  });
});
