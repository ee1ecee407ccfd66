import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The search engine a harness drives. */
export type Backend = 'hyperopt' | 'optuna';

/**
 * The Python runtime appended to a harness: the shared part (command line, trial running, results
 * file) and the backend's search loop. Read from dist/harness when copied there, else from the
 * sources (the package ships server/src/harness/*.py).
 */
const FILES: Record<Backend, string[]> = {
  hyperopt: ['runtime.py', 'runtime_hyperopt.py'],
  optuna: ['runtime.py', 'runtime_optuna.py'],
};

const cache = new Map<string, string>();

function readRuntimeFile(name: string): string {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const candidates = [join(__dirname, name), join(__dirname, '..', '..', 'server', 'src', 'harness', name)];
  for (const path of candidates) {
    try {
      const text = readFileSync(path, 'utf8');
      cache.set(name, text);
      return text;
    } catch {
      // try the next place
    }
  }
  throw new Error(`optpar: harness runtime not found (looked in ${candidates.join(', ')})`);
}

/** The runtime's Python text for a backend, ending with the `# --- end of optpar runtime ---` line. */
export function runtimeText(backend: Backend): string {
  return FILES[backend].map((name) => readRuntimeFile(name).trimEnd() + '\n').join('\n\n');
}
