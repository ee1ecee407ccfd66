import type { Hyperparameter } from '../analysis/types';
import { applyEdits, type TextEdit } from './edits';

/**
 * Applying a search's values back to the source: pure (text, hyperparameters of that text,
 * chosen values in; edits and skipped values out). Each value is written in the source's own
 * style, and only the value's own text is replaced, so the rest of the file is byte-exact.
 */

/** A value as the results file holds it (JSON): a number, string, bool, None, or a tuple as a list. */
export type AppliedValue = string | number | boolean | null | AppliedValue[];

export interface ApplyEdit extends TextEdit {
  id: string;
  /** The text replaced. */
  original: string;
  value: AppliedValue;
}

export interface SkippedValue {
  id: string;
  reason: string;
}

export interface ApplyResult {
  edits: ApplyEdit[];
  /** Values not applied, each with why (changed since the search, not found, not writable). */
  skipped: SkippedValue[];
  /** Ids whose source already holds the chosen value. */
  unchanged: string[];
  /** The text with the edits applied. */
  text: string;
}

export interface ApplyInput {
  text: string;
  /** The hyperparameters found in `text` now (a scan of it). */
  hyperparameters: Hyperparameter[];
  /** The values to write, by id (a trial's params). */
  values: Record<string, AppliedValue>;
  /**
   * Each value's source text when the search was made (results.json `model.values`): a value
   * whose text differs now was changed by hand since, and is skipped rather than overwritten.
   */
  recorded?: Record<string, { text: string }>;
}

/** The ids an apply changes (a class choice may also edit its import). */
export function appliedIds(edits: ApplyEdit[]): string[] {
  return [...new Set(edits.map((e) => e.id))];
}

export function applyValues(input: ApplyInput): ApplyResult {
  const { text, values, recorded } = input;
  const byId = new Map(input.hyperparameters.map((h) => [h.id, h]));
  const edits: ApplyEdit[] = [];
  const skipped: SkippedValue[] = [];
  const unchanged: string[] = [];
  for (const [id, value] of Object.entries(values)) {
    const h = byId.get(id);
    if (!h) {
      skipped.push({ id, reason: 'not found in the model any more' });
      continue;
    }
    const current = text.slice(h.span.start, h.span.end);
    const was = recorded?.[id]?.text;
    if (was !== undefined && current !== was) {
      skipped.push({ id, reason: `changed since the search (was ${was}, now ${current || 'not written'})` });
      continue;
    }
    if (h.current !== undefined && JSON.stringify(h.current) === JSON.stringify(value)) {
      unchanged.push(id);
      continue;
    }
    const rendered = renderValue(h, current, value, text);
    if (rendered.error !== undefined) {
      skipped.push({ id, reason: rendered.error });
      continue;
    }
    if (rendered.text === current) {
      unchanged.push(id);
      continue;
    }
    edits.push({ id, span: h.span, newText: rendered.text!, original: current, value });
    // A class the file does not import yet: added to the import that brings the current one.
    for (const extra of rendered.extra ?? []) edits.push({ id, ...extra, original: text.slice(extra.span.start, extra.span.end), value });
  }
  // Two ids on one span (a value shared through a variable is one id, but be safe): keep the first.
  edits.sort((a, b) => a.span.start - b.span.start);
  const kept: ApplyEdit[] = [];
  for (const e of edits) {
    const prev = kept[kept.length - 1];
    if (prev && e.span.start < prev.span.end) skipped.push({ id: e.id, reason: `overlaps ${prev.id}` });
    else kept.push(e);
  }
  return { edits: kept, skipped, unchanged, text: applyEdits(text, kept) };
}

/**
 * The two shapes whose rewrite is not "replace the literal" (issue 10 §4), read structurally so
 * this module builds with or without them in the Hyperparameter type.
 */
interface Shaped {
  /** An implicit value (a Keras default not written): inserted as `${before}${keyword}=<value>`. */
  insertion?: { before: string; keyword: string };
  /** Part of an expression (an optimizer class at its callee): the class is rewritten in place. */
  template?: string;
}

