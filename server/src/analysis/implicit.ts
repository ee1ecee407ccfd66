import type { Catalogue } from '../catalogue/types';
import type { CatalogueCall } from './calls';
import { evalLiteral, unparen } from './literals';
import type { Candidate } from './scan';
import type { ScopeResolver } from './scopes';
import { defaultSpace } from './space';
import type { SyntaxNode } from './syntax';

/**
 * High-value hyperparameters the code leaves unwritten: `Adam()` trains at Keras's default
 * learning rate, `fit(x, y)` at a batch size of 32. The catalogue marks them (`implicit:` the
 * Keras default); each is reported at the place where its keyword argument would go, with the
 * default as its value, and a rewrite inserts the keyword, so at the defaults the code behaves
 * exactly as before.
 */
export function implicitCandidates(calls: CatalogueCall[], scopes: ScopeResolver, catalogue: Catalogue): Candidate[] {
  const out: Candidate[] = [];
  for (const call of calls) {
    const named = namedOptimizerRate(call, catalogue);
    if (named) out.push(named);
    for (const param of call.spec.params) {
      if (param.implicit === undefined || call.args.some((a) => a.param.name === param.name)) continue;
      const args = call.node.childForFieldName('arguments');
      if (!args || args.type !== 'argument_list') continue;
      const written = args.namedChildren.filter((a) => a.type !== 'comment');
      // f(*args, **kwargs) may pass it already: nothing to say.
      if (written.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) continue;
      if (param.name === 'batch_size' && call.spec.kind === 'method' && !trainsOnArrays(written, scopes)) continue;
      const space = defaultSpace(param, param.implicit);
      if (!space) continue;
      const last = written[written.length - 1];
      out.push({
        call: call.path,
        param: param.name,
        value: typeof param.implicit === 'string' ? JSON.stringify(param.implicit) : String(param.implicit),
        type: param.type,
        tunable: true,
        kind: 'hyperparameter',
        definition: 'implicit',
        current: param.implicit,
        uses: [],
        space,
        doc: param.doc,
        callId: call.id,
        site: last ?? args,
        insertAt: last ? 'after' : 'inside',
        insertion: { before: last ? ', ' : '', keyword: param.name },
      });
    }
  }
  return out;
}

/**
 * compile(optimizer="adam") trains at Adam's default learning rate. The rate is reported on the
 * string, and a rewrite makes the optimizer from the name and the rate
 * (keras.optimizers.get({"class_name": "adam", "config": {"learning_rate": ...}}), which at the
 * default is the optimizer the name gives). {text} is the name as written, or its own rewrite
 * when the optimizer is tuned too.
 */
function namedOptimizerRate(call: CatalogueCall, catalogue: Catalogue): Candidate | undefined {
  if (call.spec.kind !== 'method' || call.spec.name !== 'compile') return undefined;
  const arg = call.args.find((a) => a.param.name === 'optimizer');
  const lit = arg && evalLiteral(arg.value);
  if (!arg || lit?.kind !== 'string') return undefined;
  const name = lit.value.toLowerCase();
  const spec = catalogue.callables.find((c) => c.kind === 'optimizer' && c.name.toLowerCase() === name && c.paths.some((p) => p.startsWith('keras.optimizers.')));
  const rate = spec?.params.find((p) => p.name === 'learning_rate');
  if (!rate || typeof rate.implicit !== 'number') return undefined;
  const space = defaultSpace(rate, rate.implicit);
  if (!space) return undefined;
  return {
    call: call.path,
    param: 'learning_rate',
    idParam: 'optimizer.learning_rate',
    value: String(rate.implicit),
    type: 'float',
    tunable: true,
    kind: 'hyperparameter',
    definition: 'implicit',
    current: rate.implicit,
    uses: [],
    space,
    doc: `${rate.doc ?? 'Learning rate.'} Not written: ${spec!.name}'s Keras default.`,
    callId: call.id,
    site: unparen(arg.value),
    template: '__import__("keras").optimizers.get({"class_name": {text}, "config": {"learning_rate": {}}})',
  };
}

const DATASET_NAME = /(^|[._])(\w*_)?(ds|dataset|data_?gen|gen|generator|loader|iterator|flow|batches)(_\w*)?$/i;
const DATASET = /\.batch\s*\(|Dataset\b|dataset_from_|\.flow(_from_\w+)?\s*\(|[Gg]enerator|Sequence\b|\.take\s*\(|\.prefetch\s*\(/;

/**
 * Keras takes batch_size only when fit trains on arrays: a tf.data dataset, a generator or a
 * PyDataset brings its own batches (and refuses one). The x argument, followed to what it was
 * made from, must not look like one of those.
 */
function trainsOnArrays(args: readonly SyntaxNode[], scopes: ScopeResolver): boolean {
  const x = args.find((a) => a.type !== 'keyword_argument') ?? args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'x')?.childForFieldName('value');
  if (!x) return false;
  let node = unparen(x);
  for (let i = 0; i < 8; i++) {
    if (DATASET.test(node.text)) return false;
    if (node.type !== 'identifier' && node.type !== 'attribute' && node.type !== 'subscript') return true;
    const res = scopes.resolve(node);
    // Not defined here: go by the name (train_ds, val_gen, loader are not arrays).
    if (res?.kind !== 'bound') return !res?.parameter && !DATASET_NAME.test(node.text);
    node = unparen(res.value);
  }
  return true;
}
