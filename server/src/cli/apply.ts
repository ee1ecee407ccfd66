import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatCatalogueError, loadCatalogue } from '../catalogue/load';
import type { Catalogue } from '../catalogue/types';
import { scanSource } from '../analysis/scan';
import type { Hyperparameter } from '../analysis/types';
import { textHash } from '../harness/hyperopt';
import { type ApplyEdit, type ApplyResult, applyValues } from '../refactor/apply';
import { chosenTrial, readResults, type ResultsDoc, ResultsError } from '../report/results';
import { readSource, type CommandIO } from './scan';
import { defaultResultsPath } from './tune';
import { UsageError } from './usage';

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

/** optpar apply [RESULTS.json] MODEL.py [--trial N] [--dry-run] */
export function runApply(argv: string[], io: CommandIO): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { trial: { type: 'string' }, 'dry-run': { type: 'boolean' }, catalogue: { type: 'string', multiple: true } },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const pos = parsed.positionals;
  if (pos.length < 1 || pos.length > 2) throw new UsageError('apply takes [RESULTS.json] MODEL.py');
  const model = pos[pos.length - 1];
  const resultsPath = pos.length === 2 ? pos[0] : defaultResultsPath(model);
  let trial: number | undefined;
  if (parsed.values.trial !== undefined) {
    trial = Number(parsed.values.trial);
    if (!Number.isInteger(trial) || trial < 1) throw new UsageError(`--trial must be a trial number >= 1, not "${parsed.values.trial}"`);
  }
  const { catalogue, errors } = loadCatalogue(parsed.values.catalogue ?? []);
  for (const e of errors) io.err(`optpar: ${formatCatalogueError(e)}`);
  const source = readSource(model);
  if (source.text === undefined) {
    io.err(`optpar: ${model}: ${source.error}`);
    return 1;
  }
  let plan: PlannedApply;
  let doc: ResultsDoc;
  try {
    doc = readResults(resultsPath);
    plan = planApply(doc, source.text, catalogue, trial);
  } catch (err) {
    if (err instanceof ResultsError) {
      io.err(`optpar: ${err.message}${pos.length === 1 && /no such file/.test(err.message) ? ` (run optpar tune ${model} first, or name the results file)` : ''}`);
      return 1;
    }
    throw err;
  }
  if (doc.model?.path && resolve(doc.model.path) !== resolve(model)) io.err(`optpar: note: the search was made on ${doc.model.path}`);
  if (plan.changedSinceSearch) io.err(`optpar: ${model} changed since the search: each value is applied only where its text is still the one searched`);
  for (const s of plan.skipped) io.err(`optpar: skipped ${s.id}: ${s.reason}`);
  const lossText = plan.loss === null ? '' : ` (loss ${doc.original.loss ?? 'n/a'} → ${plan.loss})`;
  if (parsed.values['dry-run']) {
    const diff = unifiedDiff(model, source.text, plan.edits);
    if (diff) io.out(diff);
    io.err(`optpar: dry run: ${plan.edits.length} value(s) of trial ${plan.trial} would change${lossText}; ${model} not written`);
    return 0;
  }
  if (plan.edits.length > 0) {
    try {
      writeFileSync(model, plan.text);
    } catch (err) {
      io.err(`optpar: cannot write ${model}: ${(err as Error).message}`);
      return 1;
    }
  }
  for (const e of plan.edits) io.out(`  ${e.id}: ${e.original} → ${e.newText}`);
  io.err(
    `optpar: applied ${plan.edits.length} value(s) of trial ${plan.trial}${lossText} to ${model}` +
      (plan.unchanged.length ? `; ${plan.unchanged.length} already as searched` : '') +
      (plan.skipped.length ? `; skipped ${plan.skipped.map((s) => s.id).join(', ')}` : ''),
  );
  return 0;
}
