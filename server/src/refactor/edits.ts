import type { Span } from '../analysis/types';

/** A replacement of one stretch of the original text (UTF-16 offsets). */
export interface TextEdit {
  span: Span;
  newText: string;
}

/**
 * Applies non-overlapping edits to a text. Overlapping edits are refused, never merged: a
 * refactoring must not lose the user's code.
 */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].span.start < sorted[i - 1].span.end) throw new Error(`overlapping edits at offset ${sorted[i].span.start}`);
  }
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    out += text.slice(pos, e.span.start) + e.newText;
    pos = e.span.end;
  }
  return out + text.slice(pos);
}

/** The edits that undo `edits` on the text they produced. */
export function reverseEdits(original: string, edits: TextEdit[]): TextEdit[] {
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start);
  let shift = 0;
  return sorted.map((e) => {
    const start = e.span.start + shift;
    shift += e.newText.length - (e.span.end - e.span.start);
    return { span: { start, end: start + e.newText.length }, newText: original.slice(e.span.start, e.span.end) };
  });
}
