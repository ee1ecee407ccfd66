import type { SyntaxNode } from './syntax';

/**
 * Which code reaches the training the file runs. A value in a model the file builds but never
 * trains (a GAN's generator beside the trained autoencoder, a second model only compiled), in a
 * dataset fit never reads, or in a layer a subclass stores but never calls, changes nothing a
 * trial measures: offering it wastes trials and tells the user something false.
 *
 * A slice backwards from the training calls over names: a module-level statement is needed when
 * it binds or changes (`model.add(...)`, `outputs[k] = ...`) a name a needed statement reads
 * before it; a function or class is needed, whole, when a needed statement names it. Anything
 * that cannot be followed by names keeps the code needed, so the slice only ever errs towards
 * "needed". A file that trains nothing (a model library) has nothing inert.
 */
export interface TrainingSlice {
  /** Why the value at `node` changes nothing a trial measures; undefined when it may. */
  inertReason(node: SyntaxNode): string | undefined;
}

/** Calls that train: Model.fit and its Keras 2 forms, custom loops, Keras Tuner, estimators' train, scikit-learn wrappers. */
const TRAIN_METHODS = new Set(['fit', 'fit_generator', 'train_on_batch', 'apply_gradients', 'minimize', 'search', 'train']);
const TRAIN_FUNCTIONS = new Set(['GradientTape', 'cross_val_score', 'cross_validate', 'cross_val_predict', 'learning_curve']);
const TRAIN_TEXT = /\.\s*(?:fit|fit_generator|train_on_batch|apply_gradients|minimize|search|train)\s*\(|\b(?:GradientTape|cross_val_score|cross_validate|cross_val_predict|learning_curve)\b/;
/** Attributes may be read without being named (getattr, vars, a layer list): then every attribute counts as read. */
const REFLECTION = /\b(?:getattr|setattr|vars|asdict)\s*\(|__dict__|__getattr__|\.\s*(?:layers|submodules|_layers|_flatten_layers|get_layer|get_config)\b/;

const COMPOUND = new Set(['if_statement', 'for_statement', 'while_statement', 'try_statement', 'with_statement', 'match_statement']);
const BLOCKS = new Set(['block', 'elif_clause', 'else_clause', 'except_clause', 'except_group_clause', 'finally_clause', 'case_clause']);
const DEFINITIONS = new Set(['function_definition', 'class_definition', 'decorated_definition']);

/** One unit of the slice: a module-level simple statement, the header of a compound one, or a whole definition. */
interface Unit {
  node: SyntaxNode;
  /** Names bound anew (a plain assignment, import, def): an unconditional one hides earlier ones. */
  binds: string[];
  /** Names changed in place (x.add(...), x[k] = v, x.a = v, x += 1): earlier bindings stay needed. */
  changes: string[];
  /** Names read; for a definition, the free ones of its body. */
  reads: string[];
  /** Holds a training call itself. */
  trains: boolean;
  /** Inside a compound statement at module level (its bindings may not happen). */
  conditional: boolean;
  /** The module-level loop holding it, whose later statements run before it again. */
  loop?: SyntaxNode;
  /** The compound statements holding it: needed when it is. */
  headers: Unit[];
  /** Definitions only: the name it binds. */
  defines?: string;
  /** Classes: the `self.x = <expr>` assignments of its methods (unused when nothing reads `.x`). */
  selfAssignments?: SyntaxNode[];
}

/** Units of each top-level statement, kept while the statement is (the syntax copy reuses unchanged statements). */
const unitsMemo = new WeakMap<SyntaxNode, { units: Unit[]; attributeReads: Map<string, number> }>();

export function trainingSlice(root: SyntaxNode, text: string): TrainingSlice | undefined {
  if (root.type !== 'module' || !TRAIN_TEXT.test(text) || uncalledTrainer(root, text)) return undefined;
  const units: Unit[] = [];
  const attributeReads = new Map<string, number>();
  for (const stmt of root.children) {
    let own = unitsMemo.get(stmt);
    if (!own) {
      own = { units: [], attributeReads: new Map() };
      collectUnits(stmt, own.units, [], undefined, false, own.attributeReads);
      unitsMemo.set(stmt, own);
    }
    for (const u of own.units) units.push(u);
    for (const [name, n] of own.attributeReads) attributeReads.set(name, (attributeReads.get(name) ?? 0) + n);
  }

  // Functions and classes that train, directly or through one another, make their callers train.
  // (Units are kept across scans: what trains is worked out here, never written into them.)
  const trains = new Set(units.filter((u) => u.trains));
  const training = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const u of units) {
      if (!trains.has(u) && u.reads.some((n) => training.has(n))) trains.add(u);
      if (trains.has(u) && u.defines && !training.has(u.defines)) {
        training.add(u.defines);
        grew = true;
      }
    }
  }
  const roots = units.filter((u) => trains.has(u));
  if (!roots.length) return undefined;
  // A training function or class named nowhere else (see uncalledTrainer, which looks at a few first).
  const read = new Set<string>();
  for (const u of units) for (const n of u.reads) read.add(n);
  for (const r of roots) if (r.defines && !read.has(r.defines)) return undefined;

  const order = new Map<Unit, number>(units.map((u, i) => [u, i]));
  const writers = new Map<string, number[]>();
  for (const [i, u] of units.entries()) {
    for (const n of u.binds) (writers.get(n) ?? writers.set(n, []).get(n)!).push(i);
    for (const n of u.changes) (writers.get(n) ?? writers.set(n, []).get(n)!).push(i);
  }
  const needed = new Set<Unit>();
  const work: Unit[] = [];
  const need = (u: Unit) => {
    if (needed.has(u)) return;
    needed.add(u);
    work.push(u);
  };
  roots.forEach(need);
  while (work.length) {
    const u = work.pop()!;
    for (const h of u.headers) need(h);
    const at = order.get(u)!;
    for (const name of u.reads) {
      const ws = writers.get(name);
      if (!ws) continue;
      if (u.defines !== undefined) {
        // A body runs when called, after any module statement: every binding may be the one it reads.
        for (const w of ws) need(units[w]);
        continue;
      }
      // The bindings before it, back to the last one that always happens; in a loop, also the later ones of the loop.
      for (let k = ws.length - 1; k >= 0; k--) {
        const w = ws[k];
        if (units[w].defines !== undefined && units[w].changes.includes(name)) {
          // a body that changes the name whenever it is called
          need(units[w]);
          continue;
        }
        if (w >= at) {
          if (u.loop && units[w].loop === u.loop) need(units[w]);
          continue;
        }
        const writer = units[w];
        need(writer);
        if (!writer.conditional && writer.binds.includes(name)) break;
      }
    }
  }

  const byNode = new Map<number, Unit>(units.map((u) => [u.node.id, u]));
  let trained: string | undefined;
  const unread = new Map<number, string>();
  for (const u of needed) for (const a of u.selfAssignments ?? []) unread.set(a.id, a.childForFieldName('left')?.text ?? '');
  if (unread.size && REFLECTION.test(text)) unread.clear();
  return {
    inertReason(node) {
      for (let cur: SyntaxNode | null = node; cur; cur = cur.parent) {
        const attr = unread.get(cur.id);
        if (attr !== undefined) {
          const name = attr.slice(attr.lastIndexOf('.') + 1);
          if ((attributeReads.get(name) ?? 0) === 0) return `${attr} is built but never used: tuning it changes nothing`;
        }
        const unit = byNode.get(cur.id);
        if (unit) return needed.has(unit) ? undefined : `not used by the training this file runs (${(trained ??= trainedText(roots))}): tuning it changes nothing`;
      }
      return undefined;
    },
  };
}

