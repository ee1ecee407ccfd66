import type { Catalogue, ParamSpec, Scalar } from '../catalogue/types';
import { bareNameIndex, type CallContext, type CatalogueCall, lastNameIndex, type MatchedArg, matchCall, nonModelNames, userWrappers, wrappersKey } from './calls';
import { findIgnores, isIgnored } from './ignore';
import { collectImports } from './imports';
import { LineIndex } from './lines';
import { evalLiteral, type Literal, unparen } from './literals';
import { parseSyntax } from './parse';
import type { SyntaxNode, SyntaxTree } from './syntax';
import { findOutputLayers, taskFixed } from './roles';
import { ScopeResolver } from './scopes';
import { dictGet, type FlowSource, ValueFlow } from './flow';
import { findLayerLoops, intValue, LOOP_CALLABLE, loopParam } from './loops';
import { defaultSpace } from './space';
import { boundSpatialSpaces } from './shapes';
import { optimizerClassCandidates } from './optimizerChoice';
import { implicitCandidates } from './implicit';
import { batchParam, DATASET_BATCH_CALLABLE, SCORING_ONLY_REASON, scoringOnlyDataCalls, trainingBatches } from './datasets';
import { assignIds } from './ids';
import { unreadableReason } from './input';
import { indexNodes, mergeIndexes, type NodeIndex, statementIndexes } from './nodeIndex';
import type { AnalysisError, DefinitionKind, Hyperparameter, HyperparameterKind, ScanOptions, ScanResult } from './types';
import { markTies } from './ties';
import { trainingSlice } from './training';

/**
 * A hyperparameter before ids are given: where it is, what it is, who uses it. Places are nodes,
 * not offsets, so a candidate found in a statement an edit did not touch is still right after
 * the edit moved the statement; candidates are never changed once made (they may be reused).
 */
export interface Candidate extends Omit<Hyperparameter, 'id' | 'span' | 'uses'> {
  callId: number;
  /** Name of the variable, dict entry or parameter holding the value (for ids). */
  definitionName?: string;
  /** The text a rewrite replaces: the value, or one element of a tuple. */
  site: SyntaxNode;
  /** Argument expressions that use the value when it is defined elsewhere. */
  uses: readonly SyntaxNode[];
  /** Implicit values: the keyword goes after `site` (the last argument) or inside it (an empty argument list). */
  insertAt?: 'after' | 'inside';
  /** What the id says after the call's prefix, when it is not the parameter (compile.optimizer.learning_rate). */
  idParam?: string;
}

const nameCache = new WeakMap<Catalogue, { bareNames: ReturnType<typeof bareNameIndex>; lastNames: Set<string>; id: number }>();
let catalogues = 0;
/** Context fingerprints -> numbers never given twice, for cheap comparison of memo keys. */
const contextKeys = new Map<string, number>();
let nextContextKey = 1;

/**
 * Finds every hyperparameter in a Python source: pure (text in, data out), never throws.
 * Pass the syntax tree when the caller keeps one (the language server's incremental parse).
 */
export function scanSource(text: string, catalogue: Catalogue, options: ScanOptions = {}, syntax?: SyntaxTree): ScanResult {
  const unreadable = unreadableReason(text);
  if (unreadable) return { hyperparameters: [], errors: [{ message: unreadable }] };
  try {
    return scanTree(text, (syntax ?? parseSyntax(text)).root, catalogue, options);
  } catch (err) {
    return { hyperparameters: [], errors: [{ message: `internal error while scanning: ${(err as Error).message}` }] };
  }
}

