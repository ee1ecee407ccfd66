/** Messages between the protocol thread and the analysis worker (worker.ts). */
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { ScanResult } from '../analysis/types';
import type { CatalogueError } from '../catalogue/types';

export type WorkerRequest =
  | { type: 'configure'; reqId: number; cataloguePaths: string[]; splitTuples: boolean }
  | { type: 'open'; uri: string; version: number; text: string }
  | { type: 'change'; uri: string; version: number; changes: TextDocumentContentChangeEvent[] }
  | { type: 'close'; uri: string }
  | { type: 'analyze'; reqId: number; uri: string }
  | { type: 'scanText'; reqId: number; uri: string; version: number; text: string };

export type WorkerReply =
  | { type: 'configured'; reqId: number; catalogueErrors: CatalogueError[] }
  | { type: 'result'; reqId: number; uri: string; version: number; result: ScanResult; ms: number }
  | { type: 'error'; reqId?: number; message: string };
