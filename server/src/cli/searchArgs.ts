import type { Backend } from '../harness/runtimeText';
import { UsageError } from './usage';

/**
 * The options of `optpar tune` that are the harness's own run-time flags (how the search runs,
 * not what it searches): passed through to the harness's command line, each checked against
 * the backend that has it.
 */
export const RUN_OPTIONS = {
  workers: { type: 'string' },
  storage: { type: 'string' },
  study: { type: 'string' },
  pruner: { type: 'string' },
  heartbeat: { type: 'string' },
  'spark-parallelism': { type: 'string' },
  'spark-master': { type: 'string' },
} as const;

const OPTUNA_ONLY = ['workers', 'storage', 'study', 'pruner', 'heartbeat'];
const HYPEROPT_ONLY = ['spark-parallelism', 'spark-master'];

export function searchArgs(values: Record<string, unknown>, backend: Backend): string[] {
  const args: string[] = [];
  for (const key of Object.keys(RUN_OPTIONS)) {
    const value = values[key] as string | undefined;
    if (value === undefined) continue;
    if (backend === 'hyperopt' && OPTUNA_ONLY.includes(key)) throw new UsageError(`--${key} needs --backend optuna`);
    if (backend === 'optuna' && HYPEROPT_ONLY.includes(key)) throw new UsageError(`--${key} is the hyperopt backend's (SparkTrials); Optuna spreads trials with --workers`);
    if ((key === 'workers' || key === 'spark-parallelism') && !(Number.isInteger(Number(value)) && Number(value) >= 1)) {
      throw new UsageError(`--${key} must be an integer >= 1, not "${value}"`);
    }
    if (key === 'pruner' && !/^(median|hyperband|none|threshold:-?[0-9.eE+-]+)$/.test(value)) {
      throw new UsageError(`--pruner must be median, hyperband, none or threshold:U, not "${value}"`);
    }
    args.push(`--${key}`, value);
  }
  return args;
}
