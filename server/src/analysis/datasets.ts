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
