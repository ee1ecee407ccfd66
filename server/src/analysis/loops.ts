import type { CallableSpec, ParamSpec } from '../catalogue/types';
import { type CatalogueCall, snakeCase } from './calls';
import type { ValueFlow } from './flow';
import { argumentsOf, functionLabel } from './flow';
import { evalLiteral, unparen } from './literals';
import type { SyntaxNode } from './syntax';

/**
 * Depth written as a loop: `for _ in range(3):` whose body adds layers (directly, or by calling
 * a function or class of the file that does). The loop's bound is a hyperparameter: how many
 * blocks the model has. Loops over a literal list (`for units in [256, 128]`) are value flow:
 * each element reaches the layer arguments the loop variable is passed to (flow.ts).
 */
export interface LayerLoop {
  /** The for statement. */
  loop: SyntaxNode;
  /** The argument of range() that sets how many times the body runs. */
  bound: SyntaxNode;
  /** range(start, stop): the start (0 for range(n)). */
  start: number;
  /** For ids: what the body builds (dense, encoder_block). */
  label: string;
}

/** The pseudo-callable of loop bounds: the candidates' call and param (never in the catalogue). */
export const LOOP_CALLABLE: CallableSpec = {
  name: 'range',
  kind: 'function',
  paths: ['range'],
  id: 'range',
  output: [],
  passthrough: false,
  wrapper: false,
  doc: 'A loop whose body adds layers: its bound sets how many blocks the model has.',
  params: [],
  origin: 'optpar (loops over layers)',
};

const DOC = 'How many times the loop runs, each time adding the layers of its body: the depth of the model (at least 1).';

/** The parameter of a loop bound currently at `stop` (range starting at `start`): a small integer range around the count, never below one block. */
export function loopParam(start: number, stop: number | undefined): ParamSpec {
  const base: ParamSpec = { name: 'repeats', legacy: [], type: 'int', scale: 'linear', tune: true, doc: DOC };
  if (stop === undefined) return base;
  const count = stop - start;
  if (count < 1) return base;
  const low = Math.max(1, Math.ceil(count / 2));
  const high = count + Math.max(2, Math.ceil(count / 2));
  return { ...base, range: [start + low, start + high] };
}

/** The current integer value of a loop bound's definition, when it is an int literal. */
export function intValue(site: SyntaxNode): number | undefined {
  const lit = evalLiteral(site);
  return lit?.kind === 'number' && lit.isInt ? lit.value : undefined;
}

/** Every `for ... in range(...)` loop whose body adds layers, in source order. */
export function findLayerLoops(calls: CatalogueCall[], flow: ValueFlow): LayerLoop[] {
  const loops = new Map<number, LayerLoop>();
  // Functions and classes of the file that build layers: calling them in a loop adds layers too.
  const builders = new Map<string, string>();
  const visit = (node: SyntaxNode, label: string) => {
    for (let child: SyntaxNode = node, cur = node.parent; cur; child = cur, cur = cur.parent) {
      if (cur.type === 'function_definition' || cur.type === 'class_definition') {
        const owner = cur.type === 'function_definition' ? builderName(cur) : cur.childForFieldName('name')?.text;
        if (owner && !builders.has(owner)) builders.set(owner, owner);
        return;
      }
      if (cur.type !== 'for_statement' || child.field !== 'body' || loops.has(cur.id)) continue;
      const loop = rangeLoop(cur, label);
      if (loop) loops.set(cur.id, loop);
    }
  };
  for (const call of calls) if (call.spec.kind === 'layer') visit(call.node, call.spec.id);
  // Two levels of helpers: block() called in a loop, stage() calling block() in a loop.
  for (let level = 0; level < 2; level++) {
    const names = [...builders.keys()];
    for (const name of names) for (const call of flow.callsNamed(name)) visit(call, snakeCase(name));
  }
  return [...loops.values()].sort((a, b) => a.loop.startIndex - b.loop.startIndex);
}

/** The name callers use for a function that builds layers: its own, or its class's for __init__, build and call. */
function builderName(fn: SyntaxNode): string | undefined {
  const label = functionLabel(fn);
  const dot = label.indexOf('.');
  if (dot < 0) return label;
  const method = label.slice(dot + 1);
  // A layer's build() and call() run when it is called; another method is called as self.method().
  return ['build', 'call', '__call__'].includes(method) ? label.slice(0, dot) : method;
}

function rangeLoop(loop: SyntaxNode, label: string): LayerLoop | undefined {
  const iter = loop.childForFieldName('right');
  const call = iter && unparen(iter);
  if (call?.type !== 'call' || call.childForFieldName('function')?.text !== 'range') return undefined;
  const args = argumentsOf(call);
  if (args.some((a) => a.type === 'keyword_argument' || a.type === 'list_splat' || a.type === 'dictionary_splat')) return undefined;
  if (args.length === 1) return { loop, bound: args[0], start: 0, label };
  if (args.length === 2) {
    const start = intValue(unparen(args[0]));
    if (start !== undefined) return { loop, bound: args[1], start, label };
  }
  return undefined;
}
