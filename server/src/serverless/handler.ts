import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { loadCatalogue } from '../catalogue/load';
import { DEFAULT_HARNESS_OPTIONS, type HarnessOptions } from '../harness/types';
import { readConfig, type ServerlessConfig } from './config';
import { decodeEventKey, outputKeys, skipReason } from './keys';
import { type ErrorReason, type OutputObject, refactorModel } from './refactor';
import type { HandlerResult, LambdaContext, RecordLog, RecordResult, S3Event, S3EventRecord } from './types';

/**
 * AWS Lambda entry point (Node.js 20): refactors each Python model uploaded under the input
 * prefix of a bucket into a tuning harness, a parametrized copy, the scan document and the
 * search space, written under the output prefix. A thin adapter: S3 in, engine, S3 out.
 */

export interface HandlerDeps {
  /** The S3 client for a configuration (default: one per path-style setting, endpoints from the SDK's environment). */
  client?: (config: ServerlessConfig) => S3Client;
  /** Where the per-record log line goes (default: one JSON line on stdout). */
  log?: (line: RecordLog) => void;
  env?: NodeJS.ProcessEnv;
}

const clients = new Map<boolean, S3Client>();
function defaultClient(config: ServerlessConfig): S3Client {
  // Region, credentials and AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL come from the SDK's own
  // environment handling; only path-style addressing is ours to set.
  let client = clients.get(config.forcePathStyle);
  if (!client) clients.set(config.forcePathStyle, (client = new S3Client({ forcePathStyle: config.forcePathStyle })));
  return client;
}

function defaultLog(line: RecordLog): void {
  process.stdout.write(JSON.stringify(line) + '\n');
}

/** An S3 error's HTTP status and name, when it is one. */
function s3Failure(err: unknown): { status?: number; name: string } {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return { status: e?.$metadata?.httpStatusCode, name: e?.name ?? 'Error' };
}

class RecordOutcome extends Error {
  constructor(readonly status: 'skipped' | 'error', readonly reason: string, message: string) {
    super(message);
  }
}

export function createHandler(deps: HandlerDeps = {}) {
  const log = deps.log ?? defaultLog;
  return async function handler(event: S3Event, context?: LambdaContext): Promise<HandlerResult> {
    const config = readConfig(deps.env ?? process.env);
    const s3 = (deps.client ?? defaultClient)(config);
    const harness: HarnessOptions = { ...DEFAULT_HARNESS_OPTIONS, maxEvals: config.maxEvals, algo: config.algo };
    const records: RecordResult[] = [];
    for (const record of event?.Records ?? []) {
      const started = performance.now();
      const entry: RecordLog = { requestId: context?.awsRequestId, bucket: record?.s3?.bucket?.name, key: '', size: null, status: 'skipped', hyperparameters: 0, tunable: 0, ms: 0, outputs: [] };
      let result: RecordResult;
      try {
        result = await processRecord(record, config, harness, s3, entry);
      } catch (err) {
        // Nothing escapes a record: the next ones still run.
        result = { key: entry.key, status: 'error', outputs: [], reason: 'internal', message: (err as Error)?.message ?? String(err) };
      }
      entry.status = result.status;
      entry.outputs = result.outputs;
      if (result.reason) entry.reason = result.reason;
      if (result.message) entry.message = result.message;
      entry.ms = Math.round((performance.now() - started) * 10) / 10;
      log(entry);
      records.push(result);
    }
    return { records };
  };
}

