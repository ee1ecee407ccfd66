import type { CallableSpec, Catalogue, ParamSpec } from '../catalogue/types';
import { paramByName, paramByPosition } from '../catalogue/types';
import { canonicalPath, headIdentifier, type ImportBindings, importedPath } from './imports';
import type { SyntaxNode } from './syntax';
import { evalLiteral } from './literals';
import type { ScopeResolver } from './scopes';

/** A call into the catalogue, with the arguments that meet a catalogued parameter. */
export interface CatalogueCall {
  node: SyntaxNode;
  /** node.id, read once (each read crosses into tree-sitter's native code). */
  id: number;
  spec: CallableSpec;
  /** Canonical path of the callable: its catalogue entry's first path (Model.fit for methods). */
  path: string;
  args: MatchedArg[];
  /** The literal of a name='...' argument: the user's own name for the layer. */
  explicitName?: string;
  /** Calls passed by a keyword the catalogue does not list (kernel_regularizer=l2(...)), for ids. */
  passes: { value: SyntaxNode; keyword: string }[];
  /**
   * A call of the file's own class or function that hands arguments to the catalogue callable
   * (Wrapper): 'class' (its result is the layer), 'function' (its result is what the callable
   * made, applied), or 'super' (super().__init__ in a subclass).
   */
  wrapper?: 'class' | 'function' | 'super';
}

export interface MatchedArg {
  param: ParamSpec;
  /** The keyword as written when it is a legacy name (lr for learning_rate). */
  writtenAs?: string;
  /** The value expression. */
  value: SyntaxNode;
  /** The keyword name, or undefined for a positional argument. */
  keyword?: string;
}

export interface CallContext {
  /** The source the tree was parsed from. */
  text: string;
  catalogue: Catalogue;
  imports: ImportBindings;
  scopes: ScopeResolver;
  /** Last path segment -> callable, for names the file uses without importing (snippets). */
  bareNames: Map<string, CallableSpec>;
  /** Every name a catalogue call can end in (Dense, fit, l2...): calls ending otherwise are skipped unread. */
  lastNames: Set<string>;
  /**
   * Equal for two contexts that resolve every callee alike (same catalogue, same imports): a
   * statement's matches are kept across scans under it, unless resolving one needed the file's scopes.
   */
  memoKey: number;
  /** Set when resolving a callee read the file's scopes (a bare or star-imported name). */
  readScopes?: boolean;
  /** The file's own classes and functions that hand their arguments to a catalogue callable (userWrappers). */
  wrappers?: Map<string, Wrapper>;
  /** Names somewhere assigned an object that is no Keras model (scaler = StandardScaler()): their .fit is not Model.fit. */
  nonModelNames?: Set<string>;
}

/**
 * A class or function of the file that hands its arguments on to a catalogue callable: a
 * subclass of a catalogue class (class MaskedConv2D(layers.Conv2D)), or one that passes
 * **kwargs on to a catalogue call. Its calls take that callable's hyperparameters, under an id
 * named after it (masked_conv2d.filters).
 */
export interface Wrapper {
  kind: 'class' | 'function';
  /** The catalogue callable, with the id prefix of the user's name. */
  spec: CallableSpec;
  /** Parameters of the user's own signature: what calls pass for them is the user's (value flow follows it), not the catalogue's. */
  own: Set<string>;
  /** Positional arguments line up with the catalogue signature (a subclass without its own __init__). */
  positional: boolean;
  /** A subclass: super().__init__(...) in it is a call of the catalogue class. */
  subclass: boolean;
}

/** The last segments of every catalogue path and method. */
export function lastNameIndex(catalogue: Catalogue): Set<string> {
  const out = new Set<string>();
  for (const spec of catalogue.callables) for (const path of spec.paths) out.add(path.slice(path.lastIndexOf('.') + 1));
  return out;
}

/** Callables reachable by a bare name, when that name is unambiguous in the catalogue. */
export function bareNameIndex(catalogue: Catalogue): Map<string, CallableSpec> {
  const out = new Map<string, CallableSpec>();
  const ambiguous = new Set<string>();
  for (const spec of catalogue.callables) {
    if (spec.kind === 'method') continue;
    for (const path of spec.paths) {
      const last = path.split('.').pop()!;
      if (!/^[A-Z]/.test(last)) continue; // only classes: lower-case names (l2, relu) are too common to guess
      const prev = out.get(last);
      if (prev && prev !== spec) ambiguous.add(last);
      else out.set(last, spec);
    }
  }
  for (const name of ambiguous) out.delete(name);
  return out;
}

const DOTTED = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/;

