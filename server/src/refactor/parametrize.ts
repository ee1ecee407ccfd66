import type { Scalar } from '../catalogue/types';
import type { Hyperparameter } from '../analysis/types';
import { applyEdits, type TextEdit } from './edits';

export interface ParametrizeEdit extends TextEdit {
  id: string;
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

/**
 * Rewrites each chosen value into params['<id>'], touching nothing else. A tuple tuned as one
 * value becomes a tuple of the same reference, so kernel_size=(3, 3) stays square.
 */
export function parametrize(text: string, chosen: Hyperparameter[]): Parametrization {
  const edits: ParametrizeEdit[] = [];
  const defaults: Record<string, Scalar> = {};
  for (const h of chosen) {
    if (h.current === undefined) continue;
    const ref = paramRef(h.id);
    const newText = h.tupleSize !== undefined && h.element === undefined ? `(${Array(h.tupleSize).fill(ref).join(', ')})` : ref;
    edits.push({ id: h.id, span: h.span, original: text.slice(h.span.start, h.span.end), newText });
    defaults[h.id] = h.current;
  }
  return { edits, defaults, chosen, text: applyEdits(text, edits) };
}
