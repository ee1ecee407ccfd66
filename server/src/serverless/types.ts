/** The parts of an S3 event notification (event structure version 2.x) the function reads. */
export interface S3EventRecord {
  eventSource?: string;
  eventName?: string;
  s3?: {
    bucket?: { name?: string };
    object?: { key?: string; size?: number; eTag?: string; sequencer?: string };
  };
}

export interface S3Event {
  Records?: S3EventRecord[];
}

/** The parts of the Lambda context the function reads. */
export interface LambdaContext {
  awsRequestId?: string;
}

export type RecordStatus = 'ok' | 'skipped' | 'error';

/** One record's outcome, as returned by the handler. */
export interface RecordResult {
  key: string;
  status: RecordStatus;
  /** The keys written for this record (the four results, or the error file). */
  outputs: string[];
  reason?: string;
  message?: string;
}

export interface HandlerResult {
  records: RecordResult[];
}

/** The structured log line written for each record. */
export interface RecordLog {
  requestId?: string;
  bucket?: string;
  key: string;
  size: number | null;
  status: RecordStatus;
  hyperparameters: number;
  tunable: number;
  ms: number;
  reason?: string;
  message?: string;
  outputs: string[];
}
