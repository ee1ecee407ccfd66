import { decodeSource } from '../analysis/input';
import { scanSource } from '../analysis/scan';
import type { Catalogue, CatalogueError } from '../catalogue/types';
import { formatScanDocument, scanDocument, scanFileReport } from '../cli/scanDocument';
import { generateHarness, spaceJson } from '../harness/hyperopt';
import { HarnessError, type HarnessOptions } from '../harness/types';
import { chooseHyperparameters, parametrize } from '../refactor/parametrize';
import type { OutputKeys } from './keys';

/**
 * What the function does with one model's bytes, without any I/O: the engine's scan,
 * parametrize and harness generation, as the CLI runs them (no optpar.yaml: a bucket has no
 * project folder). Returns the objects to write, or the error to record.
 */
export type RefactorResult =
  | { ok: true; objects: OutputObject[]; hyperparameters: number; tunable: number }
  | { ok: false; reason: ErrorReason; message: string; hyperparameters: number; tunable: number };

export interface OutputObject {
  key: string;
  body: string;
  contentType: string;
}

export type ErrorReason = 'too-large' | 'unreadable' | 'syntax-error' | 'not-tunable' | 'access-denied' | 'internal';

const PYTHON = 'text/x-python; charset=utf-8';
const JSON_TYPE = 'application/json';

export function refactorModel(
  key: string,
  bytes: Uint8Array,
  catalogue: { catalogue: Catalogue; errors: CatalogueError[] },
  harness: HarnessOptions,
  out: OutputKeys,
): RefactorResult {
  const source = decodeSource(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (source.text === undefined) return { ok: false, reason: 'unreadable', message: source.error!, hyperparameters: 0, tunable: 0 };
  const text = source.text;
  const scan = scanSource(text, catalogue.catalogue, { splitTuples: harness.splitTuples });
  const counts = { hyperparameters: scan.hyperparameters.length, tunable: scan.hyperparameters.filter((h) => h.tunable).length };
  let generated;
  try {
    // The key as the model's path: its base name is the one the harness speaks of.
    generated = generateHarness(text, key, catalogue.catalogue, harness);
  } catch (err) {
    if (!(err instanceof HarnessError)) throw err;
    const syntax = scan.errors.some((e) => e.message.startsWith('syntax error'));
    return { ok: false, reason: syntax ? 'syntax-error' : 'not-tunable', message: err.message, ...counts };
  }
  const { chosen } = chooseHyperparameters(scan.hyperparameters, harness.ids);
  const doc = scanDocument([scanFileReport(key, text, scan.hyperparameters, scan.errors)], catalogue.errors);
  return {
    ok: true,
    ...counts,
    objects: [
      { key: out.harness, body: generated.text, contentType: PYTHON },
      { key: out.parametrized, body: parametrize(text, chosen).text, contentType: PYTHON },
      { key: out.scan, body: formatScanDocument(doc) + '\n', contentType: JSON_TYPE },
      { key: out.space, body: JSON.stringify(spaceJson(chosen), null, 2) + '\n', contentType: JSON_TYPE },
    ],
  };
}

