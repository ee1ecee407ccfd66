import type { CatalogueCall } from './calls';
import { unparen } from './literals';
import type { SyntaxNode } from './syntax';
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
export function assignIds(candidates: Candidate[], calls: CatalogueCall[], assignments: SyntaxNode[]): Hyperparameter[] {
  const withCandidates = new Set<number>();
  for (const c of candidates) withCandidates.add(c.callId);
  // Who passes each call as an argument, and which variable each call is assigned to: one pass
  // over what is already known, instead of walking up from every call.
  const passedTo = new Map<number, { call: CatalogueCall; param: string }>();
  for (const call of calls) for (const [id, param] of passedCalls(call)) passedTo.set(id, { call, param });
  const assigned = new Map<number, string>();
  for (const assign of assignments) {
    const target = assignmentTarget(assign);
    if (target) assigned.set(target[0], target[1]);
  }
  const prefixes = new Map<number, string>();
  const uniquePrefix = uniqueNamer();
  const counters = new Map<string, number>();
  const unique = uniqueNamer();

  const prefixOf = (call: CatalogueCall): string => {
    const known = prefixes.get(call.id);
    if (known) return known;
    // A method's result (history = model.fit(...)) says nothing about the call: keep fit, compile.
    // So does a helper's (x = conv_bn(x, 64, kernel_size=3) returns a tensor, not the layer).
    let prefix = call.explicitName ?? (call.spec.kind === 'method' || call.wrapper === 'function' ? undefined : assigned.get(call.id));
    if (!prefix) {
      const parent = passedTo.get(call.id);
      if (parent && withCandidates.has(parent.call.id)) prefix = `${prefixOf(parent.call)}.${parent.param}`;
    }
    if (!prefix) {
      const n = counters.get(call.spec.id) ?? 0;
      counters.set(call.spec.id, n + 1);
      prefix = n === 0 ? call.spec.id : `${call.spec.id}_${n}`;
    }
    prefix = uniquePrefix(prefix);
    prefixes.set(call.id, prefix);
    return prefix;
  };

  // Prefixes in source order, so numbering follows the file; super().__init__ calls in a subclass
  // last, and only when a value written there needs one: the user's calls of the class come first.
  let supers = false;
  for (const call of calls) {
    if (call.wrapper === 'super') supers = true;
    else if (withCandidates.has(call.id)) prefixOf(call);
  }
  if (supers) {
    const named = new Set<number>();
    for (const c of candidates) if (c.definitionName === undefined) named.add(c.callId);
    for (const call of calls) if (call.wrapper === 'super' && named.has(call.id)) prefixOf(call);
  }

  return candidates.map((cand) => {
    const prefix = cand.definitionName === undefined ? prefixes.get(cand.callId)! : '';
    // An implicit value's span is empty, where its keyword argument would be inserted.
    const start = cand.insertAt === 'after' ? cand.site.endIndex : cand.insertAt === 'inside' ? cand.site.startIndex + 1 : cand.site.startIndex;
    const end = cand.insertAt ? start : cand.site.endIndex;
    const hp: Hyperparameter = {
      id: unique(baseName(cand, prefix)),
      call: cand.call,
      param: cand.param,
      writtenAs: cand.writtenAs,
      value: cand.value,
      type: cand.type,
      tupleSize: cand.tupleSize,
      element: cand.element,
      tunable: cand.tunable,
      kind: cand.kind,
      reason: cand.reason,
      span: { start, end },
      definition: cand.definition,
      current: cand.current,
      uses: cand.uses.map((u) => ({ start: u.startIndex, end: u.endIndex })),
      space: cand.space,
      doc: cand.doc,
    };
    if (cand.insertion) hp.insertion = cand.insertion;
    if (cand.template) hp.template = cand.template;
    if (cand.dropsFor) hp.dropsFor = cand.dropsFor;
    return hp;
  });
}

/** A candidate's id before it is made unique (joining strings costs less than remembering them per candidate). */
function baseName(cand: Candidate, prefix: string): string {
  const base = cand.definitionName ?? `${prefix}.${cand.idParam ?? cand.param}`;
  return cand.element === undefined ? base : `${base}.${cand.element}`;
}

/** What each call and assignment says about ids, kept while the node is (they are reused across edits). */
const passedMemo = new WeakMap<CatalogueCall, [number, string][]>();
const targetMemo = new WeakMap<SyntaxNode, [number, string] | null>();

/** The calls a call is passed as arguments: [call node id, keyword or parameter]. */
function passedCalls(call: CatalogueCall): [number, string][] {
  let out = passedMemo.get(call);
  if (out) return out;
  out = [];
  for (const arg of call.args) {
    const value = unparen(arg.value);
    if (value.type === 'call') out.push([value.id, arg.param.name]);
  }
  for (const pass of call.passes) out.push([pass.value.id, pass.keyword]);
  passedMemo.set(call, out);
  return out;
}

/** [call node id, name] when an assignment assigns a call (x = Dense(..) gives x; self.d1 = Dense(..) gives d1). */
function assignmentTarget(assign: SyntaxNode): [number, string] | null {
  let out = targetMemo.get(assign);
  if (out !== undefined) return out;
  out = null;
  const right = assign.childForFieldName('right');
  const value = right && unparen(right);
  const left = assign.childForFieldName('left');
  if (value?.type === 'call' && left?.type === 'identifier') out = [value.id, left.text];
  else if (value?.type === 'call' && left?.type === 'attribute' && left.childForFieldName('object')?.text === 'self') {
    const attr = left.childForFieldName('attribute')?.text;
    if (attr) out = [value.id, attr];
  }
  targetMemo.set(assign, out);
  return out;
}

/** Gives each name once: base, then base_1, base_2... (remembering where each base's count is). */
function uniqueNamer(): (base: string) => string {
  const used = new Set<string>();
  const next = new Map<string, number>();
  return (base) => {
    if (!used.has(base)) {
      used.add(base);
      return base;
    }
    let name = base;
    let n = next.get(base) ?? 1;
    while (used.has(name)) name = `${base}_${n++}`;
    next.set(base, n);
    used.add(name);
    return name;
  };
}
