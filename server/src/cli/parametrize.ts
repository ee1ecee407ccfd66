import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatCatalogueError, loadCatalogue } from '../catalogue/load';
import { LineIndex } from '../analysis/lines';
import { scanSource } from '../analysis/scan';
import { applyProjectConfig } from '../config/projectConfig';
import { loadProjectConfigFor } from '../config/projectFile';
import { spaceJson } from '../harness/hyperopt';
import { chooseHyperparameters, parametrize } from '../refactor/parametrize';
import { readSource, type CommandIO } from './scan';
import { UsageError } from './usage';
import { cellPosition, NotebookError, rewriteNotebook } from '../notebook/notebook';

function parseOptions(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        json: { type: 'boolean' },
        ids: { type: 'string' },
        catalogue: { type: 'string', multiple: true },
        'split-tuples': { type: 'boolean' },
        'tune-budget': { type: 'boolean' },
        'space-json': { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** optpar parametrize MODEL.py [-o OUT] [--json] [--ids a,b] [--space-json FILE] */
export function runParametrize(argv: string[], io: CommandIO): number {
  const { values, positionals } = parseOptions(argv);
  if (positionals.length !== 1) throw new UsageError('parametrize takes exactly one MODEL.py');
  const path = positionals[0];
  const { catalogue, errors } = loadCatalogue(values.catalogue ?? []);
  for (const e of errors) io.err(`optpar: ${formatCatalogueError(e)}`);
  const source = readSource(path);
  if (source.text === undefined) {
    io.err(`optpar: ${path}: ${source.error}`);
    return 1;
  }
  const scan = scanSource(source.text, catalogue, { splitTuples: values['split-tuples'], tuneBudget: values['tune-budget'] });
  const ids = values.ids?.split(',').map((s) => s.trim()).filter(Boolean);
  const hps = applyProjectConfig(scan.hyperparameters, loadProjectConfigFor(path, (m) => io.err(`optpar: ${m}`)));
  const { chosen, unknown, unusable } = chooseHyperparameters(hps, ids);
  if (unknown.length) {
    io.err(`optpar: ${path}: no hyperparameter with id ${unknown.join(', ')}`);
    return 1;
  }
  if (unusable.length) io.err(`optpar: ${path}: skipped ${unusable.join(', ')}: no literal value`);
  const result = parametrize(source.text, chosen);
  const lines = new LineIndex(source.text);
  // A notebook is written back as the notebook, only its edited cells' sources changed.
  let outText = result.text;
  if (source.notebook) {
    try {
      outText = rewriteNotebook(source.notebook, result.edits).text;
    } catch (err) {
      if (!(err instanceof NotebookError)) throw err;
      io.err(`optpar: ${path}: ${err.message}`);
      return 1;
    }
  }
  const space = spaceJson(chosen);
  try {
    if (values['space-json']) writeFileSync(values['space-json'], JSON.stringify(space, null, 2) + '\n');
    if (values.output) writeFileSync(values.output, outText);
  } catch (err) {
    io.err(`optpar: cannot write: ${(err as Error).message}`);
    return 1;
  }
  if (values.json) {
    const edits = result.edits.map((e) => {
      const start = lines.humanPosition(e.span.start);
      const end = lines.humanPosition(e.span.end);
      if (source.notebook) {
        const s = cellPosition(source.notebook, e.span.start, lines);
        const t = cellPosition(source.notebook, e.span.end, lines);
        return { id: e.id, ...(e.with ? { with: e.with } : {}), cell: s.cell, line: s.line, column: s.column, endLine: t.line, endColumn: t.column, original: e.original, replacement: e.newText };
      }
      return { id: e.id, ...(e.with ? { with: e.with } : {}), line: start.line, column: start.column, endLine: end.line, endColumn: end.column, original: e.original, replacement: e.newText };
    });
    io.out(JSON.stringify({ version: 1, path, edits, defaults: result.defaults, space }, null, 2));
  } else if (!values.output) io.out(outText.replace(/\n$/, ''));
  else io.err(`optpar: wrote ${values.output} (${result.edits.length} value(s) parametrized)`);
  return 0;
}
