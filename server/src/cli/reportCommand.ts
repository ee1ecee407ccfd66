import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeReport } from '../report/html';
import { readResults, ResultsError } from '../report/results';
import type { CommandIO } from './scan';
import { UsageError } from './usage';

/** optpar report RESULTS.json [-o report.html] */
export function runReport(argv: string[], io: CommandIO): number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { output: { type: 'string', short: 'o' } } });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length !== 1) throw new UsageError('report takes exactly one RESULTS.json');
  const results = parsed.positionals[0];
  let doc;
  try {
    doc = readResults(results);
  } catch (err) {
    if (err instanceof ResultsError) {
      io.err(`optpar: ${err.message}`);
      return 1;
    }
    throw err;
  }
  const out = parsed.values.output ?? join(dirname(results), 'report.html');
  try {
    writeReport(doc, out);
  } catch (err) {
    io.err(`optpar: cannot write ${out}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (err as Error).message}`);
    return 1;
  }
  io.err(`optpar: wrote ${out}`);
  return 0;
}
