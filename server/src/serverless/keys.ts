import { posix } from 'node:path';

/**
 * An object key as S3 writes it into event notifications: form-URL-encoded, so a space is "+",
 * a literal "+" is "%2B" and other characters are UTF-8 percent escapes. Undefined when the
 * text is not a valid encoding.
 */
export function decodeEventKey(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, '%20'));
  } catch {
    return undefined;
  }
}

/** Where a model's results go: `<output prefix><dir>/<name>/` for `<input prefix><dir>/<name>.py`. */
export interface OutputKeys {
  /** The model's file name without `.py`. */
  name: string;
  harness: string;
  parametrized: string;
  scan: string;
  space: string;
  error: string;
}

export function outputKeys(key: string, inputPrefix: string, outputPrefix: string): OutputKeys {
  const rel = key.slice(inputPrefix.length);
  const dir = posix.dirname(rel);
  const name = posix.basename(rel).replace(/\.py$/, '');
  const base = `${outputPrefix}${dir === '.' ? '' : dir + '/'}${name}/`;
  return {
    name,
    harness: `${base}tune_${name}.py`,
    parametrized: `${base}${name}.parametrized.py`,
    scan: `${base}${name}.scan.json`,
    space: `${base}${name}.space.json`,
    error: `${base}${name}.error.json`,
  };
}

/** Why a key is not processed, or undefined when it is a model to refactor. */
export function skipReason(key: string, inputPrefix: string, outputPrefix: string): string | undefined {
  if (key.startsWith(outputPrefix)) return `under the output prefix "${outputPrefix}" (the function's own results)`;
  if (!key.startsWith(inputPrefix)) return `not under the input prefix "${inputPrefix}"`;
  if (!key.endsWith('.py')) return 'not a .py file';
  if (key.endsWith('/.py') || key === `${inputPrefix}.py`) return 'no file name before .py';
  return undefined;
}
