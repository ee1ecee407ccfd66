import type { SyntaxNode } from './syntax';
import type { DefinitionKind } from './types';
import { evalLiteral, unparen } from './literals';

/** What a name used as an argument refers to: the expression it is bound to, or why not. */
/** A function parameter a name reads: its values may come from the function's call sites. */
export interface ParameterRef {
  fn: SyntaxNode;
  name: string;
}

export type Resolution =
  | { kind: 'bound'; value: SyntaxNode; definition: DefinitionKind; name: string; parameter?: ParameterRef }
  | { kind: 'unresolved'; reason: string; parameter?: ParameterRef };

type Binding = { at: number; value?: SyntaxNode; reason?: string };

interface ScopeInfo {
  node: SyntaxNode;
  /** Name -> every binding in this scope (not in nested functions or classes), in source order. */
  bindings: Map<string, Binding[]>;
  /** Function parameters: name -> default value node (null when it has none). */
  params: Map<string, SyntaxNode | null>;
}

const SCOPE_TYPES = new Set(['function_definition', 'class_definition', 'module', 'lambda']);
const MAX_CHAIN = 16;

/**
 * Resolves names to the definitions they read. Scopes are indexed lazily, once each, so a
 * file that passes only literals costs nothing here.
 */
export class ScopeResolver {
  private scopes = new Map<number, ScopeInfo>();

  constructor(private root: SyntaxNode, private allCalls?: SyntaxNode[]) {}

  /** Resolves an argument expression (a name, self.attr, Class.attr, CONFIG["key"]) through chains of names. */
  resolve(expr: SyntaxNode): Resolution | undefined {
    let node = unparen(expr);
    let last: Resolution | undefined;
    for (let i = 0; i < MAX_CHAIN; i++) {
      const step = this.resolveOnce(node);
      // The definition that a rewrite changes is the last one in the chain (the literal).
      if (!step) return last;
      if (step.kind === 'unresolved') return step;
      last = step;
      const next = unparen(step.value);
      if (!['identifier', 'attribute', 'subscript'].includes(next.type)) return step;
      node = next;
    }
    return { kind: 'unresolved', reason: 'too many chained assignments' };
  }

  private resolveOnce(node: SyntaxNode): Resolution | undefined {
    if (node.type === 'identifier') return this.resolveName(node.text, node);
    if (node.type === 'attribute') return this.resolveAttribute(node);
    if (node.type === 'subscript') return this.resolveSubscript(node);
    return undefined;
  }

  enclosingScope(node: SyntaxNode): SyntaxNode {
    let cur = node.parent;
    while (cur && !SCOPE_TYPES.has(cur.type)) cur = cur.parent;
    return cur ?? this.root;
  }

  resolveName(name: string, use: SyntaxNode): Resolution | undefined {
    let scopeNode: SyntaxNode | null = this.enclosingScope(use);
    let first = true;
    while (scopeNode) {
      // Python functions do not see the names of an enclosing class body.
      if (scopeNode.type !== 'class_definition' || first) {
        const found = this.lookIn(this.scope(scopeNode), name, use.startIndex);
        if (found) return found;
      }
      first = false;
      // The root may be an ERROR node rather than a module in a badly broken file: stop there too.
      scopeNode = scopeNode.type === 'module' || scopeNode.id === this.root.id ? null : this.enclosingScope(scopeNode);
    }
    return undefined;
  }

  /**
   * The value a name holds where it is read, for following tensors through a block
   * (x = Conv2D(...)(x)): the last assignment before the use in its own scope, even when the
   * name is a parameter the function reassigns (which resolve() refuses as a value to tune).
   */
  valueAt(use: SyntaxNode): SyntaxNode | undefined {
    if (use.type !== 'identifier') return undefined;
    const scope = this.scope(this.enclosingScope(use));
    const before = scope.bindings.get(use.text)?.filter((b) => b.at < use.startIndex);
    // The last binding decides: a loop variable or an unpacked name holds no value to follow.
    if (before?.length) return before[before.length - 1].value;
    const res = this.resolveName(use.text, use);
    return res?.kind === 'bound' ? res.value : undefined;
  }

