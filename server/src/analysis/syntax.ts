/**
 * A plain JavaScript copy of a tree-sitter tree: what the analysis reads, without a native call
 * per property. node-tree-sitter crosses into native code for every node property and child
 * list, which made a scan cost four times its parse; the copy is made in one cursor walk and
 * every later read is an ordinary object access.
 *
 * The copy is kept per top-level statement: rebuilding it after an edit copies only the
 * statements whose text changed and moves the others to their new offsets.
 */
import type { Tree, TreeCursor } from './parse';

/** The text the nodes of one tree slice their `text` from; shared by every node of the tree. */
interface Source {
  text: string;
}

const NO_CHILDREN: readonly SyntaxNode[] = Object.freeze([]);

let nextId = 1;

export class SyntaxNode {
  /** Unique among live nodes; a node moved by an edit keeps its id. */
  readonly id = nextId++;
  parent: SyntaxNode | null = null;
  children: readonly SyntaxNode[] = NO_CHILDREN;
  /** The field this node fills in its parent (name, value, arguments...). */
  field: string | undefined = undefined;
  hasError = false;
  private named: readonly SyntaxNode[] | undefined = undefined;

  constructor(
    readonly type: string,
    readonly isNamed: boolean,
    public startIndex: number,
    public endIndex: number,
    readonly isMissing: boolean,
    private readonly source: Source,
  ) {}

  get text(): string {
    return this.source.text.slice(this.startIndex, this.endIndex);
  }

  get namedChildren(): readonly SyntaxNode[] {
    return (this.named ??= this.children.filter((c) => c.isNamed));
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  get childCount(): number {
    return this.children.length;
  }

  child(index: number): SyntaxNode | null {
    return this.children[index] ?? null;
  }

  namedChild(index: number): SyntaxNode | null {
    return this.namedChildren[index] ?? null;
  }

  childForFieldName(field: string): SyntaxNode | null {
    for (const c of this.children) if (c.field === field) return c;
    return null;
  }

  /** Every descendant (not this node) of the given types, in source order. */
  descendantsOfType(types: string | readonly string[]): SyntaxNode[] {
    const wanted = typeof types === 'string' ? [types] : types;
    const out: SyntaxNode[] = [];
    const stack: SyntaxNode[] = [];
    for (let i = this.children.length - 1; i >= 0; i--) stack.push(this.children[i]);
    while (stack.length) {
      const node = stack.pop()!;
      if (wanted.includes(node.type)) out.push(node);
      const kids = node.children;
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
    }
    return out;
  }

  /** The smallest node spanning [start, end]. */
  descendantForIndex(start: number, end = start): SyntaxNode {
    let node: SyntaxNode = this;
    for (;;) {
      const next = node.children.find((c) => c.startIndex <= start && end <= c.endIndex && (c.startIndex < c.endIndex || start === end));
      if (!next) return node;
      node = next;
    }
  }

  /** @internal Moves this subtree by `delta` characters. */
  shift(delta: number): void {
    const stack: SyntaxNode[] = [this];
    while (stack.length) {
      const node = stack.pop()!;
      node.startIndex += delta;
      node.endIndex += delta;
      for (const c of node.children) stack.push(c);
    }
  }
}

/** Names of node types and fields by id, learnt from the cursor the first time each id is seen. */
interface Names {
  types: ({ name: string; named: boolean } | undefined)[];
  fields: (string | undefined)[];
}

/** One language (Python), so one table. */
const NAMES: Names = { types: [], fields: [] };

/** Copies the cursor's current node and its subtree; the cursor ends where it started. */
function copySubtree(cursor: TreeCursor, names: Names, source: Source): SyntaxNode {
  const top = copyNode(cursor, names, source);
  if (!cursor.gotoFirstChild()) return top;
  const path: SyntaxNode[] = [top];
  const kids: SyntaxNode[][] = [[]];
  for (;;) {
    const node = copyNode(cursor, names, source);
    const fieldId = cursor.currentFieldId;
    if (fieldId !== undefined) node.field = names.fields[fieldId] ??= cursor.currentFieldName;
    node.parent = path[path.length - 1];
    kids[kids.length - 1].push(node);
    if (node.hasError) for (let p: SyntaxNode | null = node.parent; p && !p.hasError; p = p.parent) p.hasError = true;
    if (cursor.gotoFirstChild()) {
      path.push(node);
      kids.push([]);
      continue;
    }
    while (!cursor.gotoNextSibling()) {
      cursor.gotoParent();
      path.pop()!.children = kids.pop()!;
      if (path.length === 0) return top;
    }
  }
}

function copyNode(cursor: TreeCursor, names: Names, source: Source): SyntaxNode {
  const typeId = cursor.nodeTypeId;
  const kind = (names.types[typeId] ??= { name: cursor.nodeType, named: cursor.nodeIsNamed });
  const start = cursor.startIndex;
  const end = cursor.endIndex;
  // Only a zero-width node can be one that error recovery inserted.
  const missing = start === end && cursor.nodeIsMissing;
  const node = new SyntaxNode(kind.name, kind.named, start, end, missing, source);
  if (missing || kind.name === 'ERROR') node.hasError = true;
  return node;
}

/** The copy of one document's tree. */
export class SyntaxTree {
  private constructor(
    readonly root: SyntaxNode,
    private readonly source: Source,
  ) {}

  get text(): string {
    return this.source.text;
  }

  /**
   * Copies `tree`, parsed from `text`. With `previous` (the copy of the document before an
   * edit), top-level statements whose text is unchanged are taken from it and moved, not
   * copied again; `previous` must not be used afterwards.
   */
  static from(tree: Tree, text: string, previous?: SyntaxTree): SyntaxTree {
    const names = NAMES;
    const cursor = tree.walk();
    const reusable = previous?.root.type === 'module' ? statementsByText(previous) : undefined;
    const source = previous?.source ?? { text };
    source.text = text;
    if (!reusable || cursor.nodeType !== 'module') return new SyntaxTree(copySubtree(cursor, names, source), source);

    const root = copyNode(cursor, names, source);
    const statements: SyntaxNode[] = [];
    if (cursor.gotoFirstChild()) {
      do {
        const start = cursor.startIndex;
        const end = cursor.endIndex;
        const old = reusable.get(text.slice(start, end))?.pop();
        let stmt: SyntaxNode;
        if (old && !old.hasError && old.type === names.types[cursor.nodeTypeId]?.name) {
          if (old.startIndex !== start) old.shift(start - old.startIndex);
          stmt = old;
        } else stmt = copySubtree(cursor, names, source);
        stmt.parent = root;
        if (stmt.hasError) root.hasError = true;
        statements.push(stmt);
      } while (cursor.gotoNextSibling());
    }
    root.children = statements;
    return new SyntaxTree(root, source);
  }
}

/** The previous copy's top-level statements by their text (statements may repeat: a list each, last first). */
function statementsByText(previous: SyntaxTree): Map<string, SyntaxNode[]> {
  const out = new Map<string, SyntaxNode[]>();
  const text = previous.text;
  const stmts = previous.root.children;
  for (let i = stmts.length - 1; i >= 0; i--) {
    const s = stmts[i];
    const key = text.slice(s.startIndex, s.endIndex);
    const list = out.get(key);
    if (list) list.push(s);
    else out.set(key, [s]);
  }
  return out;
}
