import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..');

/** The project's Python test environment, made by test/python-env.mjs (npm's pretest). */
export function venvPython(): string {
  const python = join(repoRoot, '.venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(`no Python test environment at ${python}: run "node test/python-env.mjs" (npm test does)`);
  }
  return python;
}
