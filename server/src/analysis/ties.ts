/**
 * Ties: a network whose hidden layers all say `activation="relu"` was written with one choice
 * in mind, not one per layer. A practitioner searches that choice once; searching each copy on
 * its own multiplies the dimensions a short search must explore (five layers of five
 * activations: 3,125 combinations instead of 5) and mostly draws networks nobody would write.
 *
 * So categorical values written identically for the same Keras parameter within one model
 * definition (one top-level function or class, or the module's own code) are searched as one:
 * the first is the leader, the others follow its draw. Each keeps its own id, rewrite and result,
 * so apply writes every copy. Numbers are never tied: equal widths are often a coincidence of
 * round numbers, and a per-layer width is what a search is for.
 */
import type { SyntaxNode } from './syntax';
import type { Hyperparameter } from './types';

/** The index of the top-level definition (function, class) holding an offset, or -1 for module-level code. */
function definitionOf(statements: readonly SyntaxNode[], offset: number): number {
  let lo = 0;
  let hi = statements.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const stmt = statements[mid];
    if (offset < stmt.startIndex) hi = mid - 1;
    else if (offset >= stmt.endIndex) lo = mid + 1;
    else {
      const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
      return def && (def.type === 'function_definition' || def.type === 'class_definition') ? mid : -1;
    }
  }
  return -1;
}

/** Equal for two values searched alike: the same parameter, value as written and space. */
function tieKey(h: Hyperparameter, where: number | string): string {
  const options = h.space!.kind === 'choice' ? h.space!.options.join('\u0000') : '';
  return `${where}\u0001${h.param}\u0001${h.current}\u0001${options}`;
}

function tieable(h: Hyperparameter): boolean {
  return (
    h.tunable &&
    h.kind === 'hyperparameter' &&
    h.type === 'string' &&
    typeof h.current === 'string' &&
    h.space?.kind === 'choice' &&
    !h.template &&
    !h.insertion
  );
}

/** Sets `tiedTo` on each categorical value written like an earlier one in the same model definition. */
export function markTies(hps: Hyperparameter[], root: SyntaxNode): void {
  const leaders = new Map<string, string>();
  const statements = root.namedChildren;
  for (const h of hps) {
    if (!tieable(h)) continue;
    const key = tieKey(h, definitionOf(statements, (h.uses[0] ?? h.span).start));
    const leader = leaders.get(key);
    if (leader === undefined) leaders.set(key, h.id);
    else h.tiedTo = leader;
  }
}

/**
 * The ties among the values a search tunes: follower id -> leader id. A tie holds only while
 * both are searched with the same space (an optpar.yaml range of its own unties a value), and
 * a follower whose leader is not searched follows the first searched member instead.
 */
export function tiesAmong(chosen: Hyperparameter[]): Map<string, string> {
  const ties = new Map<string, string>();
  const first = new Map<string, string>();
  for (const h of chosen) {
    if (!tieable(h)) continue;
    const key = tieKey(h, h.tiedTo ?? h.id);
    const leader = first.get(key);
    if (leader === undefined) first.set(key, h.id);
    else ties.set(h.id, leader);
  }
  return ties;
}

/**
 * The values the user asked to search on their own (optpar.yaml `untie:`) leave their ties; the
 * followers of an untied leader stay tied among themselves, to the first of them.
 */
export function untie(hps: Hyperparameter[], isUntied: (h: Hyperparameter) => boolean): Hyperparameter[] {
  const newLeader = new Map<string, string | undefined>();
  return hps.map((h) => {
    if (isUntied(h)) {
      if (!h.tiedTo) newLeader.set(h.id, undefined);
      return h.tiedTo ? { ...h, tiedTo: undefined } : h;
    }
    if (!h.tiedTo || !newLeader.has(h.tiedTo)) return h;
    const leader = newLeader.get(h.tiedTo);
    if (leader === undefined) {
      newLeader.set(h.tiedTo, h.id);
      return { ...h, tiedTo: undefined };
    }
    return { ...h, tiedTo: leader };
  });
}
