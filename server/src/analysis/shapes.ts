import type { CallableSpec } from '../catalogue/types';
import type { CatalogueCall } from './calls';
import { evalLiteral, unparen } from './literals';
import type { NodeIndex } from './nodeIndex';
import { addCalls } from './roles';
import type { Candidate } from './scan';
import type { ScopeResolver } from './scopes';
import type { SyntaxNode } from './syntax';
import type { SearchSpace } from './types';

/**
 * Shape-safe search: where the spatial size of the input is known statically (an
 * Input(shape=...), an input_shape=, a Sequential or functional chain of layers), narrows the
 * ranges of kernel sizes, pool sizes and strides so that no combination of values in the space
 * shrinks a feature map below 1 (a trial that would fail with "Computed output size would be
 * zero or negative" is never drawn). The values as written are always kept in the space.
 */

/** One layer of a chain: the constructor call (Conv2D(...)) and its catalogue match, if any. */
interface Step {
  node: SyntaxNode;
  call?: CatalogueCall;
}

type Prev = { kind: 'layer'; step: Step } | { kind: 'input'; shape: number[] } | undefined;

/** A tuned value that acts on the spatial size: its candidate, the axes it sets, and the values it may take. */
interface Domain {
  index: number;
  param: string;
  axes: number[] | 'all';
  current: number;
  values: number[];
  changed: boolean;
}

const CONV = /^(Conv|Convolution|SeparableConv|SeparableConvolution|DepthwiseConv)([123])D$/;
const CONV_T = /^Conv([123])DTranspose$/;
const POOL = /^(MaxPooling|MaxPool|AveragePooling|AvgPool)([123])D$/;
const ENDS = /^(Flatten|GlobalMaxPooling[123]D|GlobalAveragePooling[123]D|GlobalMaxPool[123]D|GlobalAvgPool[123]D|LSTM|GRU|SimpleRNN|Bidirectional)$/;
/** Layers that keep the spatial size (besides the catalogue's passthrough ones). */
const KEEPS = /^(Dense|Dropout|SpatialDropout[123]D|GaussianNoise|GaussianDropout|AlphaDropout|BatchNormalization|LayerNormalization|GroupNormalization|Activation|ReLU|LeakyReLU|PReLU|ELU|Softmax|Rescaling|Normalization|RandomFlip|RandomRotation|RandomZoom|RandomTranslation|RandomContrast|RandomBrightness|TimeDistributed)$/;
const MAX_STEPS = 200;

export function boundSpatialSpaces(
  candidates: Candidate[],
  calls: CatalogueCall[],
  parts: NodeIndex[],
  text: string,
  scopes: ScopeResolver,
): Candidate[] {
  const spatial = calls.filter((c) => isSpatial(c.spec));
  if (spatial.length === 0) return candidates;
  const byId = new Map<number, CatalogueCall>();
  for (const c of calls) byId.set(c.id, c);
  const chains = new ChainFinder(byId, parts, text, scopes);
  const tunedAt = new Map<number, number[]>();
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i];
    if (!SPATIAL_PARAMS.includes(c.param) || !c.tunable || !c.space || typeof c.current !== 'number') continue;
    const list = tunedAt.get(c.callId);
    if (list) list.push(i);
    else tunedAt.set(c.callId, [i]);
  }
  if (tunedAt.size === 0) return candidates;

  // Candidates are shared with the previous scan (never changed in place): copied once, on the first bound.
  let out: Candidate[] | undefined;
  const done = new Set<number>();
  // Last layer first (calls are in source order): its chain holds the layers before it, whose own chains are then skipped.
  for (let at = spatial.length - 1; at >= 0; at--) {
    const layer = spatial[at];
    if (done.has(layer.id)) continue;
    const chain = chains.chainTo(layer);
    if (!chain) continue;
    for (const s of chain.steps) if (s.call) done.add(s.call.id);
    const bounded = boundChain(chain, out ?? candidates, tunedAt, scopes);
    if (bounded.size === 0) continue;
    out ??= [...candidates];
    for (const [i, cand] of bounded) out[i] = cand;
  }
  return out ?? candidates;
}

