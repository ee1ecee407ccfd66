import type { LineIndex } from './lines';
import type { SyntaxNode } from './syntax';

/** Line -> the parameters `# optpar: ignore[...]` names there ('*' for all). */
export type IgnoreMap = Map<number, Set<string>>;

const IGNORE = /#\s*optpar:\s*ignore(?:\[([^\]\n]*)\])?[ \t]*\r?$/gm;

/** Finds suppression comments; only real comments count, not the same text inside a string. */
export function findIgnores(text: string, root: SyntaxNode, lines: LineIndex): IgnoreMap {
  const out: IgnoreMap = new Map();
  for (const m of text.matchAll(IGNORE)) {
    const node = root.descendantForIndex(m.index!, m.index! + 1);
    if (node.type !== 'comment') continue;
    const names = m[1] === undefined ? ['*'] : m[1].split(',').map((s) => s.trim()).filter(Boolean);
    const line = lines.lineOf(m.index!);
    const set = out.get(line) ?? new Set<string>();
    for (const n of names) set.add(n);
    out.set(line, set);
  }
  return out;
}

export function isIgnored(map: IgnoreMap, line: number, param: string, id?: string): boolean {
  const set = map.get(line);
  return !!set && (set.has('*') || set.has(param) || (id !== undefined && set.has(id)));
}
