import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePython, parseSyntax, type TreeCursor } from '../../server/src/analysis/parse';
import { SyntaxTree, type SyntaxNode } from '../../server/src/analysis/syntax';

const fixtures = join(__dirname, '..', 'fixtures', 'keras');
const files = readdirSync(fixtures).filter((f) => f.endsWith('.py'));

/** What tree-sitter itself says, node by node (named nodes, and tokens that fill a field). */
function expected(cursor: TreeCursor, depth = 0, out: string[] = []): string[] {
  const field = cursor.currentFieldName;
  if (cursor.nodeIsNamed || field || cursor.nodeIsMissing) {
    out.push(`${' '.repeat(depth)}${field ?? ''}:${cursor.nodeType} ${cursor.startIndex}-${cursor.endIndex}${cursor.nodeIsMissing ? ' missing' : ''}`);
    if (cursor.gotoFirstChild()) {
      do expected(cursor, depth + 1, out);
      while (cursor.gotoNextSibling());
      cursor.gotoParent();
    }
  }
  return out;
}

function copied(node: SyntaxNode, depth = 0, out: string[] = []): string[] {
  out.push(`${' '.repeat(depth)}${node.field ?? ''}:${node.type} ${node.startIndex}-${node.endIndex}${node.isMissing ? ' missing' : ''}`);
  for (const c of node.children) copied(c, depth + 1, out);
  return out;
}

describe('the syntax copy', () => {
  for (const file of files) {
    it(`has every named node of tree-sitter's tree, with its field and offsets: ${file}`, () => {
      const text = readFileSync(join(fixtures, file), 'utf8');
      const tree = parsePython(text);
      expect(copied(SyntaxTree.from(tree, text).root)).toEqual(expected(tree.walk()));
    });
  }

  it('marks errors and missing tokens as tree-sitter does', () => {
    const text = 'model.add(Dense(64, activation="relu")\nx = (1,\n';
    const tree = parsePython(text);
    const copy = SyntaxTree.from(tree, text).root;
    expect(copy.hasError).toBe(true);
    const flagged = (n: SyntaxNode): string[] => [...(n.hasError ? [n.type] : []), ...n.children.flatMap(flagged)];
    const native = (n: ReturnType<typeof parsePython>['rootNode']): string[] => [...(n.hasError ? [n.type] : []), ...n.namedChildren.flatMap(native)];
    expect(flagged(copy)).toEqual(native(tree.rootNode));
  });

  it('keeps operators (a field) and leaves out punctuation and keywords', () => {
    const copy = parseSyntax('def f(x=-3):\n    return x\n').root;
    const unary = copy.descendantsOfType('unary_operator')[0];
    expect(unary.childForFieldName('operator')?.text).toBe('-');
    expect(copy.descendantsOfType(['(', ')', ':', 'def', 'return'])).toEqual([]);
  });

  it('answers text, fields and position look-ups from the copy', () => {
    const text = 'import keras\nm = keras.layers.Dense(units=32)\n';
    const root = parseSyntax(text).root;
    const call = root.descendantsOfType('call')[0];
    expect(call.childForFieldName('function')?.text).toBe('keras.layers.Dense');
    expect(call.namedChildren.map((c) => c.type)).toEqual(['attribute', 'argument_list']);
    const at = text.indexOf('32');
    expect(root.descendantForIndex(at, at + 2).text).toBe('32');
    expect(root.descendantForIndex(at).parent?.type).toBe('keyword_argument');
  });

  it('after an edit, reuses the statements whose text is unchanged, moved to their new offsets', () => {
    const before = 'a = 1\n\ndef f():\n    return Dense(8)\n\nb = Dense(16)\n';
    const after = before.replace('a = 1', 'a = 100');
    const old = SyntaxTree.from(parsePython(before), before);
    const [oldA, oldF, oldB] = old.root.children;
    const next = SyntaxTree.from(parsePython(after), after, old);
    const [a, f, b] = next.root.children;
    expect(a).not.toBe(oldA);
    expect(f).toBe(oldF);
    expect(b).toBe(oldB);
    expect(b.text).toBe('b = Dense(16)');
    expect(f.descendantsOfType('integer')[0].startIndex).toBe(after.indexOf('8'));
    expect(copied(next.root)).toEqual(copied(parseSyntax(after).root));
  });

  it('gives each of two identical statements its own nodes', () => {
    const text = 'x = Dense(8)\nx = Dense(8)\n';
    const old = parseSyntax(text);
    const edited = `${text}y = 1\n`;
    const next = SyntaxTree.from(parsePython(edited), edited, old);
    const [first, second] = next.root.children;
    expect(first).not.toBe(second);
    expect([first.startIndex, second.startIndex]).toEqual([0, text.indexOf('\n') + 1]);
  });
});