interface Chain {
  /** The input's shape without the batch axis, channels last. */
  shape: number[];
  steps: Step[];
}

class ChainFinder {
  /** A layer written in a Sequential list or model.add calls: the layer before it (resolved once), or null for the first. */
  private before = new Map<number, SyntaxNode | null>();

  constructor(private calls: Map<number, CatalogueCall>, parts: NodeIndex[], text: string, private scopes: ScopeResolver) {
    for (const c of calls.values()) {
      if (c.spec.kind !== 'model' || c.spec.name !== 'Sequential') continue;
      const args = c.node.childForFieldName('arguments')?.namedChildren ?? [];
      const first = args.find((a) => a.type !== 'comment' && a.type !== 'keyword_argument');
      const kw = args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'layers');
      const list = first ?? kw?.childForFieldName('value');
      if (list && (list.type === 'list' || list.type === 'tuple')) this.addSequence(list.namedChildren.filter((e) => e.type !== 'comment'));
    }
    const adds = new Map<string, SyntaxNode[]>();
    for (const part of parts) {
      for (const { call, receiver, layer } of addCalls(part, text)) {
        const key = `${scopes.enclosingScope(call).id}:${receiver}`;
        const list = adds.get(key) ?? [];
        list.push(layer);
        adds.set(key, list);
      }
    }
    for (const seq of adds.values()) this.addSequence(seq);
  }

  private addSequence(items: SyntaxNode[]): void {
    let prev: SyntaxNode | null = null;
    const seen = new Set<number>();
    for (const item of items) {
      const node = this.constructorOf(item);
      // A later sequence holding the layer wins; within one, its first place.
      if (node && !seen.has(node.id)) {
        seen.add(node.id);
        this.before.set(node.id, prev);
      }
      // A layer optpar cannot resolve breaks the sequence: what follows has no known input.
      prev = node ?? null;
    }
  }

  /** The layer constructor call an expression denotes: Conv2D(...), or a name bound to one. */
  private constructorOf(expr: SyntaxNode): SyntaxNode | undefined {
    let node = unparen(expr);
    for (let i = 0; i < 8; i++) {
      if (node.type === 'call') return node;
      if (node.type !== 'identifier' && node.type !== 'attribute') return undefined;
      const res = this.scopes.resolve(node);
      if (res?.kind !== 'bound') return undefined;
      node = unparen(res.value);
    }
    return undefined;
  }

  private step(node: SyntaxNode): Step {
    return { node, call: this.calls.get(node.id) };
  }

  /** The chain of layers from a known input shape to this layer, or undefined when the input is unknown. */
  chainTo(layer: CatalogueCall): Chain | undefined {
    const steps: Step[] = [this.step(layer.node)];
    for (let i = 0; i < MAX_STEPS; i++) {
      const own = inputShapeOf(steps[0], this.scopes);
      if (own) return { shape: own, steps };
      const prev = this.previous(steps[0]);
      if (!prev) return undefined;
      if (prev.kind === 'input') return { shape: prev.shape, steps };
      steps.unshift(prev.step);
    }
    return undefined;
  }

  private previous(step: Step): Prev {
    if (this.before.has(step.node.id)) {
      const before = this.before.get(step.node.id);
      if (!before) return undefined;
      const shape = inputCallShape(before, this.calls, this.scopes);
      return shape ? { kind: 'input', shape } : { kind: 'layer', step: this.step(before) };
    }
    // Functional: Conv2D(...)(x), where x was made by another layer or is an Input.
    const applied = step.node.parent;
    if (applied?.type !== 'call' || applied.childForFieldName('function')?.id !== step.node.id) return undefined;
    const input = applied.childForFieldName('arguments')?.namedChildren.find((a) => a.type !== 'comment' && a.type !== 'keyword_argument');
    if (!input) return undefined;
    let tensor = unparen(input);
    for (let i = 0; i < 8 && (tensor.type === 'identifier' || tensor.type === 'attribute'); i++) {
      const res = this.scopes.resolve(tensor);
      if (res?.kind !== 'bound') return undefined;
      tensor = unparen(res.value);
    }
    if (tensor.type !== 'call') return undefined;
    const shape = inputCallShape(tensor, this.calls, this.scopes);
    if (shape) return { kind: 'input', shape };
    const fn = tensor.childForFieldName('function');
    if (fn?.type !== 'call') return undefined;
    return { kind: 'layer', step: this.step(fn) };
  }
}