function resolveCallee(fn: SyntaxNode, ctx: CallContext): { spec: CallableSpec; path: string; wrapper?: Wrapper; viaSuper?: boolean } | undefined {
  const { catalogue, imports } = ctx;
  if (fn.type === 'identifier') {
    const bound = imports.names.get(fn.text);
    if (bound !== undefined) {
      const spec = catalogue.byPath.get(bound);
      return spec && { spec, path: spec.paths[0] };
    }
    ctx.readScopes = true;
    const wrapper = ctx.wrappers?.get(fn.text);
    if (wrapper) return { spec: wrapper.spec, path: wrapper.spec.paths[0], wrapper };
    // A name the file defines itself (class Dense: ...) is not the star-imported one.
    if (imports.starModules.length && ctx.scopes.resolveName(fn.text, fn)) return undefined;
    for (const module of imports.starModules) {
      const spec = catalogue.byPath.get(`${module}.${fn.text}`);
      if (spec) return { spec, path: spec.paths[0] };
    }
    const spec = ctx.bareNames.get(fn.text);
    // A bare catalogue name that the file never defines: a snippet with its imports left out.
    if (spec && !ctx.scopes.resolveName(fn.text, fn)) return { spec, path: spec.paths[0] };
    return undefined;
  }
  if (fn.type !== 'attribute') return undefined;
  const zuper = superInit(fn, ctx);
  if (zuper) return zuper;
  // The dotted text is enough for a plain a.b.c callee, and cheaper than walking attribute nodes.
  const dotted = fn.text.replace(/\s+/g, '');
  const parts = DOTTED.test(dotted) ? dotted.split('.') : undefined;
  const base = parts && imports.names.get(parts[0]);
  const path = parts ? (base === undefined ? undefined : canonicalPath([base, ...parts.slice(1)].join('.'))) : importedPath(fn, imports);
  if (path !== undefined) {
    const spec = catalogue.byPath.get(path);
    if (spec) return { spec, path: spec.paths[0] };
    // keras.Model.fit(...) style unbound calls are not model methods; any other imported module isn't either.
    return undefined;
  }
  const method = parts ? parts[parts.length - 1] : fn.childForFieldName('attribute')?.text;
  const spec = method ? catalogue.byMethod.get(method) : undefined;
  if (!spec) return undefined;
  const head = parts ? parts[0] : headIdentifier(fn.childForFieldName('object')!)?.text;
  if (head && imports.names.has(head)) return undefined;
  // The catalogue names a method by its owner: Model.fit, ImageDataGenerator.flow.
  const owned = spec.paths[0];
  if (owned.startsWith('Model.') && parts?.length === 2 && builtByNonModel(fn.childForFieldName('object')!, ctx)) return undefined;
  return { spec, path: owned };
}

/**
 * datagen.fit(x), scaler.fit(X), pca.fit(X): a receiver built by something that is not a Keras
 * model (a catalogue entry of another kind, ImageDataGenerator; a class imported from another
 * library, scikit-learn's) has its own fit, with no batch size or epochs to tune. A receiver
 * optpar cannot trace (a parameter, a helper's result, load_model) is taken for a model.
 */
function builtByNonModel(receiver: SyntaxNode, ctx: CallContext): boolean {
  // Most files never assign a non-model to the name: no scope to read (and statements stay memoized).
  if (receiver.type !== 'identifier' || !ctx.nonModelNames?.has(receiver.text)) return false;
  ctx.readScopes = true;
  const bound = ctx.scopes.resolveName(receiver.text, receiver);
  return bound?.kind === 'bound' && bound.value.type === 'call' && isNonModelCall(bound.value, ctx);
}

/** A call that builds something other than a Keras model: a catalogue entry of another kind, or a class of another library. */
function isNonModelCall(call: SyntaxNode, ctx: Pick<CallContext, 'imports' | 'catalogue'>): boolean {
  const callee = call.childForFieldName('function');
  const dotted = callee?.text.replace(/\s+/g, '');
  if (!dotted || (callee!.type !== 'identifier' && !DOTTED.test(dotted))) return false;
  const [first, ...rest] = dotted.split('.');
  const base = ctx.imports.names.get(first);
  if (base === undefined) return false;
  const path = canonicalPath([base, ...rest].join('.'));
  if (!path.startsWith('keras.') && !path.startsWith('tensorflow.')) return true;
  const spec = ctx.catalogue.byPath.get(path);
  return spec !== undefined && spec.kind !== 'model';
}