/** The text of `value` for hyperparameter `h`, in the style of its current text (and of the file's). */
export function renderValue(h: Hyperparameter, current: string, value: AppliedValue, text = ''): { text?: string; error?: string; extra?: TextEdit[] } {
  const shaped = h as Hyperparameter & Shaped;
  if (shaped.insertion) {
    // No text of its own to follow: strings take the file's usual quote.
    const sample = (text.match(/"/g)?.length ?? 0) > (text.match(/'/g)?.length ?? 0) ? '""' : "''";
    const r = Array.isArray(value) ? renderSequence(h, '(' + value.map(() => '0').join(', ') + ')', value) : renderScalar(h.type, typeof value === 'string' ? sample : '', value);
    if (r.error !== undefined) return r;
    return { text: `${shaped.insertion.before}${shaped.insertion.keyword}=${r.text}` };
  }
  if (shaped.template !== undefined) {
    if (h.param === 'class') return renderClass(current, value, text);
    // Another value inside an expression (an implicit learning rate of optimizer="adam"): no
    // rendering in the source's style yet, so it is named rather than written in the template's.
    const r = renderScalar(h.type, '', value);
    return { error: `cannot write ${h.param}=${r.text ?? JSON.stringify(value)} into ${current} yet: set it by hand` };
  }
  if (h.span.end === h.span.start) return { error: `no written value to replace (${h.definition})` };
  // A tuple tuned as one value (kernel_size=(3, 3) kept square): the value is its element.
  if (h.tupleSize !== undefined && h.element === undefined) {
    const element = Array.isArray(value) ? value : Array(h.tupleSize).fill(value);
    return renderSequence(h, current, element);
  }
  if (Array.isArray(value)) return renderSequence(h, current, value);
  return renderScalar(h.type, current, value);
}

/** A class chosen at its callee: keras.optimizers.Adam becomes keras.optimizers.AdamW. */
function renderClass(current: string, value: AppliedValue, text: string): { text?: string; error?: string; extra?: TextEdit[] } {
  if (typeof value !== 'string' || !/^[A-Za-z_]\w*$/.test(value)) return { error: `cannot write the class ${JSON.stringify(value)}` };
  const m = /^([\w.]*\.)?(\w+)$/.exec(current.trim());
  if (!m) return { error: `cannot rewrite the callee ${current}` };
  if (!m[1]) {
    // A bare name: the new class must be bound in the file too (imported or defined).
    const bound = new RegExp(`(^|\\n)\\s*(from\\s+\\S+\\s+import\\s+[^\\n]*\\b${value}\\b|class\\s+${value}\\b|${value}\\s*=)`).test(text);
    if (!bound) {
      // `from ....optimizers import Adam` (one line): the new class joins that import.
      const imp = new RegExp(`^[ \\t]*from[ \\t]+[\\w.]*optimizers[ \\t]+import[ \\t]+[^\\n#()\\\\]*\\b${m[2]}\\b`, 'm').exec(text);
      if (!imp) return { error: `${value} is not imported in the file (write keras.optimizers.${value}, or import it)` };
      const end = imp.index + imp[0].length;
      return { text: value, extra: [{ span: { start: end, end }, newText: `, ${value}` }] };
    }
  }
  return { text: `${m[1] ?? ''}${value}` };
}

/** A tuple or list, keeping the brackets, separators and spacing of the current text. */
function renderSequence(h: Hyperparameter, current: string, elements: AppliedValue[]): { text?: string; error?: string } {
  const m = /^([(\[])([\s\S]*)([)\]])$/.exec(current.trim());
  if (!m) {
    // Written as a bare scalar standing for a square tuple (kernel_size=3): stays a scalar when all equal.
    const first = elements[0];
    if (elements.every((e) => JSON.stringify(e) === JSON.stringify(first))) return renderScalar(h.type === 'tuple' ? 'int' : h.type, current, first);
    return { error: `cannot write ${JSON.stringify(elements)} over ${current}` };
  }
  const [, open, inner, close] = m;
  const parts = splitTopLevel(inner);
  const items = parts.filter((p) => p.trim() !== '');
  if (items.length !== elements.length) return { error: `cannot write ${elements.length} element(s) over ${current}` };
  let i = 0;
  const out: string[] = [];
  for (const p of parts) {
    if (p.trim() === '') {
      out.push(p);
      continue;
    }
    const r = renderScalar(h.type === 'tuple' ? 'int' : h.type, p.trim(), elements[i++]);
    if (r.error !== undefined) return r;
    out.push(/^\s*/.exec(p)![0] + r.text + /\s*$/.exec(p)![0]);
  }
  const lead = /^\s*/.exec(current)![0];
  const trail = /\s*$/.exec(current)![0];
  return { text: `${lead}${open}${out.join(',')}${close}${trail}` };
}

/** Splits a bracket's inside on its top-level commas, keeping the whitespace. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** A scalar in the style of `current`: ints stay ints, floats keep exponent notation, strings their quotes. */
export function renderScalar(type: string, current: string, value: AppliedValue): { text?: string; error?: string } {
  if (value === null) return { text: 'None' };
  if (typeof value === 'boolean') return { text: value ? 'True' : 'False' };
  if (typeof value === 'string') return { text: renderString(current, value) };
  if (typeof value !== 'number' || !Number.isFinite(value)) return { error: `cannot write ${JSON.stringify(value)}` };
  if (type === 'int' || type === 'tuple' || (type !== 'float' && /^[+-]?\d[\d_]*$/.test(current) && Number.isInteger(value))) {
    return { text: String(Math.round(value)) };
  }
  return { text: renderFloat(current, value) };
}

/** A float as Python's repr would write it (shortest round trip), in exponent form if the source used it. */
function renderFloat(current: string, v: number): string {
  if (/^[+-]?[\d.]+e[+-]?\d+$/i.test(current.trim())) {
    const [mant, exp] = v.toExponential().split('e');
    return `${mant}${current.includes('E') ? 'E' : 'e'}${exp.startsWith('+') ? exp.slice(1) : exp}`;
  }
  const s = String(v);
  // JavaScript's shortest round trip is Python's repr, but for 1e+21 style exponents.
  if (/e/.test(s)) return s.replace('e+', 'e');
  return Number.isInteger(v) ? `${v}.0` : s;
}

/** A string literal with the current literal's prefix and quote character. */
function renderString(current: string, value: string): string {
  const m = /^([rRuUbBfF]*)('''|"""|'|")/.exec(current.trim());
  const prefix = m ? m[1].replace(/[fF]/g, '') : '';
  const quote = m ? m[2] : "'";
  const raw = /[rR]/.test(prefix);
  let body = raw ? value : value.replace(/\\/g, '\\\\');
  if (quote.length === 1) body = body.replace(new RegExp(quote, 'g'), `\\${quote}`).replace(/\n/g, '\\n');
  return `${prefix}${quote}${body}${quote}`;
}
