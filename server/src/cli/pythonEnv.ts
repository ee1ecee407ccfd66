import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The project's root (where package.json and test/requirements.txt live). */
export const projectRoot = join(__dirname, '..', '..');

/**
 * The project's Python environment (.venv), made from the pinned test/requirements.txt on
 * first use and remade when that file changes. Shared by `optpar tune` and the test set-up.
 */
export function ensurePythonEnv(log: (s: string) => void = (s) => process.stderr.write(s + '\n')): string {
  const venv = join(projectRoot, '.venv');
  const python = join(venv, 'bin', 'python');
  const requirements = join(projectRoot, 'test', 'requirements.txt');
  const stamp = join(venv, '.optpar-requirements.sha256');
  const want = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  const have = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
  if (existsSync(python) && have === want) return python;
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: projectRoot });
  if (!existsSync(python)) {
    log(`optpar: creating the Python environment in ${venv} (first use; this downloads TensorFlow and takes a few minutes)`);
    run(process.env.OPTPAR_BASE_PYTHON || 'python3', ['-m', 'venv', venv]);
  }
  log(`optpar: installing ${requirements} into ${venv}`);
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements]);
  writeFileSync(stamp, want + '\n');
  return python;
}
