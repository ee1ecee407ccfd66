import type { Scalar } from '../catalogue/types';
import type { Hyperparameter } from '../analysis/types';
import { applyEdits, type TextEdit } from './edits';

export interface ParametrizeEdit extends TextEdit {
  id: string;
  /** Other values rewritten by the same edit (the optimizer named by a string whose learning rate is tuned). */
  with?: string[];
  original: string;
}

export interface Parametrization {
  edits: ParametrizeEdit[];
  /** The original values, by id: `params = defaults` reproduces the user's model. */
  defaults: Record<string, Scalar>;
  /** The chosen hyperparameters, in file order. */
  chosen: Hyperparameter[];
  text: string;
}

/** The Python expression that reads a hyperparameter from the params dict. */
const PLAIN_ID = /^[\p{L}\p{N}_.]*$/u;

export function paramRef(id: string): string {
  if (PLAIN_ID.test(id)) return `params['${id}']`;
  return `params[${JSON.stringify(id).replace(/^"|"$/g, "'")}]`;
}

/**
 * Chooses what to parametrize: the tunable hyperparameters, or exactly the ids named (which
 * may name fixed ones, as long as they have a literal value to start from).
 */
export function chooseHyperparameters(hps: Hyperparameter[], ids?: string[]): { chosen: Hyperparameter[]; unknown: string[]; unusable: string[] } {
  if (!ids) return { chosen: hps.filter((h) => h.tunable), unknown: [], unusable: [] };
  const byId = new Map(hps.map((h) => [h.id, h]));
  const unknown = ids.filter((id) => !byId.has(id));
  const unusable = ids.filter((id) => byId.has(id) && byId.get(id)!.current === undefined);
  const wanted = new Set(ids);
  return { chosen: hps.filter((h) => wanted.has(h.id) && h.current !== undefined), unknown, unusable };
}

/** The shape of a value's text, which decides how a rewrite writes the new one. */
export type ValueShape = Pick<Hyperparameter, 'tupleSize' | 'element' | 'insertion' | 'template'>;

/**
 * What a rewrite writes over a value's span for the Python expression `expr`: a tuple tuned as
 * one value stays a tuple of it, an implicit value is inserted as a keyword argument, and a value
 * inside an expression fills its template.
 */
export function rewriteText(h: ValueShape, expr: string, written = ''): string {
  if (h.insertion) return `${h.insertion.before}${h.insertion.keyword}=${expr}`;
  if (h.template) return h.template.replace('{}', expr).replace('{text}', written);
  if (h.tupleSize !== undefined && h.element === undefined) return `(${Array(h.tupleSize).fill(expr).join(', ')})`;
  return expr;
}

/**
 * Rewrites each chosen value into params['<id>'], touching nothing else. A tuple tuned as one
 * value becomes a tuple of the same reference, so kernel_size=(3, 3) stays square.
 */
export function parametrize(text: string, chosen: Hyperparameter[]): Parametrization {
  const edits: ParametrizeEdit[] = [];
  const defaults: Record<string, Scalar> = {};
  // Two values at one place: optimizer="adam" is the optimizer and, implicitly, its learning
  // rate. The rate's template wraps the optimizer's own rewrite, in one edit.
  const at = new Map<string, Hyperparameter[]>();
  for (const h of chosen) {
    if (h.current === undefined) continue;
    const key = `${h.span.start}:${h.span.end}`;
    at.set(key, [...(at.get(key) ?? []), h]);
    defaults[h.id] = h.current;
  }
  for (const group of at.values()) {
    const outer = group.find((h) => h.template?.includes('{text}'));
    const inner = group.filter((h) => h !== outer);
    const span = group[0].span;
    const original = text.slice(span.start, span.end);
    let written = original;
    for (const h of inner) written = rewriteText(h, paramRef(h.id), written);
    if (!outer) {
      for (const h of inner) edits.push({ id: h.id, span: h.span, original, newText: rewriteText(h, paramRef(h.id), original) });
      continue;
    }
    edits.push({ id: outer.id, ...(inner.length ? { with: inner.map((h) => h.id) } : {}), span, original, newText: rewriteText(outer, paramRef(outer.id), written) });
  }
  edits.sort((a, b) => a.span.start - b.span.start);
  return { edits, defaults, chosen, text: applyEdits(text, edits) };
}
