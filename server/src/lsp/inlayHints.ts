/** The search range beside each tunable value: `∈ {32, 64, 128}`, `∈ [1e-05, 0.1] log`. */
import { LineIndex } from '../analysis/lines';
import { describeSpace } from '../analysis/space';
import type { Hyperparameter, SearchSpace } from '../analysis/types';
import type { InlayHint, Range } from './protocol';

/** The label; long choice lists are cut to their first values and a count (the tooltip has them all). */
export function rangeLabel(space: SearchSpace): string {
  return `∈ ${describeSpace(space, 5)}`;
}

export function inlayHints(text: string, hps: Hyperparameter[], range: Range): InlayHint[] {
  const lines = new LineIndex(text);
  const from = lines.offset(range.start.line, range.start.character);
  const to = lines.offset(range.end.line, range.end.character);
  const out: InlayHint[] = [];
  for (const h of hps) {
    if (!h.space || h.span.end < from || h.span.end > to) continue;
    if (h.kind === 'budget') {
      out.push({ position: lines.position(h.span.end), label: 'budget: kept', paddingLeft: true, tooltip: `${h.id}: ${h.reason}` });
      continue;
    }
    if (!h.tunable) continue;
    out.push({
      position: lines.position(h.span.end),
      label: h.definition === 'implicit' ? `${h.param}=${h.value} (Keras default) ${rangeLabel(h.space)}` : rangeLabel(h.space),
      paddingLeft: true,
      tooltip: `${h.id}: search ${describeSpace(h.space, Infinity)}`,
    });
  }
  return out;
}
