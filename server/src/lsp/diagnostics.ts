/**
 * Scan results -> LSP diagnostics. Each hyperparameter diagnostic carries in `data` the edits
 * its code actions need, so actions are a pure function of the request.
 */
import { LineIndex } from '../analysis/lines';
import { describeSpace } from '../analysis/space';
import type { AnalysisError, Hyperparameter, Span } from '../analysis/types';
import { paramRef } from '../refactor/parametrize';
import { codeHref, NAME, type DiagnosticCode } from './constants';
import { DiagnosticSeverity, type Diagnostic, type Range, type TextEdit } from './protocol';
import type { SeverityName, Settings } from './settings';

/** What a hyperparameter diagnostic's fixes need. */
export interface HyperparameterData {
  id: string;
  param: string;
  kind: Hyperparameter['kind'];
  /** The text the diagnostic's range covered when it was made: a stale diagnostic no longer matches. */
  original: string;
  /** Replaces the value with params['<id>'] (absent when there is no literal value). */
  parametrize?: TextEdit;
  /** Adds or extends "# optpar: ignore[...]" on the definition's line (absent when the line already ignores everything). */
  ignore?: TextEdit;
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

const IGNORE_LIST = /#\s*optpar:\s*ignore\[([^\]\n]*)\][ \t]*$/;
const IGNORE_ALL = /#\s*optpar:\s*ignore[ \t]*$/;

/** The edit that makes `# optpar: ignore[param]` cover the line of `offset`, or undefined when it already does. */
export function ignoreEdit(text: string, lines: LineIndex, offset: number, param: string): TextEdit | undefined {
  const line = lines.lineOf(offset);
  const lineText = lines.lineText(line);
  if (IGNORE_ALL.test(lineText)) return undefined;
  const m = IGNORE_LIST.exec(lineText);
  if (m) {
    const names = m[1].split(',').map((s) => s.trim()).filter(Boolean);
    if (names.includes(param)) return undefined;
    const close = m.index + m[0].lastIndexOf(']');
    const pos = { line, character: close };
    return { range: { start: pos, end: pos }, newText: names.length ? `, ${param}` : param };
  }
  const end = { line, character: lineText.length };
  return { range: { start: end, end }, newText: `  # optpar: ignore[${param}]` };
}

export function hyperparameterData(text: string, lines: LineIndex, h: Hyperparameter): HyperparameterData {
  const range = spanRange(lines, h.span);
  const ref = paramRef(h.id);
  const newText = h.tupleSize !== undefined && h.element === undefined ? `(${Array(h.tupleSize).fill(ref).join(', ')})` : ref;
  return {
    id: h.id,
    param: h.param,
    kind: h.kind,
    original: text.slice(h.span.start, h.span.end),
    parametrize: h.current !== undefined && h.kind !== 'ignored' ? { range, newText } : undefined,
    ignore: h.kind === 'hyperparameter' ? ignoreEdit(text, lines, h.span.start, h.param) : undefined,
  };
}

export function message(h: Hyperparameter): string {
  const value = h.value.length > 40 ? `${h.value.slice(0, 37)}...` : h.value;
  if (h.tunable && h.space) return `${h.id} = ${value}: hyperparameter, proposed range ${describeSpace(h.space)}`;
  return `${h.id} = ${value}: not tuned (${h.reason ?? h.kind})`;
}

function diagnostic(range: Range, code: DiagnosticCode, severity: DiagnosticSeverity, msg: string, data?: unknown): Diagnostic {
  return { range, severity, code, codeDescription: { href: codeHref(code) }, source: NAME, message: msg, ...(data !== undefined ? { data } : {}) };
}

/** Diagnostics of one scanned document under the settings. */
export function toDiagnostics(text: string, hps: Hyperparameter[], errors: AnalysisError[], settings: Settings): Diagnostic[] {
  const lines = new LineIndex(text);
  const out: Diagnostic[] = [];
  for (const h of hps) {
    if (h.kind !== 'hyperparameter' && !settings.showFixed) continue;
    const sev = settings.severity[h.kind];
    if (sev === 'off') continue;
    out.push(diagnostic(spanRange(lines, h.span), h.kind, SEVERITY[sev], message(h), hyperparameterData(text, lines, h)));
  }
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
