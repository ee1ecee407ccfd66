import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LineIndex } from '../analysis/lines';
import { EMPTY_PROJECT_CONFIG, parseProjectConfig, type ProjectConfig } from './projectConfig';

export const PROJECT_FILE = 'optpar.yaml';

/** The optpar.yaml that governs a file: the nearest one in its folder or above, up to the repository root. */
export function findProjectFile(filePath: string): string | undefined {
  let dir = dirname(resolve(filePath));
  for (;;) {
    const candidate = join(dir, PROJECT_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir || existsSync(join(dir, '.git'))) return undefined;
    dir = parent;
  }
}

/** Loads the project config for a file; problems are reported with their line and column, and ignored. */
export function loadProjectConfigFor(filePath: string, warn: (message: string) => void): ProjectConfig {
  const path = findProjectFile(filePath);
  if (!path) return EMPTY_PROJECT_CONFIG;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    warn(`${path}: cannot read: ${(err as Error).message}`);
    return EMPTY_PROJECT_CONFIG;
  }
  const { config, errors } = parseProjectConfig(text);
  const lines = new LineIndex(text);
  for (const e of errors) {
    const at = lines.humanPosition(e.start);
    warn(`${path}:${at.line}:${at.column}: ${e.message} (ignored)`);
  }
  return config;
}
