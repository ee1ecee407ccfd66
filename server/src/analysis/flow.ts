import type { SyntaxNode } from './syntax';
import { dictEntry, type ParameterRef, type ScopeResolver } from './scopes';
import type { DefinitionKind } from './types';
import { evalLiteral, unparen } from './literals';

/**
 * Value flow: which definitions reach an expression, through any chain inside the file.
 *
 * A name is followed to what it is bound to (scopes.ts does one scope's names); from there this
 * module goes on where name resolution stops: a parameter's values come from the calls of its
 * function (by keyword or position, then on through the caller's own names and parameters), a
 * class's __init__ parameters from the calls of the class, an attribute of an object from what
 * the object is (an instance of a class defined in the file, the result of argparse's
 * parse_args(), absl's FLAGS), a loop variable from the elements of the literal sequence it
 * iterates. A parameter default that every call of its function overrides never reaches a use
 * and is left out (inert).
 *
 * Made fresh for every scan: an edit anywhere may change where a value comes from.
 */

/** Where a value that reaches a use is defined (cli-default and loop-element are value flow's own). */
export type FlowDefinition = DefinitionKind;

export interface FlowSource {
  /** The expression a rewrite changes (a literal, usually). */
  site: SyntaxNode;
  definition: FlowDefinition;
  /** The holder's name for ids (a variable, fn.param, args.epochs); undefined at the use itself. */
  name?: string;
  /** Why the value cannot be read (then site is where the trail ends). */
  reason?: string;
  /** Nothing is known of the value (a name not defined in the file, an attribute of an unknown object). */
  unknown?: boolean;
}

interface ParamInfo {
  name: string;
  /** Index among positional arguments of a call (self excluded); undefined for keyword-only or splat parameters. */
  position?: number;
  default?: SyntaxNode;
}

interface CallSites {
  calls: SyntaxNode[];
  /** Every reference to the function is a call we read: a default none of them leaves out is inert. */
  complete: boolean;
}

const NAMES = new Set(['identifier', 'attribute', 'subscript']);

/** cfg.get("units", 32): a read of a dict's entry, with the value used when the entry is missing. */
export function dictGet(node: SyntaxNode): { target: SyntaxNode; key: string; fallback?: SyntaxNode } | undefined {
  if (node.type !== 'call') return undefined;
  const fn = node.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'get') return undefined;
  const target = fn.childForFieldName('object');
  const args = argumentsOf(node);
  if (!target || args.length < 1 || args.length > 2 || args.some((a) => a.type !== 'string' && a !== args[1])) return undefined;
  if (args[1] && (args[1].type === 'keyword_argument' || args[1].type.endsWith('splat'))) return undefined;
  const key = evalLiteral(args[0]);
  return key?.kind === 'string' ? { target, key: key.value, fallback: args[1] } : undefined;
}

/** What the flow follows: names, attributes, subscripts, and dict reads with .get. */
const followable = (node: SyntaxNode) => NAMES.has(node.type) || dictGet(node) !== undefined;
const MAX_DEPTH = 24;
const ABSL_DEFINE = /(^|\.)DEFINE_(integer|float|string|bool|boolean|enum|list|multi_integer|multi_float|multi_string)$/;
const PARSE_ARGS = new Set(['parse_args', 'parse_known_args']);
const NAMESPACES = new Set(['SimpleNamespace', 'Namespace', 'EasyDict', 'edict', 'AttrDict', 'Box', 'ConfigDict']);

export class ValueFlow {
  private memo = new Map<number, FlowSource[]>();
  private active = new Set<number>();
  private byCallee?: Map<string, SyntaxNode[]>;
  private byMethod?: Map<string, SyntaxNode[]>;
  private definitions?: Map<string, SyntaxNode>;
  private identifiers?: Map<string, number>;
  private params = new Map<number, ParamInfo[]>();

  constructor(
    private readonly text: string,
    private readonly root: SyntaxNode,
    private readonly scopes: ScopeResolver,
    /** Every call in the file. */
    private readonly calls: readonly SyntaxNode[],
  ) {}

