import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildHarness, HARNESS_OPTIONS } from './harness';
import { ensurePythonEnv } from './pythonEnv';
import type { CommandIO } from './scan';
import { UsageError } from './usage';

/**
 * optpar tune MODEL.py [--python PATH] [harness options]: writes the harness into a temporary
 * folder and runs it in the model's folder (so its relative paths and imports work),
 * streaming the progress, then prints where the results are.
 */
export async function runTune(argv: string[], io: CommandIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { ...HARNESS_OPTIONS, python: { type: 'string' } } });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length !== 1) throw new UsageError('tune takes exactly one MODEL.py');
  const model = resolve(parsed.positionals[0]);
  const harness = buildHarness(model, parsed.values, io);
  if (!harness) return 1;
  const dir = mkdtempSync(join(tmpdir(), 'optpar-tune-'));
  const script = join(dir, `tune_${basename(model)}`);
  writeFileSync(script, harness.text);
  for (const note of harness.notes) io.err(`optpar: note: ${note}`);
  io.err(`optpar: harness written to ${script}`);
  let python = parsed.values.python;
  try {
    python ??= ensurePythonEnv(io.err);
  } catch (err) {
    io.err(`optpar: could not prepare the Python environment: ${(err as Error).message}`);
    return 1;
  }
  const env = { ...process.env, PYTHONPATH: [dirname(model), process.env.PYTHONPATH].filter(Boolean).join(delimiter) };
  const code = await new Promise<number>((done) => {
    const child = spawn(python!, [script], { cwd: dirname(model), env, stdio: ['inherit', 'inherit', 'inherit'] });
    child.on('error', (err) => {
      io.err(`optpar: cannot run ${python}: ${err.message}`);
      done(1);
    });
    child.on('exit', (status, signal) => done(status ?? (signal ? 130 : 1)));
  });
  const results = script.replace(/\.py$/, '.results.json');
  try {
    const report = JSON.parse(readFileSync(results, 'utf8'));
    if (report.best) io.out(`optpar: best ${JSON.stringify(report.best.params)} (loss ${report.best.loss})`);
    io.out(`optpar: results in ${results}`);
  } catch {
    if (code === 0) io.err(`optpar: the harness wrote no results file (${results})`);
  }
  return code;
}
