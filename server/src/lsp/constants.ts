import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { existsSync } from 'node:fs';

/** The one name the client sees: diagnostic source, settings section, command prefix. */
export const NAME = 'optpar';

/** Command ids, in one place: they feed the capabilities and the code lenses. */
export const COMMANDS = {
  generateHarness: `${NAME}.generateHarness`,
  applyBestValues: `${NAME}.applyBestValues`,
} as const;
export const COMMAND_IDS: string[] = Object.values(COMMANDS);

/** Diagnostic codes; each has a README section #diagnostic-<code>. */
export const DIAGNOSTIC_CODES = ['hyperparameter', 'budget', 'fixed-by-task', 'not-a-literal', 'ignored', 'inert', 'catalogue-error', 'syntax-error', 'config-error', 'best-value'] as const;
export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

/** Code action kinds we offer. */
export const SOURCE_PARAMETRIZE_ALL = `source.${NAME}.parametrizeAll`;
export const REFACTOR_HARNESS = `refactor.${NAME}.generateHarness`;
export const SOURCE_APPLY_BEST = `source.${NAME}.applyBestValues`;

let readme: string | undefined;

/** The installed README (repo root, above dist/ or server/src/). */
export function readmeUrl(): string {
  if (readme) return readme;
  let path = join(__dirname, '..', '..', 'README.md');
  for (const up of ['../..', '../../..']) {
    const p = join(__dirname, up, 'README.md');
    if (existsSync(p)) {
      path = p;
      break;
    }
  }
  return (readme = pathToFileURL(path).href);
}

export function codeHref(code: DiagnosticCode): string {
  return `${readmeUrl()}#diagnostic-${code}`;
}
