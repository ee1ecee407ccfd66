/**
 * workspace/executeCommand: optpar.generateHarness writes tune_<name>.py beside the file and
 * opens it (window/showDocument) when the client can. The harness text itself comes from the
 * engine (harness/hyperopt.ts).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Catalogue } from '../catalogue/types';
import { generateHarness } from '../harness/hyperopt';
import { DEFAULT_HARNESS_OPTIONS, type GeneratedHarness, type HarnessOptions } from '../harness/types';
import type { ProjectConfig } from '../config/projectConfig';
import type { Settings } from './settings';

export interface HarnessTarget {
  path: string;
  uri: string;
  exists: boolean;
}

/** tune_<name>.py beside the source file. */
export function harnessTarget(sourceUri: string): HarnessTarget {
  const source = fileURLToPath(sourceUri);
  const name = basename(source, extname(source)) || 'model';
  const path = join(dirname(source), `tune_${name}.py`);
  return { path, uri: pathToFileURL(path).href, exists: existsSync(path) };
}

export function harnessOptions(settings: Settings, project: ProjectConfig, ids?: string[]): HarnessOptions {
  return { ...DEFAULT_HARNESS_OPTIONS, algo: settings.harness.algo, maxEvals: settings.harness.maxEvals, splitTuples: settings.splitTuples, tuneBudget: settings.tuneBudget, project, ...(ids ? { ids } : {}) };
}

/** Generates the harness text; throws HarnessError with a user-facing message when it cannot. */
export function buildHarness(sourceUri: string, text: string, catalogue: Catalogue, options: HarnessOptions): GeneratedHarness {
  return generateHarness(text, fileURLToPath(sourceUri), catalogue, options);
}

export function writeHarness(target: HarnessTarget, harness: GeneratedHarness): void {
  writeFileSync(target.path, harness.text, 'utf8');
}

/** The argument of optpar.generateHarness: {uri} (or the uri itself). */
export function commandUri(args: unknown[] | undefined): string | undefined {
  const a = args?.[0];
  if (typeof a === 'string') return a;
  if (a && typeof a === 'object' && typeof (a as { uri?: unknown }).uri === 'string') return (a as { uri: string }).uri;
  return undefined;
}
