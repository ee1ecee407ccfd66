/**
 * Code actions, computed from the request: each optpar diagnostic's `data` holds its edits
 * (checked against the current text so a stale diagnostic offers nothing wrong), values under
 * the cursor without a diagnostic get the same fixes from the current scan, and the document
 * gets "Parametrize all" and "Generate tuning harness".
 */
import { LineIndex } from '../analysis/lines';
import type { Hyperparameter } from '../analysis/types';
import { chooseHyperparameters, parametrize } from '../refactor/parametrize';
import type { ClientFlags } from './capabilities';
import { COMMANDS, NAME, REFACTOR_HARNESS, SOURCE_PARAMETRIZE_ALL } from './constants';
import { hyperparameterData, paramOf, replacement, spanRange, type HyperparameterData } from './diagnostics';
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type Range, type TextEdit, type WorkspaceEdit } from './protocol';

export interface HarnessActionData {
  harness: { uri: string; version: number };
}

function editFor(uri: string, version: number, edits: TextEdit[], flags: ClientFlags): WorkspaceEdit {
  if (flags.documentChanges) return { documentChanges: [{ textDocument: { uri, version }, edits }] };
  return { changes: { [uri]: edits } };
}

function textAt(lines: LineIndex, text: string, range: Range): string {
  return text.slice(lines.offset(range.start.line, range.start.character), lines.offset(range.end.line, range.end.character));
}

function isData(d: unknown): d is HyperparameterData {
  return !!d && typeof d === 'object' && typeof (d as HyperparameterData).id === 'string' && typeof (d as HyperparameterData).original === 'string';
}

function overlaps(a: Range, b: Range): boolean {
  const before = (p: { line: number; character: number }, q: { line: number; character: number }) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

function wants(only: string[] | undefined, kind: string): boolean {
  return !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

const IGNORE_LIST = /#\s*optpar:\s*ignore\[([^\]\n]*)\][ \t]*$/;
const IGNORE_ALL = /#\s*optpar:\s*ignore[ \t]*$/;

/** The edit that makes `# optpar: ignore[param]` cover the line of `offset`, or undefined when it already does. */
function ignoreEdit(lines: LineIndex, offset: number, param: string): TextEdit | undefined {
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

/** Parametrize and Ignore for one hyperparameter at `range`, whose text is data.original in the current text. */
function fixes(input: ActionInput, lines: LineIndex, range: Range, data: HyperparameterData, kind: unknown, diagnostic: Diagnostic | undefined): CodeAction[] {
  const { params, version, flags } = input;
  const uri = params.textDocument.uri;
  const out: CodeAction[] = [];
  if (!wants(params.context.only, CodeActionKind.QuickFix)) return out;
  const diagnostics = diagnostic ? { diagnostics: [diagnostic] } : {};
  const param = paramOf(data);
  const newText = replacement(data);
  if (newText !== undefined) {
    out.push({
      title: `Parametrize ${param} (params['${data.id}'])`,
      kind: CodeActionKind.QuickFix,
      ...diagnostics,
      isPreferred: kind === 'hyperparameter',
      edit: editFor(uri, version, [{ range, newText }], flags),
    });
  }
  const ignore = kind === 'hyperparameter' ? ignoreEdit(lines, lines.offset(range.start.line, range.start.character), param) : undefined;
  if (ignore) {
    out.push({
      title: `Ignore this hyperparameter (# ${NAME}: ignore[${param}])`,
      kind: CodeActionKind.QuickFix,
      ...diagnostics,
      edit: editFor(uri, version, [ignore], flags),
    });
  }
  return out;
}

export interface ActionInput {
  params: CodeActionParams;
  text: string;
  version: number;
  hps: Hyperparameter[];
  flags: ClientFlags;
  /** tune_<name>.py, its uri, whether it exists already. */
  harness: { uri: string; name: string; exists: boolean } | undefined;
  /** The harness edit (CreateFile + insert), computed now when the client cannot resolve actions later. */
  harnessEdit?: () => WorkspaceEdit | undefined;
}

export function codeActions(input: ActionInput): CodeAction[] {
  const { params, text, version, hps, flags } = input;
  const uri = params.textDocument.uri;
  const only = params.context.only;
  const lines = new LineIndex(text);
  const out: CodeAction[] = [];
  const done = new Set<string>();
  for (const d of params.context.diagnostics) {
    if (d.source !== NAME || !isData(d.data)) continue;
    // A diagnostic made for another text: its edits could land in the wrong place.
    if (textAt(lines, text, d.range) !== d.data.original) continue;
    done.add(d.data.id);
    out.push(...fixes(input, lines, d.range, d.data, d.code, d));
  }
  for (const h of hps) {
    if (done.has(h.id) || h.kind === 'fixed-by-task') continue;
    const range = spanRange(lines, h.span);
    if (!overlaps(range, params.range)) continue;
    done.add(h.id);
    out.push(...fixes(input, lines, range, hyperparameterData(text, h), h.kind, undefined));
  }
  const tunable = chooseHyperparameters(hps).chosen;
  if (tunable.length && wants(only, SOURCE_PARAMETRIZE_ALL)) {
    const p = parametrize(text, tunable);
    out.push({
      title: `Parametrize all hyperparameters (${p.edits.length})`,
      kind: SOURCE_PARAMETRIZE_ALL,
      edit: editFor(uri, version, p.edits.map((e) => ({ range: spanRange(lines, e.span), newText: e.newText })), flags),
    });
  }
  if (tunable.length && input.harness && wants(only, REFACTOR_HARNESS)) {
    const title = `Generate tuning harness ${input.harness.name}${input.harness.exists ? ' (replaces it)' : ''}`;
    if (flags.resourceCreate && flags.documentChanges) {
      const data: HarnessActionData = { harness: { uri, version } };
      if (flags.codeActionResolveEdit) out.push({ title, kind: REFACTOR_HARNESS, data });
      else {
        const edit = input.harnessEdit?.();
        if (edit) out.push({ title, kind: REFACTOR_HARNESS, edit });
      }
    } else {
      out.push({ title, kind: REFACTOR_HARNESS, command: { title, command: COMMANDS.generateHarness, arguments: [{ uri }] } });
    }
  }
  return out;
}

/** The WorkspaceEdit that creates (or replaces) the harness file with the given text. */
export function harnessWorkspaceEdit(targetUri: string, text: string): WorkspaceEdit {
  const start = { line: 0, character: 0 };
  return {
    documentChanges: [
      { kind: 'create', uri: targetUri, options: { overwrite: true } },
      { textDocument: { uri: targetUri, version: null }, edits: [{ range: { start, end: start }, newText: text }] },
    ],
  };
}
