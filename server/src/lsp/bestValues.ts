/**
 * A search's results beside the open model (.optpar/<name>/results.json): the "Apply best
 * values" code lens, code action and command (one WorkspaceEdit), a diagnostic and an inlay
 * hint with the best value beside each current one. The plan is the CLI's (`optpar apply`):
 * values whose text changed since the search are left out.
 */
import { statSync, unwatchFile, watchFile } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LineIndex } from '../analysis/lines';
import type { Catalogue } from '../catalogue/types';
import { appliedIds } from '../refactor/apply';
import { type PlannedApply, planApply } from '../refactor/applyResults';
import { defaultResultsPath, readResults, type ResultsDoc } from '../report/results';
import { showValue } from '../report/html';
import type { ClientFlags } from './capabilities';
import { codeHref, COMMANDS, NAME, SOURCE_APPLY_BEST } from './constants';
import { spanRange } from './diagnostics';
import { DiagnosticSeverity, type CodeAction, type CodeLens, type Diagnostic, type InlayHint, type Range, type WorkspaceEdit } from './protocol';

export interface Best {
  resultsPath: string;
  doc: ResultsDoc;
  plan: PlannedApply;
}

const fmt = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : Number(x.toPrecision(4)).toString());

/** "Apply best values (loss 0.52 → 0.41)". */
export function applyTitle(best: Best): string {
  const n = appliedIds(best.plan.edits).length;
  return `Apply best values (loss ${fmt(best.doc.original.loss)} → ${fmt(best.plan.loss)}; ${n} value${n === 1 ? '' : 's'})`;
}

/**
 * Results files of open models: read when their modification time changes, each document's
 * plan cached for its text. Watches the files itself (stat polling) when the client cannot
 * register file watchers.
 */
export class BestValues {
  private files = new Map<string, { mtime: number; doc?: ResultsDoc }>();
  private plans = new Map<string, { text: string; mtime: number; best?: Best }>();
  private polled = new Map<string, () => void>();

  constructor(private catalogue: () => Catalogue) {}

  static resultsPathOf(uri: string): string | undefined {
    if (!uri.startsWith('file:')) return undefined;
    try {
      return defaultResultsPath(fileURLToPath(uri));
    } catch {
      return undefined;
    }
  }

  private load(path: string): { mtime: number; doc?: ResultsDoc } {
    let mtime = -1;
    try {
      mtime = statSync(path).mtimeMs;
    } catch {
      // no results yet
    }
    const cached = this.files.get(path);
    if (cached && cached.mtime === mtime) return cached;
    let doc: ResultsDoc | undefined;
    if (mtime >= 0) {
      try {
        doc = readResults(path);
      } catch {
        // being written, or not ours: the next change reads it again
      }
    }
    const entry = { mtime, doc };
    this.files.set(path, entry);
    return entry;
  }

  /** The best values of the search beside `uri`, planned against this text; undefined when there is no usable search. */
  get(uri: string, text: string): Best | undefined {
    const path = BestValues.resultsPathOf(uri);
    if (!path) return undefined;
    const file = this.load(path);
    const cached = this.plans.get(uri);
    if (cached && cached.text === text && cached.mtime === file.mtime) return cached.best;
    let best: Best | undefined;
    if (file.doc?.best) {
      try {
        best = { resultsPath: path, doc: file.doc, plan: planApply(file.doc, text, this.catalogue()) };
      } catch {
        best = undefined;
      }
    }
    this.plans.set(uri, { text, mtime: file.mtime, best });
    return best;
  }

  /** A results file changed (a watcher said so): read it again on next use. */
  invalidate(path?: string): void {
    if (path) this.files.delete(path);
    else this.files.clear();
    this.plans.clear();
  }

  isResultsFile(path: string): boolean {
    return /[\\/]\.optpar[\\/][^\\/]+[\\/]results\.json$/.test(path);
  }

