/** Messages between the protocol thread and a big-file worker (worker.ts). */
import type { ScanResult } from '../analysis/types';

export type WorkerRequest = { type: 'scanText'; text: string };

export type WorkerReply = { type: 'result'; result: ScanResult; ms: number } | { type: 'error'; message: string };