  /**
   * The definitions that reach an argument written at a call. A literal (or any expression that
   * is not a name) is its own definition; unknown trails end at the argument, with a reason for
   * names the file does not define.
   */
  reaching(use: SyntaxNode): FlowSource[] {
    const node = unparen(use);
    if (!followable(node)) return [{ site: node, definition: 'argument' }];
    const out: FlowSource[] = [];
    for (const s of this.sources(node, 0)) {
      if (!s.unknown) out.push(s);
      else if (s.site === node || s.site.id === node.id)
        out.push({ site: node, definition: 'argument', reason: node.type === 'identifier' ? `${node.text} is not defined in this file` : undefined });
      else out.push({ site: s.site, definition: s.definition, name: s.name });
    }
    return out;
  }

  /** The value written at one hop: a literal is the definition there (named `name`); a name is followed. */
  valueAt(expr: SyntaxNode, definition: FlowDefinition, name: string | undefined, depth: number): FlowSource[] {
    const node = unparen(expr);
    if (!followable(node) || this.parametrized(node)) return [{ site: node, definition, name }];
    return this.sources(node, depth + 1).filter((s) => !s.unknown);
  }

  /** What a name, attribute or subscript may hold. */
  sources(expr: SyntaxNode, depth: number): FlowSource[] {
    const node = unparen(expr);
    const hit = this.memo.get(node.id);
    if (hit) return hit;
    if (depth > MAX_DEPTH || this.active.has(node.id)) return [];
    this.active.add(node.id);
    let out: FlowSource[];
    try {
      out = this.follow(node, depth);
    } finally {
      this.active.delete(node.id);
    }
    this.memo.set(node.id, out);
    return out;
  }

  private follow(node: SyntaxNode, depth: number): FlowSource[] {
    if (this.parametrized(node)) return [{ site: node, definition: 'argument', reason: 'already parametrized' }];
    const get = dictGet(node);
    if (get) return this.getSources(node, get, depth);
    let res = this.scopes.resolve(node);
    // scopes.ts reports a subscript of a parameter (cfg["units"]) as that parameter: the object is followed here instead.
    if (res && node.type === 'subscript' && res.parameter && res.kind === 'unresolved') res = undefined;
    if (!res) {
      if (node.type === 'attribute') return this.attributeSources(node, depth);
      if (node.type === 'subscript') return this.subscriptSources(node, depth);
      return [{ site: node, definition: 'argument', unknown: true }];
    }
    if (res.kind === 'bound') {
      const out: FlowSource[] = [];
      const reaches = res.parameter ? this.defaultReaches(res.parameter) : true;
      if (res.parameter) out.push(...this.callSiteSources(res.parameter, depth));
      if (reaches) {
        const value = unparen(res.value);
        const further = followable(value) && !this.parametrized(value) ? this.sources(value, depth + 1) : [];
        if (further.length && further.some((s) => !s.unknown)) out.push(...further.filter((s) => !s.unknown));
        else out.push({ site: value, definition: res.definition, name: res.name });
      }
      return out;
    }
    if (res.parameter) {
      const passed = this.callSiteSources(res.parameter, depth);
      if (passed.length) return passed;
    }
    // hp = {} filled afterwards (hp["units"] = 64): no literal entry, but an assignment.
    if (node.type === 'subscript') {
      const filled = this.subscriptSources(node, depth).filter((s) => !s.unknown);
      if (filled.length) return filled;
    }
    if (node.type === 'identifier' && /a loop variable/.test(res.reason)) {
      const elements = this.loopElements(node, depth);
      if (elements) return elements;
    }
    return [{ site: node, definition: 'argument', reason: res.reason }];
  }

  /** params['id'] as optpar writes it: `params` is not the file's own (a dict the user calls params is followed like any other). */
  private parametrized(node: SyntaxNode): boolean {
    if (!isParams(node)) return false;
    const target = node.childForFieldName('value')!;
    return target.type !== 'identifier' || this.scopes.resolveName('params', target) === undefined;
  }

  // ---- parameters and the calls that pass them ----

