import type { ProjectConfig } from '../config/projectConfig';

export type Algo = 'tpe' | 'rand' | 'anneal' | 'atpe';

export interface HarnessOptions {
  /** Hyperparameter ids to tune (default: every tunable one). */
  ids?: string[];
  maxEvals: number;
  algo: Algo;
  seed: number;
  splitTuples?: boolean;
  /** Search training budgets (epochs, patience) too. */
  tuneBudget?: boolean;
  /** optpar.yaml: per-project ranges and exclusions. */
  project?: ProjectConfig;
}

export const DEFAULT_HARNESS_OPTIONS: HarnessOptions = { maxEvals: 50, algo: 'tpe', seed: 0 };

/** A refusal with a message the user can act on (no model, nothing to tune, a syntax error to fix). */
export class HarnessError extends Error {}

export interface GeneratedHarness {
  /** The Python source of tune_<name>.py. */
  text: string;
  /** The ids tuned. */
  ids: string[];
  /** Notes for the user (e.g. "added validation_split=0.2: the fit had no validation data"). */
  notes: string[];
}
