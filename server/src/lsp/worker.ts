/**
 * The analysis thread: keeps the open documents' text and tree-sitter trees and scans them, so
 * a long scan never blocks the protocol thread. Messages are handled in order, so an "analyze"
 * sees every change sent before it. Also run as a one-shot worker for big files (workerData.oneShot).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { readCatalogue } from '../catalogue/load';
import { scanSource } from '../analysis/scan';
import type { Catalogue, CatalogueError } from '../catalogue/types';
import type { ScanResult } from '../analysis/types';
import { DocumentStore } from './documents';
import type { WorkerReply, WorkerRequest } from './workerProtocol';

const store = new DocumentStore();

/**
 * A full garbage collection once the worker has been idle for a moment. Every tree-sitter node
 * a scan touches carries native bookkeeping that is only freed when V8 finalizes the node object,
 * and V8 sees a small heap and rarely runs a full collection: without this, resident memory grows
 * by megabytes per scan. Run idle, it never delays an analysis.
 */
const collectGarbage: (() => void) | undefined = (() => {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();
let idleTimer: NodeJS.Timeout | undefined;
let sinceCollection = 0;
function collectWhenIdle(): void {
  if (!collectGarbage) return;
  if (idleTimer) clearTimeout(idleTimer);
  // Also every few analyses, for a burst that leaves no idle moment (opening a whole project).
  if (++sinceCollection >= 5) {
    sinceCollection = 0;
    collectGarbage();
    return;
  }
  idleTimer = setTimeout(() => {
    sinceCollection = 0;
    collectGarbage();
  }, 250);
  idleTimer.unref();
}
let catalogue: Catalogue | undefined;
let cataloguePaths: string[] = [];
let splitTuples = false;

function ensureCatalogue(): { catalogue: Catalogue; errors: CatalogueError[] } {
  const loaded = readCatalogue(cataloguePaths);
  catalogue = loaded.catalogue;
  return { catalogue, errors: loaded.errors };
}

function post(reply: WorkerReply): void {
  parentPort!.postMessage(reply);
}

function analyze(text: string, tree: Parameters<typeof scanSource>[3]): ScanResult {
  return scanSource(text, catalogue ?? ensureCatalogue().catalogue, { splitTuples }, tree);
}

function handle(msg: WorkerRequest): void {
  switch (msg.type) {
    case 'configure': {
      cataloguePaths = msg.cataloguePaths;
      splitTuples = msg.splitTuples;
      const { errors } = ensureCatalogue();
      post({ type: 'configured', reqId: msg.reqId, catalogueErrors: errors });
      return;
    }
    case 'open':
      store.open(msg.uri, 'python', msg.version, msg.text);
      return;
    case 'change':
      store.change(msg.uri, msg.version, msg.changes);
      return;
    case 'close':
      store.close(msg.uri);
      return;
    case 'analyze': {
      const entry = store.get(msg.uri);
      if (!entry) {
        post({ type: 'result', reqId: msg.reqId, uri: msg.uri, version: -1, result: { hyperparameters: [], errors: [] }, ms: 0 });
        return;
      }
      const t0 = performance.now();
      const result = analyze(entry.doc.getText(), store.syntax(entry));
      post({ type: 'result', reqId: msg.reqId, uri: msg.uri, version: entry.doc.version, result, ms: performance.now() - t0 });
      collectWhenIdle();
      return;
    }
    case 'scanText': {
      const t0 = performance.now();
      const result = analyze(msg.text, undefined);
      post({ type: 'result', reqId: msg.reqId, uri: msg.uri, version: msg.version, result, ms: performance.now() - t0 });
      return;
    }
  }
}

if (parentPort) {
  if (workerData?.cataloguePaths) cataloguePaths = workerData.cataloguePaths;
  if (workerData?.splitTuples) splitTuples = true;
  parentPort.on('message', (msg: WorkerRequest) => {
    try {
      handle(msg);
    } catch (err) {
      post({ type: 'error', reqId: 'reqId' in msg ? msg.reqId : undefined, message: (err as Error).stack ?? String(err) });
    }
  });
}
