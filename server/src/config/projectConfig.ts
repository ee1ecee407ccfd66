/**
 * optpar.yaml at the workspace root: per-project search ranges and exclusions.
 *
 *   ranges:
 *     dense.units: [32, 64, 128]        # three or more values, or any non-number: a choice
 *     compile.optimizer.learning_rate: [1.0e-4, 1.0e-2]   # two numbers: a range (log when the default is)
 *     dropout.rate: {low: 0.1, high: 0.5, scale: linear}
 *     conv2d.activation: {choices: [relu, elu]}
 *     dense_1.units: {relative: [0.5, 2]}  # factors of the value as written (powers of two for ints)
 *     fit.epochs: [5, 30]               # a range on a budget searches it
 *   params:                             # by Keras parameter name, for every hyperparameter of it
 *     units: {relative: [0.5, 8], scale: pow2}
 *     activation: {choices: [relu, gelu]}
 *   exclude: [fit.epochs]
 *   untie: [activation, dense_2.kernel_initializer]   # search these per layer, not as one
 *
 * Pure: text in, config and positioned errors out.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import type { Scalar } from '../catalogue/types';
import type { Hyperparameter, SearchSpace } from '../analysis/types';
import { relativeSpace, spaceContains } from '../analysis/space';
import { untie } from '../analysis/ties';

export type RangeOverride =
  | { kind: 'range'; low: number; high: number; scale?: 'linear' | 'log' }
  | { kind: 'choice'; options: Scalar[] }
  | { kind: 'relative'; low: number; high: number; scale?: 'pow2' | 'linear' | 'log' };

export interface ProjectConfig {
  /** By hyperparameter id. */
  ranges: Map<string, RangeOverride>;
  /** By Keras parameter name (units, learning_rate): the project's own rules; an id's range wins. */
  params: Map<string, RangeOverride>;
  exclude: Set<string>;
  /** Hyperparameter ids or Keras parameter names searched on their own even when written alike (ties.ts). */
  untie: Set<string>;
}

export interface ConfigError {
  message: string;
  /** UTF-16 offsets into optpar.yaml. */
  start: number;
  end: number;
}

export const EMPTY_PROJECT_CONFIG: ProjectConfig = { ranges: new Map(), params: new Map(), exclude: new Set(), untie: new Set() };

function range(node: YamlNode | null | undefined): [number, number] {
  const r = (node as { range?: [number, number, number] } | null)?.range;
  return r ? [r[0], r[1]] : [0, 0];
}

export function parseProjectConfig(text: string): { config: ProjectConfig; errors: ConfigError[] } {
  const config: ProjectConfig = { ranges: new Map(), params: new Map(), exclude: new Set(), untie: new Set() };
  const errors: ConfigError[] = [];
  const err = (node: YamlNode | null | undefined, message: string) => {
    const [start, end] = range(node);
    errors.push({ message, start, end });
  };
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  for (const e of doc.errors) errors.push({ message: `YAML error: ${e.message.split('\n')[0]}`, start: e.pos[0], end: e.pos[1] });
  if (doc.errors.length) return { config, errors };
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { config, errors };
  if (!isMap(root)) {
    err(root, 'optpar.yaml must be a mapping with "ranges", "params", "exclude" and/or "untie"');
    return { config, errors };
  }
  for (const item of root.items) {
    const key = item.key as YamlNode;
    const name = isScalar(key) ? String(key.value) : '';
    const value = item.value as YamlNode | null;
    if (name === 'ranges' || name === 'params') {
      if (value === null || (isScalar(value) && value.value === null)) continue;
      const what = name === 'ranges' ? 'hyperparameter id' : 'Keras parameter name';
      if (!isMap(value)) {
        err(key, `"${name}" must be a mapping of ${what}: [low, high] or [choices...]`);
        continue;
      }
      for (const r of value.items) {
        const idNode = r.key as YamlNode;
        const id = isScalar(idNode) ? String(idNode.value) : '';
        const parsed = parseRange(r.value as YamlNode | null);
        if (!id) err(idNode, `a range needs a ${what} as its key`);
        else if (typeof parsed === 'string') err(idNode, `range of "${id}": ${parsed}`);
        else (name === 'ranges' ? config.ranges : config.params).set(id, parsed);
      }
    } else if (name === 'exclude' || name === 'untie') {
      if (value === null || (isScalar(value) && value.value === null)) continue;
      const what = name === 'exclude' ? 'hyperparameter ids' : 'hyperparameter ids or Keras parameter names';
      if (!isSeq(value)) {
        err(key, `"${name}" must be a list of ${what}`);
        continue;
      }
      for (const x of value.items) {
        if (isScalar(x) && typeof x.value === 'string') config[name].add(x.value);
        else err(x as YamlNode, `"${name}" entries must be ${what} (strings)`);
      }
    } else err(key, `unknown key "${name}" (expected "ranges", "params", "exclude" or "untie")`);
  }
  return { config, errors };
}

