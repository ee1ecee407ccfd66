import type { CallableSpec, Catalogue } from '../catalogue/types';
import type { CatalogueCall } from './calls';
import { importedPath, type ImportBindings } from './imports';
import type { Candidate } from './scan';
import type { Span } from './types';

/**
 * The optimizer itself as a hyperparameter: `Adam(learning_rate=3e-4)`, `RMSprop(lr=0.001)` or an
 * optimizer held in a variable offers its class as a choice, its written arguments staying
 * hyperparameters of their own. A keyword only some classes take (SGD's momentum and nesterov)
 * is passed on only to those: the rewrite filters the keywords by the class drawn, so whichever
 * class is drawn builds, and at the defaults it builds exactly the original optimizer. A class
 * that would need a positional argument it does not take is not offered.
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
    const choices = classOptions(catalogue, call);
    const options = choices.map((c) => c.name);
    const dropping = choices.filter((c) => c.drops.length);
    let template = `getattr(${module}, {})`;
    let dropsFor: Candidate['dropsFor'];
    if (dropping.length && options.length > 1) {
      // Keyword arguments a drawn class does not take are left out when it is drawn.
      const table = dropping.map((c) => `${JSON.stringify(c.name)}: (${c.drops.map((k) => JSON.stringify(k)).join(', ')}${c.drops.length === 1 ? ',' : ''})`).join(', ');
      template = `(lambda name: lambda *args, **kwargs: getattr(${module}, name)(*args, **{k: v for k, v in kwargs.items() if k not in {${table}}.get(name, ())}))({})`;
      dropsFor = {};
      for (const c of dropping) dropsFor[c.name] = { keywords: c.drops, remove: removalSpans(call, c.drops) };
    }
    out.push({
      call: call.path,
      param: 'class',
      value: callee.text,
      type: 'string',
      tunable: options.length > 1,
      kind: options.length > 1 ? 'hyperparameter' : 'not-a-literal',
      reason: options.length > 1 ? undefined : 'no other optimizer class takes the positional arguments as written',
      definition: 'argument',
      current: call.spec.name,
      uses: [],
      space: options.length > 1 ? { kind: 'choice', options } : undefined,
      doc: dropsFor
        ? `The optimizer class (its written arguments are passed on to the class drawn when it takes them: ${Object.entries(dropsFor).map(([name, d]) => `${name} leaves out ${d.keywords.join(', ')}`).join('; ')}).`
        : 'The optimizer class (its written arguments are passed on to the class drawn, which takes them all).',
      callId: call.id,
      site: callee,
      template,
      ...(dropsFor ? { dropsFor } : {}),
    });
  }
  return out;
}

/** A class offered, and the keywords written that it does not take (left out when it is drawn). */
interface ClassOption {
  name: string;
  drops: string[];
}

/** The classes offered for an optimizer call, kept per catalogue and argument signature (a file repeats the same optimizer). */
const optionsMemo = new WeakMap<Catalogue, Map<string, ClassOption[]>>();

/** Each call's options, kept while the call is (the scan keeps the calls of unchanged statements). */
const callOptions = new WeakMap<CatalogueCall, ClassOption[]>();

function classOptions(catalogue: Catalogue, call: CatalogueCall): ClassOption[] {
  let options = callOptions.get(call);
  if (!options) callOptions.set(call, (options = signatureOptions(catalogue, call)));
  // Each candidate gets its own list: spaces are changed by copy elsewhere, but never share them.
  return options.map((o) => ({ name: o.name, drops: o.drops.slice() }));
}

function signatureOptions(catalogue: Catalogue, call: CatalogueCall): ClassOption[] {
  // What a class takes reads: the class, its keywords, how many positional arguments, any splat.
  let signature = call.spec.name;
  for (const arg of call.node.childForFieldName('arguments')?.namedChildren ?? []) {
    if (arg.type === 'comment') continue;
    signature += arg.type === 'keyword_argument' ? `|${arg.childForFieldName('name')?.text ?? ''}=` : arg.type.endsWith('splat') ? '|*' : '|_';
  }
  let memo = optionsMemo.get(catalogue);
  if (!memo) optionsMemo.set(catalogue, (memo = new Map()));
  let options = memo.get(signature);
  if (!options) {
    options = [];
    for (const name of new Set([call.spec.name, ...SENSIBLE])) {
      const drops = name === call.spec.name ? [] : unaccepted(catalogue, name, call);
      if (drops) options.push({ name, drops });
    }
    if (memo.size < 1000) memo.set(signature, options);
  }
  return options;
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

/**
 * The keywords of the call class `name` does not take (SGD's momentum for Adam); undefined when
 * it cannot be offered at all (a positional argument it does not take at that position, a splat).
 */
function unaccepted(catalogue: Catalogue, name: string, call: CatalogueCall): string[] | undefined {
  const spec = catalogue.byPath.get(`${KERAS_OPTIMIZERS}${name}`);
  if (!spec) return undefined;
  const args = call.node.childForFieldName('arguments')?.namedChildren ?? [];
  const drops: string[] = [];
  let position = 0;
  for (const arg of args) {
    if (arg.type === 'comment') continue;
    if (arg.type === 'keyword_argument') {
      const keyword = arg.childForFieldName('name')?.text ?? '';
      const own = call.spec.params.find((p) => p.name === keyword || p.legacy.includes(keyword));
      // A keyword of the current class's own (momentum, amsgrad) the other class lacks is left
      // out for it; others (clipnorm, weight_decay, name) are every optimizer's.
      if (own && !own.removed && !hasParam(spec, own.name)) drops.push(keyword);
      continue;
    }
    if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') return undefined;
    const own = call.spec.params.find((p) => p.position === position);
    const theirs = spec.params.find((p) => p.position === position);
    if (!own || !theirs || own.name !== theirs.name) return undefined;
    position++;
  }
  return drops;
}

/**
 * The text to remove with `keywords` when apply writes a class that does not take them: each run
 * of such arguments with the separator after it, or, for a run at the end, the separator before.
 */
function removalSpans(call: CatalogueCall, keywords: string[]): Span[] {
  const args = (call.node.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
  const dropped = args.map((a) => a.type === 'keyword_argument' && keywords.includes(a.childForFieldName('name')?.text ?? ''));
  const spans: Span[] = [];
  for (let i = 0; i < args.length; i++) {
    if (!dropped[i]) continue;
    let j = i;
    while (j + 1 < args.length && dropped[j + 1]) j++;
    if (j + 1 < args.length) spans.push({ start: args[i].startIndex, end: args[j + 1].startIndex });
    else if (i > 0) spans.push({ start: args[i - 1].endIndex, end: args[j].endIndex });
    else spans.push({ start: args[i].startIndex, end: args[j].endIndex });
    i = j;
  }
  return spans;
}

function hasParam(spec: CallableSpec, name: string): boolean {
  return spec.params.some((p) => p.name === name && !p.removed);
}
