/**
 * The catalogue: what optpar knows of the Keras API. Loaded from metadata/*.yaml
 * (and optional user files), validated once, then read-only.
 */

export type ValueType = 'int' | 'float' | 'bool' | 'string' | 'tuple';
export type Scale = 'linear' | 'log';
export type CallableKind =
  | 'layer'
  | 'model'
  | 'activation'
  | 'optimizer'
  | 'regularizer'
  | 'initializer'
  | 'callback'
  /** A learning-rate schedule (keras.optimizers.schedules.*), passed as an optimizer's learning_rate. */
  | 'schedule'
  | 'method'
  | 'function';

export type Scalar = number | string | boolean;

/**
 * A search range set by the value as written rather than by fixed bounds: a layer with 16 units
 * and one with 512 deserve different searches. pow2: powers of two from low x to high x the
 * current value; log / linear: [low x, high x] the current value on that scale. Clamped to
 * [min, max]; the catalogue's own range or choices apply when the value is not positive.
 */
export interface RelativeRange {
  scale: 'pow2' | 'log' | 'linear';
  low: number;
  high: number;
  min?: number;
  max?: number;
}

export interface ParamSpec {
  name: string;
  /** Index among the positional parameters of the real signature (self excluded); undefined for keyword-only. */
  position?: number;
  /** Keras 1/2 names that mean this parameter (lr, nb_filter...). */
  legacy: string[];
  type: ValueType;
  /** Tuple parameters: the number of int elements. */
  size?: number;
  scale: Scale;
  range?: [number, number];
  /**
   * A float parameter that also takes a [lower, upper] pair (zoom_range=[0.9, 1.1], a factor of
   * (-0.1, 0.1)): each element searched in its own range. The ranges do not overlap, so any draw
   * keeps lower <= upper.
   */
  pair?: { lower: [number, number]; upper: [number, number] };
  choices?: Scalar[];
  /** False: a real parameter (kept for positional order) that is not a hyperparameter. */
  tune: boolean;
  /** Set by the task or the data: reported, never tuned. */
  fixed?: string;
  /** How much training a trial gets (epochs, patience): kept as written unless budgets are tuned. */
  budget?: boolean;
  /** A range around the current value, preferred to range/choices when it applies. */
  relative?: RelativeRange;
  /**
   * The Keras default, for a parameter worth tuning even when the code leaves it unwritten (an
   * optimizer's learning rate, fit's batch size): reported as an implicit hyperparameter.
   */
  implicit?: Scalar;
  /** A Keras 2 parameter that Keras 3 no longer accepts: reported with this reason, never tuned. */
  removed?: string;
  doc?: string;
}

export interface CallableSpec {
  name: string;
  kind: CallableKind;
  /** Dotted paths in canonical form (keras.*; tensorflow.keras.* is folded into keras.* by the resolver). For methods: Model.fit. */
  paths: string[];
  /** Prefix of the readable ids of this callable's hyperparameters. */
  id: string;
  /** Parameters fixed when this layer produces the model's output (units, activation...). */
  output: string[];
  /** Keeps its input's width, so the layer before it also shapes the output (Dropout, Activation...). */
  passthrough: boolean;
  /** Wraps another layer given as its first argument (Bidirectional, TimeDistributed). */
  wrapper: boolean;
  doc?: string;
  params: ParamSpec[];
  /** Where it was defined, for messages. */
  origin: string;
}

export interface CatalogueError {
  file: string;
  entry?: string;
  field?: string;
  message: string;
}

export interface Catalogue {
  callables: CallableSpec[];
  /** Keras version the names and positions were taken from. */
  source: string;
  byPath: Map<string, CallableSpec>;
  /** Method entries by method name (fit, compile...). */
  byMethod: Map<string, CallableSpec>;
  sets: Map<string, Scalar[]>;
}

/** Finds a parameter by its current or legacy name. */
export function paramByName(spec: CallableSpec, name: string): ParamSpec | undefined {
  return spec.params.find((p) => p.name === name) ?? spec.params.find((p) => p.legacy.includes(name));
}

export function paramByPosition(spec: CallableSpec, index: number): ParamSpec | undefined {
  return spec.params.find((p) => p.position === index);
}
