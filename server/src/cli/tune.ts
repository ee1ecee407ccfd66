import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, delimiter, dirname, join, relative, resolve } from 'node:path';
import { defaultSearchDir } from '../report/results';
import { parseArgs } from 'node:util';
import { backendOf, buildHarness, defaultHarnessPath, HARNESS_OPTIONS } from './harness';
import { RUN_OPTIONS, searchArgs } from './searchArgs';
import { ensurePythonEnv } from './pythonEnv';
import type { CommandIO } from './scan';
import { UsageError } from './usage';


/**
 * Environment of the harness: the model's folder on PYTHONPATH (its imports work), and
 * TensorFlow's C++ start-up lines (CPU features, oneDNN notices, absl's pre-init warning) quieted
 * unless the user set a level: they would interleave with the progress.
 */
export function harnessEnv(model: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, PYTHONPATH: [dirname(model), base.PYTHONPATH].filter(Boolean).join(delimiter) };
  if (env.TF_CPP_MIN_LOG_LEVEL === undefined) env.TF_CPP_MIN_LOG_LEVEL = '2';
  return env;
}

/**
 * optpar tune MODEL.py [--out DIR] [--fresh] [--python PATH] [harness options]: writes the
 * harness into .optpar/<model name>/ (or DIR), runs it in the model's folder (so its relative
 * paths and imports work), streaming the progress; the trials, results.json and report.html stay
 * there, and a second run resumes the search.
 */
export async function runTune(argv: string[], io: CommandIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...HARNESS_OPTIONS, ...RUN_OPTIONS, python: { type: 'string' }, out: { type: 'string' }, fresh: { type: 'boolean' } },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length !== 1) throw new UsageError('tune takes exactly one MODEL.py');
  const model = resolve(parsed.positionals[0]);
  const harness = buildHarness(model, parsed.values, io);
  if (!harness) return 1;
  const dir = parsed.values.out ? resolve(parsed.values.out) : defaultSearchDir(model);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    io.err(`optpar: cannot create ${dir}: ${(err as Error).message}`);
    return 1;
  }
  const script = parsed.values.output ? resolve(parsed.values.output) : join(dir, basename(defaultHarnessPath(model)));
  const results = join(dir, 'results.json');
  const backend = backendOf(parsed.values);
  const runArgs = searchArgs(parsed.values, backend);
  // A study in a database is resumed by the harness itself (it says so); here, the files in DIR.
  const resuming = !parsed.values.fresh && existsSync(join(dir, backend === 'optuna' ? 'optuna.journal' : 'trials.pkl'));
  try {
    writeFileSync(script, harness.text);
  } catch (err) {
    io.err(`optpar: cannot write ${script}: ${(err as Error).message}`);
    return 1;
  }
  for (const note of harness.notes) io.err(`optpar: note: ${note}`);
  io.err(`optpar: ${resuming ? 'resuming the search in' : 'search in'} ${dir}${resuming ? ' (--fresh starts over)' : ''}`);
  let python = parsed.values.python;
  try {
    python ??= ensurePythonEnv(io.err);
  } catch (err) {
    io.err(`optpar: could not prepare the Python environment: ${(err as Error).message}`);
    return 1;
  }
  const args = [script, '--out', dir + '/', ...(parsed.values.fresh ? ['--fresh'] : []), ...runArgs];
  const code = await new Promise<number>((done) => {
    const child = spawn(python!, args, { cwd: dirname(model), env: harnessEnv(model), stdio: ['inherit', 'inherit', 'inherit'] });
    child.on('error', (err) => {
      io.err(`optpar: cannot run ${python}: ${err.message}`);
      done(1);
    });
    child.on('exit', (status, signal) => done(status ?? (signal ? 130 : 1)));
  });
  let doc;
  try {
    doc = JSON.parse(readFileSync(results, 'utf8'));
  } catch {
    if (code === 0) io.err(`optpar: the harness wrote no results file (${results})`);
    return code;
  }
  const { writeReport } = require('../report/html') as typeof import('../report/html');
  const page = join(dir, 'report.html');
  try {
    writeReport(doc, page);
    io.out(`optpar: report in ${page}`);
  } catch (err) {
    io.err(`optpar: could not write the report: ${(err as Error).message}`);
  }
  if (doc.best) io.out(`optpar: best ${JSON.stringify(doc.best.params)} (loss ${doc.best.loss})`);
  io.out(`optpar: results in ${results}`);
  const rel = relative(process.cwd(), model) || model;
  if (doc.best) io.out(`optpar: to write the best values into ${basename(model)}: optpar apply ${parsed.values.out ? results + ' ' : ''}${rel}`);
  return code;
}
