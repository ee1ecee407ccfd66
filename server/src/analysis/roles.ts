import type { CatalogueCall } from './calls';
import { importedPath, type ImportBindings } from './imports';
import { unparen } from './literals';
import type { NodeIndex } from './nodeIndex';
import type { SyntaxNode } from './syntax';
import type { ScopeResolver } from './scopes';

/**
 * Task awareness: which layer calls produce the model's output. Their width and activation are
 * set by the task (classes, targets), so tuning them would change the problem, not the model.
 * Found from Sequential([...]) lists, model.add(...) sequences, Model(inputs, outputs) in the
 * functional API and the return of a subclassed Model's call().
 */
export function findOutputLayers(
  calls: CatalogueCall[],
  parts: NodeIndex[],
  text: string,
  scopes: ScopeResolver,
  imports: ImportBindings,
): Set<number> {
  const byStart = new Map<number, CatalogueCall>();
  for (const c of calls) byStart.set(c.id, c);
  const outputs = new Set<number>();
  const tracer = new Tracer(byStart, scopes, outputs);

  const addSequences = new Map<string, SyntaxNode[]>();
  for (const c of calls) {
    if (c.spec.kind === 'model' && c.spec.name === 'Sequential') {
      const first = c.node.childForFieldName('arguments')?.namedChildren.find((a) => a.type !== 'comment' && a.type !== 'keyword_argument');
      const kw = c.node.childForFieldName('arguments')?.namedChildren.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'layers');
      const list = first ?? kw?.childForFieldName('value');
      if (list && (list.type === 'list' || list.type === 'tuple')) tracer.sequence(list.namedChildren.filter((e) => e.type !== 'comment'));
    }
    if (c.spec.kind === 'model' && c.spec.name === 'Model') {
      const args = c.node.childForFieldName('arguments')?.namedChildren ?? [];
      const kw = args.find((a) => a.type === 'keyword_argument' && ['outputs', 'output'].includes(a.childForFieldName('name')?.text ?? ''));
      const positional = args.filter((a) => a.type !== 'keyword_argument' && a.type !== 'comment');
      const out = kw?.childForFieldName('value') ?? positional[1];
      if (out) tracer.trace(out);
    }
  }
  // model.add(layer) sequences, one per receiver in one scope.
  for (const part of parts) {
    for (const { call, receiver, layer } of addCalls(part, text)) {
      const key = `${scopes.enclosingScope(call).id}:${receiver}`;
      const list = addSequences.get(key) ?? [];
      list.push(layer);
      addSequences.set(key, list);
    }
  }
  for (const seq of addSequences.values()) tracer.sequence(seq);
  // Subclassed models: what call() returns.
  for (const cls of parts.flatMap((p) => p.classes)) {
    const bases = cls.childForFieldName('superclasses')?.namedChildren ?? [];
    const isModel = bases.some((b) => {
      const path = importedPath(b, imports) ?? (b.type === 'identifier' ? b.text : '');
      return /(^|\.)Model$/.test(path);
    });
    if (!isModel) continue;
    for (const ret of cls.descendantsOfType('return_statement')) {
      let fn = ret.parent;
      while (fn && fn.type !== 'function_definition') fn = fn.parent;
      if (fn?.childForFieldName('name')?.text !== 'call') continue;
      const value = ret.namedChildren[0];
      if (value) tracer.trace(value);
    }
  }
  return outputs;
}

interface AddCall {
  call: SyntaxNode;
  /** The text of what .add is called on (model). */
  receiver: string;
  layer: SyntaxNode;
}

/** The x.add(layer) calls of one statement, kept while the statement is. */
const addCallsMemo = new WeakMap<NodeIndex, AddCall[]>();
const ADD = /[\w.\s]*\.\s*add\s*\(/y;

export function addCalls(part: NodeIndex, text: string): AddCall[] {
  let out = addCallsMemo.get(part);
  if (out) return out;
  out = [];
  for (const call of part.calls) {
    // A cheap look at the text first: most calls are not .add(...).
    ADD.lastIndex = call.startIndex;
    if (!ADD.test(text)) continue;
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'add') continue;
    const layer = call.childForFieldName('arguments')?.namedChildren.find((a) => a.type !== 'comment');
    if (layer) out.push({ call, receiver: fn.childForFieldName('object')?.text ?? '', layer });
  }
  addCallsMemo.set(part, out);
  return out;
}

class Tracer {
  private visited = new Set<number>();

  constructor(private calls: Map<number, CatalogueCall>, private scopes: ScopeResolver, private outputs: Set<number>) {}

  /** Layers in order (a Sequential list or model.add arguments): the last, and the ones before it while the last keep the width. */
  sequence(items: SyntaxNode[]): void {
    for (let i = items.length - 1; i >= 0; i--) {
      const layer = this.layerOf(items[i]);
      if (!layer) return;
      this.mark(layer);
      if (!layer.spec.passthrough) return;
    }
  }

  /** Follows a tensor expression back to the layer calls that made it. */
  trace(expr: SyntaxNode, depth = 0): void {
    if (depth > 64 || this.visited.has(expr.id)) return;
    this.visited.add(expr.id);
    const node = unparen(expr);
    if (node.type === 'list' || node.type === 'tuple') {
      for (const e of node.namedChildren) this.trace(e, depth + 1);
      return;
    }
    if (node.type === 'identifier' || node.type === 'attribute' || node.type === 'subscript') {
      const res = this.scopes.resolve(node);
      if (res?.kind === 'bound') this.trace(res.value, depth + 1);
      return;
    }
    if (node.type !== 'call') return;
    const layer = this.layerOf(node.childForFieldName('function')!);
    if (!layer) return;
    this.mark(layer);
    if (layer.spec.passthrough) {
      const input = node.childForFieldName('arguments')?.namedChildren.find((a) => a.type !== 'comment');
      if (input) this.trace(input, depth + 1);
    }
  }

  private mark(layer: CatalogueCall): void {
    this.outputs.add(layer.id);
    if (layer.spec.wrapper) {
      const inner = layer.node.childForFieldName('arguments')?.namedChildren.find((a) => a.type !== 'comment');
      const innerLayer = inner && this.layerOf(inner);
      if (innerLayer) this.outputs.add(innerLayer.id);
    }
  }

  /** The catalogue layer call an expression denotes: Dense(10), or a name / self.attr bound to one. */
  private layerOf(expr: SyntaxNode): CatalogueCall | undefined {
    let node = unparen(expr);
    for (let i = 0; i < 8; i++) {
      if (node.type === 'call') {
        const hit = this.calls.get(node.id);
        return hit && hit.spec.kind === 'layer' ? hit : undefined;
      }
      if (node.type !== 'identifier' && node.type !== 'attribute') return undefined;
      const res = this.scopes.resolve(node);
      if (res?.kind !== 'bound') return undefined;
      node = unparen(res.value);
    }
    return undefined;
  }
}
