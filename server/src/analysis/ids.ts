import type { CatalogueCall } from './calls';
import { evalLiteral, unparen } from './literals';
import type { SyntaxNode } from './parse';
import type { Candidate } from './scan';
import type { Hyperparameter } from './types';

/**
 * Readable ids, unique in the file. A call's prefix is, in order of preference: its explicit
 * name='...' argument; the variable it is assigned to (actv = ReLU(...) -> actv); the argument
 * of another call it is passed to (dense.kernel_regularizer); else the Keras layer name
 * (dense, dense_1, dense_2 as in model.summary()), counting only calls that have
 * hyperparameters, so adding other lines changes no id. A value held in a variable, dict entry
 * or parameter default is named after it (units, CONFIG.lr, build_model.units).
 */
export function assignIds(candidates: Candidate[], calls: CatalogueCall[]): Hyperparameter[] {
  const withCandidates = new Set(candidates.map((c) => c.callNode.id));
  const callById = new Map(calls.map((c) => [c.node.id, c]));
  const prefixes = new Map<number, string>();
  const usedPrefixes = new Set<string>();
  const counters = new Map<string, number>();
  const taken = new Set<string>();
  const unique = (base: string) => {
    let id = base;
    for (let n = 1; taken.has(id); n++) id = `${base}_${n}`;
    taken.add(id);
    return id;
  };

  const prefixOf = (call: CatalogueCall): string => {
    const known = prefixes.get(call.node.id);
    if (known) return known;
    // A method's result (history = model.fit(...)) says nothing about the call: keep fit, compile.
    let prefix = explicitName(call.node) ?? (call.spec.kind === 'method' ? undefined : assignedName(call.node));
    if (!prefix) {
      const parent = enclosingCatalogueArg(call.node, callById);
      if (parent && withCandidates.has(parent.call.node.id)) prefix = `${prefixOf(parent.call)}.${parent.param}`;
    }
    if (!prefix) {
      const n = counters.get(call.spec.id) ?? 0;
      counters.set(call.spec.id, n + 1);
      prefix = n === 0 ? call.spec.id : `${call.spec.id}_${n}`;
    }
    for (let n = 1, base = prefix; usedPrefixes.has(prefix); n++) prefix = `${base}_${n}`;
    usedPrefixes.add(prefix);
    prefixes.set(call.node.id, prefix);
    return prefix;
  };

  // Prefixes in source order, so numbering follows the file.
  for (const call of calls) if (withCandidates.has(call.node.id)) prefixOf(call);

  return candidates.map((cand) => {
    const { callNode, definitionName, ...rest } = cand;
    const call = callById.get(callNode.id)!;
    let base: string;
    if (definitionName) base = definitionName;
    else base = `${prefixOf(call)}.${cand.param}`;
    if (cand.element !== undefined) base += `.${cand.element}`;
    return { id: unique(base), ...rest };
  });
}

function explicitName(call: SyntaxNode): string | undefined {
  for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (arg.type !== 'keyword_argument' || arg.childForFieldName('name')?.text !== 'name') continue;
    const lit = evalLiteral(arg.childForFieldName('value')!);
    if (lit?.kind === 'string' && lit.value.trim()) return lit.value.trim().replace(/[^\p{L}\p{N}_]+/gu, '_');
  }
  return undefined;
}

function assignedName(call: SyntaxNode): string | undefined {
  let node = call;
  while (node.parent?.type === 'parenthesized_expression') node = node.parent;
  const parent = node.parent;
  if (parent?.type !== 'assignment' || parent.childForFieldName('right')?.id !== node.id) return undefined;
  const left = parent.childForFieldName('left');
  if (left?.type === 'identifier') return left.text;
  if (left?.type === 'attribute' && left.childForFieldName('object')?.text === 'self') return left.childForFieldName('attribute')?.text;
  return undefined;
}

/** The catalogue call and parameter this call is passed to as an argument, if any. */
function enclosingCatalogueArg(call: SyntaxNode, callById: Map<number, CatalogueCall>): { call: CatalogueCall; param: string } | undefined {
  let node = call;
  while (node.parent?.type === 'parenthesized_expression') node = node.parent;
  let parent = node.parent;
  let keyword: string | undefined;
  if (parent?.type === 'keyword_argument') {
    keyword = parent.childForFieldName('name')?.text;
    node = parent;
    parent = parent.parent;
  }
  if (parent?.type !== 'argument_list') return undefined;
  const outer = parent.parent && callById.get(parent.parent.id);
  if (!outer) return undefined;
  const matched = outer.args.find((a) => unparen(a.value).id === call.id);
  if (matched) return { call: outer, param: matched.param.name };
  return keyword ? { call: outer, param: keyword } : undefined;
}