function simpleName(node: SyntaxNode): string {
  const fn = node.childForFieldName('function');
  const text = fn?.text ?? '';
  return text.slice(text.lastIndexOf('.') + 1);
}

/** The argument passed for a parameter: by keyword, or by position for catalogue calls. */
function argument(step: Step, name: string): SyntaxNode | undefined {
  const call = step.call;
  if (call) {
    for (const a of call.args) if (a.param.name === name) return a.value;
    // The catalogue's reading holds every argument for the parameters it lists (a user's
    // wrapper keeps the ones of its own signature for itself).
    if (!call.wrapper && listed(call.spec).has(name)) return undefined;
  }
  for (const a of step.node.childForFieldName('arguments')?.namedChildren ?? []) {
    if (a.type !== 'keyword_argument') continue;
    const key = a.childForFieldName('name');
    // Lengths first: reading a name's text copies it.
    if (key && key.endIndex - key.startIndex === name.length && key.text === name) return a.childForFieldName('value') ?? undefined;
  }
  return undefined;
}

const listedParams = new WeakMap<CallableSpec, Set<string>>();

function listed(spec: CallableSpec): Set<string> {
  let names = listedParams.get(spec);
  if (!names) listedParams.set(spec, (names = new Set(spec.params.map((p) => p.name))));
  return names;
}

/** A layer that can shrink a feature map: a convolution or a pool. */
function isSpatial(spec: CallableSpec): boolean {
  if (spec.kind !== 'layer') return false;
  const kind = specClass(spec).kind;
  return kind === 'conv' || kind === 'pool';
}