/** What resolving calls needs, for one parsed source. */
function callContext(text: string, root: SyntaxNode, catalogue: Catalogue, index: NodeIndex): CallContext {
  let names = nameCache.get(catalogue);
  if (!names) nameCache.set(catalogue, (names = { bareNames: bareNameIndex(catalogue), lastNames: lastNameIndex(catalogue), id: ++catalogues }));
  const imports = collectImports(root, index.imports);
  // Names imported under another name (from keras.layers import Dense as D) end calls too.
  let lastNames = names.lastNames;
  for (const [local, path] of imports.names) {
    if (catalogue.byPath.has(path) && !lastNames.has(local)) lastNames = new Set([...lastNames, local]);
  }
  const scopes = new ScopeResolver(root, index.calls);
  const ctx: CallContext = { text, catalogue, imports, scopes, bareNames: names.bareNames, lastNames, memoKey: 0 };
  // The file's own classes and functions that hand arguments to Keras (MaskedConv2D(layers.Conv2D)) end calls too.
  const wrappers = userWrappers(root, ctx);
  if (wrappers.size) {
    ctx.wrappers = wrappers;
    ctx.lastNames = lastNames = new Set([...lastNames, ...wrappers.keys()]);
  }
  ctx.nonModelNames = nonModelNames(index.assignments, ctx);
  const fingerprint = `${names.id}|${[...imports.names].join(';')}|${imports.starModules.join(';')}|${wrappers.size ? wrappersKey(wrappers) : ''}|${[...ctx.nonModelNames].sort().join(';')}`;
  let memoKey = contextKeys.get(fingerprint);
  if (memoKey === undefined) {
    if (contextKeys.size > 256) contextKeys.clear();
    contextKeys.set(fingerprint, (memoKey = nextContextKey++));
  }
  ctx.memoKey = memoKey;
  return ctx;
}

/** Every call into the catalogue in a parsed source (for the harness, which must move model-building code). */
export function catalogueCalls(text: string, root: SyntaxNode, catalogue: Catalogue): CatalogueCall[] {
  const index = indexNodes(root);
  const ctx = callContext(text, root, catalogue, index);
  return index.calls.flatMap((node) => matchCall(node, ctx) ?? []);
}

/** An argument to analyse on every scan: its value is defined elsewhere, which an edit anywhere may change. */
interface NamedArgument {
  call: CatalogueCall;
  arg: MatchedArg;
  fixed: string | undefined;
}

/** One statement's arguments in order: the candidates of written values, or the arguments naming one. */
type StatementWork = (Candidate[] | NamedArgument)[];

/**
 * Each top-level statement's calls and work, kept while the statement, the context (catalogue,
 * imports, options) and its output layers are unchanged: after an edit, the statements it did
 * not touch only hand over what they found last time.
 */
const statementCalls = new WeakMap<NodeIndex, { key: number; calls: CatalogueCall[] }>();
const statementWork = new WeakMap<NodeIndex, { key: string; calls: CatalogueCall[]; outputs: string; work: StatementWork }>();

function callsOf(part: NodeIndex, ctx: CallContext): CatalogueCall[] {
  const hit = statementCalls.get(part);
  if (hit && hit.key === ctx.memoKey) return hit.calls;
  const calls: CatalogueCall[] = [];
  let readScopes = false;
  for (const node of part.calls) {
    ctx.readScopes = false;
    const match = matchCall(node, ctx);
    readScopes ||= !!ctx.readScopes;
    if (match) calls.push(match);
  }
  // A match that looked at the file's own names may change with any edit.
  if (!readScopes) statementCalls.set(part, { key: ctx.memoKey, calls });
  return calls;
}