/**
 * A module-level function or class that trains, named nowhere else in the file: what it trains
 * is decided elsewhere (an importer, a notebook), so nothing here can be called inert. Read from
 * the text for the first few, before any walk, so that a library of training functions costs
 * nothing more; the rest are checked on the walked names (each text search reads the whole file).
 */
function uncalledTrainer(root: SyntaxNode, text: string): boolean {
  let checked = 0;
  for (const stmt of root.children) {
    if (checked === 8) return false;
    const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    if (def?.type !== 'function_definition' && def?.type !== 'class_definition') continue;
    const name = def.childForFieldName('name')?.text;
    if (!name || !TRAIN_TEXT.test(text.slice(stmt.startIndex, stmt.endIndex))) continue;
    checked++;
    const word = new RegExp(`\\b${name}\\b`, 'g');
    let named = false;
    for (let m = word.exec(text); m && !named; m = word.exec(text)) named = m.index < stmt.startIndex || m.index >= stmt.endIndex;
    if (!named) return true;
  }
  return false;
}

/** What one walk of a subtree finds: the names it reads, passes to calls, binds; whether it trains. */
interface Walk {
  reads: Set<string>;
  trains: boolean;
  /** Names handed to a call (add_layers(model)): the call may change what they hold. */
  passed: string[];
  /** `.x` reads by attribute name (an assignment to self.x is not one), for the whole file. */
  attributes: Map<string, number>;
  /** Definitions only: parameters, the statements that may bind names, `global` names, `self.x = ...`. */
  params: Set<string>;
  bindings: SyntaxNode[];
  globals: string[];
  selfAssignments: SyntaxNode[];
}