  /** The values the calls of a function pass for one of its parameters, followed into the callers. */
  private callSiteSources(ref: ParameterRef, depth: number): FlowSource[] {
    const info = this.paramsOf(ref.fn).find((p) => p.name === ref.name);
    if (!info) return [];
    const label = `${functionLabel(ref.fn)}.${ref.name}`;
    const out: FlowSource[] = [];
    for (const call of this.callSites(ref.fn).calls) {
      const passed = argumentFor(call, info);
      const value = passed ?? this.splatted(call, info.name, depth);
      if (value && value !== 'unknown') out.push(...this.valueAt(value, passed ? 'argument' : 'dict-entry', label, depth));
    }
    return out;
  }

  /** Whether a parameter's default is used by some call (or may be: the function is used in ways not read here). */
  private defaultReaches(ref: ParameterRef): boolean {
    const sites = this.callSites(ref.fn);
    if (!sites.complete || sites.calls.length === 0) return true;
    const info = this.paramsOf(ref.fn).find((p) => p.name === ref.name);
    if (!info) return true;
    return sites.calls.some((call) => {
      const value = argumentFor(call, info) ?? this.splatted(call, info.name, 0);
      return value === undefined || value === 'unknown';
    });
  }

  /** What f(**kwargs) passes for a name when kwargs is a dict the file writes: its entry, undefined, or 'unknown'. */
  private splatted(call: SyntaxNode, name: string, depth: number): SyntaxNode | 'unknown' | undefined {
    let found: SyntaxNode | 'unknown' | undefined;
    for (const arg of argumentsOf(call)) {
      if (arg.type !== 'dictionary_splat') continue;
      const inner = arg.namedChildren[0];
      if (!inner) return 'unknown';
      for (const obj of this.objectsOf(inner, depth)) {
        const site = unparen(obj.site);
        if (site.type !== 'dictionary' && !(site.type === 'call' && site.childForFieldName('function')?.text === 'dict')) return 'unknown';
        if (site.namedChildren.some((c) => c.type === 'dictionary_splat') || argumentsOf(site).some((c) => c.type === 'dictionary_splat')) return 'unknown';
        const entry = dictEntry(site, name);
        if (entry) found = entry;
      }
    }
    return found;
  }

  /** The calls of a function defined in the file: by its name, a class's for __init__, self.name() for a method. */
  callSites(fn: SyntaxNode): CallSites {
    const name = fn.childForFieldName('name')?.text;
    if (!name) return { calls: [], complete: false };
    const owner = this.scopes.enclosingScope(fn);
    let calls: SyntaxNode[];
    let refName = name;
    if (owner.type === 'class_definition') {
      const cls = owner.childForFieldName('name')?.text;
      if (!cls) return { calls: [], complete: false };
      if (name === '__init__') {
        calls = this.calleeIndex().get(cls) ?? [];
        refName = cls;
      } else {
        calls = (this.methodIndex().get(name) ?? []).filter((c) => within(c, owner));
      }
    } else calls = this.calleeIndex().get(name) ?? [];
    // A call that splats a sequence may pass anything anywhere; **dict is read where the dict is the file's (splatted).
    const plain = calls.filter((c) => !c.childForFieldName('arguments')?.namedChildren.some((a) => a.type === 'list_splat'));
    const complete = plain.length === calls.length && this.references(refName) <= calls.length + 1;
    return { calls: plain, complete };
  }

  /** How often a name is written in the code (identifiers, so self.name counts and comments and strings do not). */
  private references(name: string): number {
    if (!this.identifiers) {
      const counts = (this.identifiers = new Map<string, number>());
      const stack: SyntaxNode[] = [this.root];
      while (stack.length) {
        const node = stack.pop()!;
        if (node.type === 'identifier') {
          const text = node.text;
          counts.set(text, (counts.get(text) ?? 0) + 1);
          continue;
        }
        const kids = node.children;
        for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
      }
    }
    return this.identifiers.get(name) ?? 0;
  }

