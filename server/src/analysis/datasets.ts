import type { CallableSpec, Catalogue, ParamSpec } from '../catalogue/types';
import type { CatalogueCall } from './calls';
import { unparen } from './literals';
import type { ScopeResolver } from './scopes';
import type { SyntaxNode } from './syntax';

/**
 * Batch sizes set by a tf.data pipeline: when fit trains on `ds.shuffle(...).batch(64)` (inline
 * or through the names it is assigned to), that `.batch(N)` is fit's batch size. Only the
 * dataset fit trains on: a validation dataset's batches do not change the model.
 */

export const DATASET_BATCH_CALLABLE: CallableSpec = {
  name: 'batch',
  kind: 'method',
  paths: ['tensorflow.data.Dataset.batch'],
  id: 'dataset',
  output: [],
  passthrough: false,
  wrapper: false,
  doc: "tf.data's batch: the batch size of the dataset fit trains on.",
  params: [],
  origin: 'optpar (tf.data pipelines)',
};

export interface PipelineBatch {
  /** The `.batch(...)` call. */
  call: SyntaxNode;
  /** Its batch size argument. */
  size: SyntaxNode;
  /** The name the pipeline is held in (train_ds), for ids. */
  label: string;
}

/** Steps of a pipeline that keep its batches: followed down to the .batch(...) before them. */
const KEEPS_BATCHES = new Set(['shuffle', 'prefetch', 'cache', 'repeat', 'map', 'filter', 'take', 'skip', 'with_options', 'apply']);

export function trainingBatches(calls: CatalogueCall[], scopes: ScopeResolver, text: string): PipelineBatch[] {
  const out: PipelineBatch[] = [];
  // Most files batch no dataset: nothing to follow.
  if (!/\.(padded_)?batch\s*\(/.test(text)) return out;
  const seen = new Set<number>();
  for (const call of calls) {
    if (call.spec.kind !== 'method' || call.spec.name !== 'fit') continue;
    const args = call.node.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
    const x = args.find((a) => a.type !== 'keyword_argument') ?? args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'x')?.childForFieldName('value');
    if (!x) continue;
    const found = batchOf(x, scopes);
    if (found && !seen.has(found.call.id)) {
      seen.add(found.call.id);
      out.push(found);
    }
  }
  return out;
}

function batchOf(x: SyntaxNode, scopes: ScopeResolver): PipelineBatch | undefined {
  let node = unparen(x);
  let label: string | undefined;
  for (let i = 0; i < 16; i++) {
    if (node.type === 'identifier' || node.type === 'attribute') {
      const res = scopes.resolve(node);
      if (res?.kind !== 'bound') return undefined;
      label ??= res.name;
      node = unparen(res.value);
      continue;
    }
    if (node.type !== 'call') return undefined;
    const fn = node.childForFieldName('function');
    if (fn?.type !== 'attribute') return undefined;
    const method = fn.childForFieldName('attribute')?.text ?? '';
    if (method === 'batch' || method === 'padded_batch') {
      const args = node.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
      const size = args.find((a) => a.type !== 'keyword_argument') ?? args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'batch_size')?.childForFieldName('value');
      return size ? { call: node, size, label: label ?? 'dataset' } : undefined;
    }
    if (!KEEPS_BATCHES.has(method)) return undefined;
    node = unparen(fn.childForFieldName('object')!);
  }
  return undefined;
}

/** The search space of fit's batch size, for the pipeline's. */
export function batchParam(catalogue: Catalogue): ParamSpec | undefined {
  return catalogue.byMethod.get('fit')?.params.find((p) => p.name === 'batch_size');
}

export const SCORING_ONLY_REASON =
  'batches data the model is not trained on (validation, evaluation or prediction): its batch size changes no trained model and no score';

/**
 * The data utilities (image_dataset_from_directory, datagen.flow...) whose batch size changes
 * nothing a trial measures: every fit in the file trains on data traced to some other source.
 * A fit whose data cannot be traced (a parameter, a tuple unpacked from a split) leaves every
 * utility's batch size tuned: it may be the one that trains.
 */
export function scoringOnlyDataCalls(calls: CatalogueCall[], scopes: ScopeResolver): Set<number> {
  const data = calls.filter((c) => c.spec.params.some((p) => p.name === 'batch_size') && !c.spec.paths[0].startsWith('Model.') && c.spec.kind !== 'layer');
  if (data.length === 0) return new Set();
  const dataIds = new Set(data.map((c) => c.id));
  const trains = new Set<number>();
  let fits = 0;
  for (const call of calls) {
    if (call.spec.kind !== 'method' || (call.spec.name !== 'fit' && call.spec.name !== 'fit_generator')) continue;
    fits++;
    const args = call.node.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
    const x = args.find((a) => a.type !== 'keyword_argument') ?? args.find((a) => a.type === 'keyword_argument' && ['x', 'generator'].includes(a.childForFieldName('name')?.text ?? ''))?.childForFieldName('value');
    const source = x ? sourceOf(x, scopes, dataIds) : 'untraced';
    if (source === 'untraced') return new Set();
    if (typeof source === 'number') trains.add(source);
  }
  if (fits === 0) return new Set();
  // One written inline as an argument (evaluate(datagen.flow(...))) is left alone: only named datasets are traced.
  return new Set(data.filter((c) => !trains.has(c.id) && c.node.parent?.type !== 'argument_list').map((c) => c.id));
}

/** The data utility call a fit's data comes from, 'other' for data of another kind, 'untraced' when it cannot be told. */
function sourceOf(x: SyntaxNode, scopes: ScopeResolver, dataIds: Set<number>): number | 'other' | 'untraced' {
  let node = unparen(x);
  for (let i = 0; i < 16; i++) {
    if (node.type === 'identifier' || node.type === 'attribute') {
      const res = scopes.resolve(node);
      // Not bound in the file (an import, a builtin: tf.data.Dataset): not one of its data utilities.
      if (res === undefined) {
        let head = node;
        while (head.type === 'attribute') head = head.childForFieldName('object')!;
        return head.type === 'identifier' && scopes.resolveName(head.text, head) === undefined ? 'other' : 'untraced';
      }
      if (res.kind !== 'bound') return 'untraced';
      node = unparen(res.value);
      continue;
    }
    if (node.type !== 'call') return 'other';
    if (dataIds.has(node.id)) return node.id;
    const fn = node.childForFieldName('function');
    // A pipeline step (.map, .batch, .prefetch) keeps the data it is called on.
    if (fn?.type !== 'attribute') return 'other';
    node = unparen(fn.childForFieldName('object')!);
  }
  return 'untraced';
}
