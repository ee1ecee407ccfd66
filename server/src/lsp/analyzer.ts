/**
 * The protocol thread's side of analysis: forwards document events to the analysis worker and
 * answers "the scan of this document at its current version" as a promise, cached per version.
 * Big files are scanned by a one-shot worker that is terminated when the text moves on.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { ScanResult } from '../analysis/types';
import type { CatalogueError } from '../catalogue/types';
import { isBig } from './documents';
import type { Logger } from './logger';
import type { WorkerReply, WorkerRequest } from './workerProtocol';

const WORKER = join(__dirname, 'worker.js');

interface Pending {
  resolve: (r: { version: number; result: ScanResult; ms: number }) => void;
  reject: (e: Error) => void;
}

export interface Analysis {
  version: number;
  result: ScanResult;
  /** Milliseconds the parse and scan took in the worker. */
  ms: number;
}

/** How many documents keep their last analysis. */
export const MAX_CACHED_RESULTS = 8;

export class Analyzer {
  private _worker: Worker | undefined;
  /** Started on first use, so initialize is not slowed by loading the parser and catalogue. */
  private get worker(): Worker {
    return (this._worker ??= this.spawn());
  }
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private cache = new Map<string, { key: string; promise: Promise<Analysis> }>();
  private bigWorkers = new Map<string, Worker>();
  private generation = 0;
  private config: { cataloguePaths: string[]; splitTuples: boolean } = { cataloguePaths: [], splitTuples: false };
  /** Text of each document, for big files which the worker does not track incrementally. */
  private texts = new Map<string, { version: number; big: boolean }>();

  private constructor(private log: Logger) {}

  static create(log: Logger): Analyzer {
    return new Analyzer(log);
  }

  private spawn(): Worker {
    const w = new Worker(WORKER);
    w.unref();
    w.on('message', (m: WorkerReply) => this.onReply(m));
    w.on('error', (err) => {
      this.log.error(`analysis worker failed: ${err.stack ?? err}; restarting it`);
    });
    w.on('exit', (code) => {
      if (this.disposed) return;
      this.log.warn(`analysis worker exited (${code}); restarting it`);
      for (const p of this.pending.values()) p.reject(new Error('analysis worker exited'));
      this.pending.clear();
      this.cache.clear();
      this._worker = undefined;
      this.restore?.();
    });
    return w;
  }

  /** Called after a worker restart to resend open documents (set by the server). */
  restore?: () => void;
  private disposed = false;

  private onReply(m: WorkerReply): void {
    if (m.type === 'error') {
      this.log.error(`analysis worker: ${m.message}`);
      if (m.reqId !== undefined) {
        this.pending.get(m.reqId)?.reject(new Error(m.message));
        this.pending.delete(m.reqId);
      }
      return;
    }
    const p = this.pending.get(m.reqId);
    this.pending.delete(m.reqId);
    if (!p) return;
    if (m.type === 'configured') (p.resolve as unknown as (e: CatalogueError[]) => void)(m.catalogueErrors);
    else p.resolve({ version: m.version, result: m.result, ms: m.ms });
  }

  private send(msg: WorkerRequest): void {
    this.worker.postMessage(msg);
  }

  private request<T>(make: (reqId: number) => WorkerRequest, worker: Worker = this.worker): Promise<T> {
    const reqId = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(reqId, { resolve: resolve as unknown as Pending['resolve'], reject });
      worker.postMessage(make(reqId));
    });
  }

  /** New catalogue paths or scan options: every cached result is dropped. */
  async configure(cataloguePaths: string[], splitTuples: boolean): Promise<CatalogueError[]> {
    this.config = { cataloguePaths, splitTuples };
    this.generation++;
    this.cache.clear();
    for (const uri of [...this.bigWorkers.keys()]) this.stopBig(uri);
    return this.request<CatalogueError[]>((reqId) => ({ type: 'configure', reqId, cataloguePaths, splitTuples }));
  }

  open(uri: string, version: number, text: string): void {
    this.texts.set(uri, { version, big: isBig(text) });
    this.cache.delete(uri);
    this.send({ type: 'open', uri, version, text });
  }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[], textNow: string): void {
    this.texts.set(uri, { version, big: isBig(textNow) });
    this.cache.delete(uri);
    this.stopBig(uri);
    this.send({ type: 'change', uri, version, changes });
  }

  close(uri: string): void {
    this.texts.delete(uri);
    this.cache.delete(uri);
    this.stopBig(uri);
    this.send({ type: 'close', uri });
  }

  private stopBig(uri: string): void {
    const w = this.bigWorkers.get(uri);
    if (w) {
      this.bigWorkers.delete(uri);
      void w.terminate();
    }
  }

  /** The scan of the document's current text (the version the worker saw last). */
  analyze(uri: string, text: () => string): Promise<Analysis> {
    const info = this.texts.get(uri);
    const key = `${this.generation}:${info?.version}`;
    const hit = this.cache.get(uri);
    if (hit && hit.key === key) {
      // Most recently used last: the oldest results go first when the cache is full.
      this.cache.delete(uri);
      this.cache.set(uri, hit);
      return hit.promise;
    }
    let promise: Promise<Analysis>;
    const poisonKey = `${uri}:${info?.version}`;
    if (this.poisoned.has(poisonKey)) {
      promise = Promise.resolve({ version: info!.version, ms: 0, result: { hyperparameters: [], errors: [{ message: 'optpar: analysis of this text did not finish (an engine bug); edit the file to retry' }] } });
    } else if (info?.big) promise = this.analyzeBig(uri, info.version, text());
    else promise = this.watch(this.request<Analysis>((reqId) => ({ type: 'analyze', reqId, uri })), poisonKey);
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

  /** Analyses that never finish (an engine loop) must not stall every document: restart the worker. */
  private poisoned = new Set<string>();
  static WATCHDOG_MS = 20_000;

  private watch(p: Promise<Analysis>, key: string): Promise<Analysis> {
    const timer = setTimeout(() => {
      this.log.error(`analysis of ${key} did not finish in ${Analyzer.WATCHDOG_MS} ms: restarting the analysis worker`);
      this.poisoned.add(key);
      void this.worker.terminate();
    }, Analyzer.WATCHDOG_MS);
    timer.unref();
    return p.finally(() => clearTimeout(timer));
  }

  private analyzeBig(uri: string, version: number, text: string): Promise<Analysis> {
    this.stopBig(uri);
    const w = new Worker(WORKER, { workerData: { ...this.config, oneShot: true } });
    w.unref();
    this.bigWorkers.set(uri, w);
    w.on('message', (m: WorkerReply) => this.onReply(m));
    const reqId = this.nextId++;
    const promise = new Promise<Analysis>((resolve, reject) => {
      this.pending.set(reqId, { resolve, reject });
      w.on('exit', () => {
        if (this.pending.delete(reqId)) reject(new Error('cancelled: the document changed'));
        if (this.bigWorkers.get(uri) === w) this.bigWorkers.delete(uri);
      });
      w.on('error', (err) => this.log.error(`big-file worker: ${err.message}`));
    });
    w.postMessage({ type: 'scanText', reqId, uri, version, text } satisfies WorkerRequest);
    void promise.then(() => {
      if (this.bigWorkers.get(uri) === w) this.bigWorkers.delete(uri);
      void w.terminate();
    }, () => undefined);
    return promise;
  }

  /** The version the analyzer last heard of for a document. */
  version(uri: string): number | undefined {
    return this.texts.get(uri)?.version;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const uri of [...this.bigWorkers.keys()]) this.stopBig(uri);
    await this._worker?.terminate();
  }
}