  /** Calls of a name defined in the file: name(...) and self.name(...). */
  callsNamed(name: string): SyntaxNode[] {
    const direct = this.calleeIndex().get(name) ?? [];
    const methods = this.methodIndex().get(name);
    return methods ? [...direct, ...methods] : direct;
  }

  /** Like reaching(), with a literal written at the use named `name` (range(3) in a loop: dense.repeats). */
  reachingNamed(use: SyntaxNode, name: string): FlowSource[] {
    const node = unparen(use);
    if (!followable(node)) return [{ site: node, definition: 'argument', name }];
    return this.reaching(use);
  }

  private calleeIndex(): Map<string, SyntaxNode[]> {
    if (!this.byCallee) {
      this.byCallee = new Map();
      this.byMethod = new Map();
      for (const call of this.calls) {
        const callee = call.childForFieldName('function');
        if (callee?.type === 'identifier') push(this.byCallee, callee.text, call);
        else if (callee?.type === 'attribute' && callee.childForFieldName('object')?.text === 'self') {
          const attr = callee.childForFieldName('attribute')?.text;
          if (attr) push(this.byMethod, attr, call);
        }
      }
    }
    return this.byCallee;
  }

  private methodIndex(): Map<string, SyntaxNode[]> {
    this.calleeIndex();
    return this.byMethod!;
  }