function scanTree(text: string, root: SyntaxNode, catalogue: Catalogue, options: ScanOptions): ScanResult {
  const lines = new LineIndex(text);
  const parts = statementIndexes(root);
  const index = mergeIndexes(parts);
  const ctx = callContext(text, root, catalogue, index);
  const { imports, scopes } = ctx;
  const callsByPart = parts.map((part) => callsOf(part, ctx));
  const calls = callsByPart.flat();
  const callIds = new Set(calls.map((c) => c.id));
  const outputs = findOutputLayers(calls, parts, text, scopes, imports);

  let candidates: Candidate[] = [];
  const bySite = new Map<number, number>();
  let flow: ValueFlow | undefined;
  const contextKey = `${ctx.memoKey}|${options.splitTuples ? 1 : 0}`;
  for (const [i, part] of parts.entries()) {
    const partCalls = callsByPart[i];
    let outputIds = '';
    for (const call of partCalls) if (outputs.has(call.id)) outputIds += `${call.id},`;
    let memo = statementWork.get(part);
    if (!memo || memo.key !== contextKey || memo.calls !== partCalls || memo.outputs !== outputIds) {
      memo = { key: contextKey, calls: partCalls, outputs: outputIds, work: statementWorkOf(text, partCalls, outputs, callIds, options) };
      statementWork.set(part, memo);
    }
    for (const item of memo.work) {
      if (Array.isArray(item)) {
        for (const cand of item) candidates.push(cand);
        continue;
      }
      flow ??= new ValueFlow(text, root, scopes, index.calls);
      for (const cand of resolvedCandidates(text, item.call, item.arg, item.fixed, flow, callIds, options)) {
        const at = bySite.get(cand.site.id);
        if (at === undefined) {
          bySite.set(cand.site.id, candidates.length);
          candidates.push(cand);
        } else candidates[at] = mergeUse(candidates[at], cand);
      }
    }
  }

  // Depth written as loops whose body adds layers (loops.ts): each definition of the bound; and
  // the batch size of the tf.data pipeline fit trains on (datasets.ts).
  flow ??= new ValueFlow(text, root, scopes, index.calls);
  for (const cand of [...loopCandidates(text, calls, flow, options), ...pipelineBatchCandidates(text, calls, scopes, flow, catalogue, options)]) {
    const at = bySite.get(cand.site.id);
    if (at === undefined) {
      bySite.set(cand.site.id, candidates.length);
      candidates.push(cand);
    } else candidates[at] = mergeUse(candidates[at], cand);
  }

  candidates = boundSpatialSpaces(candidates, calls, parts, text, scopes);
  // The optimizer class as a choice, and high-value arguments left unwritten (Adam(), fit(x, y)).
  for (const cand of optimizerClassCandidates(calls, catalogue, imports)) candidates.push(cand);
  for (const cand of implicitCandidates(calls, scopes, catalogue)) candidates.push(cand);
  // What the task or the shapes fix beyond the output layer (roles.ts): recomputed every scan.
  for (const [i, reason] of taskFixed(calls, outputs, candidates, text, { parts, scopes })) {
    candidates[i] = { ...candidates[i], kind: 'fixed-by-task', tunable: false, reason, space: undefined };
  }
  const scoringOnly = scoringOnlyDataCalls(calls, scopes);
  if (scoringOnly.size) {
    for (const [i, cand] of candidates.entries()) {
      // A batch size held in a variable may reach a training pipeline too: every use must be scoring-only.
      const sites = cand.uses.length ? cand.uses : [cand.site];
      if (cand.param === 'batch_size' && cand.kind === 'hyperparameter' && sites.every((site) => withinAny(site, scoringOnly))) {
        candidates[i] = { ...cand, kind: 'fixed-by-task', tunable: false, reason: SCORING_ONLY_REASON, space: undefined };
      }
    }
  }
  // Values the training never reaches (a model built but not trained, an unread dataset): said, not offered.
  const slice = trainingSlice(root, text);
  if (slice) {
    for (const [i, cand] of candidates.entries()) {
      if (cand.kind !== 'hyperparameter' && cand.kind !== 'budget') continue;
      let reason: string | undefined;
      for (const site of cand.uses.length ? cand.uses : [cand.site]) {
        const why = slice.inertReason(site);
        if (!why) {
          reason = undefined;
          break;
        }
        reason ??= why;
      }
      if (reason) candidates[i] = { ...cand, kind: 'inert', tunable: false, reason, space: undefined };
    }
  }
  const ignores = findIgnores(text, root, lines);
  if (ignores.size) {
    for (const [i, cand] of candidates.entries()) {
      if (cand.kind === 'fixed-by-task') continue;
      const defLine = lines.lineOf(cand.site.startIndex);
      const useLines = cand.uses.map((u) => lines.lineOf(u.startIndex));
      if (isIgnored(ignores, defLine, cand.param) || (useLines.length > 0 && useLines.every((l) => isIgnored(ignores, l, cand.param)))) {
        candidates[i] = { ...cand, kind: 'ignored', tunable: false, reason: 'excluded by an "# optpar: ignore" comment', space: undefined };
      }
    }
  }

  const hyperparameters = assignIds(candidates, calls, index.assignments).sort((a, b) => a.span.start - b.span.start || (a.element ?? 0) - (b.element ?? 0));
  markTies(hyperparameters, root);
  return { hyperparameters, errors: syntaxErrors(root, lines) };
}