  /**
   * The parameter whose incoming value a name reads (nothing rebinds it before the use), for
   * following a tensor out of a function to what its callers pass.
   */
  parameterAt(use: SyntaxNode): ParameterRef | undefined {
    if (use.type !== 'identifier') return undefined;
    const scopeNode = this.enclosingScope(use);
    if (scopeNode.type !== 'function_definition') return undefined;
    const scope = this.scope(scopeNode);
    if (!scope.params.has(use.text) || scope.bindings.get(use.text)?.some((b) => b.at < use.startIndex)) return undefined;
    return { fn: scopeNode, name: use.text };
  }

  private lookIn(scope: ScopeInfo, name: string, at: number): Resolution | undefined {
    if (scope.params.has(name)) {
      const dflt = scope.params.get(name);
      const fn = functionLabel(scope.node);
      const parameter = scope.node.type === 'function_definition' ? { fn: scope.node, name } : undefined;
      const reassigned = scope.bindings.get(name);
      if (reassigned?.length) return { kind: 'unresolved', reason: `parameter "${name}" is reassigned in ${fn}()` };
      if (!dflt) return { kind: 'unresolved', reason: `parameter "${name}" of ${fn}() has no default value`, parameter };
      return { kind: 'bound', value: dflt, definition: 'parameter-default', name: `${fn}.${name}`, parameter };
    }
    const list = scope.bindings.get(name);
    if (!list || list.length === 0) return undefined;
    const other = list.find((b) => b.reason);
    if (other) return { kind: 'unresolved', reason: `"${name}" is ${other.reason}` };
    const before = list.filter((b) => b.at < at);
    const pick = before.length ? before[before.length - 1] : list[0];
    const definition: DefinitionKind = scope.node.type === 'class_definition' ? 'class-attribute' : 'variable';
    const owner = scope.node.type === 'class_definition' ? `${scope.node.childForFieldName('name')?.text}.` : '';
    return { kind: 'bound', value: pick.value!, definition, name: owner + name };
  }

  private resolveAttribute(node: SyntaxNode): Resolution | undefined {
    const object = node.childForFieldName('object');
    const attr = node.childForFieldName('attribute')?.text;
    if (!object || !attr || object.type !== 'identifier') return undefined;
    const cls = object.text === 'self' ? this.enclosingClass(node) : this.classNamed(object.text);
    if (!cls) return undefined;
    const className = cls.childForFieldName('name')?.text ?? '';
    // self.x = ... assignments in the class's methods (the usual subclassed-Model shape), then class attributes.
    if (object.text === 'self') {
      const assigns = this.selfAssignments(cls).get(attr);
      if (assigns?.length) {
        const value = assigns[assigns.length - 1];
        return { kind: 'bound', value, definition: 'variable', name: `${className}.${attr}` };
      }
    }
    const body = this.scope(cls).bindings.get(attr);
    if (body?.length && body[body.length - 1].value)
      return { kind: 'bound', value: body[body.length - 1].value!, definition: 'class-attribute', name: `${className}.${attr}` };
    return undefined;
  }

  private resolveSubscript(node: SyntaxNode): Resolution | undefined {
    const target = node.childForFieldName('value');
    const index = node.childForFieldName('subscript');
    if (!target || !index) return undefined;
    const key = evalLiteral(index);
    if (!key || key.kind !== 'string') return undefined;
    let container: SyntaxNode | undefined;
    let baseName = target.text;
    if (target.type === 'identifier' || target.type === 'attribute' || target.type === 'subscript') {
      const res = this.resolve(target);
      if (!res || res.kind !== 'bound') return res;
      container = unparen(res.value);
      baseName = res.name;
    }
    if (!container) return undefined;
    const value = dictEntry(container, key.value);
    if (!value) return { kind: 'unresolved', reason: `no literal entry "${key.value}" in ${baseName}` };
    return { kind: 'bound', value, definition: 'dict-entry', name: `${baseName}.${key.value}` };
  }

  private enclosingClass(node: SyntaxNode): SyntaxNode | undefined {
    let cur = node.parent;
    while (cur && cur.type !== 'class_definition') cur = cur.parent;
    return cur ?? undefined;
  }