  /** A function's parameters as calls fill them (self left out of methods). */
  paramsOf(fn: SyntaxNode): ParamInfo[] {
    let out = this.params.get(fn.id);
    if (out) return out;
    out = [];
    const inClass = this.scopes.enclosingScope(fn).type === 'class_definition';
    const decorators = fn.parent?.type === 'decorated_definition' ? fn.parent.text.slice(0, fn.startIndex - fn.parent.startIndex) : '';
    let skip = inClass && !/@staticmethod\b/.test(decorators) ? 1 : 0;
    let position = 0;
    let keywordOnly = false;
    for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
      if (p.type === 'keyword_separator' || p.type === 'list_splat_pattern') {
        keywordOnly = true;
        continue;
      }
      if (p.type === 'dictionary_splat_pattern' || p.type === 'positional_separator' || p.type === 'comment') continue;
      const name = p.type === 'identifier' ? p.text : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c.type === 'identifier'))?.text;
      if (!name) continue;
      if (skip) {
        skip--;
        continue;
      }
      const dflt = p.type === 'default_parameter' || p.type === 'typed_default_parameter' ? p.childForFieldName('value') ?? undefined : undefined;
      out.push({ name, position: keywordOnly ? undefined : position++, default: dflt });
    }
    this.params.set(fn.id, out);
    return out;
  }

  // ---- objects: config instances, argparse, absl ----

  /** What an object expression may be (with the holder's name): the values that reach it, calls of helper functions followed to what they return. */
  objectsOf(expr: SyntaxNode, depth: number): { site: SyntaxNode; name?: string; reason?: string }[] {
    const node = unparen(expr);
    const sites: { site: SyntaxNode; name?: string; reason?: string }[] = NAMES.has(node.type) ? this.sources(node, depth + 1) : [{ site: node }];
    const out: { site: SyntaxNode; name?: string; reason?: string }[] = [];
    for (const s of sites) {
      const fn = s.site.type === 'call' ? this.userFunction(s.site) : undefined;
      if (fn?.type === 'function_definition' && depth < MAX_DEPTH) {
        for (const ret of returnValues(fn)) out.push(...this.objectsOf(ret, depth + 1));
      } else out.push(s);
    }
    return out;
  }

  /** The module-level function or class a call's callee names, when the file defines it. */
  userFunction(call: SyntaxNode): SyntaxNode | undefined {
    const callee = call.childForFieldName('function');
    if (callee?.type !== 'identifier') return undefined;
    return this.definitionsByName().get(callee.text);
  }

  private definitionsByName(): Map<string, SyntaxNode> {
    if (!this.definitions) {
      this.definitions = new Map();
      for (const stmt of this.root.namedChildren) {
        const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
        if (def?.type !== 'function_definition' && def?.type !== 'class_definition') continue;
        const name = def.childForFieldName('name')?.text;
        if (name) this.definitions.set(name, def);
      }
    }
    return this.definitions;
  }

  private attributeSources(node: SyntaxNode, depth: number): FlowSource[] {
    const object = node.childForFieldName('object');
    const attr = node.childForFieldName('attribute')?.text;
    if (!object || !attr) return [{ site: node, definition: 'argument', unknown: true }];
    const label = `${object.text.replace(/\s+/g, '')}.${attr}`;
    const out: FlowSource[] = [];
    for (const { site: obj, reason, name } of this.objectsOf(object, depth)) {
      if (isFlags(obj)) {
        const absl = this.abslDefault(attr, label, depth);
        // FLAGS, unparsed = parser.parse_known_args() (TensorFlow's tutorials): argparse under absl's name.
        out.push(...(absl.length ? absl : this.argparseDefault(attr, label, depth)));
      } else if (obj.type === 'call' && isParseArgs(obj)) out.push(...this.argparseDefault(attr, label, depth));
      else if (obj.type === 'call') out.push(...this.instanceAttribute(obj, attr, depth, name));
      // args, _ = parser.parse_known_args(): unpacked, so not followed; its options are still the file's.
      else if (reason && /unpacked/.test(reason)) out.push(...this.argparseDefault(attr, label, depth));
    }
    return out.length ? out : [{ site: node, definition: 'argument', unknown: true }];
  }

  private subscriptSources(node: SyntaxNode, depth: number): FlowSource[] {
    const target = node.childForFieldName('value');
    const index = node.childForFieldName('subscript');
    const key = index && evalLiteral(index);
    if (!target || key?.kind !== 'string') return [{ site: node, definition: 'argument', unknown: true }];
    const out: FlowSource[] = [];
    for (const obj of this.objectsOf(target, depth)) {
      const entry = dictEntry(obj.site, key.value);
      const holder = obj.name ?? target.text.replace(/\s+/g, '');
      if (entry) out.push(...this.valueAt(entry, 'dict-entry', `${holder}.${key.value}`, depth));
      else out.push(...this.setAfterwards(obj.site, key.value, 'item', depth));
    }
    return out.length ? out : [{ site: node, definition: 'argument', unknown: true }];
  }

  /**
   * cfg.get("units", 32) on a dict the file writes: its entry, else one set afterwards, else the
   * fallback (the value then used). A dict the file does not write (os.environ) is not followed.
   */
  private getSources(node: SyntaxNode, get: NonNullable<ReturnType<typeof dictGet>>, depth: number): FlowSource[] {
    const out: FlowSource[] = [];
    for (const obj of this.objectsOf(get.target, depth)) {
      const site = unparen(obj.site);
      const isDict = site.type === 'dictionary' || (site.type === 'call' && site.childForFieldName('function')?.text === 'dict');
      if (!isDict) continue;
      const holder = obj.name ?? get.target.text.replace(/\s+/g, '');
      const entry = dictEntry(site, get.key);
      if (entry) {
        out.push(...this.valueAt(entry, 'dict-entry', `${holder}.${get.key}`, depth));
        continue;
      }
      const later = this.setAfterwards(obj.site, get.key, 'item', depth).filter((s) => !s.unknown);
      if (later.length) out.push(...later);
      else if (get.fallback) out.push(...this.valueAt(get.fallback, 'argument', `${holder}.${get.key}`, depth));
    }
    return out.length ? out : [{ site: node, definition: 'argument', unknown: true }];
  }

  /** parser.add_argument("--epochs", type=int, default=20): the default of the option whose destination is `dest`. */
  private argparseDefault(dest: string, label: string, depth: number): FlowSource[] {
    const out: FlowSource[] = [];
    for (const call of this.calls) {
      const callee = call.childForFieldName('function');
      if (callee?.type !== 'attribute' || callee.childForFieldName('attribute')?.text !== 'add_argument') continue;
      const args = argumentsOf(call);
      const strings = args.filter((a) => a.type === 'string').map((a) => evalLiteral(a)).flatMap((l) => (l?.kind === 'string' ? [l.value] : []));
      const explicit = keyword(args, 'dest');
      const explicitDest = explicit && evalLiteral(explicit);
      const long = strings.find((s) => s.startsWith('--')) ?? strings.find((s) => !s.startsWith('-')) ?? strings[0];
      const name = explicitDest?.kind === 'string' ? explicitDest.value : long?.replace(/^-+/, '').replace(/-/g, '_');
      if (name !== dest) continue;
      const dflt = keyword(args, 'default');
      if (dflt) out.push(...this.valueAt(dflt, 'cli-default', label, depth));
      else out.push({ site: call, definition: 'cli-default', name: label, reason: `the command-line option ${long ?? dest} has no default` });
    }
    return out;
  }

  /** flags.DEFINE_integer("batch_size", 64, "...") (absl, tf.compat.v1.flags): the flag's default. */
  private abslDefault(flag: string, label: string, depth: number): FlowSource[] {
    const out: FlowSource[] = [];
    for (const call of this.calls) {
      const callee = call.childForFieldName('function');
      if (!callee || !ABSL_DEFINE.test(callee.text.replace(/\s+/g, ''))) continue;
      const args = argumentsOf(call);
      const positional = args.filter((a) => a.type !== 'keyword_argument');
      const nameNode = keyword(args, 'name') ?? positional[0];
      const name = nameNode && evalLiteral(nameNode);
      if (name?.kind !== 'string' || name.value !== flag) continue;
      const dflt = keyword(args, 'default') ?? positional[1];
      if (dflt) out.push(...this.valueAt(dflt, 'cli-default', label, depth));
    }
    return out;
  }

  /** An attribute of an instance made in the file: Config(lr=...) for a dataclass field, self.x in __init__, a class attribute. */
  private instanceAttribute(call: SyntaxNode, attr: string, depth: number, holder?: string): FlowSource[] {
    const callee = call.childForFieldName('function');
    const args = argumentsOf(call);
    if (callee && NAMESPACES.has(callee.text.split('.').pop() ?? '')) {
      // A namespace has no class of its own to name it by: named by what holds it (hp.lr).
      const value = keyword(args, attr);
      return value ? this.valueAt(value, 'argument', `${holder ?? callee.text.split('.').pop()}.${attr}`, depth) : this.setAfterwards(call, attr, 'attribute', depth);
    }
    const cls = this.userFunction(call);
    if (cls?.type !== 'class_definition') return this.setAfterwards(call, attr, 'attribute', depth);
    const className = cls.childForFieldName('name')?.text ?? '';
    const label = `${className}.${attr}`;
    const init = methodNamed(cls, '__init__');
    if (init) {
      const assigned = selfAssignment(init, attr);
      if (!assigned) return this.classAttribute(cls, attr, label, depth);
      const value = unparen(assigned);
      // self.hidden = hidden: the parameter as this very call fills it.
      const param = value.type === 'identifier' ? this.paramsOf(init).find((p) => p.name === value.text) : undefined;
      if (param) {
        const passed = argumentFor(call, param);
        if (passed) return this.valueAt(passed, 'argument', label, depth);
        return param.default ? this.valueAt(param.default, 'parameter-default', label, depth) : [];
      }
      return this.valueAt(value, 'variable', label, depth);
    }
    // A dataclass (or any class without __init__ taking fields by keyword): the call's keyword, else the field's default.
    const passed = keyword(args, attr);
    if (passed) return this.valueAt(passed, 'argument', label, depth);
    return this.classAttribute(cls, attr, label, depth);
  }

  /**
   * An object made, named, then filled: config = ConfigDict(); config.lr = 0.1 (ml_collections,
   * EasyDict, SimpleNamespace()), or hp = {}; hp["units"] = 64. The last such assignment in the
   * scope that names the object.
   */
  private setAfterwards(made: SyntaxNode, key: string, how: 'attribute' | 'item', depth: number): FlowSource[] {
    const assign = made.parent?.type === 'assignment' ? made.parent : undefined;
    const holder = assign?.childForFieldName('left');
    if (holder?.type !== 'identifier') return [];
    const scope = this.scopes.enclosingScope(assign!);
    let found: SyntaxNode | undefined;
    for (const other of (scope.type === 'module' ? scope : scope.childForFieldName('body'))?.descendantsOfType('assignment') ?? []) {
      const left = other.childForFieldName('left');
      if (!left || other.startIndex < assign!.endIndex || this.scopes.enclosingScope(other).id !== scope.id) continue;
      if (how === 'attribute') {
        if (left.type !== 'attribute' || left.childForFieldName('object')?.text !== holder.text || left.childForFieldName('attribute')?.text !== key) continue;
      } else {
        const index = left.type === 'subscript' ? left.childForFieldName('subscript') : undefined;
        const lit = index && evalLiteral(index);
        if (left.childForFieldName('value')?.text !== holder.text || lit?.kind !== 'string' || lit.value !== key) continue;
      }
      found = other.childForFieldName('right') ?? found;
    }
    return found ? this.valueAt(found, how === 'attribute' ? 'variable' : 'dict-entry', `${holder.text}.${key}`, depth) : [];
  }

  private classAttribute(cls: SyntaxNode, attr: string, label: string, depth: number): FlowSource[] {
    for (const stmt of cls.childForFieldName('body')?.namedChildren ?? []) {
      const assign = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : stmt;
      if (assign?.type !== 'assignment') continue;
      if (assign.childForFieldName('left')?.text !== attr) continue;
      let right = assign.childForFieldName('right');
      // A dataclass field: lr: float = field(default=1e-3).
      if (right?.type === 'call' && /^(dataclasses\.)?field$/.test(right.childForFieldName('function')?.text ?? '')) right = keyword(argumentsOf(right), 'default') ?? null;
      if (right) return this.valueAt(right, 'class-attribute', label, depth);
    }
    return [];
  }

  // ---- loops ----

  /** `for units in [256, 128]:` (or a name bound to such a list): each element reaches the loop variable. */
  private loopElements(use: SyntaxNode, depth: number): FlowSource[] | undefined {
    const loop = enclosingLoop(use);
    if (!loop) return undefined;
    const { iterable, index, name } = loop;
    const out: FlowSource[] = [];
    for (const seq of this.valueAt(iterable, 'variable', undefined, depth)) {
      if (seq.reason) continue;
      const lit = evalLiteral(seq.site);
      if (lit?.kind !== 'sequence') continue;
      const base = seq.name ?? name;
      lit.elements.forEach((el, i) => {
        let item: SyntaxNode | undefined = el;
        if (index !== undefined) {
          const inner = unparen(el);
          item = inner.type === 'tuple' || inner.type === 'list' ? inner.namedChildren.filter((c) => c.type !== 'comment')[index] : undefined;
        }
        if (item) out.push(...this.valueAt(item, 'loop-element', `${base}.${i}`, depth));
      });
    }
    return out.length ? out : undefined;
  }
}

