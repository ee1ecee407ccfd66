/**
 * A one-shot worker that scans one big file off the protocol thread, so it never blocks other
 * requests; the server terminates it when the text moves on. workerData: the catalogue paths
 * and scan options.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readCatalogue } from '../catalogue/load';
import { scanSource } from '../analysis/scan';
import type { ScanOptions } from '../analysis/types';
import type { WorkerReply, WorkerRequest } from './workerProtocol';

const config = workerData as { cataloguePaths: string[]; options: ScanOptions };

parentPort?.on('message', (msg: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const t0 = performance.now();
    const result = scanSource(msg.text, readCatalogue(config.cataloguePaths).catalogue, config.options);
    reply = { type: 'result', result, ms: performance.now() - t0 };
  } catch (err) {
    reply = { type: 'error', message: (err as Error).stack ?? String(err) };
  }
  parentPort!.postMessage(reply);
});
