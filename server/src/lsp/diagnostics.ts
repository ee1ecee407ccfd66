/**
 * Scan results -> LSP diagnostics. Each hyperparameter diagnostic carries in `data` the edits
 * its code actions need, so actions are a pure function of the request.
 */
import { LineIndex } from '../analysis/lines';
import { describeSpace } from '../analysis/space';
import type { AnalysisError, Hyperparameter, Span } from '../analysis/types';
import { paramRef, rewriteText } from '../refactor/parametrize';
import { codeHref, NAME, type DiagnosticCode } from './constants';
import { DiagnosticSeverity, type Diagnostic, type Range } from './protocol';
import type { SeverityName, Settings } from './settings';

/**
 * What a hyperparameter diagnostic's fixes need, beside its range and code. Kept small: a big
 * file publishes thousands of diagnostics on every edit.
 */
export interface HyperparameterData {
  id: string;
  /** The parameter, when it is not the id's last part (dense.units has param units). */
  param?: string;
  /** The text the diagnostic's range covered when it was made: a stale diagnostic no longer matches. */
  original: string;
  /** A tuple tuned as one value: parametrizing writes a tuple of this many params['<id>']. */
  tuple?: number;
  /** Set (false) when there is no literal value, so nothing to parametrize. */
  literal?: false;
  /** An implicit value: the keyword argument parametrizing inserts. */
  insertion?: { before: string; keyword: string };
  /** A value inside an expression (an optimizer class): the text parametrizing fills. */
  template?: string;
}

const SEVERITY: Record<Exclude<SeverityName, 'off'>, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function spanRange(lines: LineIndex, span: Span): Range {
  return { start: lines.position(span.start), end: lines.position(span.end) };
}

export function hyperparameterData(text: string, h: Hyperparameter): HyperparameterData {
  const data: HyperparameterData = { id: h.id, original: text.slice(h.span.start, h.span.end) };
  if (!h.id.endsWith(`.${h.param}`) && h.id !== h.param) data.param = h.param;
  if (h.current === undefined || h.kind === 'ignored') data.literal = false;
  else if (h.tupleSize !== undefined && h.element === undefined) data.tuple = h.tupleSize;
  if (h.insertion) data.insertion = h.insertion;
  if (h.template) data.template = h.template;
  return data;
}

export function paramOf(data: HyperparameterData): string {
  return data.param ?? data.id.slice(data.id.lastIndexOf('.') + 1);
}

/** What parametrizing a hyperparameter writes over its range, or undefined when it has no literal value. */
export function replacement(data: HyperparameterData): string | undefined {
  if (data.literal === false) return undefined;
  return rewriteText({ tupleSize: data.tuple, insertion: data.insertion, template: data.template }, paramRef(data.id), data.original);
}

export function message(h: Hyperparameter): string {
  const value = h.value.length > 40 ? `${h.value.slice(0, 37)}...` : h.value;
  if (h.tunable && h.space && h.definition === 'implicit') return `${h.id} = ${value} (Keras default, not written): tune in ${describeSpace(h.space)}`;
  if (h.tunable && h.space) return `${h.id} = ${value}: tune in ${describeSpace(h.space)}`;
  if (h.kind === 'budget') return `${h.id} = ${value}: a training budget, kept as written (optpar.tuneBudget searches it)`;
  return `${h.id} = ${value}: not tuned (${h.reason ?? h.kind})`;
}

const descriptions = new Map<DiagnosticCode, { href: string }>();

function diagnostic(range: Range, code: DiagnosticCode, severity: DiagnosticSeverity, msg: string, data?: unknown): Diagnostic {
  let codeDescription = descriptions.get(code);
  if (!codeDescription) descriptions.set(code, (codeDescription = { href: codeHref(code) }));
  const d: Diagnostic = { range, severity, code, codeDescription, source: NAME, message: msg };
  if (data !== undefined) d.data = data;
  return d;
}

/**
 * One document's last diagnostics by hyperparameter id. After an edit, a hyperparameter whose
 * id, value, verdict and position are what they were gets the same diagnostic object back (and
 * the encoder its JSON), so typing in a big file builds a few diagnostics, not thousands.
 */
export class DiagnosticMemo {
  private last = new Map<string, { h: Hyperparameter; settings: Settings; diagnostic: Diagnostic }>();
  private next = new Map<string, { h: Hyperparameter; settings: Settings; diagnostic: Diagnostic }>();

  reuse(h: Hyperparameter, settings: Settings, lines: LineIndex): Diagnostic | undefined {
    const last = this.last.get(h.id);
    if (!last || last.settings !== settings || !sameVerdict(last.h, h)) return undefined;
    const { start, end } = last.diagnostic.range;
    if (!at(lines, h.span.start, start) || !at(lines, h.span.end, end)) return undefined;
    this.next.set(h.id, last);
    return last.diagnostic;
  }

  keep(h: Hyperparameter, settings: Settings, diagnostic: Diagnostic): void {
    this.next.set(h.id, { h, settings, diagnostic });
  }

  /** The diagnostics of this round become the ones to reuse next time. */
  done(): void {
    this.last = this.next;
    this.next = new Map();
  }
}

/** Whether two scans' hyperparameters (same id) would give the same diagnostic apart from its range. */
function sameVerdict(a: Hyperparameter, b: Hyperparameter): boolean {
  return (
    a === b ||
    (a.value === b.value &&
      a.param === b.param &&
      a.kind === b.kind &&
      a.tunable === b.tunable &&
      a.reason === b.reason &&
      a.current === b.current &&
      a.tupleSize === b.tupleSize &&
      a.element === b.element &&
      a.space === b.space)
  );
}

/** Whether an offset is still at a position (without allocating one). */
function at(lines: LineIndex, offset: number, pos: Range['start']): boolean {
  const line = lines.lineOf(offset);
  return line === pos.line && offset - lines.lineStart(line) === pos.character;
}

/** Diagnostics of one scanned document under the settings. */
export function toDiagnostics(text: string, hps: Hyperparameter[], errors: AnalysisError[], settings: Settings, memo?: DiagnosticMemo): Diagnostic[] {
  const lines = new LineIndex(text);
  const out: Diagnostic[] = [];
  for (const h of hps) {
    if (h.kind !== 'hyperparameter' && h.kind !== 'budget' && !settings.showFixed) continue;
    const sev = settings.severity[h.kind];
    if (sev === 'off') continue;
    const reused = memo?.reuse(h, settings, lines);
    if (reused) {
      out.push(reused);
      continue;
    }
    const made = diagnostic(spanRange(lines, h.span), h.kind, SEVERITY[sev], message(h), hyperparameterData(text, h));
    memo?.keep(h, settings, made);
    out.push(made);
  }
  memo?.done();
  const sev = settings.severity['syntax-error'];
  if (sev !== 'off') {
    for (const e of errors) {
      const range = e.span ? spanRange(lines, e.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      out.push(diagnostic(range, 'syntax-error', SEVERITY[sev], e.message));
    }
  }
  return out;
}

/** A diagnostic in a file that is not Python (a catalogue, optpar.yaml). */
export function fileDiagnostic(range: Range, code: DiagnosticCode, msg: string): Diagnostic {
  return diagnostic(range, code, DiagnosticSeverity.Error, msg);
}