function push(map: Map<string, SyntaxNode[]>, key: string, node: SyntaxNode): void {
  const list = map.get(key);
  if (list) list.push(node);
  else map.set(key, [node]);
}

function within(node: SyntaxNode, ancestor: SyntaxNode): boolean {
  return node.startIndex >= ancestor.startIndex && node.endIndex <= ancestor.endIndex;
}

function isParams(node: SyntaxNode): boolean {
  return node.type === 'subscript' && node.childForFieldName('value')?.text === 'params';
}

function isFlags(node: SyntaxNode): boolean {
  return (node.type === 'identifier' || node.type === 'attribute') && /(^|\.)FLAGS$/.test(node.text.replace(/\s+/g, ''));
}

function isParseArgs(call: SyntaxNode): boolean {
  const callee = call.childForFieldName('function');
  return callee?.type === 'attribute' && PARSE_ARGS.has(callee.childForFieldName('attribute')?.text ?? '');
}

export function argumentsOf(call: SyntaxNode): SyntaxNode[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
}

function keyword(args: SyntaxNode[], name: string): SyntaxNode | undefined {
  for (const a of args) if (a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name) return a.childForFieldName('value') ?? undefined;
  return undefined;
}

/** The argument a call passes for a parameter: by keyword, or by position. */
function argumentFor(call: SyntaxNode, param: ParamInfo): SyntaxNode | undefined {
  const args = argumentsOf(call);
  const kw = keyword(args, param.name);
  if (kw) return kw;
  if (param.position === undefined) return undefined;
  let i = 0;
  for (const a of args) {
    if (a.type === 'keyword_argument') continue;
    if (a.type === 'list_splat' || a.type === 'dictionary_splat') return undefined;
    if (i++ === param.position) return a;
  }
  return undefined;
}