async function processRecord(record: S3EventRecord, config: ServerlessConfig, harness: HarnessOptions, s3: S3Client, entry: RecordLog): Promise<RecordResult> {
  const raw = record?.s3?.object?.key ?? '';
  const bucket = record?.s3?.bucket?.name;
  entry.key = raw;
  entry.size = typeof record?.s3?.object?.size === 'number' ? record.s3.object.size : null;
  const skip = (reason: string): RecordResult => ({ key: entry.key, status: 'skipped', outputs: [], reason });

  if (!bucket || !raw) return skip('not an S3 object event');
  if (record.eventName && !record.eventName.startsWith('ObjectCreated:')) return skip(`event ${record.eventName} is not ObjectCreated`);
  const key = decodeEventKey(raw);
  if (key === undefined) return skip('the key is not a valid URL encoding');
  entry.key = key;
  const why = skipReason(key, config.inputPrefix, config.outputPrefix);
  if (why) return skip(why);

  const out = outputKeys(key, config.inputPrefix, config.outputPrefix);
  const etag = record.s3!.object!.eTag;
  const put = (o: OutputObject) =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: o.key,
        Body: o.body,
        ContentType: o.contentType,
        // Which version of the model these results come from: a later upload rewrites them.
        Metadata: etag ? { 'optpar-source-etag': etag } : undefined,
      }),
    );
  const fail = async (reason: ErrorReason, message: string): Promise<RecordResult> => {
    await put({ key: out.error, body: JSON.stringify({ key, reason, message }, null, 2) + '\n', contentType: 'application/json' });
    return { key, status: 'error', outputs: [out.error], reason, message };
  };

  try {
    if (entry.size !== null && entry.size > config.maxBytes) return await fail('too-large', `${entry.size} bytes; the limit is ${config.maxBytes} (OPTPAR_MAX_BYTES)`);

    let bytes: Uint8Array;
    try {
      bytes = await download(s3, bucket, key, etag, config.maxBytes, entry);
    } catch (err) {
      if (err instanceof RecordOutcome) return err.status === 'skipped' ? skip(err.message) : await fail(err.reason as ErrorReason, err.message);
      throw err;
    }

    const result = refactorModel(key, bytes, loadCatalogue([]), harness, out);
    entry.hyperparameters = result.hyperparameters;
    entry.tunable = result.tunable;
    if (!result.ok) return await fail(result.reason, result.message);
    // Written one after the other: a redelivered event rewrites the same bytes to the same keys.
    for (const o of result.objects) await put(o);
    return { key, status: 'ok', outputs: result.objects.map((o) => o.key) };
  } catch (err) {
    // Not the model's fault (S3 failing after the SDK's retries, a bug): recorded as an
    // internal error, in <name>.error.json too when that can still be written.
    const message = (err as Error)?.message ?? String(err);
    try {
      return await fail('internal', message);
    } catch {
      throw err;
    }
  }
}

/** Reads the object the event names (that very version, by ETag), refusing what is over the limit before reading it. */
async function download(s3: S3Client, bucket: string, key: string, etag: string | undefined, maxBytes: number, entry: RecordLog): Promise<Uint8Array> {
  let res;
  try {
    res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: etag ? `"${etag.replace(/^"|"$/g, '')}"` : undefined }));
  } catch (err) {
    const { status, name } = s3Failure(err);
    if (name === 'NoSuchKey' || (status === 404 && name !== 'NoSuchBucket')) throw new RecordOutcome('skipped', 'gone', 'the object no longer exists (deleted after the event)');
    if (status === 412 || name === 'PreconditionFailed')
      throw new RecordOutcome('skipped', 'superseded', 'the object has changed since this event (a newer upload has its own event)');
    if (status === 403)
      throw new RecordOutcome('error', 'access-denied', 'access denied reading the object (without s3:ListBucket, S3 also answers 403 for a deleted object)');
    throw err;
  }
  const length = res.ContentLength;
  if (length !== undefined) entry.size = length;
  if (length !== undefined && length > maxBytes) {
    (res.Body as { destroy?: () => void } | undefined)?.destroy?.();
    throw new RecordOutcome('error', 'too-large', `${length} bytes; the limit is ${maxBytes} (OPTPAR_MAX_BYTES)`);
  }
  const bytes = (await res.Body?.transformToByteArray()) ?? new Uint8Array();
  if (bytes.byteLength > maxBytes) throw new RecordOutcome('error', 'too-large', `${bytes.byteLength} bytes; the limit is ${maxBytes} (OPTPAR_MAX_BYTES)`);
  return bytes;
}

/** The function's handler: `dist/serverless/handler.handler`. */
export const handler = createHandler();