  private classNamed(name: string): SyntaxNode | undefined {
    for (const child of this.root.namedChildren) {
      const def = child.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
      if (def?.type === 'class_definition' && def.childForFieldName('name')?.text === name) return def;
    }
    return undefined;
  }

  private callIndex?: Map<string, SyntaxNode[]>;

  /**
   * The arguments that calls of a module-level function pass for one of its parameters
   * (conv_block(x, 128) passes 128 for filters). Calls that splat arguments are skipped.
   */
  callSiteArguments(ref: ParameterRef): SyntaxNode[] {
    // A module-level function is called by its name; a module-level class's __init__ by the class's.
    let fnName = ref.fn.childForFieldName('name')?.text;
    const owner = this.enclosingScope(ref.fn);
    let skip = 0;
    if (owner.type === 'class_definition' && fnName === '__init__' && this.enclosingScope(owner).type === 'module') {
      fnName = owner.childForFieldName('name')?.text;
      skip = 1; // self
    } else if (owner.type !== 'module') return [];
    if (!fnName) return [];
    if (!this.callIndex) {
      this.callIndex = new Map();
      for (const call of this.allCalls ?? this.root.descendantsOfType('call')) {
        const callee = call.childForFieldName('function');
        if (callee?.type !== 'identifier') continue;
        const list = this.callIndex.get(callee.text) ?? [];
        list.push(call);
        this.callIndex.set(callee.text, list);
      }
    }
    const params = ref.fn.childForFieldName('parameters')?.namedChildren ?? [];
    const names = params.map((p) => (p.type === 'identifier' ? p.text : p.childForFieldName('name')?.text ?? p.namedChildren.find((c) => c.type === 'identifier')?.text));
    const position = names.indexOf(ref.name) - skip;
    const out: SyntaxNode[] = [];
    for (const call of this.callIndex.get(fnName) ?? []) {
      const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
      if (args.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) continue;
      const kw = args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === ref.name);
      const positional = args.filter((a) => a.type !== 'keyword_argument');
      const value = kw?.childForFieldName('value') ?? (position >= 0 && !kw ? positional[position] : undefined);
      if (value) out.push(value);
    }
    return out;
  }

  private selfCache = new Map<number, Map<string, SyntaxNode[]>>();

  private selfAssignments(cls: SyntaxNode): Map<string, SyntaxNode[]> {
    const hit = this.selfCache.get(cls.id);
    if (hit) return hit;
    const out = new Map<string, SyntaxNode[]>();
    for (const assign of cls.descendantsOfType('assignment')) {
      const left = assign.childForFieldName('left');
      const right = assign.childForFieldName('right');
      if (left?.type !== 'attribute' || !right || right.type === 'assignment') continue;
      if (left.childForFieldName('object')?.text !== 'self') continue;
      const name = left.childForFieldName('attribute')!.text;
      const list = out.get(name) ?? [];
      list.push(right);
      out.set(name, list);
    }
    this.selfCache.set(cls.id, out);
    return out;
  }

  private scope(node: SyntaxNode): ScopeInfo {
    const hit = this.scopes.get(node.id);
    if (hit) return hit;
    const info: ScopeInfo = { node, bindings: new Map(), params: new Map() };
    if (node.type === 'function_definition' || node.type === 'lambda') collectParams(node, info.params);
    const body = node.type === 'module' ? node : node.childForFieldName('body');
    if (body) collectBindings(body, info.bindings);
    this.scopes.set(node.id, info);
    return info;
  }
}

function collectParams(fn: SyntaxNode, out: Map<string, SyntaxNode | null>): void {
  const params = fn.childForFieldName('parameters');
  if (!params) return;
  for (const p of params.namedChildren) {
    if (p.type === 'identifier') out.set(p.text, null);
    else if (p.type === 'typed_parameter') {
      const id = p.namedChildren.find((c) => c.type === 'identifier');
      if (id) out.set(id.text, null);
    } else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
      const name = p.childForFieldName('name');
      const value = p.childForFieldName('value');
      if (name) out.set(name.text, value);
    }
  }
}

function add(out: Map<string, Binding[]>, name: string, b: Binding): void {
  const list = out.get(name) ?? [];
  list.push(b);
  out.set(name, list);
}