function methodNamed(cls: SyntaxNode, name: string): SyntaxNode | undefined {
  for (const stmt of cls.childForFieldName('body')?.namedChildren ?? []) {
    const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    if (def?.type === 'function_definition' && def.childForFieldName('name')?.text === name) return def;
  }
  return undefined;
}

/** The value of the last `self.<attr> = value` in a method. */
function selfAssignment(fn: SyntaxNode, attr: string): SyntaxNode | undefined {
  let found: SyntaxNode | undefined;
  for (const assign of fn.descendantsOfType('assignment')) {
    const left = assign.childForFieldName('left');
    if (left?.type !== 'attribute' || left.childForFieldName('object')?.text !== 'self' || left.childForFieldName('attribute')?.text !== attr) continue;
    found = assign.childForFieldName('right') ?? found;
  }
  return found;
}

/** What a function returns (not counting nested functions). */
export function returnValues(fn: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const ret of fn.descendantsOfType('return_statement')) {
    let owner = ret.parent;
    while (owner && owner.type !== 'function_definition' && owner.type !== 'lambda') owner = owner.parent;
    if (owner?.id !== fn.id) continue;
    const value = ret.namedChildren.find((c) => c.type !== 'comment');
    if (value) out.push(value);
  }
  return out;
}


/**
 * The loop that binds a name used in its body (a for statement, or a comprehension's for
 * clause): what it iterates, and which element of each item the name takes when the target is
 * a tuple (for filters, size in [(32, 3), (64, 5)]).
 */