  /**
   * The fallback for clients without dynamic file-watcher registration (Neovim before 0.9, for
   * one): stat the open model's results file every second. One stat per open model, no inotify
   * limits, and it sees a file appear in folders that do not exist yet.
   */
  poll(uri: string, onChange: () => void): void {
    const path = BestValues.resultsPathOf(uri);
    if (!path || this.polled.has(uri)) return;
    const listener = (cur: { mtimeMs: number }, prev: { mtimeMs: number }) => {
      if (cur.mtimeMs === prev.mtimeMs) return;
      this.invalidate(path);
      onChange();
    };
    watchFile(path, { interval: 1000, persistent: false }, listener);
    this.polled.set(uri, () => unwatchFile(path, listener));
  }

  unpoll(uri?: string): void {
    for (const [u, stop] of this.polled) {
      if (uri && u !== uri) continue;
      stop();
      this.polled.delete(u);
    }
    if (uri) this.plans.delete(uri);
  }
}

/** The edit of each value (not the import a class choice may add). */
function valueEdits(best: Best) {
  const seen = new Set<string>();
  return best.plan.edits.filter((e) => !seen.has(e.id) && !!seen.add(e.id));
}

export function applyEdit(uri: string, version: number, text: string, best: Best, flags: ClientFlags): WorkspaceEdit {
  const lines = new LineIndex(text);
  const edits = best.plan.edits.map((e) => ({ range: spanRange(lines, e.span), newText: e.newText }));
  if (flags.documentChanges) return { documentChanges: [{ textDocument: { uri, version }, edits }] };
  return { changes: { [uri]: edits } };
}

export function applyLens(uri: string, line: number, best: Best): CodeLens[] {
  if (best.plan.edits.length === 0) return [];
  const pos = { line, character: 0 };
  const title = applyTitle(best);
  return [{ range: { start: pos, end: pos }, command: { title, command: COMMANDS.applyBestValues, arguments: [{ uri }] } }];
}

export function applyAction(uri: string, version: number, text: string, best: Best, flags: ClientFlags, only: string[] | undefined): CodeAction[] {
  if (best.plan.edits.length === 0) return [];
  if (only && !only.some((o) => SOURCE_APPLY_BEST === o || SOURCE_APPLY_BEST.startsWith(`${o}.`))) return [];
  return [{ title: applyTitle(best), kind: SOURCE_APPLY_BEST, edit: applyEdit(uri, version, text, best, flags) }];
}

/** The best value beside each value it would change: "best value 128 (trial 4, loss 0.52 → 0.41)". */
export function bestDiagnostics(text: string, best: Best): Diagnostic[] {
  const lines = new LineIndex(text);
  const out: Diagnostic[] = valueEdits(best).map((e) => ({
    range: spanRange(lines, e.span),
    severity: DiagnosticSeverity.Information,
    source: NAME,
    code: 'best-value',
    codeDescription: { href: codeHref('best-value') },
    message: `${e.id}: best value in the last search ${showValue(e.value as never)} (now ${e.original || 'the Keras default'}); trial ${best.plan.trial}, loss ${fmt(best.doc.original.loss)} → ${fmt(best.plan.loss)}`,
    data: { id: e.id, best: e.newText },
  }));
  return out;
}

export function bestHints(text: string, best: Best, range: Range): InlayHint[] {
  const lines = new LineIndex(text);
  const from = lines.offset(range.start.line, range.start.character);
  const to = lines.offset(range.end.line, range.end.character);
  return valueEdits(best)
    .filter((e) => e.span.end >= from && e.span.end <= to)
    .map((e) => ({
      position: lines.position(e.span.end),
      label: `best: ${showValue(e.value as never)}`,
      paddingLeft: true,
      tooltip: `${e.id}: best value in the last search (trial ${best.plan.trial}, loss ${fmt(best.doc.original.loss)} → ${fmt(best.plan.loss)}); results ${best.resultsPath}`,
    }));
}
