import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatCatalogueError, loadCatalogue } from '../catalogue/load';
import { appliedIds } from '../refactor/apply';
import { type PlannedApply, planApply, unifiedDiff } from '../refactor/applyResults';
import { defaultResultsPath, readResults, type ResultsDoc, ResultsError } from '../report/results';
import { readSource, type CommandIO } from './scan';
import { UsageError } from './usage';
import { NotebookError, rewriteNotebook } from '../notebook/notebook';

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
    io.err(`optpar: dry run: ${appliedIds(plan.edits).length} value(s) of trial ${plan.trial} would change${lossText}; ${model} not written`);
    return 0;
  }
  if (plan.edits.length > 0) {
    try {
      writeFileSync(model, source.notebook ? rewriteNotebook(source.notebook, plan.edits).text : plan.text);
    } catch (err) {
      if (err instanceof NotebookError) {
        io.err(`optpar: ${model}: ${err.message}; nothing written`);
        return 1;
      }
      io.err(`optpar: cannot write ${model}: ${(err as Error).message}`);
      return 1;
    }
  }
  for (const e of plan.edits) if (e.original !== '' || !e.newText.startsWith(', ')) io.out(`  ${e.id}: ${e.original} → ${e.newText}`);
  io.err(
    `optpar: applied ${appliedIds(plan.edits).length} value(s) of trial ${plan.trial}${lossText} to ${model}` +
      (plan.unchanged.length ? `; ${plan.unchanged.length} already as searched` : '') +
      (plan.skipped.length ? `; skipped ${plan.skipped.map((s) => s.id).join(', ')}` : ''),
  );
  return 0;
}