/** Whether a node lies inside one of the given nodes (by id). */
function withinAny(node: SyntaxNode, ids: Set<number>): boolean {
  for (let cur: SyntaxNode | null = node; cur; cur = cur.parent) if (ids.has(cur.id)) return true;
  return false;
}

function statementWorkOf(text: string, calls: CatalogueCall[], outputs: Set<number>, callIds: Set<number>, options: ScanOptions): StatementWork {
  const work: StatementWork = [];
  for (const call of calls) {
    const isOutput = outputs.has(call.id);
    for (const arg of call.args) {
      const fixed = arg.param.fixed ?? (isOutput && call.spec.output.includes(arg.param.name)
        ? `output layer: ${arg.param.name} is set by the task (the number of classes or targets), not tuned`
        : undefined);
      if (!arg.param.tune && !fixed) continue;
      if (arg.param.removed) {
        // A Keras 2 argument Keras 3 refuses (decay): said, never tuned.
        work.push(analyseValue(text, call, arg, undefined, unparen(arg.value), 'argument', undefined, arg.value, arg.param.removed, options));
        continue;
      }
      work.push(writtenCandidates(text, call, arg, fixed, callIds, options) ?? { call, arg, fixed });
    }
  }
  return work;
}

const FOR_LOOP = /\bfor\b[^\n]*\bin\s+range\s*\(/;

/** The .batch(N) of the dataset fit trains on, each definition that reaches N, searched as fit's batch size. */
function pipelineBatchCandidates(text: string, calls: CatalogueCall[], scopes: ScopeResolver, flow: ValueFlow, catalogue: Catalogue, options: ScanOptions): Candidate[] {
  const param = batchParam(catalogue);
  if (!param) return [];
  const out: Candidate[] = [];
  for (const batch of trainingBatches(calls, scopes, text)) {
    const call: CatalogueCall = { node: batch.call, id: batch.call.id, spec: DATASET_BATCH_CALLABLE, path: DATASET_BATCH_CALLABLE.paths[0], args: [], passes: [] };
    const arg: MatchedArg = { param, value: batch.size };
    for (const src of flow.reachingNamed(batch.size, `${batch.label}.batch_size`)) {
      if (src.unknown) continue;
      for (const cand of analyseValue(text, call, arg, undefined, src.site, src.definition as DefinitionKind, src.name, batch.size, src.reason, options)) out.push(cand);
    }
  }
  return out;
}

/** The bounds of loops that add layers, as int hyperparameters (a small range around the count, never below 1). */
function loopCandidates(text: string, calls: CatalogueCall[], flow: ValueFlow, options: ScanOptions): Candidate[] {
  const out: Candidate[] = [];
  // Most model files have no loop at all: a look at the text spares walking up from every layer.
  if (!FOR_LOOP.test(text)) return out;
  for (const loop of findLayerLoops(calls, flow)) {
    const call: CatalogueCall = { node: loop.loop, id: loop.loop.id, spec: LOOP_CALLABLE, path: 'range', args: [], passes: [] };
    for (const src of flow.reachingNamed(loop.bound, `${loop.label}.repeats`)) {
      // Only counts written as int literals somewhere: range(len(blocks)) is the data's.
      const stop = src.reason ? undefined : intValue(src.site);
      if (stop === undefined) continue;
      const arg: MatchedArg = { param: loopParam(loop.start, stop), value: loop.bound };
      for (const cand of analyseValue(text, call, arg, undefined, src.site, src.definition, src.name, loop.bound, undefined, options)) out.push(cand);
    }
  }
  return out;
}

/** A value used by several calls is tuned only if every use may be tuned. */
function mergeUse(into: Candidate, other: Candidate): Candidate {
  const merged = { ...into, uses: [...into.uses, ...other.uses] };
  if (into.tunable && !other.tunable) {
    merged.tunable = false;
    merged.kind = other.kind;
    merged.reason = other.reason;
    merged.space = undefined;
  }
  return merged;
}

export const BUDGET_REASON = 'more training can only lower the best val_loss: a budget, not a hyperparameter (kept as written; --tune-budget searches it)';

const DATA_HINT = /\.shape\b|\blen\(|\.size\b|\bnum_classes\b|\.n_|unique\(/;

function describeNonLiteral(text: string): string {
  const short = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  if (DATA_HINT.test(text)) return `${short} depends on the data`;
  return `${short} is computed when the script runs`;
}

/**
 * The candidates of an argument whose value is written in it (a literal, a tuple, an
 * expression), or undefined when it names a value defined elsewhere (resolvedCandidates).
 */
function writtenCandidates(text: string, call: CatalogueCall, arg: MatchedArg, fixed: string | undefined, callIds: Set<number>, options: ScanOptions): Candidate[] | undefined {
  const written = unparen(arg.value);
  // An object passed as the value (Adam(...), ReLU(...)) has its own hyperparameters.
  if (written.type === 'call' && callIds.has(written.id)) return [];
  // Names, attributes and subscripts (params['id'] too: a dict the file defines may be called params)
  // and dict reads with .get are followed by resolvedCandidates.
  if (['identifier', 'attribute', 'subscript'].includes(written.type) || dictGet(written)) return undefined;
  return analyseValue(text, call, arg, fixed, written, 'argument', undefined, arg.value, undefined, options);
}

/**
 * The candidates of an argument that names a value (a variable, self.x, CONFIG["lr"], a
 * parameter, args.epochs): the definitions that reach it through the file (flow.ts).
 */
function resolvedCandidates(
  text: string,
  call: CatalogueCall,
  arg: MatchedArg,
  fixed: string | undefined,
  flow: ValueFlow,
  callIds: Set<number>,
  options: ScanOptions,
): Candidate[] {
  return sourceCandidates(text, call, arg, fixed, flow.reaching(arg.value), callIds, options);
}

/** One candidate (or one per tuple element) for each definition that reaches an argument. */
function sourceCandidates(
  text: string,
  call: CatalogueCall,
  arg: MatchedArg,
  fixed: string | undefined,
  sources: FlowSource[],
  callIds: Set<number>,
  options: ScanOptions,
): Candidate[] {
  const out: Candidate[] = [];
  for (const src of sources) {
    // An object (Adam(...), a layer) has its own hyperparameters.
    if (src.site.type === 'call' && callIds.has(src.site.id)) continue;
    for (const cand of analyseValue(text, call, arg, fixed, src.site, src.definition, src.name, arg.value, src.reason, options)) out.push(cand);
  }
  return out;
}

function analyseValue(
  source: string,
  call: CatalogueCall,
  arg: MatchedArg,
  fixed: string | undefined,
  site: SyntaxNode,
  definition: DefinitionKind,
  definitionName: string | undefined,
  use: SyntaxNode,
  reason: string | undefined,
  options: ScanOptions,
): Candidate[] {
  const start = site.startIndex;
  const end = site.endIndex;
  const atUse = start === use.startIndex && end === use.endIndex;
  const value = source.slice(start, end);
  // One object shape for every candidate (no spreads): this runs once per argument of every call.
  const make = (kind: HyperparameterKind, extra: Partial<Candidate> = {}): Candidate => ({
    call: call.path,
    param: arg.param.name,
    writtenAs: arg.writtenAs,
    value: extra.value ?? value,
    type: extra.type ?? arg.param.type,
    tupleSize: extra.tupleSize,
    element: extra.element,
    tunable: kind === 'hyperparameter',
    kind,
    reason: extra.reason,
    site: extra.site ?? site,
    definition,
    current: extra.current,
    uses: atUse ? [] : [use],
    space: extra.space,
    doc: arg.param.doc,
    callId: call.id,
    definitionName,
  });
  if (reason && !fixed) return [make('not-a-literal', { reason })];
  const lit = evalLiteral(site, value);
  if (fixed) return [make('fixed-by-task', { reason: fixed, current: scalarValue(lit) })];
  if (!lit) {
    const base = scaledBase(site, arg.param);
    if (base) return [tunableCandidate(make, arg.param, base.value, { site: base.node, value: base.node.text }, options)];
    return [make('not-a-literal', { reason: describeNonLiteral(site.text) })];
  }
  if (lit.kind === 'none') return [make('not-a-literal', { reason: 'None: no value to search around' })];

  if (arg.param.type === 'tuple' && lit.kind === 'sequence') {
    const ints = lit.items.map((i) => (i?.kind === 'number' && i.isInt ? i.value : undefined));
    if (ints.some((v) => v === undefined)) return [make('not-a-literal', { reason: `not a tuple of int literals: ${site.text}` })];
    const values = ints as number[];
    const tied = !options.splitTuples && values.every((v) => v === values[0]);
    if (tied) return [tunableCandidate(make, arg.param, values[0], { tupleSize: values.length, type: 'int' }, options)];
    return lit.elements.map((el, i) =>
      tunableCandidate(make, arg.param, values[i], {
        type: 'int',
        tupleSize: values.length,
        element: i,
        value: el.text,
        site: el,
      }, options),
    );
  }
  if (arg.param.pair && lit.kind === 'sequence') {
    const pair = pairCandidates(make, arg.param, arg.param.pair, lit, options);
    if (pair) return pair;
  }
  const mismatch = typeMismatch(arg.param, lit);
  if (mismatch) return [make('not-a-literal', { reason: mismatch })];
  const current = scalarValue(lit)!;
  return [tunableCandidate(make, arg.param, current, arg.param.type === 'tuple' ? { type: 'int' } : {}, options)];
}

/**
 * A [lower, upper] pair written for a float parameter that takes one (zoom_range=[0.9, 1.1]):
 * each element searched in its own range, widened outwards to reach the value written. A pair
 * reaching into the other element's range is kept as written: a draw could then invert it.
 */
function pairCandidates(
  make: (kind: HyperparameterKind, extra?: Partial<Candidate>) => Candidate,
  param: ParamSpec,
  pair: NonNullable<ParamSpec['pair']>,
  lit: Extract<Literal, { kind: 'sequence' }>,
  options: ScanOptions,
): Candidate[] | undefined {
  if (lit.items.length !== 2) return undefined;
  const [lo, hi] = lit.items.map((i) => (i?.kind === 'number' ? i.value : undefined));
  if (lo === undefined || hi === undefined) return undefined;
  if (lo > pair.lower[1] || hi < pair.upper[0]) {
    return [make('not-a-literal', { reason: `a [lower, upper] pair that does not span [${pair.lower[1]}, ${pair.upper[0]}]: kept as written` })];
  }
  const ranges: [number, number][] = [
    [Math.min(pair.lower[0], lo), pair.lower[1]],
    [pair.upper[0], Math.max(pair.upper[1], hi)],
  ];
  return lit.elements.map((el, i) =>
    tunableCandidate(make, { ...param, range: ranges[i], relative: undefined, choices: undefined }, i ? hi : lo, { type: 'float', tupleSize: 2, element: i, value: el.text, site: el }, options),
  );
}

/**
 * The base of a width scaled by what the script computes (32 * 2**i in a loop of blocks, 64 * k):
 * the literal factor is the width a practitioner tunes; the rest of the product stays as written.
 */
function scaledBase(site: SyntaxNode, param: ParamSpec): { node: SyntaxNode; value: number } | undefined {
  if (param.type !== 'int' || param.relative?.scale !== 'pow2') return undefined;
  const node = unparen(site);
  if (node.type !== 'binary_operator' || node.childForFieldName('operator')?.text !== '*') return undefined;
  const sides = [node.childForFieldName('left'), node.childForFieldName('right')].map((n) => n && unparen(n));
  const ints = sides.map((n) => {
    const lit = n && evalLiteral(n, n.text);
    return lit?.kind === 'number' && lit.isInt && lit.value > 0 ? lit.value : undefined;
  });
  // Exactly one literal side, scaled by a name: 7 * 7 * 64 is a constant (a shape to reshape
  // to), x_train.shape[1] * 2 a size read from the data, neither a base width.
  const at = ints.findIndex((v) => v !== undefined);
  const scale = sides[1 - at];
  if (at < 0 || ints[1 - at] !== undefined || !scale || !/[A-Za-z_]/.test(scale.text) || DATA_HINT.test(scale.text)) return undefined;
  // units * 2 doubles a width held elsewhere: the 2 is a factor, below any width the catalogue searches.
  if (ints[at]! < (param.relative.min ?? 1)) return undefined;
  return { node: sides[at]!, value: ints[at]! };
}

function tunableCandidate(
  make: (kind: HyperparameterKind, extra?: Partial<Candidate>) => Candidate,
  param: ParamSpec,
  current: Scalar,
  extra: Partial<Candidate>,
  options: ScanOptions,
): Candidate {
  extra.current = current;
  extra.space = defaultSpace(param, current);
  if (extra.space && param.budget && !options.tuneBudget) {
    extra.reason = BUDGET_REASON;
    return make('budget', extra);
  }
  if (extra.space) return make('hyperparameter', extra);
  extra.reason = 'the catalogue gives no search range for this parameter';
  return make('not-a-literal', extra);
}

function scalarValue(lit: Literal | undefined): Scalar | undefined {
  if (!lit) return undefined;
  if (lit.kind === 'number' || lit.kind === 'string' || lit.kind === 'bool') return lit.value;
  return undefined;
}

function typeMismatch(param: ParamSpec, lit: Literal): string | undefined {
  const want = param.type === 'tuple' ? 'int' : param.type;
  const ok =
    (want === 'int' && lit.kind === 'number' && lit.isInt) ||
    (want === 'float' && lit.kind === 'number') ||
    (want === 'string' && lit.kind === 'string') ||
    (want === 'bool' && lit.kind === 'bool');
  if (ok) return undefined;
  const found = lit.kind === 'number' ? (lit.isInt ? 'an int' : 'a float') : lit.kind === 'sequence' ? 'a sequence' : `a ${lit.kind}`;
  return `expected ${want === 'int' ? 'an int' : `a ${want}`} for ${param.name}, found ${found}`;
}

/** Syntax errors as messages; only subtrees that contain errors are visited. */
function syntaxErrors(root: SyntaxNode, lines: LineIndex): AnalysisError[] {
  const errors: AnalysisError[] = [];
  if (!root.hasError) return errors;
  const stack: SyntaxNode[] = [root];
  while (stack.length && errors.length < 50) {
    const node = stack.pop()!;
    if (node.type === 'ERROR' || node.isMissing) {
      const pos = lines.humanPosition(node.startIndex);
      const what = node.isMissing ? `missing ${node.type}` : `unexpected ${JSON.stringify(node.text.slice(0, 20))}`;
      errors.push({ message: `syntax error at line ${pos.line}, column ${pos.column}: ${what}`, span: { start: node.startIndex, end: node.endIndex } });
      continue;
    }
    for (let i = node.childCount - 1; i >= 0; i--) {
      const child = node.child(i)!;
      if (child.hasError || child.isMissing) stack.push(child);
    }
  }
  return errors;
}