/** The names the file assigns a non-model object to, anywhere (see builtByNonModel). */
export function nonModelNames(assignments: readonly SyntaxNode[], ctx: Pick<CallContext, 'imports' | 'catalogue'>): Set<string> {
  const out = new Set<string>();
  // A file builds the same things many times (model = keras.Sequential(...)): one answer per callee.
  const byCallee = new Map<string, boolean>();
  for (const a of assignments) {
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.type !== 'identifier' || right?.type !== 'call') continue;
    const callee = right.childForFieldName('function')?.text ?? '';
    let nonModel = byCallee.get(callee);
    if (nonModel === undefined) byCallee.set(callee, (nonModel = isNonModelCall(right, ctx)));
    if (nonModel) out.add(left.text);
  }
  return out;
}

const KEYWORD = /^\s*([A-Za-z_]\w*)\s*=/;
/** A plain dotted callee and its opening parenthesis, read from the text at the call's start. */
const CALLEE = /[A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)*(?=[ \t]*\()/y;

export function matchCall(call: SyntaxNode, ctx: CallContext): CatalogueCall | undefined {
  const text = ctx.text;
  // Most calls in a script (np.zeros, print, load_digits) are not Keras: reject them from the
  // text alone. Only a confident plain-name match rejects; anything else takes the tree path.
  CALLEE.lastIndex = call.startIndex;
  const callee = CALLEE.exec(text)?.[0];
  if (callee && !ctx.lastNames.has(callee.slice(callee.lastIndexOf('.') + 1).trim()) && !(callee === 'super' && ctx.wrappers?.size)) return undefined;
  // [function, arguments] in one native call rather than two field look-ups.
  const [fn, argList] = call.namedChildren;
  if (!fn || !argList || argList.type !== 'argument_list') return undefined;
  const resolved = resolveCallee(fn, ctx);
  if (!resolved) return undefined;
  const args: MatchedArg[] = [];
  let position = 0;
  let splatted = false;
  let explicitName: string | undefined;
  const passes: CatalogueCall['passes'] = [];
  for (const arg of argList.namedChildren) {
    if (arg.type === 'comment') continue;
    if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') {
      splatted = true;
      continue;
    }
    if (arg.type === 'keyword_argument') {
      const value = arg.childForFieldName('value');
      if (!value) continue;
      const name = KEYWORD.exec(text.slice(arg.startIndex, value.startIndex))?.[1];
      if (!name) continue;
      if (name === 'name') {
        const lit = evalLiteral(value);
        if (lit?.kind === 'string' && lit.value.trim()) explicitName = lit.value.trim().replace(/[^\p{L}\p{N}_]+/gu, '_');
      }
      const param = resolved.wrapper?.own.has(name) ? undefined : paramByName(resolved.spec, name);
      if (param) args.push({ param, value, keyword: name, writtenAs: param.name === name ? undefined : name });
      else if (value.type === 'call') passes.push({ value, keyword: name });
      continue;
    }
    // After *args, positions are unknown; a wrapper's own signature takes its positional arguments.
    if (!splatted && (!resolved.wrapper || resolved.wrapper.positional)) {
      const param = paramByPosition(resolved.spec, position);
      if (param) args.push({ param, value: arg });
    }
    position++;
  }
  const wrapper = resolved.viaSuper ? 'super' : resolved.wrapper?.kind;
  return { node: call, id: call.id, spec: resolved.spec, path: resolved.path, args, explicitName, passes, wrapper };
}

/** super().__init__(...) (or super(Cls, self).__init__) in a subclass of a catalogue class: a call of that class. */
function superInit(fn: SyntaxNode, ctx: CallContext): { spec: CallableSpec; path: string; viaSuper: true } | undefined {
  if (!ctx.wrappers?.size || fn.childForFieldName('attribute')?.text !== '__init__') return undefined;
  const object = fn.childForFieldName('object');
  if (object?.type !== 'call' || object.childForFieldName('function')?.text !== 'super') return undefined;
  ctx.readScopes = true;
  let cls: SyntaxNode | null = fn.parent;
  while (cls && cls.type !== 'class_definition') cls = cls.parent;
  const wrapper = cls && ctx.wrappers.get(cls.childForFieldName('name')?.text ?? '');
  return wrapper?.subclass ? { spec: wrapper.spec, path: wrapper.spec.paths[0], viaSuper: true } : undefined;
}

const derivedSpecs = new WeakMap<CallableSpec, Map<string, CallableSpec>>();

/** The catalogue callable under the user's name: ids of MaskedConv2D(...) are masked_conv2d.filters. */
function derivedSpec(base: CallableSpec, name: string): CallableSpec {
  let byName = derivedSpecs.get(base);
  if (!byName) derivedSpecs.set(base, (byName = new Map()));
  let spec = byName.get(name);
  if (!spec) byName.set(name, (spec = { ...base, id: snakeCase(name) }));
  return spec;
}

