import type { Scalar, ValueType } from '../catalogue/types';

/** A stretch of the source, in UTF-16 offsets (what JS strings and tree-sitter's indices use). */
export interface Span {
  start: number;
  end: number;
}

export type SearchSpace =
  | { kind: 'choice'; options: Scalar[] }
  | { kind: 'uniform'; low: number; high: number }
  | { kind: 'loguniform'; low: number; high: number }
  | { kind: 'uniformint'; low: number; high: number }
  | { kind: 'qloguniform'; low: number; high: number; q: number };

/** Why a parameter is (not) tuned; also the diagnostic code in the language server. */
export type HyperparameterKind = 'hyperparameter' | 'budget' | 'fixed-by-task' | 'not-a-literal' | 'ignored'
  /** A value the training the file runs never reaches: in a model it builds but never trains, a dataset fit never reads. */
  | 'inert';

/** Where the value lives: the argument itself, or a definition the argument refers to. */
export type DefinitionKind =
  | 'argument'
  | 'variable'
  | 'dict-entry'
  | 'class-attribute'
  | 'parameter-default'
  | 'implicit'
  /** The default of a command-line option (argparse add_argument, absl DEFINE_*) read as args.x / FLAGS.x. */
  | 'cli-default'
  /** An element of a literal list or tuple a loop iterates (for units in [256, 128]). */
  | 'loop-element';

export interface Hyperparameter {
  /** Readable, unique in the file: dense_1.units, conv2d.kernel_size, fit.epochs, learning_rate. */
  id: string;
  /** Canonical path of the callable: keras.layers.Dense, Model.fit. */
  call: string;
  /** The current Keras name of the parameter (learning_rate even when written lr). */
  param: string;
  /** The name as written when it is a legacy one (lr). */
  writtenAs?: string;
  /** Source text of the value (at the definition site for variables). */
  value: string;
  type: ValueType;
  /** Tuple parameters: element count; element is set when each element is tuned on its own. */
  tupleSize?: number;
  element?: number;
  tunable: boolean;
  kind: HyperparameterKind;
  reason?: string;
  /** The text a rewrite replaces. */
  span: Span;
  definition: DefinitionKind;
  /** The parsed current value (the tuple's element for tied tuples). Undefined when not a literal. */
  current?: Scalar;
  /** Argument sites that use the value. */
  uses: Span[];
  space?: SearchSpace;
  doc?: string;
  /**
   * An implicit value (definition 'implicit': the Keras default, not written): a rewrite inserts
   * `${before}${keyword}=<value>` at the empty span.
   */
  insertion?: { before: string; keyword: string };
  /**
   * A value that is part of an expression rather than the whole of it: a rewrite writes this text
   * with `{}` replaced by the new value (an optimizer class chosen at its callee:
   * `getattr(keras.optimizers, {})`).
   */
  template?: string;
  /**
   * An optimizer class choice: the classes offered that do not take every keyword written (Adam
   * for SGD(momentum=0.9, nesterov=True)), with those keywords, which are passed on only to the
   * classes that take them, and the text apply removes with them when it writes that class.
   */
  dropsFor?: Record<string, { keywords: string[]; remove: Span[] }>;
  /** A categorical value written like an earlier one in the same model definition: searched as one with it (ties.ts). */
  tiedTo?: string;
}

export interface AnalysisError {
  message: string;
  span?: Span;
}

export interface ScanResult {
  hyperparameters: Hyperparameter[];
  errors: AnalysisError[];
}

export interface ScanOptions {
  /** Tune the elements of a tuple with equal elements separately (the paper's way) instead of as one value. */
  splitTuples?: boolean;
  /** Tune budgets (epochs, patience...) too; by default they are reported and kept as written. */
  tuneBudget?: boolean;
}