function enclosingLoop(use: SyntaxNode): { iterable: SyntaxNode; index?: number; name: string } | undefined {
  const name = use.text;
  let child: SyntaxNode = use;
  for (let cur = use.parent; cur; child = cur, cur = cur.parent) {
    if (cur.type === 'function_definition' || cur.type === 'class_definition' || cur.type === 'lambda') return undefined;
    const clauses =
      cur.type === 'for_statement' && child.field === 'body'
        ? [cur]
        : ['list_comprehension', 'generator_expression', 'set_comprehension', 'dictionary_comprehension'].includes(cur.type)
          ? cur.namedChildren.filter((c) => c.type === 'for_in_clause')
          : [];
    for (const clause of clauses) {
      const left = clause.childForFieldName('left');
      const right = clause.childForFieldName('right');
      if (!left || !right) continue;
      if (left.type === 'identifier' && left.text === name) return { iterable: right, name };
      if (left.type === 'pattern_list' || left.type === 'tuple_pattern' || left.type === 'list_pattern') {
        const index = left.namedChildren.findIndex((c) => c.type === 'identifier' && c.text === name);
        if (index >= 0) return { iterable: right, index, name };
      }
    }
  }
  return undefined;
}

/** build_model for a function; Net for Net.__init__; Net.call for another method. */
export function functionLabel(fn: SyntaxNode): string {
  const name = fn.childForFieldName('name')?.text ?? 'lambda';
  let parent = fn.parent;
  if (parent?.type === 'decorated_definition') parent = parent.parent;
  const cls = parent?.type === 'block' ? parent.parent : undefined;
  if (cls?.type !== 'class_definition') return name;
  const className = cls.childForFieldName('name')?.text ?? '';
  return name === '__init__' ? className : `${className}.${name}`;
}
