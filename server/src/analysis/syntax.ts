/**
 * A plain JavaScript copy of a tree-sitter tree: what the analysis reads, without a native call
 * per property. node-tree-sitter crosses into native code for every node property and child
 * list, which made a scan cost four times its parse; the copy is made in one cursor walk and
 * every later read is an ordinary object access.
 *
 * The copy is kept per top-level statement: rebuilding it after an edit copies only the
 * statements whose text changed and moves the others to their new offsets. A node's offsets are
 * kept relative to its statement's anchor, so moving a statement is one assignment.
 */
import Python = require('tree-sitter-python');
import type { Tree, TreeCursor } from './parse';

/** The text the nodes of one tree slice their `text` from; shared by every node of the tree. */
interface Source {
  text: string;
}

/** Where a top-level statement starts: its nodes' offsets are relative to it. */
interface Anchor {
  source: Source;
  offset: number;
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
    private readonly start: number,
    private readonly end: number,
    readonly isMissing: boolean,
    private readonly anchor: Anchor,
  ) {}

  get startIndex(): number {
    return this.anchor.offset + this.start;
  }

  get endIndex(): number {
    return this.anchor.offset + this.end;
  }

  get text(): string {
    const at = this.anchor.offset;
    return this.anchor.source.text.slice(at + this.start, at + this.end);
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

  /** @internal The anchor of this node's statement (to move it after an edit). */
  get statementAnchor(): Anchor {
    return this.anchor;
  }
}

/** Names of node types and fields by id, learnt from the cursor the first time each id is seen. */
interface Names {
  types: ({ name: string; named: boolean; leaf: boolean } | undefined)[];
  fields: (string | undefined)[];
}

const NODE_TYPES = Python.nodeTypeInfo as { type: string; named: boolean; fields?: object; children?: object; subtypes?: object }[];
const hasFields = (t: (typeof NODE_TYPES)[number]) => Object.keys(t.fields ?? {}).length > 0;
/** Named tokens (identifier, integer, comment...): they never have children, so no cursor call asks. */
const LEAF_TYPES = new Set(NODE_TYPES.filter((t) => t.named && !t.children && !t.subtypes && !hasFields(t)).map((t) => t.type));
/** Node types with fields: only their children are asked which field they fill. */
const FIELD_TYPES = new Set(NODE_TYPES.filter(hasFields).map((t) => t.type));

/** One language (Python), so one table. */
const NAMES: Names = { types: [], fields: [] };

function learnType(c: TreeCursor): { name: string; named: boolean; leaf: boolean } {
  const name = c.nodeType;
  const named = c.nodeIsNamed;
  return { name, named, leaf: !named || LEAF_TYPES.has(name) };
}

/**
 * Copies nodes under a cursor. Punctuation and keywords (anonymous tokens) are left out, as the
 * analysis never reads them, except an operator that fills a field (the - of -1) and a token that
 * error recovery inserted: skipping the rest saves a third of the nodes and most native calls.
 */
class Copier {
  /** Anchor of the statement being copied; offsets are stored relative to it. */
  anchor: Anchor;

  constructor(
    private readonly cursor: TreeCursor,
    source: Source,
    /** False when the tree has no error, so no node can be missing and none need asking. */
    private readonly checkMissing: boolean,
  ) {
    this.anchor = { source, offset: 0 };
  }

  /** Whether the node last read can have no children. */
  private leaf = false;

  /** The cursor's node, or undefined for a token left out. `parent`: the copy of its parent. */
  node(parent?: SyntaxNode): SyntaxNode | undefined {
    const c = this.cursor;
    const typeId = c.nodeTypeId;
    const kind = (NAMES.types[typeId] ??= learnType(c));
    this.leaf = kind.leaf;
    const fieldId = parent && FIELD_TYPES.has(parent.type) ? c.currentFieldId : undefined;
    let missing = false;
    if (!kind.named) {
      missing = this.checkMissing && c.nodeIsMissing;
      if (fieldId === undefined && !missing) return undefined;
    }
    const start = c.startIndex;
    const end = c.endIndex;
    // Only a zero-width node can be one that error recovery inserted.
    if (kind.named && this.checkMissing && start === end) missing = c.nodeIsMissing;
    const at = this.anchor.offset;
    const node = new SyntaxNode(kind.name, kind.named, start - at, end - at, missing, this.anchor);
    if (fieldId !== undefined) node.field = NAMES.fields[fieldId] ??= c.currentFieldName;
    if (missing || kind.name === 'ERROR') node.hasError = true;
    return node;
  }

