import { LineIndex } from '../analysis/lines';
import type { AnalysisError, Hyperparameter, SearchSpace } from '../analysis/types';
import { describeSpace } from '../analysis/space';

/** One hyperparameter in the stable JSON form (1-based lines, columns in characters). */
export interface JsonHyperparameter {
  id: string;
  call: string;
  param: string;
  value: string;
  type: string;
  tupleSize?: number;
  element?: number;
  tunable: boolean;
  kind: string;
  reason: string | null;
  definition: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  uses: { line: number; column: number }[];
  space: SearchSpace | null;
  /** Searched as one with this id (written alike in the same model). */
  tiedTo?: string;
}

export function toJsonHyperparameter(h: Hyperparameter, lines: LineIndex): JsonHyperparameter {
  const start = lines.humanPosition(h.span.start);
  const end = lines.humanPosition(h.span.end);
  return {
    id: h.id,
    call: h.call,
    param: h.param,
    value: h.value,
    type: h.type,
    ...(h.tupleSize !== undefined ? { tupleSize: h.tupleSize } : {}),
    ...(h.element !== undefined ? { element: h.element } : {}),
    tunable: h.tunable,
    kind: h.kind,
    reason: h.reason ?? null,
    definition: h.definition,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    uses: h.uses.map((u) => lines.humanPosition(u.start)),
    space: h.space ?? null,
    ...(h.tiedTo ? { tiedTo: h.tiedTo } : {}),
  };
}

export function toJsonError(e: AnalysisError, lines?: LineIndex): { message: string; line?: number; column?: number } {
  if (!e.span || !lines) return { message: e.message };
  return { message: e.message, ...lines.humanPosition(e.span.start) };
}

/** The readable table: one row per hyperparameter. */
export function formatTable(path: string, text: string, hps: Hyperparameter[], where?: (offset: number) => string): string {
  const lines = new LineIndex(text);
  if (hps.length === 0) return `${path}: no hyperparameters found`;
  const rows = hps.map((h) => {
    const pos = lines.humanPosition(h.span.start);
    const place = where ? where(h.span.start) : `${pos.line}:${pos.column}`;
    const status = h.tunable && h.space ? describeSpace(h.space) + (h.tiedTo ? `, as one with ${h.tiedTo}` : '') : `${h.kind}: ${h.reason ?? ''}`;
    return [place, h.id, h.value.length > 24 ? h.value.slice(0, 21) + '...' : h.value, status];
  });
  const header = ['LINE', 'ID', 'VALUE', 'SEARCH RANGE / WHY NOT TUNED'];
  const widths = header.map((_, i) => Math.max(header[i].length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const tunable = hps.filter((h) => h.tunable).length;
  return [`${path}: ${tunable} tunable of ${hps.length} found`, fmt(header), ...rows.map(fmt)].join('\n');
}