const newWalk = (attributes: Map<string, number>): Walk => ({ reads: new Set(), trains: false, passed: [], attributes, params: new Set(), bindings: [], globals: [], selfAssignments: [] });

/** Collects the units of one module-level statement. */
function collectUnits(stmt: SyntaxNode, out: Unit[], headers: Unit[], loop: SyntaxNode | undefined, conditional: boolean, attributes: Map<string, number>): void {
  if (!stmt.isNamed || stmt.type === 'comment') return;
  if (DEFINITIONS.has(stmt.type)) {
    out.push(definitionUnit(stmt, headers, loop, conditional, attributes));
    return;
  }
  if (COMPOUND.has(stmt.type)) {
    const header: Unit = { node: stmt, binds: [], changes: [], reads: [], trains: false, conditional, loop, headers };
    headerNames(stmt, header, attributes);
    out.push(header);
    const inner = [...headers, header];
    const innerLoop = stmt.type === 'for_statement' || stmt.type === 'while_statement' ? (loop ?? stmt) : loop;
    // A with block always runs (with strategy.scope(): model = build()); the others may not.
    const innerConditional = conditional || stmt.type !== 'with_statement';
    for (const block of blocksOf(stmt)) for (const s of block.namedChildren) collectUnits(s, out, inner, innerLoop, innerConditional, attributes);
    return;
  }
  const w = newWalk(attributes);
  walk(stmt, w, false);
  const unit: Unit = { node: stmt, binds: [], changes: w.passed, reads: [...w.reads], trains: w.trains, conditional, loop, headers };
  bindNames(stmt, unit);
  out.push(unit);
}

/** The blocks of a compound statement, clauses included (if/elif/else, try/except/finally, match cases). */
function blocksOf(stmt: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const stack = [...stmt.namedChildren];
  while (stack.length) {
    const n = stack.shift()!;
    if (n.type === 'block') out.push(n);
    else if (BLOCKS.has(n.type)) stack.push(...n.namedChildren);
  }
  return out;
}

/** A compound statement's own reads and bindings: its condition, iterable, targets, `as` names. */
function headerNames(stmt: SyntaxNode, unit: Unit, attributes: Map<string, number>): void {
  const w = newWalk(attributes);
  for (const c of stmt.namedChildren) {
    if (c.type === 'block' || BLOCKS.has(c.type)) {
      // elif conditions are read too
      const cond = c.type === 'elif_clause' ? c.childForFieldName('condition') : null;
      if (cond) walk(cond, w, false);
      continue;
    }
    if (stmt.type === 'for_statement' && c.field === 'left') targetNames(c, unit.binds, unit.changes, w.reads);
    else walk(c, w, false);
    for (const alias of c.descendantsOfType('as_pattern_target')) targetNames(alias, unit.binds, unit.changes, w.reads);
  }
  unit.reads = [...w.reads];
  unit.trains = w.trains;
  for (const n of w.passed) unit.changes.push(n);
}

