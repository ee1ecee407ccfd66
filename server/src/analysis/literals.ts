import type { Scalar } from '../catalogue/types';
import type { SyntaxNode } from './syntax';

export type Literal =
  | NumberLiteral
  | { kind: 'string'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'sequence'; elements: SyntaxNode[]; items: (Literal | undefined)[] };

/** Strips redundant parentheses: ((3)) is 3. */
export function unparen(node: SyntaxNode): SyntaxNode {
  let cur = node;
  for (let depth = 0; cur.type === 'parenthesized_expression' && depth < 1000; depth++) {
    const inner = cur.namedChildren.find((c) => c.type !== 'comment');
    if (!inner) break;
    cur = inner;
  }
  return cur;
}

const DECIMAL = /^[0-9]+$/;

type NumberLiteral = { kind: 'number'; value: number; isInt: boolean };

function parseNumber(text: string): NumberLiteral | undefined {
  // Most numbers in model code are plain decimals (64, 3): read them without the general rules.
  if (DECIMAL.test(text)) return { kind: 'number', value: Number(text), isInt: true };
  const t = text.replace(/_/g, '');
  if (/[jJ]$/.test(t)) return undefined;
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) return { kind: 'number', value: parseInt(t.slice(2), 16), isInt: true };
  if (/^0[oO][0-7]+$/.test(t)) return { kind: 'number', value: parseInt(t.slice(2), 8), isInt: true };
  if (/^0[bB][01]+$/.test(t)) return { kind: 'number', value: parseInt(t.slice(2), 2), isInt: true };
  if (/^[0-9]+$/.test(t)) return { kind: 'number', value: Number(t), isInt: true };
  const value = Number(t);
  return Number.isFinite(value) ? { kind: 'number', value, isInt: false } : undefined;
}

const STRING = /^([A-Za-z]*)('\'\'|"""|'|")/;

/** A plain (not f-, not bytes) string literal's value, read from its text. */
function parseString(text: string): string | undefined {
  const m = STRING.exec(text);
  if (!m) return undefined;
  const prefix = m[1].toLowerCase();
  if (prefix.includes('f') || prefix.includes('b')) return undefined;
  const body = text.slice(m[0].length, text.length - m[2].length);
  if (prefix.includes('r') || !body.includes('\\')) return body;
  return body.replace(/\\(.)/gs, (seq) => unescape(seq));
}

function unescape(seq: string): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
  return simple[seq.slice(1)] ?? seq;
}

/** The value of a literal expression, or undefined when it is anything else. `text`: the input's source text, when known. */
export function evalLiteral(input: SyntaxNode, text?: string): Literal | undefined {
  const node = unparen(input);
  const own = () => (node === input && text !== undefined ? text : node.text);
  switch (node.type) {
    case 'integer':
    case 'float':
      return parseNumber(own());
    case 'unary_operator': {
      const op = node.childForFieldName('operator')?.text;
      const arg = node.childForFieldName('argument');
      if (!arg || (op !== '-' && op !== '+')) return undefined;
      const inner = evalLiteral(arg);
      if (!inner || inner.kind !== 'number') return undefined;
      return { kind: 'number', value: op === '-' ? -inner.value : inner.value, isInt: inner.isInt };
    }
    case 'string': {
      const s = parseString(own());
      return s === undefined ? undefined : { kind: 'string', value: s };
    }
    case 'true':
      return { kind: 'bool', value: true };
    case 'false':
      return { kind: 'bool', value: false };
    case 'none':
      return { kind: 'none' };
    case 'tuple':
    case 'list': {
      const elements = node.namedChildren.filter((c) => c.type !== 'comment');
      return { kind: 'sequence', elements, items: elements.map((e) => evalLiteral(e)) };
    }
    default:
      return undefined;
  }
}

export function scalarOf(lit: Literal | undefined): Scalar | undefined {
  if (!lit) return undefined;
  if (lit.kind === 'number' || lit.kind === 'string' || lit.kind === 'bool') return lit.value;
  return undefined;
}
