// Creates the project's Python test environment (.venv) from test/requirements.txt on first
// run, and again whenever that file changes, so `npm test` on a fresh clone needs no hand install.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const venv = join(root, '.venv');
const python = join(venv, 'bin', 'python');
const requirements = join(root, 'test', 'requirements.txt');
const stamp = join(venv, '.optpar-requirements.sha256');

const want = createHash('sha256').update(readFileSync(requirements)).digest('hex');
const have = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
if (existsSync(python) && have === want) process.exit(0);

const base = process.env.OPTPAR_BASE_PYTHON || 'python3';
const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit', cwd: root });
try {
  if (!existsSync(python)) {
    console.log(`optpar: creating the Python test environment in ${venv}`);
    run(base, ['-m', 'venv', venv]);
  }
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements]);
  writeFileSync(stamp, want + '\n');
} catch (err) {
  console.error(`optpar: could not set up the Python test environment: ${err.message}`);
  process.exit(1);
}
