import type { SyntaxNode } from '../analysis/syntax';

/** A run of whole lines of the module holding one or more top-level statements. */
export interface Chunk {
  start: number;
  end: number;
  statements: SyntaxNode[];
  /** Runs in each trial (depends on hyperparameters or builds the model); otherwise once per search. */
  trial: boolean;
  /** A `from __future__ import` that must stay first in the file. */
  future: boolean;
}

export interface Split {
  chunks: Chunk[];
  /** Names the trial chunks bind at module level: declared global so the code keeps its module semantics. */
  trialGlobals: string[];
  /** Of those, the ones only the trial binds: dropped after each trial so its model can be freed. */
  trialOnly: string[];
}

const DEF_TYPES = new Set(['function_definition', 'class_definition', 'decorated_definition']);

function definitionOf(stmt: SyntaxNode): SyntaxNode {
  return stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') ?? stmt : stmt;
}

/**
 * Splits the module into chunks of whole lines (a statement keeps its trailing comment and the
 * comments and blank lines above it).
 */
function chunksOf(text: string, root: SyntaxNode): Chunk[] {
  const statements = root.namedChildren.filter((c) => c.type !== 'comment');
  const chunks: Chunk[] = [];
  let start = 0;
  for (const stmt of statements) {
    const nl = text.indexOf('\n', stmt.endIndex);
    const end = nl === -1 ? text.length : nl + 1;
    const last = chunks[chunks.length - 1];
    // Statements sharing a line (a = 1; b = 2) share a chunk.
    if (last && stmt.startIndex < last.end) {
      last.statements.push(stmt);
      last.end = Math.max(last.end, end);
      start = last.end;
      continue;
    }
    chunks.push({ start, end, statements: [stmt], trial: false, future: isFuture(stmt) });
    start = end;
  }
  if (chunks.length && start < text.length) chunks[chunks.length - 1].end = text.length;
  return chunks;
}

function isFuture(stmt: SyntaxNode): boolean {
  return stmt.type === 'future_import_statement' || (stmt.type === 'import_from_statement' && stmt.childForFieldName('module_name')?.text === '__future__');
}

/** Identifiers read in a node, skipping the bodies of nested functions and classes (they run later). */
function readsOf(node: SyntaxNode, out = new Set<string>()): Set<string> {
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'identifier') out.add(n.text);
    for (const c of n.namedChildren) {
      // A function body runs when called; a class body runs now.
      if (n.type === 'function_definition' && c.type === 'block') continue;
      if (n.type === 'lambda' && c.type !== 'lambda_parameters') continue;
      stack.push(c);
    }
  }
  return out;
}

/** Names a top-level statement binds. */
export function bindsOf(stmt: SyntaxNode): Set<string> {
  const out = new Set<string>();
  const target = (t: SyntaxNode | null) => {
    if (!t) return;
    if (t.type === 'identifier') out.add(t.text);
    else if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression', 'list_splat_pattern'].includes(t.type))
      for (const c of t.namedChildren) target(c);
  };
  const stack = [stmt];
  while (stack.length) {
    const n = stack.pop()!;
    switch (n.type) {
      case 'function_definition':
      case 'class_definition':
        target(n.childForFieldName('name'));
        continue;
      case 'assignment':
      case 'augmented_assignment':
        target(n.childForFieldName('left'));
        break;
      case 'for_statement':
        target(n.childForFieldName('left'));
        break;
      case 'named_expression':
        target(n.childForFieldName('name'));
        break;
      case 'as_pattern':
        target(n.childForFieldName('alias'));
        break;
      case 'import_statement':
        for (const c of n.namedChildren) {
          if (c.type === 'dotted_name') out.add(c.text.split('.')[0]);
          if (c.type === 'aliased_import') target(c.childForFieldName('alias'));
        }
        continue;
      case 'import_from_statement':
        for (const c of n.namedChildren.slice(1)) {
          if (c.type === 'dotted_name') out.add(c.text);
          if (c.type === 'aliased_import') target(c.childForFieldName('alias'));
        }
        continue;
      case 'lambda':
        continue;
    }
    for (const c of n.namedChildren) stack.push(c);
  }
  return out;
}

function containsAny(node: SyntaxNode, ids: Set<number>, skipBodies: boolean): boolean {
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (ids.has(n.id)) return true;
    for (const c of n.namedChildren) {
      if (skipBodies && n.type === 'function_definition' && c.type === 'block') continue;
      stack.push(c);
    }
  }
  return false;
}

/**
 * Decides what runs once per search and what runs in each trial. A top-level statement runs in
 * each trial when, evaluated at module level, it reads params[...], builds Keras objects, calls a
 * function or class that does, or reads a name such a statement bound; or when it rebinds a name
 * an earlier trial statement reads (moving it first would change what the trial sees). Function
 * and class definitions stay where they are unless their definition itself reads params (a
 * default value, a class attribute): their bodies read the module's `params` when called.
 */
export function splitModule(text: string, root: SyntaxNode, markers: SyntaxNode[]): Split {
  const chunks = chunksOf(text, root);
  const markerIds = new Set(markers.map((m) => m.id));

  // Functions and classes that build the model or read params when called, to a fixed point.
  const defs = new Map<string, SyntaxNode>();
  for (const stmt of root.namedChildren) {
    const def = definitionOf(stmt);
    if (def.type === 'function_definition' || def.type === 'class_definition') {
      const name = def.childForFieldName('name')?.text;
      if (name) defs.set(name, def);
    }
  }
  const modelDefs = new Set<string>();
  const bodyReads = new Map<string, Set<string>>();
  for (const [name, def] of defs) {
    if (containsAny(def, markerIds, false)) modelDefs.add(name);
    const reads = new Set<string>();
    for (const id of def.descendantsOfType('identifier')) reads.add(id.text);
    bodyReads.set(name, reads);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, reads] of bodyReads) {
      if (modelDefs.has(name)) continue;
      if ([...reads].some((r) => r !== name && modelDefs.has(r))) {
        modelDefs.add(name);
        changed = true;
      }
    }
  }

  const tainted = new Set<string>();
  const readByTrial = new Set<string>();
  for (const chunk of chunks) {
    if (chunk.future) continue;
    let trial = false;
    const reads = new Set<string>();
    const binds = new Set<string>();
    for (const stmt of chunk.statements) {
      const isDef = DEF_TYPES.has(stmt.type);
      if (containsAny(stmt, markerIds, isDef)) trial = true;
      readsOf(stmt, reads);
      for (const b of bindsOf(stmt)) binds.add(b);
    }
    if ([...reads].some((r) => tainted.has(r) || (modelDefs.has(r) && !binds.has(r)))) {
      // A definition that merely mentions a model function in its body stays put.
      trial = trial || chunk.statements.some((s) => !DEF_TYPES.has(s.type));
    }
    if (!trial && [...binds].some((b) => readByTrial.has(b))) trial = true;
    if (trial) {
      chunk.trial = true;
      for (const b of binds) tainted.add(b);
      for (const r of reads) readByTrial.add(r);
    }
  }
  const trialGlobals = new Set<string>();
  const setupGlobals = new Set<string>();
  for (const chunk of chunks) for (const stmt of chunk.statements) for (const b of bindsOf(stmt)) (chunk.trial ? trialGlobals : setupGlobals).add(b);
  const sorted = [...trialGlobals].sort();
  return { chunks, trialGlobals: sorted, trialOnly: sorted.filter((n) => !setupGlobals.has(n)) };
}