/** A function or class: the name it binds, the free names of its body, whether it trains. */
function definitionUnit(stmt: SyntaxNode, headers: Unit[], loop: SyntaxNode | undefined, conditional: boolean, attributes: Map<string, number>): Unit {
  const def = stmt.type === 'decorated_definition' ? (stmt.childForFieldName('definition') ?? stmt) : stmt;
  const name = def.childForFieldName('name')?.text ?? '';
  const w = newWalk(attributes);
  walk(stmt, w, true);
  // Names the body binds are its own (parameters, locals, methods), not the module's.
  const scratch: Unit = { node: stmt, binds: [], changes: w.passed, reads: [], trains: false, conditional, loop, headers };
  for (const n of w.bindings) bindNames(n, scratch);
  const globals = new Set(w.globals);
  const locals = w.params;
  for (const n of scratch.binds) if (!globals.has(n)) locals.add(n);
  const reads: string[] = [];
  for (const n of w.reads) if (n !== name && !locals.has(n)) reads.push(n);
  // What the body changes of the module's names (global model; model = ..., model.add(...)) is
  // written whenever it is called: such a body is needed wherever those names are.
  const changes = new Set<string>();
  for (const n of scratch.changes) if (!locals.has(n)) changes.add(n);
  for (const n of globals) if (scratch.binds.includes(n)) changes.add(n);
  return {
    node: stmt,
    binds: name ? [name] : [],
    changes: [...changes],
    reads,
    trains: w.trains,
    conditional,
    loop,
    headers,
    defines: name,
    selfAssignments: def.type === 'class_definition' ? w.selfAssignments : undefined,
  };
}

const BINDING_NODES = new Set(['expression_statement', 'for_statement', 'for_in_clause', 'import_statement', 'import_from_statement', 'function_definition', 'class_definition', 'as_pattern_target']);

/**
 * One walk of a subtree: names read (not attribute or keyword names), training calls, names
 * passed to calls, attribute reads; in a definition also its parameters, binding statements,
 * `global` names and `self.x = ...` assignments.
 */
function walk(root: SyntaxNode, w: Walk, definition: boolean): void {
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    switch (n.type) {
      case 'identifier': {
        const parent = n.parent;
        if (n.field === 'attribute' && parent?.type === 'attribute') continue;
        if (n.field === 'name' && (parent?.type === 'keyword_argument' || parent?.type === 'function_definition' || parent?.type === 'class_definition')) continue;
        w.reads.add(n.text);
        if (TRAIN_FUNCTIONS.has(n.text)) w.trains = true;
        continue;
      }
      case 'call': {
        for (const c of n.children) {
          if (c.field === 'function') {
            if (c.type === 'attribute' && TRAIN_METHODS.has(lastChild(c)?.text ?? '')) w.trains = true;
          } else if (c.field === 'arguments') {
            for (let a of c.children) {
              if (a.type === 'keyword_argument') a = a.childForFieldName('value') ?? a;
              const base = a.type === 'identifier' || a.type === 'attribute' ? baseName(a) : undefined;
              if (base) w.passed.push(base);
            }
          }
        }
        break;
      }
      case 'attribute':
        if (!(n.field === 'left' && n.parent?.type === 'assignment')) {
          const name = lastChild(n)?.text;
          if (name) w.attributes.set(name, (w.attributes.get(name) ?? 0) + 1);
        }
        break;
      case 'assignment':
        if (definition) {
          const left = n.childForFieldName('left');
          if (left?.type === 'attribute' && left.childForFieldName('object')?.text === 'self') w.selfAssignments.push(n);
        }
        break;
      case 'global_statement':
        if (definition) for (const c of n.namedChildren) w.globals.push(c.text);
        continue;
      case 'parameters':
      case 'lambda_parameters':
        if (definition) {
          for (const p of n.namedChildren) {
            // The parameter's name is the function's own; a default value is read where the function is defined.
            const pname = p.type === 'identifier' ? p : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c.type === 'identifier'));
            if (pname) w.params.add(pname.text);
            const value = p.childForFieldName('value');
            if (value) stack.push(value);
          }
          continue;
        }
        break;
    }
    if (definition && BINDING_NODES.has(n.type) && n !== root) w.bindings.push(n);
    const kids = n.children;
    for (let i = kids.length - 1; i >= 0; i--) if (kids[i].isNamed) stack.push(kids[i]);
  }
}

