/** Hover on a hyperparameter (its value or a use of it): what it does, id, type, range, uses. */
import { LineIndex } from '../analysis/lines';
import { describeSpace } from '../analysis/space';
import type { Hyperparameter } from '../analysis/types';
import { spanRange } from './diagnostics';
import { MarkupKind, type Hover, type Position } from './protocol';

export function findAt(hps: Hyperparameter[], offset: number): { h: Hyperparameter; site: 'value' | 'use'; start: number; end: number } | undefined {
  for (const h of hps) if (h.span.start <= offset && offset <= h.span.end) return { h, site: 'value', ...h.span };
  for (const h of hps) for (const u of h.uses) if (u.start <= offset && offset <= u.end) return { h, site: 'use', ...u };
  return undefined;
}

export function hover(text: string, hps: Hyperparameter[], position: Position, markdown: boolean): Hover | null {
  const lines = new LineIndex(text);
  const found = findAt(hps, lines.offset(position.line, position.character));
  if (!found) return null;
  const { h } = found;
  const status =
    h.tunable && h.space
      ? `search range \`${describeSpace(h.space, Infinity)}\`${h.tiedTo ? `, searched as one with \`${h.tiedTo}\` (written alike in this model; optpar.yaml \`untie:\` separates them)` : ''}`
      : h.kind === 'budget' && h.space
        ? `budget, kept as written: ${h.reason} (its range when tuned: \`${describeSpace(h.space, Infinity)}\`)`
        : `not tuned: ${h.reason ?? h.kind}`;
  const uses = h.uses.length
    ? h.uses.map((u) => `line ${lines.position(u.start).line + 1}`).join(', ')
    : `as the argument itself (line ${lines.position(h.span.start).line + 1})`;
  const md = [
    `**${h.param}** of \`${h.call}\` (optpar)`,
    ...(h.doc ? ['', h.doc] : []),
    '',
    `- id: \`${h.id}\``,
    `- type: ${h.type}${h.tupleSize ? ` (tuple of ${h.tupleSize}${h.element !== undefined ? `, element ${h.element}` : ''})` : ''}`,
    h.definition === 'implicit'
      ? `- value: \`${h.value}\`, the Keras default (not written: parametrizing inserts \`${h.param}=\`)`
      : `- value: \`${h.value.length > 60 ? h.value.slice(0, 57) + '...' : h.value}\``,
    `- ${status}`,
    `- used ${uses}`,
  ].join('\n');
  const plain = md.replace(/[*`]/g, '');
  return {
    contents: markdown ? { kind: MarkupKind.Markdown, value: md } : { kind: MarkupKind.PlainText, value: plain },
    range: spanRange(lines, found),
  };
}
