import type { SyntaxNode } from './syntax';

/** The node kinds a scan looks at, gathered in one walk of the tree. */
export interface NodeIndex {
  calls: SyntaxNode[];
  assignments: SyntaxNode[];
  imports: SyntaxNode[];
  classes: SyntaxNode[];
}

const KINDS = ['call', 'assignment', 'import_statement', 'import_from_statement', 'class_definition'];

/**
 * Each top-level statement's index, kept while the statement is: the language server's syntax
 * copy reuses the nodes of unchanged statements, so after an edit only the edited one is walked.
 */
const byStatement = new WeakMap<SyntaxNode, NodeIndex>();

export function indexNodes(root: SyntaxNode): NodeIndex {
  return mergeIndexes(statementIndexes(root));
}

/** One index per top-level statement of a module (the same object while the statement is unchanged); one for any other root. */
export function statementIndexes(root: SyntaxNode): NodeIndex[] {
  if (root.type !== 'module') return [indexOf(root.descendantsOfType(KINDS))];
  return root.children.map((stmt) => {
    let own = byStatement.get(stmt);
    if (!own) {
      const nodes = stmt.descendantsOfType(KINDS);
      if (KINDS.includes(stmt.type)) nodes.unshift(stmt);
      byStatement.set(stmt, (own = indexOf(nodes)));
    }
    return own;
  });
}

export function mergeIndexes(parts: NodeIndex[]): NodeIndex {
  const index: NodeIndex = { calls: [], assignments: [], imports: [], classes: [] };
  for (const own of parts) {
    for (const n of own.calls) index.calls.push(n);
    for (const n of own.assignments) index.assignments.push(n);
    for (const n of own.imports) index.imports.push(n);
    for (const n of own.classes) index.classes.push(n);
  }
  return index;
}

function indexOf(nodes: SyntaxNode[]): NodeIndex {
  const index: NodeIndex = { calls: [], assignments: [], imports: [], classes: [] };
  for (const node of nodes) {
    switch (node.type) {
      case 'call':
        index.calls.push(node);
        break;
      case 'assignment':
        index.assignments.push(node);
        break;
      case 'class_definition':
        index.classes.push(node);
        break;
      default:
        index.imports.push(node);
    }
  }
  return index;
}
