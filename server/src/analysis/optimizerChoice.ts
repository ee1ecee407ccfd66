import type { CallableSpec, Catalogue } from '../catalogue/types';
import type { CatalogueCall } from './calls';
import { importedPath, type ImportBindings } from './imports';
import type { Candidate } from './scan';

/**
 * The optimizer itself as a hyperparameter: `Adam(learning_rate=3e-4)`, `RMSprop(lr=0.001)` or an
 * optimizer held in a variable offers its class as a choice, its written arguments staying
 * hyperparameters of their own. Only classes that accept every argument as written are offered
 * (SGD(momentum=0.9) may become RMSprop, not Adam), so whichever class is drawn builds; at the
 * defaults the rewrite builds exactly the original optimizer.
 */

/** The classes a practitioner tries first; the current one is always added. */
const SENSIBLE = ['Adam', 'AdamW', 'Nadam', 'RMSprop'];
const KERAS_OPTIMIZERS = 'keras.optimizers.';

export function optimizerClassCandidates(calls: CatalogueCall[], catalogue: Catalogue, imports: ImportBindings): Candidate[] {
  const out: Candidate[] = [];
  for (const call of calls) {
    if (call.spec.kind !== 'optimizer' || !call.path.startsWith(KERAS_OPTIMIZERS)) continue;
    const callee = call.node.childForFieldName('function');
    if (!callee) continue;
    const module = moduleExpression(callee.text, callee.type, imports, call);
    if (!module) continue;
    const options = classOptions(catalogue, call);
    out.push({
      call: call.path,
      param: 'class',
      value: callee.text,
      type: 'string',
      tunable: options.length > 1,
      kind: options.length > 1 ? 'hyperparameter' : 'not-a-literal',
      reason: options.length > 1 ? undefined : 'no other optimizer class accepts the arguments as written',
      definition: 'argument',
      current: call.spec.name,
      uses: [],
      space: options.length > 1 ? { kind: 'choice', options } : undefined,
      doc: 'The optimizer class (its written arguments are passed on to the class drawn, which accepts them all).',
      callId: call.id,
      site: callee,
      template: `getattr(${module}, {})`,
    });
  }
  return out;
}

/** The classes offered for an optimizer call, kept per catalogue and argument signature (a file repeats the same optimizer). */
const optionsMemo = new WeakMap<Catalogue, Map<string, string[]>>();

function classOptions(catalogue: Catalogue, call: CatalogueCall): string[] {
  // What accepts reads: the class, its keywords, how many positional arguments, any splat.
  let signature = call.spec.name;
  for (const arg of call.node.childForFieldName('arguments')?.namedChildren ?? []) {
    if (arg.type === 'comment') continue;
    signature += arg.type === 'keyword_argument' ? `|${arg.childForFieldName('name')?.text ?? ''}=` : arg.type.endsWith('splat') ? '|*' : '|_';
  }
  let memo = optionsMemo.get(catalogue);
  if (!memo) optionsMemo.set(catalogue, (memo = new Map()));
  let options = memo.get(signature);
  if (!options) {
    options = [...new Set([call.spec.name, ...SENSIBLE])].filter((name) => name === call.spec.name || accepts(catalogue, name, call));
    if (memo.size < 1000) memo.set(signature, options);
  }
  // Each candidate gets its own list: spaces are changed by copy elsewhere, but never share them.
  return options.slice();
}

/** An expression for the module the class comes from, valid where the call is written. */
function moduleExpression(text: string, type: string, imports: ImportBindings, call: CatalogueCall): string | undefined {
  if (type === 'attribute') return text.slice(0, text.lastIndexOf('.')).replace(/\s+/g, '');
  if (type !== 'identifier') return undefined;
  // from keras.optimizers import Adam: the module itself may not be bound, so import it by name.
  const path = importedPath(call.node.childForFieldName('function')!, imports);
  if (!path || !path.includes('.')) return undefined;
  const module = path.slice(0, path.lastIndexOf('.'));
  return `__import__(${JSON.stringify(module)}, fromlist=[${JSON.stringify(text)}])`;
}

/** Whether class `name` takes every argument of the call as written (by keyword, or at the same position). */
function accepts(catalogue: Catalogue, name: string, call: CatalogueCall): boolean {
  const spec = catalogue.byPath.get(`${KERAS_OPTIMIZERS}${name}`);
  if (!spec) return false;
  const args = call.node.childForFieldName('arguments')?.namedChildren ?? [];
  let position = 0;
  for (const arg of args) {
    if (arg.type === 'comment') continue;
    if (arg.type === 'keyword_argument') {
      const keyword = arg.childForFieldName('name')?.text ?? '';
      const own = call.spec.params.find((p) => p.name === keyword || p.legacy.includes(keyword));
      // A keyword of the current class's own (momentum, amsgrad) must be the other class's too;
      // others (clipnorm, weight_decay, name) are every optimizer's.
      if (own && !own.removed && !hasParam(spec, own.name)) return false;
      continue;
    }
    if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') return false;
    const own = call.spec.params.find((p) => p.position === position);
    const theirs = spec.params.find((p) => p.position === position);
    if (!own || !theirs || own.name !== theirs.name) return false;
    position++;
  }
  return true;
}

function hasParam(spec: CallableSpec, name: string): boolean {
  return spec.params.some((p) => p.name === name && !p.removed);
}
