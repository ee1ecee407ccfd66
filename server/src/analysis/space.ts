import type { ParamSpec, RelativeRange, Scalar } from '../catalogue/types';
import type { SearchSpace } from './types';

/**
 * The default search space of a parameter around its current value. Always contains the
 * current value: a range is widened to reach it, a choice set gains it. A relative rule (units
 * and filters in powers of two around the value, learning rates on a log range centred on it)
 * comes first when the value is positive.
 */
export function defaultSpace(param: ParamSpec, current: Scalar): SearchSpace | undefined {
  const isIntType = param.type === 'int' || param.type === 'tuple';
  if (param.relative && typeof current === 'number' && current > 0) return relativeSpace(param.relative, current, isIntType);
  if (param.choices && param.choices.length) {
    const options = param.choices.some((c) => sameValue(c, current)) ? [...param.choices] : [...param.choices, current];
    if (!ascending(options) && options.every((o) => typeof o === 'number')) (options as number[]).sort((a, b) => a - b);
    return { kind: 'choice', options };
  }
  if (param.type === 'bool') return { kind: 'choice', options: [true, false] };
  if (typeof current !== 'number' || !param.range) return undefined;
  let [low, high] = param.range;
  low = Math.min(low, current);
  high = Math.max(high, current);
  if (param.scale === 'log' && low > 0) {
    return isIntType ? { kind: 'qloguniform', low, high, q: 1 } : { kind: 'loguniform', low, high };
  }
  if (param.scale === 'log' && current <= 0 && !isIntType) {
    // A zero factor (l2(0.0)) cannot sit on a log scale: search linearly from it.
    return { kind: 'uniform', low: Math.min(0, current), high };
  }
  return isIntType ? { kind: 'uniformint', low: Math.floor(low), high: Math.ceil(high) } : { kind: 'uniform', low, high };
}

/** [low x, high x] the current value, clamped to [min, max] but never leaving the current value out. */
export function relativeSpace(rule: RelativeRange, current: number, isInt: boolean): SearchSpace {
  const clamp = (v: number) => Math.min(Math.max(v, rule.min ?? -Infinity), rule.max ?? Infinity);
  const low = Math.min(clamp(current * rule.low), current);
  const high = Math.max(clamp(current * rule.high), current);
  if (rule.scale === 'pow2') {
    // The powers of two in [low, high], ascending, with the current value in its place.
    const options: number[] = [];
    let placed = false;
    for (let p = 2 ** Math.ceil(Math.log2(low)); p <= high; p *= 2) {
      if (!placed && current <= p) {
        if (current < p) options.push(current);
        placed = true;
      }
      options.push(p);
    }
    if (!placed) options.push(current);
    return { kind: 'choice', options };
  }
  if (isInt) {
    const lo = Math.max(1, Math.floor(low));
    const hi = Math.max(lo, Math.ceil(high));
    return rule.scale === 'log' ? { kind: 'qloguniform', low: lo, high: hi, q: 1 } : { kind: 'uniformint', low: lo, high: hi };
  }
  const lo = Math.min(roundSig(low), current);
  const hi = Math.max(roundSig(high), current);
  return rule.scale === 'log' ? { kind: 'loguniform', low: lo, high: hi } : { kind: 'uniform', low: lo, high: hi };
}

/** 3e-4 x 0.1 is 2.9999999999999997e-5 in floating point: print the bound the user would write. */
function roundSig(v: number): number {
  return Number(v.toPrecision(12));
}

/** Numbers already in ascending order (most catalogue choices are written so): no sort needed. */
function ascending(values: readonly Scalar[]): boolean {
  for (let i = 1; i < values.length; i++) {
    const a = values[i - 1];
    const b = values[i];
    if (typeof a !== 'number' || typeof b !== 'number' || a > b) return false;
  }
  return true;
}

function sameValue(a: Scalar, b: Scalar): boolean {
  return a === b || (typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase());
}

export function spaceContains(space: SearchSpace, value: Scalar): boolean {
  if (space.kind === 'choice') return space.options.some((o) => sameValue(o, value));
  if (typeof value !== 'number') return false;
  return value >= space.low && value <= space.high;
}

/** A short human form: {32, 64, 128} or [1e-4, 1e-2] log; long choice sets end in "... (N in all)" (ASCII: a message in JSON stays one byte per character). */
export function describeSpace(space: SearchSpace, maxOptions = 7): string {
  const fmt = (v: Scalar) => (typeof v === 'number' ? formatNumber(v) : typeof v === 'string' ? `'${v}'` : String(v));
  switch (space.kind) {
    case 'choice': {
      const shown = space.options.length > maxOptions ? space.options.slice(0, maxOptions - 1) : space.options;
      const more = space.options.length > shown.length ? `, ... (${space.options.length} in all)` : '';
      return `{${shown.map(fmt).join(', ')}${more}}`;
    }
    case 'loguniform':
    case 'qloguniform':
      return `[${fmt(space.low)}, ${fmt(space.high)}] log`;
    default:
      return `[${fmt(space.low)}, ${fmt(space.high)}]`;
  }
}

export function formatNumber(v: number): string {
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) return v.toExponential().replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(v);
}
