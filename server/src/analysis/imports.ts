import type { SyntaxNode } from './syntax';

/**
 * How names are bound by the file's imports: local name -> dotted path. Paths are canonical:
 * tensorflow.keras.* and tensorflow.python.keras.* fold into keras.*, so the catalogue lists
 * keras.* paths only.
 */
export interface ImportBindings {
  names: Map<string, string>;
  /** Modules imported with `from M import *`. */
  starModules: string[];
}

const FOLDS: [string, string][] = [
  ['tensorflow.python.keras', 'keras'],
  ['tensorflow.keras', 'keras'],
  ['tf_keras', 'keras'],
  ['keras.src', 'keras'],
];

export function canonicalPath(path: string): string {
  for (const [from, to] of FOLDS) {
    if (path === from) return to;
    if (path.startsWith(from + '.')) return to + path.slice(from.length);
  }
  return path;
}

function dottedText(node: SyntaxNode): string {
  return node.text.replace(/\s+/g, '');
}

export function collectImports(root: SyntaxNode, statements = root.descendantsOfType(['import_statement', 'import_from_statement'])): ImportBindings {
  const names = new Map<string, string>();
  const starModules: string[] = [];
  for (const stmt of statements) {
    if (stmt.type === 'import_statement') {
      for (const child of stmt.namedChildren) {
        if (child.type === 'dotted_name') {
          // `import a.b` binds `a` to the package a.
          const full = dottedText(child);
          const head = full.split('.')[0];
          names.set(head, canonicalPath(head));
        } else if (child.type === 'aliased_import') {
          const target = child.childForFieldName('name');
          const alias = child.childForFieldName('alias');
          if (target && alias) names.set(alias.text, canonicalPath(dottedText(target)));
        }
      }
      continue;
    }
    const moduleNode = stmt.childForFieldName('module_name');
    if (!moduleNode || moduleNode.type === 'relative_import') continue;
    const module = dottedText(moduleNode);
    for (const child of stmt.namedChildren) {
      if (child.id === moduleNode.id) continue;
      if (child.type === 'wildcard_import') starModules.push(canonicalPath(module));
      else if (child.type === 'dotted_name') names.set(dottedText(child), canonicalPath(`${module}.${dottedText(child)}`));
      else if (child.type === 'aliased_import') {
        const target = child.childForFieldName('name');
        const alias = child.childForFieldName('alias');
        if (target && alias) names.set(alias.text, canonicalPath(`${module}.${dottedText(target)}`));
      }
    }
  }
  return { names, starModules };
}

/**
 * The canonical dotted path an expression names through the imports (keras.layers.Dense for
 * `layers.Dense` after `from tensorflow.keras import layers`), or undefined.
 */
export function importedPath(node: SyntaxNode, bindings: ImportBindings): string | undefined {
  const parts: string[] = [];
  let cur: SyntaxNode | null = node;
  while (cur && cur.type === 'attribute') {
    const attr = cur.childForFieldName('attribute');
    if (!attr) return undefined;
    parts.unshift(attr.text);
    cur = cur.childForFieldName('object');
  }
  if (!cur || cur.type !== 'identifier') return undefined;
  const base = bindings.names.get(cur.text);
  if (base === undefined) return undefined;
  return canonicalPath([base, ...parts].join('.'));
}

/** The head identifier of a dotted expression (`keras` in keras.layers.Dense). */
export function headIdentifier(node: SyntaxNode): SyntaxNode | undefined {
  let cur: SyntaxNode | null = node;
  while (cur && cur.type === 'attribute') cur = cur.childForFieldName('object');
  return cur && cur.type === 'identifier' ? cur : undefined;
}