/** A literal (or a name bound to one) as numbers per axis, a string, or undefined. */
function literalOf(expr: SyntaxNode | undefined, scopes: ScopeResolver): number[] | string | undefined {
  if (!expr) return undefined;
  let node = unparen(expr);
  if (node.type === 'identifier' || node.type === 'attribute' || node.type === 'subscript') {
    namesRead++;
    const res = scopes.resolve(node);
    if (res?.kind !== 'bound') return undefined;
    node = unparen(res.value);
  }
  if (node.type === 'tuple' || node.type === 'list') {
    // (3, 3): read element by element, without building the sequence's literal.
    const out: number[] = [];
    for (const e of node.namedChildren) {
      if (e.type === 'comment') continue;
      const v = intOf(e);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }
  if (node.type === 'string') {
    const lit = evalLiteral(node);
    return lit?.kind === 'string' ? lit.value : undefined;
  }
  const v = intOf(node);
  return v === undefined ? undefined : [v];
}

function intOf(node: SyntaxNode): number | undefined {
  const lit = evalLiteral(node);
  return lit?.kind === 'number' && lit.isInt ? lit.value : undefined;
}

/** A shape tuple of int literals ((8, 8, 1)); None axes make it unknown. */
function shapeOf(expr: SyntaxNode | undefined, scopes: ScopeResolver): number[] | undefined {
  const v = literalOf(expr, scopes);
  return Array.isArray(v) && v.length > 0 ? v : undefined;
}

/** input_shape= on the first layer of a chain. */
function inputShapeOf(step: Step, scopes: ScopeResolver): number[] | undefined {
  const shape = argument(step, 'input_shape');
  return shape ? shapeOf(shape, scopes) : undefined;
}

/** The shape of an Input(shape=...) / InputLayer(...) call. */
function inputCallShape(node: SyntaxNode, calls: Map<number, CatalogueCall>, scopes: ScopeResolver): number[] | undefined {
  const call = calls.get(node.id);
  const name = call?.spec.name ?? simpleName(node);
  if (name !== 'Input' && name !== 'InputLayer') return undefined;
  return shapeOf(argument({ node, call }, 'shape') ?? argument({ node, call }, 'input_shape'), scopes);
}

/** The values a tuned candidate may take, in ascending order. */
function valuesOf(space: SearchSpace): number[] | undefined {
  if (space.kind === 'choice') {
    if (!space.options.every((o) => typeof o === 'number')) return undefined;
    return [...(space.options as number[])].sort((a, b) => a - b);
  }
  if (space.kind === 'uniformint' && space.high - space.low <= 64) {
    const out: number[] = [];
    for (let v = space.low; v <= space.high; v++) out.push(v);
    return out;
  }
  return undefined;
}

function spaceFrom(old: SearchSpace, values: number[]): SearchSpace {
  if (old.kind === 'choice') return { kind: 'choice', options: values };
  return { kind: 'uniformint', low: values[0], high: values[values.length - 1] };
}

const SPATIAL_PARAMS = ['kernel_size', 'pool_size', 'strides'];

/** The candidates a chain's bounds change, by index. */
function boundChain(chain: Chain, candidates: Candidate[], tunedAt: Map<number, number[]>, scopes: ScopeResolver): Map<number, Candidate> {
  // The tuned spatial values along the chain (an earlier chain through the same layer may have fixed some already).
  const indices: number[] = [];
  const inputs: Candidate[] = [];
  for (const step of chain.steps) {
    for (const i of (step.call && tunedAt.get(step.call.id)) || []) {
      const c = candidates[i];
      if (!c.tunable || !c.space) continue;
      indices.push(i);
      inputs.push(c);
    }
  }
  // Nothing tuned along the chain: nothing to bound.
  if (!inputs.length) return new Map();
  const facts = chain.steps.map((step, i) => stepFacts(step, i, scopes));
  const last = chain.steps[chain.steps.length - 1].node;
  const kept = chainMemo.get(last);
  if (kept && sameChain(kept, chain, facts, inputs)) {
    const reused = new Map<number, Candidate>();
    kept.outputs.forEach((o, k) => o && reused.set(indices[k], o));
    return reused;
  }
  // The domains of the tuned values, per step.
  const domains: Domain[][] = [];
  for (const step of chain.steps) {
    const own: Domain[] = [];
    for (const i of (step.call && tunedAt.get(step.call.id)) || []) {
      const c = candidates[i];
      const values = c.tunable && c.space ? valuesOf(c.space) : undefined;
      if (values) own.push({ index: i, param: c.param, axes: c.element !== undefined ? [c.element] : 'all', current: c.current as number, values, changed: false });
    }
    domains.push(own);
  }
  const out = domains.some((d) => d.length) ? simulateBounds(chain, facts, domains, candidates) : new Map<number, Candidate>();
  chainMemo.set(last, { steps: chain.steps.slice(), shape: chain.shape, facts, inputs, outputs: indices.map((i) => out.get(i)) });
  return out;
}

/**
 * A chain's bounds, kept while everything they were computed from is the same object: the
 * syntax copy keeps the nodes of unchanged statements and the scan their calls and candidates,
 * so after an edit only the chains through the edited statement are simulated again.
 */
interface ChainMemo {
  steps: Step[];
  shape: number[];
  facts: StepFacts[];
  inputs: Candidate[];
  outputs: (Candidate | undefined)[];
}
const chainMemo = new WeakMap<SyntaxNode, ChainMemo>();

function sameChain(kept: ChainMemo, chain: Chain, facts: StepFacts[], inputs: Candidate[]): boolean {
  if (kept.steps.length !== chain.steps.length || kept.shape.length !== chain.shape.length || kept.inputs.length !== inputs.length) return false;
  for (let i = 0; i < chain.steps.length; i++) {
    if (kept.steps[i].node !== chain.steps[i].node || kept.steps[i].call !== chain.steps[i].call || kept.facts[i] !== facts[i]) return false;
  }
  for (let i = 0; i < chain.shape.length; i++) if (kept.shape[i] !== chain.shape[i]) return false;
  for (let i = 0; i < inputs.length; i++) if (kept.inputs[i] !== inputs[i]) return false;
  return true;
}

/** Narrows the domains until no combination shrinks a feature map below 1; the candidates it changes. */
function simulateBounds(chain: Chain, facts: StepFacts[], domains: Domain[][], candidates: Candidate[]): Map<number, Candidate> {
  for (let round = 0; round < 500; round++) {
    const failing = simulate(chain, facts, domains);
    if (failing === undefined) break;
    if (failing < 0) return new Map(); // a layer optpar cannot follow: leave the spaces as they are
    // Shrink the value with the most room above the one written, so the bounds spread over the
    // layers instead of pinning the first one (ties: the layer nearest the failure).
    let pick: Domain | undefined;
    let room = 1;
    for (let j = failing; j >= 0; j--) {
      for (const d of domains[j]) {
        const r = d.values[d.values.length - 1] / d.current;
        if (r > room) {
          room = r;
          pick = d;
        }
      }
    }
    const shrunk = pick !== undefined;
    if (pick) {
      pick.values = pick.values.slice(0, -1);
      pick.changed = true;
    }
    if (!shrunk) break; // the code as written already fails here: nothing to protect
  }

  const out = new Map<number, Candidate>();
  for (const d of domains.flat()) {
    if (!d.changed) continue;
    const c = candidates[d.index];
    const space = spaceFrom(c.space!, d.values);
    out.set(
      d.index,
      d.values.length > 1
        ? { ...c, space }
        : { ...c, tunable: false, kind: 'fixed-by-task', space: undefined, reason: `the feature map is too small here for any other ${c.param} (a larger one would shrink it below 1)` },
    );
  }
  return out;
}

/** Names literalOf has resolved (a step whose facts read none depends on its own text only). */
let namesRead = 0;
/** Facts of a step that reads no names, kept while its call (or node) is the same object. */
const factsMemo = new WeakMap<object, { first: boolean; facts: StepFacts }>();

function stepFacts(step: Step, index: number, scopes: ScopeResolver): StepFacts {
  const key = step.call ?? step.node;
  const hit = factsMemo.get(key);
  if (hit && hit.first === (index === 0)) return hit.facts;
  const before = namesRead;
  const facts = factsOf(step, index, scopes);
  if (namesRead === before) factsMemo.set(key, { first: index === 0, facts });
  return facts;
}

/** What simulating a step needs, read once per chain: its kind and the values written in it. */
type StepFacts =
  | { kind: 'end' }
  | { kind: 'keep' }
  | { kind: 'unknown' }
  | { kind: 'embedding' }
  | { kind: 'upsample'; size: number[] }
  | { kind: 'conv' | 'transpose' | 'pool'; rank: number; same: boolean; kernel?: number[]; strides?: number[]; stridesFromPool: boolean; dilation: number[] };

/** What a layer does to the spatial size, by its class name alone. */
type LayerClass =
  | { kind: 'end' }
  | { kind: 'keep' }
  | { kind: 'unknown' }
  | { kind: 'embedding' }
  | { kind: 'upsample' }
  | { kind: 'conv' | 'transpose' | 'pool'; rank: number };

function classify(name: string, passthrough: boolean): LayerClass {
  if (ENDS.test(name)) return { kind: 'end' };
  if (passthrough || KEEPS.test(name)) return { kind: 'keep' };
  if (/^UpSampling[123]D$/.test(name)) return { kind: 'upsample' };
  if (name === 'Embedding') return { kind: 'embedding' };
  const conv = CONV.exec(name);
  if (conv) return { kind: 'conv', rank: Number(conv[2]) };
  const pool = POOL.exec(name);
  if (pool) return { kind: 'pool', rank: Number(pool[2]) };
  const convT = CONV_T.exec(name);
  if (convT) return { kind: 'transpose', rank: Number(convT[1]) };
  return { kind: 'unknown' };
}

/** Catalogue layers classified once per catalogue entry, not once per layer written. */
const specClasses = new WeakMap<CallableSpec, LayerClass>();

function specClass(spec: CallableSpec): LayerClass {
  let cls = specClasses.get(spec);
  if (!cls) specClasses.set(spec, (cls = classify(spec.name, spec.passthrough)));
  return cls;
}

function layerClass(step: Step): LayerClass {
  return step.call ? specClass(step.call.spec) : classify(simpleName(step.node), false);
}

function factsOf(step: Step, index: number, scopes: ScopeResolver): StepFacts {
  const cls = layerClass(step);
  switch (cls.kind) {
    case 'end':
    case 'keep':
    case 'unknown':
      return cls;
    case 'embedding':
      return index === 0 ? cls : { kind: 'unknown' };
    case 'upsample': {
      const size = literalOf(argument(step, 'size'), scopes) ?? [2];
      return typeof size === 'string' ? { kind: 'unknown' } : { kind: 'upsample', size };
    }
  }
  const pool = cls.kind === 'pool';
  const written = (param: string) => literalOf(argument(step, param), scopes);
  const padding = written('padding') ?? 'valid';
  // Pools have no dilation.
  const dilation = (pool ? undefined : written('dilation_rate')) ?? [1];
  if (typeof padding !== 'string' || typeof dilation === 'string') return { kind: 'unknown' };
  const kernelArg = written(pool ? 'pool_size' : 'kernel_size');
  const stridesNode = argument(step, 'strides');
  const strides = stridesNode && literalOf(stridesNode, scopes);
  if (typeof kernelArg === 'string' || typeof strides === 'string') return { kind: 'unknown' };
  // A pool's strides default to its size (None too); a written stride optpar cannot read is unknown.
  const stridesNone = stridesNode !== undefined && !strides && evalLiteral(stridesNode)?.kind === 'none';
  if (stridesNode && !stridesNone && !strides) return { kind: 'unknown' };
  return {
    kind: cls.kind,
    rank: cls.rank,
    same: padding === 'same',
    kernel: kernelArg ?? (pool ? [2] : undefined),
    strides: stridesNone ? undefined : strides ?? (pool ? undefined : [1]),
    stridesFromPool: pool && (stridesNode === undefined || stridesNone),
    dilation,
  };
}

/** On one axis: the written value (a scalar stands for every axis), or the top of a tuned domain that sets it. */
function worstAt(base: number[], axis: number, domains: Domain[], param: string): number {
  let value = base[axis] ?? base[0];
  for (const d of domains) {
    if (d.param === param && (d.axes === 'all' || d.axes.includes(axis))) value = d.values[d.values.length - 1];
  }
  return value;
}

/**
 * Runs the chain with every tuned spatial value at its largest: returns the index of the first
 * step whose output would be empty, undefined when none is, or -1 when a step cannot be followed.
 */
function simulate(chain: Chain, facts: StepFacts[], domains: Domain[][]): number | undefined {
  // Channels last: (8, 8, 1) has spatial dims [8, 8].
  let dims = chain.shape.slice(0, -1);
  for (let i = 0; i < facts.length; i++) {
    const f = facts[i];
    if (f.kind === 'end') return undefined;
    if (f.kind === 'keep') continue;
    if (f.kind === 'unknown') return -1;
    if (f.kind === 'embedding') {
      // An Embedding turns (steps,) into (steps, dim): every input axis becomes spatial.
      dims = chain.shape.slice();
      continue;
    }
    if (f.kind === 'upsample') {
      dims = dims.map((d, a) => d * (f.size[a] ?? f.size[0]));
      continue;
    }
    if (dims.length !== f.rank || !f.kernel) return -1;
    if (!f.stridesFromPool && !f.strides) return -1;
    const sizeParam = f.kind === 'pool' ? 'pool_size' : 'kernel_size';
    for (let a = 0; a < f.rank; a++) {
      const d = dims[a];
      const kernel = worstAt(f.kernel, a, domains[i], sizeParam);
      const stride = f.stridesFromPool ? kernel : worstAt(f.strides!, a, domains[i], 'strides');
      const eff = (kernel - 1) * (f.dilation[a] ?? f.dilation[0]) + 1;
      dims[a] =
        f.kind === 'transpose'
          ? f.same ? d * stride : (d - 1) * stride + eff
          : f.same ? Math.ceil(d / stride) : Math.floor((d - eff) / stride) + 1;
      if (!(dims[a] >= 1)) return i;
    }
  }
  return undefined;
}
