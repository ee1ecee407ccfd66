import type { Catalogue, ParamSpec, Scalar } from '../catalogue/types';
import { bareNameIndex, type CallContext, type CatalogueCall, lastNameIndex, type MatchedArg, matchCall } from './calls';
import { findIgnores, isIgnored } from './ignore';
import { collectImports } from './imports';
import { LineIndex } from './lines';
import { evalLiteral, type Literal, unparen } from './literals';
import { parseSyntax } from './parse';
import type { SyntaxNode, SyntaxTree } from './syntax';
import { findOutputLayers } from './roles';
import { type ParameterRef, ScopeResolver } from './scopes';
import { defaultSpace } from './space';
import { assignIds } from './ids';
import { unreadableReason } from './input';
import { indexNodes, type NodeIndex } from './nodeIndex';
import type { AnalysisError, DefinitionKind, Hyperparameter, HyperparameterKind, ScanOptions, ScanResult, Span } from './types';

/** A hyperparameter before ids are given: where it is, what it is, who uses it. */
export interface Candidate extends Omit<Hyperparameter, 'id'> {
  callId: number;
  /** Name of the variable, dict entry or parameter holding the value (for ids). */
  definitionName?: string;
}

const nameCache = new WeakMap<Catalogue, { bareNames: ReturnType<typeof bareNameIndex>; lastNames: Set<string> }>();

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
  if (!names) nameCache.set(catalogue, (names = { bareNames: bareNameIndex(catalogue), lastNames: lastNameIndex(catalogue) }));
  const imports = collectImports(root, index.imports);
  // Names imported under another name (from keras.layers import Dense as D) end calls too.
  let lastNames = names.lastNames;
  for (const [local, path] of imports.names) {
    if (catalogue.byPath.has(path) && !lastNames.has(local)) lastNames = new Set([...lastNames, local]);
  }
  return { text, catalogue, imports, scopes: new ScopeResolver(root, index.calls), bareNames: names.bareNames, lastNames };
}

/** Every call into the catalogue in a parsed source (for the harness, which must move model-building code). */
export function catalogueCalls(text: string, root: SyntaxNode, catalogue: Catalogue): CatalogueCall[] {
  const index = indexNodes(root);
  const ctx = callContext(text, root, catalogue, index);
  return index.calls.flatMap((node) => matchCall(node, ctx) ?? []);
}

function scanTree(text: string, root: SyntaxNode, catalogue: Catalogue, options: ScanOptions): ScanResult {
  const lines = new LineIndex(text);
  const index = indexNodes(root);
  const ctx = callContext(text, root, catalogue, index);
  const { imports, scopes } = ctx;
  const calls = index.calls.flatMap((node) => matchCall(node, ctx) ?? []);
  const callIds = new Set(calls.map((c) => c.id));
  const outputs = findOutputLayers(calls, index, text, scopes, imports);

  const candidates: Candidate[] = [];
  const bySite = new Map<string, Candidate>();
  for (const call of calls) {
    const isOutput = outputs.has(call.id);
    for (const arg of call.args) {
      const fixed = arg.param.fixed ?? (isOutput && call.spec.output.includes(arg.param.name)
        ? `output layer: ${arg.param.name} is set by the task (the number of classes or targets), not tuned`
        : undefined);
      if (!arg.param.tune && !fixed) continue;
      for (const cand of analyseArgument(text, call, arg, fixed, scopes, callIds, options)) {
        const key = `${cand.span.start}:${cand.span.end}:${cand.element ?? ''}`;
        const prev = bySite.get(key);
        if (!prev) {
          bySite.set(key, cand);
          candidates.push(cand);
        } else mergeUse(prev, cand);
      }
    }
  }

  const ignores = findIgnores(text, root, lines);
  for (const cand of candidates) {
    const defLine = lines.lineOf(cand.span.start);
    const useLines = cand.uses.map((u) => lines.lineOf(u.start));
    const ignored = isIgnored(ignores, defLine, cand.param) || (useLines.length > 0 && useLines.every((l) => isIgnored(ignores, l, cand.param)));
    if (ignored && cand.kind !== 'fixed-by-task') {
      cand.kind = 'ignored';
      cand.tunable = false;
      cand.reason = 'excluded by an "# optpar: ignore" comment';
      cand.space = undefined;
    }
  }

  const hyperparameters = assignIds(candidates, calls, index.assignments).sort((a, b) => a.span.start - b.span.start || (a.element ?? 0) - (b.element ?? 0));
  return { hyperparameters, errors: syntaxErrors(root, lines) };
}

/** A value used by several calls is tuned only if every use may be tuned. */
function mergeUse(into: Candidate, other: Candidate): void {
  into.uses.push(...other.uses);
  if (into.tunable && !other.tunable) {
    into.tunable = false;
    into.kind = other.kind;
    into.reason = other.reason;
    into.space = undefined;
  }
}

