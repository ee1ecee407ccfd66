/**
 * A JSON reader that keeps where each value is in the text, so a notebook's cell sources can be
 * edited in place (the rest of the file, its layout and escapes, stay byte for byte). Only called
 * on text JSON.parse has accepted.
 */
export type JsonNode =
  | { kind: 'object'; start: number; end: number; entries: { key: string; value: JsonNode }[] }
  | { kind: 'array'; start: number; end: number; items: JsonNode[] }
  | { kind: 'string'; start: number; end: number; value: string }
  | { kind: 'other'; start: number; end: number; value: unknown };

export function parseJsonSpans(text: string): JsonNode {
  let pos = 0;
  const ws = () => {
    while (pos < text.length && (text[pos] === ' ' || text[pos] === '\n' || text[pos] === '\r' || text[pos] === '\t')) pos++;
  };
  const string = (): JsonNode & { kind: 'string' } => {
    const start = pos;
    pos++;
    while (text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    pos++;
    return { kind: 'string', start, end: pos, value: JSON.parse(text.slice(start, pos)) as string };
  };
  const value = (): JsonNode => {
    ws();
    const start = pos;
    const c = text[pos];
    if (c === '{') {
      pos++;
      const entries: { key: string; value: JsonNode }[] = [];
      ws();
      if (text[pos] === '}') {
        pos++;
        return { kind: 'object', start, end: pos, entries };
      }
      for (;;) {
        ws();
        const key = string().value;
        ws();
        pos++; // ':'
        entries.push({ key, value: value() });
        ws();
        if (text[pos++] === '}') return { kind: 'object', start, end: pos, entries };
      }
    }
    if (c === '[') {
      pos++;
      const items: JsonNode[] = [];
      ws();
      if (text[pos] === ']') {
        pos++;
        return { kind: 'array', start, end: pos, items };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[pos++] === ']') return { kind: 'array', start, end: pos, items };
      }
    }
    if (c === '"') return string();
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?|^true|^false|^null/.exec(text.slice(pos, pos + 400))!;
    pos += m[0].length;
    return { kind: 'other', start, end: pos, value: JSON.parse(m[0]) };
  };
  return value();
}

export function member(node: JsonNode | undefined, key: string): JsonNode | undefined {
  if (node?.kind !== 'object') return undefined;
  for (let i = node.entries.length - 1; i >= 0; i--) if (node.entries[i].key === key) return node.entries[i].value;
  return undefined;
}