function parseRange(node: YamlNode | null): RangeOverride | string {
  const js = node === null ? null : (node as { toJSON(): unknown }).toJSON();
  const scalar = (v: unknown): v is Scalar => ['string', 'number', 'boolean'].includes(typeof v);
  if (Array.isArray(js)) {
    if (js.length === 0 || !js.every(scalar)) return 'expected a list of values';
    if (js.length === 2 && js.every((v) => typeof v === 'number')) {
      const [low, high] = js as number[];
      if (!(low < high)) return `low (${low}) must be below high (${high})`;
      return { kind: 'range', low, high };
    }
    return { kind: 'choice', options: js };
  }
  if (js && typeof js === 'object') {
    const o = js as Record<string, unknown>;
    if (o.relative !== undefined) {
      const r = o.relative;
      if (!Array.isArray(r) || r.length !== 2 || !r.every((v) => typeof v === 'number') || !(r[0] > 0 && r[0] <= 1 && r[1] >= 1))
        return '"relative" must be [low, high] factors of the value as written, with 0 < low <= 1 <= high';
      if (o.scale !== undefined && !['pow2', 'linear', 'log'].includes(o.scale as string)) return 'scale of a relative range must be pow2, linear or log';
      return { kind: 'relative', low: r[0], high: r[1], scale: o.scale as 'pow2' | 'linear' | 'log' | undefined };
    }
    if (Array.isArray(o.choices)) {
      if (o.choices.length === 0 || !o.choices.every(scalar)) return '"choices" must be a non-empty list of values';
      return { kind: 'choice', options: o.choices as Scalar[] };
    }
    if (typeof o.low === 'number' && typeof o.high === 'number') {
      if (!(o.low < o.high)) return `low (${o.low}) must be below high (${o.high})`;
      if (o.scale !== undefined && o.scale !== 'linear' && o.scale !== 'log') return 'scale must be linear or log';
      if (o.scale === 'log' && o.low <= 0) return 'a log range needs low > 0';
      return { kind: 'range', low: o.low, high: o.high, scale: o.scale as 'linear' | 'log' | undefined };
    }
  }
  return 'expected [low, high], [choice, choice, ...], {low, high, scale}, {relative: [low, high]} or {choices: [...]}';
}

/** Applies a project config to scan results: exclusions become "ignored", ranges replace spaces. */
export function applyProjectConfig(hps: Hyperparameter[], config: ProjectConfig): Hyperparameter[] {
  if (config.ranges.size === 0 && config.params.size === 0 && config.exclude.size === 0 && config.untie.size === 0) return hps;
  const applied = hps.map((h): Hyperparameter => {
    if (config.exclude.has(h.id) && (h.kind === 'hyperparameter' || h.kind === 'budget')) {
      return { ...h, kind: 'ignored', tunable: false, reason: 'excluded in optpar.yaml', space: undefined };
    }
    const byId = config.ranges.get(h.id);
    const o = byId ?? config.params.get(h.param);
    // A range written for a budget's own id is a request to search it.
    if (byId && h.kind === 'budget' && h.space) return { ...h, kind: 'hyperparameter', tunable: true, reason: undefined, space: withCurrent(overrideSpace(h, byId), h.current) };
    if (!o || !h.tunable || !h.space) return h;
    return { ...h, space: withCurrent(overrideSpace(h, o), h.current) };
  });
  return untie(applied, (h) => config.untie.has(h.id) || config.untie.has(h.param));
}

/**
 * The first trial runs the values as written, which a choice must hold (hyperopt records a
 * choice by its index); a numeric range is kept as the user wrote it.
 */
function withCurrent(space: SearchSpace, current: Scalar | undefined): SearchSpace {
  if (current === undefined || space.kind !== 'choice' || spaceContains(space, current)) return space;
  return { kind: 'choice', options: [...space.options, current] };
}

function overrideSpace(h: Hyperparameter, o: RangeOverride): SearchSpace {
  if (o.kind === 'choice') return { kind: 'choice', options: o.options };
  if (o.kind === 'relative') {
    const isInt = h.type === 'int' || h.type === 'tuple';
    if (typeof h.current !== 'number' || h.current <= 0) return h.space!;
    const wasLog = h.space?.kind === 'loguniform' || h.space?.kind === 'qloguniform';
    const scale = o.scale ?? (isInt && h.space?.kind === 'choice' ? 'pow2' : wasLog ? 'log' : 'linear');
    return relativeSpace({ scale, low: o.low, high: o.high }, h.current, isInt);
  }
  const wasLog = h.space?.kind === 'loguniform' || h.space?.kind === 'qloguniform';
  const log = (o.scale ?? (wasLog ? 'log' : 'linear')) === 'log' && o.low > 0;
  const isInt = h.type === 'int' || h.type === 'tuple';
  if (log) return isInt ? { kind: 'qloguniform', low: o.low, high: o.high, q: 1 } : { kind: 'loguniform', low: o.low, high: o.high };
  return isInt ? { kind: 'uniformint', low: Math.floor(o.low), high: Math.ceil(o.high) } : { kind: 'uniform', low: o.low, high: o.high };
}