function bindTargets(target: SyntaxNode, out: Map<string, Binding[]>, reason: string): void {
  if (target.type === 'identifier') add(out, target.text, { at: target.startIndex, reason });
  else for (const c of target.namedChildren) bindTargets(c, out, reason);
}

/** Bindings made directly in a scope body, not in nested functions or classes (those are their own scopes). */
function collectBindings(body: SyntaxNode, out: Map<string, Binding[]>): void {
  const stack: SyntaxNode[] = [...body.namedChildren].reverse();
  while (stack.length) {
    const node = stack.pop()!;
    switch (node.type) {
      case 'function_definition':
      case 'class_definition': {
        const name = node.childForFieldName('name');
        if (name) add(out, name.text, { at: node.startIndex, reason: `a ${node.type === 'class_definition' ? 'class' : 'function'}` });
        continue;
      }
      case 'lambda':
        continue;
      case 'assignment': {
        const left = node.childForFieldName('left');
        let right = node.childForFieldName('right');
        // a = b = 64: every target reads the innermost value.
        while (right?.type === 'assignment') {
          const inner = right.childForFieldName('left');
          if (inner?.type === 'identifier') add(out, inner.text, { at: node.endIndex, value: right.childForFieldName('right') ?? undefined });
          right = right.childForFieldName('right');
        }
        // The name is bound once the right side has been evaluated: x = Dense(8)(x) reads the previous x.
        if (left?.type === 'identifier' && right) add(out, left.text, { at: node.endIndex, value: right });
        else if (left && (left.type === 'pattern_list' || left.type === 'tuple_pattern' || left.type === 'list_pattern'))
          bindTargets(left, out, 'unpacked from a sequence');
        if (right) stack.push(right);
        continue;
      }
      case 'augmented_assignment': {
        const left = node.childForFieldName('left');
        if (left?.type === 'identifier') add(out, left.text, { at: left.startIndex, reason: `changed by ${node.childForFieldName('operator')?.text ?? 'an operator'}` });
        break;
      }
      case 'for_statement':
      case 'for_in_clause': {
        const left = node.childForFieldName('left');
        if (left) bindTargets(left, out, 'a loop variable');
        break;
      }
      case 'named_expression': {
        const name = node.childForFieldName('name');
        if (name) add(out, name.text, { at: name.startIndex, reason: 'assigned by :=' });
        break;
      }
      case 'as_pattern': {
        const alias = node.childForFieldName('alias');
        if (alias) bindTargets(alias, out, 'bound by "as"');
        break;
      }
      case 'global_statement':
      case 'nonlocal_statement':
        for (const c of node.namedChildren) add(out, c.text, { at: c.startIndex, reason: `declared ${node.type.split('_')[0]}` });
        continue;
    }
    for (let i = node.namedChildCount - 1; i >= 0; i--) stack.push(node.namedChild(i)!);
  }
}

/** The value of a string key in a dict literal, or in dict(key=value). */
export function dictEntry(written: SyntaxNode, key: string): SyntaxNode | undefined {
  const container = unparen(written);
  if (container.type === 'dictionary') {
    for (const pair of container.namedChildren) {
      if (pair.type !== 'pair') continue;
      const k = pair.childForFieldName('key');
      const lit = k && evalLiteral(k);
      if (lit?.kind === 'string' && lit.value === key) return pair.childForFieldName('value') ?? undefined;
    }
    return undefined;
  }
  if (container.type === 'call' && container.childForFieldName('function')?.text === 'dict') {
    for (const arg of container.childForFieldName('arguments')?.namedChildren ?? []) {
      if (arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === key) return arg.childForFieldName('value') ?? undefined;
    }
  }
  return undefined;
}

/** build_model for a function; Net for Net.__init__; Net.call for another method. */
function functionLabel(fn: SyntaxNode): string {
  const name = fn.childForFieldName('name')?.text ?? 'lambda';
  let parent = fn.parent;
  if (parent?.type === 'decorated_definition') parent = parent.parent;
  const cls = parent?.type === 'block' ? parent.parent : undefined;
  if (cls?.type !== 'class_definition') return name;
  const className = cls.childForFieldName('name')?.text ?? '';
  return name === '__init__' ? className : `${className}.${name}`;
}
