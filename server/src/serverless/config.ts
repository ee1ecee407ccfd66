import { type Algo, DEFAULT_HARNESS_OPTIONS } from '../harness/types';

/** The function's settings, from its environment (see README, "Serverless"). */
export interface ServerlessConfig {
  inputPrefix: string;
  outputPrefix: string;
  maxBytes: number;
  maxEvals: number;
  algo: Algo;
  forcePathStyle: boolean;
}

export const DEFAULT_INPUT_PREFIX = 'models/';
export const DEFAULT_OUTPUT_PREFIX = 'optpar/';
export const DEFAULT_MAX_BYTES = 1024 * 1024;

/** A setting the function cannot run with: every record of the invocation fails with it. */
export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be an integer >= ${min}, not "${raw}"`);
  return n;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ServerlessConfig {
  const inputPrefix = env.OPTPAR_INPUT_PREFIX ?? DEFAULT_INPUT_PREFIX;
  const outputPrefix = env.OPTPAR_OUTPUT_PREFIX ?? DEFAULT_OUTPUT_PREFIX;
  // An empty output prefix would put every key under it; an input prefix inside the output
  // prefix would skip every model. Either way nothing could be refactored.
  if (outputPrefix === '') throw new ConfigError('OPTPAR_OUTPUT_PREFIX must not be empty (results would retrigger the function)');
  if (inputPrefix.startsWith(outputPrefix)) throw new ConfigError(`OPTPAR_INPUT_PREFIX "${inputPrefix}" lies under OPTPAR_OUTPUT_PREFIX "${outputPrefix}": every model would be skipped`);
  const algo = env.OPTPAR_ALGO?.trim() || DEFAULT_HARNESS_OPTIONS.algo;
  if (!['tpe', 'rand', 'anneal', 'atpe'].includes(algo)) throw new ConfigError(`OPTPAR_ALGO must be tpe, rand, anneal or atpe, not "${algo}"`);
  return {
    inputPrefix,
    outputPrefix,
    maxBytes: int(env, 'OPTPAR_MAX_BYTES', DEFAULT_MAX_BYTES, 1),
    maxEvals: int(env, 'OPTPAR_MAX_EVALS', DEFAULT_HARNESS_OPTIONS.maxEvals, 1),
    algo: algo as Algo,
    forcePathStyle: ['1', 'true', 'yes'].includes((env.OPTPAR_S3_FORCE_PATH_STYLE ?? '').trim().toLowerCase()),
  };
}
