/**
 * Answers "the scan of this document at its current version", cached per version.
 *
 * Documents are scanned on the protocol thread, from the syntax copy the document store keeps
 * up to date incrementally: after an edit only the changed statement is parsed, copied and
 * analysed again (a few ms), which is less than handing a result across threads would cost.
 * Big files are scanned by a one-shot worker instead, terminated when the text moves on, so
 * they never block other requests.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { scanSource } from '../analysis/scan';
import type { ScanOptions, ScanResult } from '../analysis/types';
import { readCatalogue } from '../catalogue/load';
import type { Catalogue, CatalogueError } from '../catalogue/types';
import { type DocumentStore, isBig } from './documents';
import type { Logger } from './logger';
import type { WorkerReply, WorkerRequest } from './workerProtocol';
import { Collector } from './collector';

const WORKER = join(__dirname, 'worker.js');

export interface Analysis {
  version: number;
  result: ScanResult;
  /** Milliseconds the parse and scan took. */
  ms: number;
}

/** How many documents keep their last analysis. */
export const MAX_CACHED_RESULTS = 8;

export class Analyzer {
  private cache = new Map<string, { key: string; promise: Promise<Analysis> }>();
  private bigWorkers = new Map<string, Worker>();
  private generation = 0;
  private config: { cataloguePaths: string[]; options: ScanOptions } = { cataloguePaths: [], options: {} };
  private loaded: Catalogue | undefined;

  private readonly collector: Collector;

  constructor(
    private readonly docs: DocumentStore,
    private readonly log: Logger,
  ) {
    this.collector = new Collector(docs);
  }

  /** The catalogue documents are scanned with (read on first use). */
  get catalogue(): Catalogue {
    return (this.loaded ??= readCatalogue(this.config.cataloguePaths).catalogue);
  }

  /** New catalogue paths or scan options: the catalogue is read again and every cached result is dropped. */
  configure(cataloguePaths: string[], options: ScanOptions): CatalogueError[] {
    this.config = { cataloguePaths, options };
    this.generation++;
    this.cache.clear();
    for (const uri of [...this.bigWorkers.keys()]) this.stopBig(uri);
    const { catalogue, errors } = readCatalogue(cataloguePaths);
    this.loaded = catalogue;
    return errors;
  }

  /** The document was opened, changed or closed: its result and pending big-file scan are stale. */
  forget(uri: string): void {
    this.cache.delete(uri);
    this.stopBig(uri);
    this.collector.worked();
  }

  private stopBig(uri: string): void {
    const w = this.bigWorkers.get(uri);
    if (w) {
      this.bigWorkers.delete(uri);
      void w.terminate();
    }
  }

  /** The scan of the document's current text. */
  analyze(uri: string): Promise<Analysis> {
    const entry = this.docs.get(uri);
    if (!entry) return Promise.resolve({ version: -1, ms: 0, result: { hyperparameters: [], errors: [] } });
    const version = entry.doc.version;
    const key = `${this.generation}:${version}`;
    const hit = this.cache.get(uri);
    if (hit && hit.key === key) {
      // Most recently used last: the oldest results go first when the cache is full.
      this.cache.delete(uri);
      this.cache.set(uri, hit);
      return hit.promise;
    }
    const text = entry.doc.getText();
    let promise: Promise<Analysis>;
    if (isBig(text)) promise = this.analyzeBig(uri, version, text);
    else {
      const t0 = performance.now();
      try {
        const result = scanSource(text, this.catalogue, this.config.options, this.docs.syntax(entry));
        promise = Promise.resolve({ version, result, ms: performance.now() - t0 });
        this.collector.worked();
      } catch (err) {
        promise = Promise.reject(err as Error);
      }
    }
    promise.catch(() => this.cache.get(uri)?.promise === promise && this.cache.delete(uri));
    this.cache.delete(uri);
    this.cache.set(uri, { key, promise });
    // A 1,000-line file's results hold about a thousand hyperparameters: keep the documents in
    // use; another is scanned again (a few ms) when a request needs it.
    for (const oldest of this.cache.keys()) {
      if (this.cache.size <= MAX_CACHED_RESULTS) break;
      this.cache.delete(oldest);
    }
    return promise;
  }

  private analyzeBig(uri: string, version: number, text: string): Promise<Analysis> {
    this.stopBig(uri);
    const w = new Worker(WORKER, { workerData: this.config });
    w.unref();
    this.bigWorkers.set(uri, w);
    const promise = new Promise<Analysis>((resolve, reject) => {
      w.on('message', (m: WorkerReply) => {
        if (m.type === 'result') resolve({ version, result: m.result, ms: m.ms });
        else reject(new Error(m.message));
      });
      w.on('exit', () => reject(new Error('cancelled: the document changed')));
      w.on('error', (err) => this.log.error(`big-file worker: ${err.message}`));
    });
    w.postMessage({ type: 'scanText', text } satisfies WorkerRequest);
    const done = () => {
      if (this.bigWorkers.get(uri) === w) this.bigWorkers.delete(uri);
      void w.terminate();
    };
    promise.then(done, done);
    return promise;
  }

  dispose(): void {
    for (const uri of [...this.bigWorkers.keys()]) this.stopBig(uri);
  }
}