  /** The cursor's node and its subtree; the cursor ends where it started. Tokens have no children. */
  subtree(): SyntaxNode | undefined {
    const c = this.cursor;
    const top = this.node();
    if (!top || !c.gotoFirstChild()) return top;
    const path: SyntaxNode[] = [top];
    const kids: SyntaxNode[][] = [[]];
    for (;;) {
      const parent = path[path.length - 1];
      const node = this.node(parent);
      if (node) {
        node.parent = parent;
        kids[kids.length - 1].push(node);
        if (node.hasError) for (let p: SyntaxNode | null = parent; p && !p.hasError; p = p.parent) p.hasError = true;
        if (!this.leaf && c.gotoFirstChild()) {
          path.push(node);
          kids.push([]);
          continue;
        }
      }
      while (!c.gotoNextSibling()) {
        c.gotoParent();
        const done = kids.pop()!;
        path.pop()!.children = done.length ? done : NO_CHILDREN;
        if (path.length === 0) return top;
      }
    }
  }
}

/** The copy of one document's tree. */
export class SyntaxTree {
  private constructor(
    readonly root: SyntaxNode,
    private readonly source: Source,
    /** The text of each of root's children (a module's statements), to find them after an edit. */
    private readonly statementTexts: string[] = [],
  ) {}

  /**
   * Copies `tree`, parsed from `text`. With `previous` (the copy of the document before an
   * edit), top-level statements whose text is unchanged are taken from it and moved, not
   * copied again; `previous` must not be used afterwards.
   */
  static from(tree: Tree, text: string, previous?: SyntaxTree): SyntaxTree {
    const cursor = tree.walk();
    const reusable = previous?.root.type === 'module' ? previous.statementsByText() : undefined;
    const source = previous?.source ?? { text };
    source.text = text;
    const copier = new Copier(cursor, source, tree.rootNode.hasError);
    // Only a module's statements are kept apart (each with its own anchor) to be reused.
    if (cursor.nodeType !== 'module') return new SyntaxTree(copier.subtree()!, source);

    const root = copier.node()!;
    const statements: SyntaxNode[] = [];
    const texts: string[] = [];
    if (cursor.gotoFirstChild()) {
      do {
        const kind = NAMES.types[cursor.nodeTypeId];
        const start = cursor.startIndex;
        const own = text.slice(start, cursor.endIndex);
        const old = kind?.named && reusable ? reusable.get(own)?.pop() : undefined;
        let stmt: SyntaxNode | undefined;
        if (old && !old.hasError && old.type === kind!.name) {
          old.statementAnchor.offset = start;
          stmt = old;
        } else {
          copier.anchor = { source, offset: start };
          stmt = copier.subtree();
        }
        if (!stmt) continue;
        stmt.parent = root;
        if (stmt.hasError) root.hasError = true;
        statements.push(stmt);
        texts.push(own);
      } while (cursor.gotoNextSibling());
    }
    root.children = statements;
    return new SyntaxTree(root, source, texts);
  }

  /** The top-level statements by their text (statements may repeat: a list each, last first). */
  private statementsByText(): Map<string, SyntaxNode[]> {
    const out = new Map<string, SyntaxNode[]>();
    const stmts = this.root.children;
    for (let i = stmts.length - 1; i >= 0; i--) {
      const key = this.statementTexts[i];
      const list = out.get(key);
      if (list) list.push(stmts[i]);
      else out.set(key, [stmts[i]]);
    }
    return out;
  }
}

