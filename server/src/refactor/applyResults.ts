import type { Catalogue } from '../catalogue/types';
import { scanSource } from '../analysis/scan';
import type { Hyperparameter } from '../analysis/types';
import { textHash } from '../harness/hyperopt';
import { chosenTrial, type ResultsDoc } from '../report/results';
import { type ApplyEdit, type ApplyResult, applyValues } from './apply';

/**
 * A results file applied to a model's current text: shared by `optpar apply` and the language
 * server's "Apply best values". The rewriting itself is apply.ts.
 */

/**
 * The hyperparameters of `text` under every id scheme a search may have used: tied tuples
 * (conv2d.kernel_size) and, for a search made with --split-tuples, their elements
 * (conv2d.kernel_size.0). Budgets are included: a search may have tuned them.
 */
export function scanForApply(text: string, catalogue: Catalogue): Hyperparameter[] {
  const tied = scanSource(text, catalogue, { tuneBudget: true }).hyperparameters;
  const split = scanSource(text, catalogue, { tuneBudget: true, splitTuples: true }).hyperparameters;
  const ids = new Set(tied.map((h) => h.id));
  return [...tied, ...split.filter((h) => !ids.has(h.id))];
}

export interface PlannedApply extends ApplyResult {
  trial: number;
  loss: number | null;
  /** The model's text differs from the one searched (its recorded hash). */
  changedSinceSearch: boolean;
}

/** What `optpar apply` would do to `text` with these results (shared with the language server). */
export function planApply(doc: ResultsDoc, text: string, catalogue: Catalogue, trial?: number): PlannedApply {
  const chosen = chosenTrial(doc, trial);
  const changedSinceSearch = doc.model?.sha256 !== undefined && doc.model.sha256 !== textHash(text);
  const result = applyValues({
    text,
    hyperparameters: scanForApply(text, catalogue),
    values: chosen.params,
    // Unchanged text: every recorded value is where it was. Otherwise compare each value's text.
    recorded: doc.model?.values,
    catalogue,
  });
  return { ...result, trial: chosen.trial, loss: chosen.loss, changedSinceSearch };
}

/** A unified diff of the edits (3 lines of context), as diff -u would print it. */
export function unifiedDiff(path: string, text: string, edits: ApplyEdit[], context = 3): string {
  if (edits.length === 0) return '';
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const oldLines = text.split('\n');
  const hasFinalNewline = text.endsWith('\n');
  const lastLine = hasFinalNewline ? oldLines.length - 2 : oldLines.length - 1;
  // Groups of edits whose changed lines are within 2 * context of each other share a hunk.
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start);
  const groups: { first: number; last: number; edits: ApplyEdit[] }[] = [];
  for (const e of sorted) {
    const first = lineOf(e.span.start);
    const last = lineOf(Math.max(e.span.start, e.span.end - 1));
    const g = groups[groups.length - 1];
    if (g && first - g.last <= 2 * context) {
      g.last = Math.max(g.last, last);
      g.edits.push(e);
    } else groups.push({ first, last, edits: [e] });
  }
  const out = [`--- a/${path}`, `+++ b/${path}`];
  let shift = 0;
  for (const g of groups) {
    const from = Math.max(0, g.first - context);
    const to = Math.min(lastLine, g.last + context);
    const start = lineStarts[from];
    const end = to + 1 < lineStarts.length ? lineStarts[to + 1] : text.length;
    const before = text.slice(start, end);
    let rewritten = '';
    let pos = start;
    for (const e of g.edits) {
      rewritten += text.slice(pos, e.span.start) + e.newText;
      pos = e.span.end;
    }
    rewritten += text.slice(pos, end);
    const a = before.replace(/\n$/, '').split('\n');
    const b = rewritten.replace(/\n$/, '').split('\n');
    out.push(`@@ -${from + 1},${a.length} +${from + 1 + shift},${b.length} @@`);
    // Context before, the changed lines (old then new), context after.
    const head = g.first - from;
    const tailA = a.length - (g.last - from + 1);
    for (let i = 0; i < head; i++) out.push(` ${a[i]}`);
    const midA = a.slice(head, a.length - tailA);
    const midB = b.slice(head, b.length - tailA);
    if (midA.length === midB.length) {
      // Line by line: a line the edits left alone stays context; a run of changed lines is
      // printed as its old lines, then its new ones.
      for (let i = 0; i < midA.length; ) {
        if (midA[i] === midB[i]) {
          out.push(` ${midA[i++]}`);
          continue;
        }
        let j = i;
        while (j < midA.length && midA[j] !== midB[j]) j++;
        for (let k = i; k < j; k++) out.push(`-${midA[k]}`);
        for (let k = i; k < j; k++) out.push(`+${midB[k]}`);
        i = j;
      }
    } else {
      for (const l of midA) out.push(`-${l}`);
      for (const l of midB) out.push(`+${l}`);
    }
    for (let i = a.length - tailA; i < a.length; i++) out.push(` ${a[i]}`);
    shift += b.length - a.length;
  }
  if (!hasFinalNewline) out.push('\\ No newline at end of file');
  return out.join('\n');
}

