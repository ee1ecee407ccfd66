/**
 * Garbage collection for the language server's native memory: tree-sitter trees live outside
 * V8's heap, so V8 neither counts them nor hurries to free them.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { DocumentStore } from './documents';

/**
 * A full garbage collection. A tree-sitter tree's memory is native and freed only when V8
 * finalizes the dropped Tree object, and V8, seeing a small heap, rarely runs a full
 * collection: without this, resident memory grows by megabytes per document opened, and
 * malloc keeps what it once held.
 */
const collectGarbage: (() => void) | undefined = (() => {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();

/** Runs collectGarbage once the server is idle, or at once when whole trees have been dropped. */
export class Collector {
  private timer: NodeJS.Timeout | undefined;
  private droppedAtLast = 0;

  constructor(private readonly docs: DocumentStore) {}

  /**
   * Called after each analysis and document event. Editing drops little (a new tree shares the
   * old one's nodes); opening or closing many files drops whole trees.
   */
  worked(): void {
    if (!collectGarbage) return;
    if (this.timer) clearTimeout(this.timer);
    if (this.docs.droppedTrees - this.droppedAtLast >= DROPPED_TREES_PER_COLLECTION) return this.collect();
    this.timer = setTimeout(() => this.collect(), IDLE_MS);
    this.timer.unref();
  }

  private collect(): void {
    this.droppedAtLast = this.docs.droppedTrees;
    this.timer = undefined;
    collectGarbage!();
  }
}

const IDLE_MS = 300;
const DROPPED_TREES_PER_COLLECTION = 2;