/** Keras's own to_snake_case: MaskedConv2D -> masked_conv2d, the name Keras gives the layer. */
export function snakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** Kinds a user class may extend and still be one of them (a subclass of Model is a model of its own). */
const WRAPPABLE = new Set(['layer', 'optimizer', 'regularizer', 'initializer', 'callback', 'schedule', 'activation']);

/**
 * The file's module-level classes and functions that hand arguments to a catalogue callable
 * (see Wrapper), by name. `resolve` resolves an inner call's callee (through the imports).
 */
export function userWrappers(root: SyntaxNode, ctx: CallContext): Map<string, Wrapper> {
  const out = new Map<string, Wrapper>();
  for (const stmt of root.namedChildren) {
    const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    const name = def?.childForFieldName('name')?.text;
    if (!def || !name) continue;
    if (def.type === 'class_definition') {
      const init = methodOf(def, '__init__');
      const own = init ? ownParams(init, 1) : new Set<string>();
      let base: CallableSpec | undefined;
      for (const b of def.childForFieldName('superclasses')?.namedChildren ?? []) {
        if (b.type === 'keyword_argument' || b.type === 'comment') continue;
        const path = b.type === 'identifier' ? ctx.imports.names.get(b.text) : importedPath(b, ctx.imports);
        const spec = path !== undefined ? ctx.catalogue.byPath.get(path) : b.type === 'identifier' ? out.get(b.text)?.spec : undefined;
        if (spec && WRAPPABLE.has(spec.kind)) base = spec;
      }
      if (base) {
        out.set(name, { kind: 'class', spec: derivedSpec(base, name), own, positional: !init, subclass: true });
        continue;
      }
      const forwarded = init && forwardedSpec(init, ctx, out);
      if (forwarded) out.set(name, { kind: 'class', spec: derivedSpec(forwarded, name), own, positional: false, subclass: false });
    } else if (def.type === 'function_definition') {
      const forwarded = forwardedSpec(def, ctx, out);
      if (forwarded) out.set(name, { kind: 'function', spec: derivedSpec(forwarded, name), own: ownParams(def, 0), positional: false, subclass: false });
    }
  }
  return out;
}

/** A fingerprint of the wrappers, for memo keys: a statement's matches depend on them. */
export function wrappersKey(wrappers: Map<string, Wrapper>): string {
  let key = '';
  for (const [name, w] of wrappers) key += `${name}:${w.spec.paths[0]}:${[...w.own].join(',')}:${w.positional ? 1 : 0}${w.subclass ? 1 : 0};`;
  return key;
}

function methodOf(cls: SyntaxNode, name: string): SyntaxNode | undefined {
  for (const stmt of cls.childForFieldName('body')?.namedChildren ?? []) {
    const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    if (def?.type === 'function_definition' && def.childForFieldName('name')?.text === name) return def;
  }
  return undefined;
}

/** The named parameters of a function (skipping self), and its **kwargs name. */
function ownParams(fn: SyntaxNode, skip: number): Set<string> {
  const out = new Set<string>();
  for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    if (p.type === 'dictionary_splat_pattern' || p.type === 'list_splat_pattern' || p.type === 'keyword_separator' || p.type === 'positional_separator') continue;
    const name = p.type === 'identifier' ? p.text : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c.type === 'identifier'))?.text;
    if (!name) continue;
    if (skip) {
      skip--;
      continue;
    }
    out.add(name);
  }
  return out;
}

/** The catalogue callable a function passes its **kwargs to (Conv2D(filters, **kwargs)), if any. */
function forwardedSpec(fn: SyntaxNode, ctx: CallContext, known: Map<string, Wrapper>): CallableSpec | undefined {
  const splat = fn.childForFieldName('parameters')?.namedChildren.find((p) => p.type === 'dictionary_splat_pattern');
  const kwargs = splat?.namedChildren.find((c) => c.type === 'identifier')?.text;
  if (!kwargs) return undefined;
  for (const call of fn.childForFieldName('body')?.descendantsOfType('call') ?? []) {
    const args = call.childForFieldName('arguments')?.namedChildren ?? [];
    if (!args.some((a) => a.type === 'dictionary_splat' && a.namedChildren[0]?.text === kwargs)) continue;
    const callee = call.childForFieldName('function');
    if (!callee) continue;
    if (callee.type === 'identifier' && known.has(callee.text)) return known.get(callee.text)!.spec;
    const path = callee.type === 'identifier' ? ctx.imports.names.get(callee.text) : importedPath(callee, ctx.imports);
    const spec = path !== undefined ? ctx.catalogue.byPath.get(path) : callee.type === 'identifier' ? ctx.bareNames.get(callee.text) : undefined;
    if (spec && WRAPPABLE.has(spec.kind)) return spec;
  }
  return undefined;
}