/** The names a simple statement binds or changes. */
function bindNames(stmt: SyntaxNode, unit: Unit): void {
  const scratch = new Set<string>();
  let expr: SyntaxNode | null = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : stmt;
  while (expr && (expr.type === 'assignment' || expr.type === 'augmented_assignment')) {
    const left = expr.childForFieldName('left');
    if (left) {
      if (expr.type === 'augmented_assignment') {
        const base = baseName(left);
        if (base) unit.changes.push(base);
      } else targetNames(left, unit.binds, unit.changes, scratch);
    }
    // a = b = value: both are bound
    expr = expr.childForFieldName('right');
    // the value's own calls (x = keras.Input(...)) change nothing the statement names
    if (expr?.type === 'call') return;
  }
  if (!expr) return;
  switch (expr.type) {
    case 'call': {
      // model.add(...), history.update(...): a method called on a name may change what it holds.
      const fn = expr.childForFieldName('function');
      if (fn?.type === 'attribute') {
        const base = baseName(fn.childForFieldName('object'));
        if (base) unit.changes.push(base);
      }
      break;
    }
    case 'for_statement':
    case 'for_in_clause':
      targetNames(expr.childForFieldName('left'), unit.binds, unit.changes, scratch);
      break;
    case 'as_pattern_target':
      targetNames(expr, unit.binds, unit.changes, scratch);
      break;
    case 'function_definition':
    case 'class_definition': {
      const name = expr.childForFieldName('name')?.text;
      if (name) unit.binds.push(name);
      break;
    }
    case 'import_statement':
    case 'import_from_statement':
      for (const c of expr.namedChildren) {
        if (c.field === 'module_name' && expr.type === 'import_from_statement') continue;
        if (c.type === 'aliased_import') unit.binds.push(c.childForFieldName('alias')?.text ?? '');
        else if (c.type === 'dotted_name') unit.binds.push(c.namedChildren[0]?.text ?? '');
      }
      break;
    case 'delete_statement':
      for (const c of expr.namedChildren) targetNames(c, unit.binds, unit.changes, scratch);
      break;
  }
}


/** Names an assignment target binds (x, a, b in `x, (a, b) = ...`) or changes (x in `x[k] = ...`, `x.a = ...`). */
function targetNames(target: SyntaxNode | null, binds: string[], changes: string[], reads: Set<string>): void {
  if (!target) return;
  switch (target.type) {
    case 'identifier':
      binds.push(target.text);
      return;
    case 'attribute':
    case 'subscript': {
      const base = baseName(target);
      if (base) changes.push(base);
      // the index read in x[k] = v
      for (const id of target.descendantsOfType('identifier')) if (id.field !== 'attribute') reads.add(id.text);
      return;
    }
    default:
      for (const c of target.namedChildren) targetNames(c, binds, changes, reads);
  }
}

/** An attribute's name (its last child, `b` in `a.b`). */
function lastChild(node: SyntaxNode): SyntaxNode | undefined {
  const last = node.children[node.children.length - 1];
  return last?.field === 'attribute' ? last : undefined;
}

function baseName(node: SyntaxNode | null | undefined): string | undefined {
  let cur = node;
  while (cur && (cur.type === 'attribute' || cur.type === 'subscript' || cur.type === 'call')) cur = cur.childForFieldName(cur.type === 'call' ? 'function' : cur.type === 'attribute' ? 'object' : 'value');
  return cur?.type === 'identifier' ? cur.text : undefined;
}


/** What the roots train, for the reason: `clf.fit`, or the first few. */
function trainedText(roots: Unit[]): string {
  const names: string[] = [];
  for (const u of roots) {
    for (const call of u.node.type === 'call' ? [u.node] : u.node.descendantsOfType('call')) {
      const fn = call.childForFieldName('function');
      if (fn?.type === 'attribute' && TRAIN_METHODS.has(fn.childForFieldName('attribute')?.text ?? '')) {
        const t = fn.text.replace(/\s+/g, '');
        if (!names.includes(t)) names.push(t);
      }
    }
  }
  if (!names.length) return 'what its training code calls';
  return names.length > 3 ? `${names.slice(0, 3).join(', ')}...` : names.join(', ');
}