const DATA_HINT = /\.shape\b|\blen\(|\.size\b|\bnum_classes\b|\.n_|unique\(/;

function describeNonLiteral(text: string): string {
  const short = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  if (DATA_HINT.test(text)) return `${short} depends on the data`;
  return `${short} is computed when the script runs`;
}

function analyseArgument(
  text: string,
  call: CatalogueCall,
  arg: MatchedArg,
  fixed: string | undefined,
  scopes: ScopeResolver,
  callIds: Set<number>,
  options: ScanOptions,
): Candidate[] {
  const use: Span = { start: arg.value.startIndex, end: arg.value.endIndex };
  let site = unparen(arg.value);
  let definition: DefinitionKind = 'argument';
  let definitionName: string | undefined;
  let reason: string | undefined;
  // An object passed as the value (Adam(...), ReLU(...)) has its own hyperparameters.
  if (site.type === 'call' && callIds.has(site.id)) return [];
  if (site.type === 'subscript' && site.childForFieldName('value')?.text === 'params') reason = 'already parametrized';
  let callSites: Candidate[] = [];
  if (!reason && ['identifier', 'attribute', 'subscript'].includes(site.type)) {
    const res = scopes.resolve(site);
    if (res?.parameter) callSites = callSiteCandidates(text, call, arg, fixed, res.parameter, scopes, callIds, options);
    if (res?.kind === 'bound') {
      const value = unparen(res.value);
      if (value.type === 'call' && callIds.has(value.id)) return callSites;
      site = value;
      definition = res.definition;
      definitionName = res.name;
    } else if (res?.kind === 'unresolved') {
      // A parameter without a default whose every call passes a value: those values are the hyperparameters.
      if (res.parameter && callSites.length) return callSites;
      reason = res.reason;
    } else if (site.type === 'identifier') reason = `${site.text} is not defined in this file`;
  }
  const known = site === arg.value ? use : undefined;
  return [...analyseValue(text, call, arg, fixed, site, known, definition, definitionName, use, reason, options), ...callSites];
}

/** The values a helper function's callers pass for the parameter an argument reads. */
function callSiteCandidates(
  text: string,
  call: CatalogueCall,
  arg: MatchedArg,
  fixed: string | undefined,
  parameter: ParameterRef,
  scopes: ScopeResolver,
  callIds: Set<number>,
  options: ScanOptions,
): Candidate[] {
  const use: Span = { start: arg.value.startIndex, end: arg.value.endIndex };
  const fnName = parameter.fn.childForFieldName('name')?.text ?? '';
  const out: Candidate[] = [];
  for (const passed of scopes.callSiteArguments(parameter)) {
    let site = unparen(passed);
    if (site.type === 'call' && callIds.has(site.id)) continue;
    let definition: DefinitionKind = 'argument';
    let definitionName = `${fnName}.${parameter.name}`;
    let reason: string | undefined;
    if (['identifier', 'attribute', 'subscript'].includes(site.type)) {
      const res = scopes.resolve(site);
      if (res?.kind === 'bound') {
        site = unparen(res.value);
        if (site.type === 'call' && callIds.has(site.id)) continue;
        definition = res.definition;
        definitionName = res.name;
      } else if (res?.kind === 'unresolved') reason = res.reason;
      else continue; // a parameter of the caller, or something not in this file: reported where it is defined, if anywhere
    }
    for (const cand of analyseValue(text, call, arg, fixed, site, undefined, definition, definitionName, use, reason, options)) {
      out.push(cand);
    }
  }
  return out;
}

function analyseValue(
  source: string,
  call: CatalogueCall,
  arg: MatchedArg,
  fixed: string | undefined,
  site: SyntaxNode,
  /** The site's span when the caller has read it already (each read is a native call). */
  known: Span | undefined,
  definition: DefinitionKind,
  definitionName: string | undefined,
  use: Span,
  reason: string | undefined,
  options: ScanOptions,
): Candidate[] {
  const start = known ? known.start : site.startIndex;
  const end = known ? known.end : site.endIndex;
  const atUse = start === use.start && end === use.end;
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
    span: extra.span ?? { start, end },
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
  if (!lit) return [make('not-a-literal', { reason: describeNonLiteral(site.text) })];
  if (lit.kind === 'none') return [make('not-a-literal', { reason: 'None: no value to search around' })];

  if (arg.param.type === 'tuple' && lit.kind === 'sequence') {
    const ints = lit.items.map((i) => (i?.kind === 'number' && i.isInt ? i.value : undefined));
    if (ints.some((v) => v === undefined)) return [make('not-a-literal', { reason: `not a tuple of int literals: ${site.text}` })];
    const values = ints as number[];
    const tied = !options.splitTuples && values.every((v) => v === values[0]);
    if (tied) return [tunableCandidate(make, arg.param, values[0], { tupleSize: values.length, type: 'int' })];
    return lit.elements.map((el, i) =>
      tunableCandidate(make, arg.param, values[i], {
        type: 'int',
        tupleSize: values.length,
        element: i,
        value: el.text,
        span: { start: el.startIndex, end: el.endIndex },
      }),
    );
  }
  const mismatch = typeMismatch(arg.param, lit);
  if (mismatch) return [make('not-a-literal', { reason: mismatch })];
  const current = scalarValue(lit)!;
  return [tunableCandidate(make, arg.param, current, arg.param.type === 'tuple' ? { type: 'int' } : {})];
}

function tunableCandidate(
  make: (kind: HyperparameterKind, extra?: Partial<Candidate>) => Candidate,
  param: ParamSpec,
  current: Scalar,
  extra: Partial<Candidate>,
): Candidate {
  extra.current = current;
  extra.space = defaultSpace(param, current);
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
