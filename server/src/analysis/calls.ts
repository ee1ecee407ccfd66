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

function resolveCallee(fn: SyntaxNode, ctx: CallContext): { spec: CallableSpec; path: string } | undefined {
  const { catalogue, imports } = ctx;
  if (fn.type === 'identifier') {
    const bound = imports.names.get(fn.text);
    if (bound !== undefined) {
      const spec = catalogue.byPath.get(bound);
      return spec && { spec, path: spec.paths[0] };
    }
    ctx.readScopes = true;
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
  return { spec, path: `Model.${method}` };
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
  if (callee && !ctx.lastNames.has(callee.slice(callee.lastIndexOf('.') + 1).trim())) return undefined;
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
      const param = paramByName(resolved.spec, name);
      if (param) args.push({ param, value, keyword: name, writtenAs: param.name === name ? undefined : name });
      else if (value.type === 'call') passes.push({ value, keyword: name });
      continue;
    }
    // After *args, positions are unknown.
    if (!splatted) {
      const param = paramByPosition(resolved.spec, position);
      if (param) args.push({ param, value: arg });
    }
    position++;
  }
  return { node: call, id: call.id, spec: resolved.spec, path: resolved.path, args, explicitName, passes };
}
