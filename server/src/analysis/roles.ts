import type { CatalogueCall } from './calls';
import { importedPath, type ImportBindings } from './imports';
import { unparen } from './literals';
import type { NodeIndex } from './nodeIndex';
import type { SyntaxNode } from './syntax';
import type { ScopeResolver } from './scopes';
import { returnValues } from './flow';
import type { Candidate } from './scan';

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
  const tracer = new Tracer(byStart, scopes, outputs, parts);

  const addSequences = new Map<string, SyntaxNode[]>();
  for (const c of calls) {
    if (c.spec.kind === 'model' && c.spec.name === 'Sequential' && !inKerasClass(c.node, imports)) {
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
  const adders = new Set<string>();
  const lastAdd = new Map<string, number>();
  for (const part of parts) {
    for (const { call, receiver, layer } of addCalls(part, text)) {
      const scope = scopes.enclosingScope(call);
      const key = `${scope.id}:${receiver}`;
      const list = addSequences.get(key) ?? [];
      list.push(layer);
      addSequences.set(key, list);
      lastAdd.set(key, call.startIndex);
      // A function of the file that adds layers to a model it is handed (add_head(model, 32)).
      if (scope.type === 'function_definition' && scope.childForFieldName('parameters')?.namedChildren.some((p) => p.text === receiver || p.childForFieldName('name')?.text === receiver)) {
        adders.add(scope.childForFieldName('name')?.text ?? '');
      }
    }
  }
  // A sequence handed to such a function after its last add goes on there: its last add is not the output.
  const continued = new Set<string>();
  if (adders.size) {
    for (const part of parts) {
      for (const call of part.calls) {
        const fn = call.childForFieldName('function');
        if (fn?.type !== 'identifier' || !adders.has(fn.text)) continue;
        for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
          const key = `${scopes.enclosingScope(call).id}:${arg.text}`;
          const last = lastAdd.get(key);
          if (last !== undefined && call.startIndex > last) continued.add(key);
        }
      }
    }
  }
  for (const [key, seq] of addSequences) if (!continued.has(key)) tracer.sequence(seq);
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
  private helpers?: Map<string, SyntaxNode>;
  private appends?: Map<string, SyntaxNode[]>;

  constructor(
    private calls: Map<number, CatalogueCall>,
    private scopes: ScopeResolver,
    private outputs: Set<number>,
    private parts: NodeIndex[],
  ) {}

  /** A module-level function of the file, by name. */
  private helper(name: string): SyntaxNode | undefined {
    if (!this.helpers) {
      this.helpers = new Map();
      const first = this.parts.find((p) => p.calls.length)?.calls[0];
      let root = first;
      while (root?.parent) root = root.parent;
      for (const stmt of root?.namedChildren ?? []) {
        const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
        const fnName = def?.type === 'function_definition' ? def.childForFieldName('name')?.text : undefined;
        if (fnName) this.helpers.set(fnName, def!);
      }
    }
    return this.helpers.get(name);
  }

  /** What name.append(x) / name.extend([...]) / name[k] = x put into a list or dict of one scope. */
  private appended(name: string, scope: SyntaxNode): SyntaxNode[] {
    if (!this.appends) {
      this.appends = new Map();
      for (const part of this.parts) {
        for (const call of part.calls) {
          const fn = call.childForFieldName('function');
          if (fn?.type !== 'attribute' || !['append', 'extend', 'insert'].includes(fn.childForFieldName('attribute')?.text ?? '')) continue;
          const object = fn.childForFieldName('object');
          if (object?.type !== 'identifier') continue;
          const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
          const item = fn.childForFieldName('attribute')?.text === 'insert' ? args[1] : args[0];
          if (!item) continue;
          const key = `${this.scopes.enclosingScope(call).id}:${object.text}`;
          const list = this.appends.get(key) ?? [];
          list.push(item);
          this.appends.set(key, list);
        }
        for (const assign of part.assignments) {
          const left = assign.childForFieldName('left');
          const target = left?.type === 'subscript' ? left.childForFieldName('value') : undefined;
          const right = assign.childForFieldName('right');
          if (target?.type !== 'identifier' || !right) continue;
          const key = `${this.scopes.enclosingScope(assign).id}:${target.text}`;
          const list = this.appends.get(key) ?? [];
          list.push(right);
          this.appends.set(key, list);
        }
      }
    }
    return this.appends.get(`${scope.id}:${name}`) ?? [];
  }

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
    // Named outputs: {"class": a, "box": b}.
    if (node.type === 'dictionary') {
      for (const pair of node.namedChildren) {
        const value = pair.type === 'pair' ? pair.childForFieldName('value') : undefined;
        if (value) this.trace(value, depth + 1);
      }
      return;
    }
    if (node.type === 'identifier' || node.type === 'attribute' || node.type === 'subscript') {
      const res = this.scopes.resolve(node);
      if (res?.kind === 'bound') {
        this.trace(res.value, depth + 1);
        // outputs = [] filled in a loop: outputs.append(layers.Dense(1)(x)).
        const value = unparen(res.value);
        if (node.type === 'identifier' && (value.type === 'list' || value.type === 'dictionary')) {
          for (const item of this.appended(node.text, this.scopes.enclosingScope(node))) this.trace(item, depth + 1);
        }
        return;
      }
      // outputs["species"] of a dict (or list) filled in a loop: every item put in it.
      const target = node.type === 'subscript' ? node.childForFieldName('value') : undefined;
      if (target?.type === 'identifier') {
        const container = this.scopes.resolve(target);
        const value = container?.kind === 'bound' ? unparen(container.value) : undefined;
        if (value?.type === 'list' || value?.type === 'dictionary') {
          this.trace(value, depth + 1);
          for (const item of this.appended(target.text, this.scopes.enclosingScope(target))) this.trace(item, depth + 1);
        }
      }
      return;
    }
    if (node.type !== 'call') return;
    const fn = node.childForFieldName('function')!;
    // An output made by a helper of the file (return layers.Dense(n_classes)(x)): what it returns.
    const helper = fn.type === 'identifier' ? this.helper(fn.text) : undefined;
    if (helper) {
      for (const ret of returnValues(helper)) this.trace(ret, depth + 1);
      return;
    }
    const layer = this.layerOf(fn);
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

/** Parameters that set a layer's width: a value of 1 there is a score, a bias or a gate, not a width. */
const WIDTH = new Set(['units', 'filters', 'output_dim']);
/** Names of sizes the task sets: the number of classes, labels, actions, targets. */
const TASK_SIZE = /\b(?:n|num|nb|number_of|no_of|count)_?(?:classes|class|labels|categories|actions|targets|outputs)\b|\b(?:action|target)_(?:size|dim|space|shape)\b|\blen\(\s*(?:\w+\.)?(?:classes|class_names|labels|label_names|categories|actions|targets)\s*\)|\baction_space\.n\b/i;
const TRANSPOSED = /^(?:Conv[123]DTranspose|Deconvolution[123]D)$/;
const UPSAMPLING = /^UpSampling[123]D$/;
const UPSAMPLE_REASON = "upsampling factor of a decoder or generator: its output must reach a fixed size (the image it reconstructs or generates)";

/**
 * What must not move because the task or the shapes set it, beyond the output layer's width and
 * activation (statementWorkOf): the strides and upsampling factors of transposed convolutions
 * and UpSampling layers (and their kernel sizes unless padding="same" keeps the size), the
 * kernel and strides of a convolution that produces the model's (image-shaped) output, layers of
 * one unit (per-item biases, scores, gates, regression heads) and layers whose width is the
 * number of classes or actions, and whatever defines what a trial is scored on (validation_*).
 * Returns the reason for each candidate (by index) to report as fixed-by-task.
 */
export function taskFixed(
  calls: CatalogueCall[],
  outputs: Set<number>,
  candidates: readonly Candidate[],
  text: string,
  context?: { parts: NodeIndex[]; scopes: ScopeResolver },
): Map<number, string> {
  const byCall = new Map<number, Map<string, string>>();
  const fix = (call: CatalogueCall, param: string, reason: string) => {
    let params = byCall.get(call.id);
    if (!params) byCall.set(call.id, (params = new Map()));
    if (!params.has(param)) params.set(param, reason);
  };
  let callsById: Map<number, CatalogueCall> | undefined;
  for (const call of calls) {
    const role = specRole(call.spec);
    if (role === 'transposed') {
      fix(call, 'strides', UPSAMPLE_REASON);
      fix(call, 'output_padding', UPSAMPLE_REASON);
      const padding = call.args.find((a) => a.param.name === 'padding');
      const same = padding && /^['"]same['"]$/i.test(text.slice(padding.value.startIndex, padding.value.endIndex).trim());
      if (!same) fix(call, 'kernel_size', `${UPSAMPLE_REASON}; without padding="same" the kernel size changes it too`);
    } else if (role === 'upsampling') fix(call, 'size', UPSAMPLE_REASON);
    if (role !== undefined && outputs.has(call.id)) {
      const reason = 'the final convolution produces the image-shaped output: its kernel and strides set that shape';
      fix(call, 'kernel_size', reason);
      fix(call, 'strides', reason);
    }
  }
  const out = new Map<number, string>();
  candidates.forEach((cand, i) => {
    if (!WIDTH.has(cand.param) || (cand.kind !== 'hyperparameter' && cand.kind !== 'not-a-literal') || cand.reason === 'already parametrized') return;
    let reason: string | undefined;
    if (cand.current === 1) reason = `one ${cand.param === 'output_dim' ? 'dimension' : 'unit'}: a per-item bias, a score, a gate or a regression head; its width is what the model computes, not a size to tune`;
    else {
      const texts = [cand.definitionName ?? '', cand.value, ...cand.uses.map((u) => text.slice(u.startIndex, u.endIndex))];
      if (texts.some((t) => TASK_SIZE.test(t))) reason = `${cand.param} is the number of classes or actions: set by the task`;
    }
    if (!reason) return;
    out.set(i, reason);
    if (!callsById) {
      callsById = new Map();
      for (const c of calls) callsById.set(c.id, c);
    }
    const call = callsById.get(cand.callId);
    // The layer that makes a task-sized or one-unit output: its activation goes with it.
    if (call) for (const param of call.spec.output) if (!WIDTH.has(param)) fix(call, param, `${reason} (this layer's ${param} goes with it)`);
  });
  if (context) for (const [i, reason] of mergeConstraints(calls, candidates, text, context.parts, context.scopes)) if (!out.has(i)) out.set(i, reason);
  candidates.forEach((cand, i) => {
    if (out.has(i) || (cand.kind !== 'hyperparameter' && cand.kind !== 'not-a-literal') || cand.reason === 'already parametrized') return;
    const reason = (byCall.size ? byCall.get(cand.callId)?.get(cand.param) : undefined) ?? (cand.param.startsWith('validation_') ? 'defines what a trial is scored on: tuning it changes the measuring stick, not the model' : undefined);
    if (reason) out.set(i, reason);
  });
  return out;
}

const roles = new WeakMap<object, 'transposed' | 'upsampling' | 'conv' | null>();

/** What a layer does to the spatial size, once per catalogue entry: upsamples (transposed conv, UpSampling), convolves, or neither. */
function specRole(spec: CatalogueCall['spec']): 'transposed' | 'upsampling' | 'conv' | undefined {
  let role = roles.get(spec);
  if (role === undefined) {
    role = TRANSPOSED.test(spec.name) ? 'transposed' : UPSAMPLING.test(spec.name) ? 'upsampling' : spec.kind === 'layer' && spec.params.some((p) => p.name === 'filters') ? 'conv' : null;
    roles.set(spec, role);
  }
  return role ?? undefined;
}

/** Whether a call is made inside a class that subclasses a Keras Layer or Model (a custom layer's sub-block). */
function inKerasClass(node: SyntaxNode, imports: ImportBindings): boolean {
  for (let cur = node.parent; cur; cur = cur.parent) {
    if (cur.type !== 'class_definition') continue;
    const bases = cur.childForFieldName('superclasses')?.namedChildren ?? [];
    return bases.some((b) => {
      const path = importedPath(b, imports) ?? (b.type === 'identifier' ? imports.names.get(b.text) ?? b.text : '');
      return /(^|\.)(Layer|Model)$/.test(path);
    });
  }
  return false;
}

/** Element-wise merges (their inputs must have one shape) and concatenations (one spatial size). */
const ELEMENTWISE = new Set(['add', 'Add', 'subtract', 'Subtract', 'multiply', 'Multiply', 'average', 'Average', 'maximum', 'Maximum', 'minimum', 'Minimum']);
const CONCAT = new Set(['concatenate', 'Concatenate']);
const SPATIAL = new Set(['strides', 'subsample']);
const MERGE_TEXT = /\b(?:add|Add|subtract|Subtract|multiply|Multiply|average|Average|maximum|Maximum|minimum|Minimum|concatenate|Concatenate)\s*\(|[^=!<>+]\+[^=+]/;
const MERGE_WORDS = /\b(?:add|Add|subtract|Subtract|multiply|Multiply|average|Average|maximum|Maximum|minimum|Minimum|concatenate|Concatenate)\s*\(/;

interface Step {
  /** The expression's node id (a layer application, or what a name is bound to). */
  id: number;
  layer?: CatalogueCall;
}

/**
 * Residual and multi-branch shapes: the inputs of an add (or +, multiply...) must have one shape,
 * those of a concatenation one spatial size. A width (units, filters) or stride on a branch is
 * tunable only when every branch reads it from one definition (a shared variable); otherwise
 * changing it on one branch breaks the merge, so it is fixed.
 */
function mergeConstraints(calls: CatalogueCall[], candidates: readonly Candidate[], text: string, parts: NodeIndex[], scopes: ScopeResolver): Map<number, string> {
  const out = new Map<number, string>();
  // (The + of a residual sum is looked for only when the file has one: the regex is slow on a long text.)
  if (!MERGE_WORDS.test(text) && !(text.includes('+') && MERGE_TEXT.test(text))) return out;
  const byId = new Map<number, CatalogueCall>();
  for (const c of calls) byId.set(c.id, c);
  // Candidates by the argument nodes they are written at or used by.
  let byArg: Map<number, number[]> | undefined;
  const candidatesOf = (call: CatalogueCall, params: Set<string>): number[] => {
    if (!byArg) {
      byArg = new Map();
      const put = (id: number, i: number) => {
        const list = byArg!.get(id);
        if (list) list.push(i);
        else byArg!.set(id, [i]);
      };
      candidates.forEach((c, i) => {
        put(c.site.id, i);
        for (const u of c.uses) put(u.id, i);
      });
    }
    const found: number[] = [];
    for (const arg of call.args) {
      if (!params.has(arg.param.name)) continue;
      const value = unparen(arg.value);
      const hits = [...(byArg.get(arg.value.id) ?? []), ...(value.id !== arg.value.id ? byArg.get(value.id) ?? [] : [])];
      for (const el of value.type === 'tuple' || value.type === 'list' ? value.namedChildren : []) hits.push(...(byArg.get(el.id) ?? []));
      for (const i of hits) if (candidates[i].param === arg.param.name && !found.includes(i)) found.push(i);
    }
    return found;
  };
  /**
   * The layers a branch passes through, back from the merge; one chain per caller when the
   * branch starts at a parameter of its function (residual_block(x, 64) is handed the output
   * of the caller's Conv2D, whose width the shortcut carries into the add).
   */
  const walk = (expr: SyntaxNode, depth = 0): Step[][] => {
    const steps: Step[] = [];
    let node = unparen(expr);
    for (let n = 0; n < 24; n++) {
      if (node.type === 'identifier') {
        // A tensor reassigned through a block (x = Conv2D(...)(x)), a parameter included.
        const value = scopes.valueAt(node);
        if (value) {
          node = unparen(value);
          continue;
        }
        const parameter = depth < 2 ? scopes.parameterAt(node) : undefined;
        const sites = parameter ? scopes.callSiteArguments(parameter).slice(0, 8) : [];
        if (!sites.length) return [steps];
        return sites.flatMap((site) => walk(site, depth + 1).map((rest) => [...steps, ...rest]));
      }
      if (node.type === 'attribute' || node.type === 'subscript') {
        const res = scopes.resolve(node);
        if (res?.kind !== 'bound') return [steps];
        node = unparen(res.value);
        continue;
      }
      if (node.type !== 'call') return [steps];
      const fn = unparen(node.childForFieldName('function')!);
      const layer = fn.type === 'call' ? byId.get(fn.id) : fn.type === 'identifier' || fn.type === 'attribute' ? layerBehind(fn) : undefined;
      if (!layer || layer.spec.kind !== 'layer') return [steps];
      steps.push({ id: node.id, layer });
      const input = node.childForFieldName('arguments')?.namedChildren.find((a) => a.type !== 'comment' && a.type !== 'keyword_argument');
      if (!input) return [steps];
      node = unparen(input);
    }
    return [steps];
  };
  // self.conv(x) and conv(x) for a layer made elsewhere (self.conv = layers.Conv2D(...)).
  const layerBehind = (fn: SyntaxNode): CatalogueCall | undefined => {
    const res = scopes.resolve(fn);
    if (res?.kind !== 'bound') return undefined;
    const value = unparen(res.value);
    return value.type === 'call' ? byId.get(value.id) : undefined;
  };
  const check = (branches: SyntaxNode[], where: SyntaxNode, elementwise: boolean) => {
    const walks = branches.flatMap((b) => walk(b));
    if (!walks.some((w) => w.length)) return;
    // Cut every branch where it meets another (the fork): what comes before is shared.
    const cut = walks.map((w, i) => {
      const others = new Set(walks.flatMap((o, j) => (j === i ? [] : o.map((s) => s.id))));
      const at = w.findIndex((s) => others.has(s.id));
      return at < 0 ? w : w.slice(0, at);
    });
    const label = text.slice(where.startIndex, Math.min(where.endIndex, where.startIndex + 40)).replace(/\s+/g, ' ');
    const constrain = (picked: number[][], what: string) => {
      if (!picked.some((p) => p.length)) return;
      const sites = picked.map((p) => [...new Set(p.map((i) => candidates[i].site.id))].sort().join(','));
      if (picked.length > 1 && picked.every((p) => p.length) && sites.every((s) => s === sites[0])) return;
      for (const p of picked) for (const i of p) if (!out.has(i)) out.set(i, `${what} must agree with the other input${elementwise ? 's' : ''} of ${label}${label.length >= 40 ? '...' : ''}: changing it on one branch breaks the shapes`);
    };
    if (elementwise) {
      // The width of each branch: its last layer that sets one.
      const setsWidth = (s: Step) => !s.layer!.spec.passthrough && s.layer!.spec.params.some((p) => WIDTH.has(p.name));
      constrain(
        // A branch with no width of its own past the fork (add([y, Dense(64)(y)])) has the fork's.
        cut.map((w, i) => {
          const setter = w.find(setsWidth) ?? walks[i].find(setsWidth);
          return setter ? candidatesOf(setter.layer!, WIDTH) : [];
        }),
        'the width',
      );
    }
    constrain(
      cut.map((w) => w.flatMap((s) => candidatesOf(s.layer!, SPATIAL.has('strides') && s.layer!.args.some((a) => SPATIAL.has(a.param.name)) ? SPATIAL : POOL_SIZE))),
      'the stride',
    );
  };
  for (const part of parts) {
    for (const call of part.calls) {
      const fn = call.childForFieldName('function');
      const name = fn?.type === 'call' ? lastName(fn.childForFieldName('function')) : lastName(fn);
      if (!name || (!ELEMENTWISE.has(name) && !CONCAT.has(name))) continue;
      const list = call.childForFieldName('arguments')?.namedChildren.find((a) => a.type !== 'comment' && a.type !== 'keyword_argument');
      const items = list && (list.type === 'list' || list.type === 'tuple') ? list.namedChildren.filter((c) => c.type !== 'comment') : [];
      if (items.length > 1) check(items, call, ELEMENTWISE.has(name));
    }
    for (const assign of part.assignments) {
      const right = assign.childForFieldName('right');
      if (right) for (const op of plusOperands(right)) check(op, right, true);
    }
    for (const def of part.calls.length ? returnsIn(part) : []) for (const op of plusOperands(def)) check(op, def, true);
  }
  return out;
}

const POOL_SIZE = new Set(['pool_size']);

function lastName(node: SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') return node.childForFieldName('attribute')?.text;
  return undefined;
}

/** The operands of x + y (a residual connection written with +). */
function plusOperands(expr: SyntaxNode): SyntaxNode[][] {
  const node = unparen(expr);
  if (node.type !== 'binary_operator' || node.childForFieldName('operator')?.text !== '+') return [];
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  return left && right ? [[left, right]] : [];
}

/** The values returned in the functions of one top-level statement (return x + res). */
const returnsMemo = new WeakMap<NodeIndex, SyntaxNode[]>();
function returnsIn(part: NodeIndex): SyntaxNode[] {
  let out = returnsMemo.get(part);
  if (out) return out;
  out = [];
  let stmt: SyntaxNode | null = part.calls[0] ?? null;
  while (stmt?.parent && stmt.parent.parent) stmt = stmt.parent;
  // Only statements with a `return ... + ...` are walked.
  if (!stmt || !/\breturn\b[^\n]*\+/.test(stmt.text)) {
    returnsMemo.set(part, out);
    return out;
  }
  for (const ret of stmt.descendantsOfType('return_statement')) {
    const value = ret.namedChildren.find((c) => c.type !== 'comment');
    if (value?.type === 'binary_operator') out.push(value);
  }
  returnsMemo.set(part, out);
  return out;
}
