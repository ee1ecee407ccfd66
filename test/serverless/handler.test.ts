import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, venvPython } from '../helpers/python';
import { type S3Server, s3Env, s3Record, startS3Server } from './s3server';

// The built handler (npm test builds first), driven with S3 event JSON against moto's server.
const requireBuilt = createRequire(join(repoRoot, 'dist', 'serverless', 'handler.js'));
const built = requireBuilt('./handler.js') as typeof import('../../server/src/serverless/handler');

const BUCKET = 'optpar-models';
const digits = readFileSync(join(repoRoot, 'examples', 'digits_cnn.py'));
const NO_FIT = Buffer.from(
  ['import keras', 'from keras import layers', '', 'model = keras.Sequential([layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax")])', 'model.compile(optimizer="adam", loss="categorical_crossentropy")', ''].join('\n'),
);
const SYNTAX_ERROR = Buffer.from(digits.toString('utf8').replace('model.compile(', 'model.compile(('));

let s3: S3Server;
let work: string;
const logs: Record<string, unknown>[] = [];
const saved: Record<string, string | undefined> = {};

function handlerWith(env: Record<string, string> = {}, client?: S3Client) {
  return built.createHandler({
    log: (line) => logs.push(line as unknown as Record<string, unknown>),
    env: { ...process.env, ...env },
    ...(client ? { client: () => client } : {}),
  });
}

async function upload(key: string, body: Buffer): Promise<string> {
  const res = await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  return res.ETag!;
}

async function uploadedRecord(key: string, body: Buffer) {
  return s3Record(BUCKET, key, body.length, await upload(key, body));
}

async function read(key: string): Promise<string> {
  const res = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return res.Body!.transformToString('utf-8');
}

async function keysUnder(prefix: string): Promise<string[]> {
  const res = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (res.Contents ?? []).map((c) => c.Key!).sort();
}

/** Runs the CLI in a folder holding the same bytes at the same relative path as the key. */
function cli(key: string, body: Buffer, args: string[]): string {
  const dir = mkdtempSync(join(work, 'cli-'));
  mkdirSync(dirname(join(dir, key)), { recursive: true });
  writeFileSync(join(dir, key), body);
  return execFileSync(process.execPath, [join(repoRoot, 'bin', 'optpar.js'), ...args], { cwd: dir, encoding: 'utf8' });
}

beforeAll(async () => {
  s3 = await startS3Server();
  await s3.createBucket(BUCKET);
  work = mkdtempSync(join(tmpdir(), 'optpar-serverless-'));
  // The handler's default client takes its endpoint from the SDK's own variables.
  for (const [k, v] of Object.entries(s3Env(s3.endpoint))) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
});

afterAll(async () => {
  await s3?.stop();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('serverless handler against a real S3 API (moto)', () => {
  it('happy path: the four results, each what the CLI makes of the same text', async () => {
    const key = 'models/digits_cnn.py';
    const handler = handlerWith({ OPTPAR_MAX_EVALS: '7', OPTPAR_ALGO: 'rand' });
    const result = await handler({ Records: [await uploadedRecord(key, digits)] }, { awsRequestId: 'req-1' });
    const out = 'optpar/digits_cnn/';
    expect(result.records).toEqual([
      {
        key,
        status: 'ok',
        outputs: [`${out}tune_digits_cnn.py`, `${out}digits_cnn.parametrized.py`, `${out}digits_cnn.scan.json`, `${out}digits_cnn.space.json`],
      },
    ]);
    expect(await keysUnder(out)).toEqual([...result.records[0].outputs].sort());

    // scan.json: byte for byte what `optpar scan --json` prints.
    const scanJson = await read(`${out}digits_cnn.scan.json`);
    expect(scanJson).toBe(cli(key, digits, ['scan', '--json', key]));
    expect(JSON.parse(scanJson).files[0].hyperparameters.length).toBeGreaterThan(5);

    // The harness: the CLI's, with the settings from the environment, and valid Python.
    const harness = await read(`${out}tune_digits_cnn.py`);
    const dir = mkdtempSync(join(work, 'harness-'));
    cli(key, digits, ['harness', key, '-o', join(dir, 'tune_cli.py'), '--max-evals', '7', '--algo', 'rand']);
    // Apart from where the model file was when the harness was made (if the harness records it).
    const unplaced = (h: string) => h.replace(/^(OPTPAR_MODEL = \{"path": )"[^"]*"/m, '$1"<path>"');
    expect(unplaced(harness)).toBe(unplaced(readFileSync(join(dir, 'tune_cli.py'), 'utf8')));
    expect(harness).toContain('"max_evals": 7, "algo": "rand"');
    writeFileSync(join(dir, 'tune_digits_cnn.py'), harness);
    execFileSync(venvPython(), ['-m', 'py_compile', join(dir, 'tune_digits_cnn.py')]);

    // The parametrized copy and the space: what `optpar parametrize -o --space-json` writes.
    cli(key, digits, ['parametrize', key, '-o', join(dir, 'p.py'), '--space-json', join(dir, 's.json')]);
    expect(await read(`${out}digits_cnn.parametrized.py`)).toBe(readFileSync(join(dir, 'p.py'), 'utf8'));
    expect(await read(`${out}digits_cnn.space.json`)).toBe(readFileSync(join(dir, 's.json'), 'utf8'));

    const log = logs.at(-1)!;
    expect(log).toMatchObject({ requestId: 'req-1', bucket: BUCKET, key, size: digits.length, status: 'ok' });
    expect(log.hyperparameters).toBe(JSON.parse(scanJson).files[0].hyperparameters.length);
    expect(typeof log.ms).toBe('number');
  });

  it('decodes keys as S3 sends them: "+" for spaces, percent escapes, unicode', async () => {
    const key = 'models/my models/réseau (v2) ünï+1.py';
    const etag = await upload(key, digits);
    // As written in the event by S3 (form-URL-encoded).
    const record = s3Record(BUCKET, key, digits.length, etag);
    record.s3.object.key = 'models/my+models/r%C3%A9seau+%28v2%29+%C3%BCn%C3%AF%2B1.py';
    const result = await handlerWith()({ Records: [record] });
    expect(result.records[0]).toMatchObject({ key, status: 'ok' });
    const out = 'optpar/my models/réseau (v2) ünï+1/';
    expect(await keysUnder(out)).toEqual(
      ['réseau (v2) ünï+1.parametrized.py', 'réseau (v2) ünï+1.scan.json', 'réseau (v2) ünï+1.space.json', 'tune_réseau (v2) ünï+1.py'].map((f) => out + f),
    );
    expect(JSON.parse(await read(`${out}réseau (v2) ünï+1.scan.json`)).files[0].path).toBe(key);
  });

  it('skips keys that are not .py models under the input prefix, and other events, with a logged reason', async () => {
    const before = await keysUnder('optpar/');
    const text = await uploadedRecord('models/notes.txt', Buffer.from('units = 3\n'));
    const elsewhere = await uploadedRecord('data/model.py', digits);
    const removed = s3Record(BUCKET, 'models/gone.py', 0, 'x', 'ObjectRemoved:Delete');
    const garbled = s3Record(BUCKET, 'models/x.py', 10, 'x');
    garbled.s3.object.key = 'models/bad%ZZname.py';
    const result = await handlerWith()({ Records: [text, elsewhere, removed, garbled] });
    expect(result.records.map((r) => [r.key, r.status, r.outputs])).toEqual([
      ['models/notes.txt', 'skipped', []],
      ['data/model.py', 'skipped', []],
      ['models/gone.py', 'skipped', []],
      ['models/bad%ZZname.py', 'skipped', []],
    ]);
    expect(result.records.map((r) => r.reason)).toEqual([
      expect.stringMatching(/not a \.py/),
      expect.stringMatching(/input prefix/),
      expect.stringMatching(/ObjectRemoved/),
      expect.stringMatching(/not a valid URL encoding/),
    ]);
    expect(logs.slice(-4).map((l) => [l.key, l.status, typeof l.reason])).toEqual([
      ['models/notes.txt', 'skipped', 'string'],
      ['data/model.py', 'skipped', 'string'],
      ['models/gone.py', 'skipped', 'string'],
      ['models/bad%ZZname.py', 'skipped', 'string'],
    ]);
    expect(await keysUnder('optpar/')).toEqual(before);
  });

  it('never processes its own results (keys under the output prefix)', async () => {
    const first = await handlerWith()({ Records: [await uploadedRecord('models/self.py', digits)] });
    const harnessKey = first.records[0].outputs[0];
    const before = await keysUnder('optpar/');
    const head = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: harnessKey }));
    const body = Buffer.from(await head.Body!.transformToByteArray());
    const result = await handlerWith()({ Records: [s3Record(BUCKET, harnessKey, body.length, head.ETag!)] });
    expect(result.records[0]).toMatchObject({ key: harnessKey, status: 'skipped', outputs: [] });
    expect(result.records[0].reason).toMatch(/output prefix/);
    expect(await keysUnder('optpar/')).toEqual(before);
    // Even when the output prefix lies inside the input prefix.
    const nested = handlerWith({ OPTPAR_INPUT_PREFIX: 'models/', OPTPAR_OUTPUT_PREFIX: 'models/optpar/' });
    const inner = await uploadedRecord('models/optpar/x/tune_x.py', digits);
    expect((await nested({ Records: [inner] })).records[0].status).toBe('skipped');
    expect(await keysUnder('models/optpar/x/')).toEqual(['models/optpar/x/tune_x.py']);
  });

  it('refuses an object over the size limit without downloading it', async () => {
    const commands: string[] = [];
    const client = new S3Client({ forcePathStyle: true });
    client.middlewareStack.add((next, context) => (args) => (commands.push(context.commandName as string), next(args)), { step: 'initialize' });
    const handler = handlerWith({ OPTPAR_MAX_BYTES: '1000' }, client);
    const result = await handler({ Records: [await uploadedRecord('models/big.py', digits)] });
    expect(digits.length).toBeGreaterThan(1000);
    expect(result.records[0]).toMatchObject({ status: 'error', reason: 'too-large', outputs: ['optpar/big/big.error.json'] });
    expect(commands).toEqual(['PutObjectCommand']);
    expect(JSON.parse(await read('optpar/big/big.error.json'))).toEqual({ key: 'models/big.py', reason: 'too-large', message: `${digits.length} bytes; the limit is 1000 (OPTPAR_MAX_BYTES)` });
    expect(await keysUnder('optpar/big/')).toEqual(['optpar/big/big.error.json']);

    // An event that understates the size: the object's own length is checked before reading it.
    const record = await uploadedRecord('models/big2.py', digits);
    record.s3.object.size = 10;
    const second = await handler({ Records: [record] });
    expect(second.records[0]).toMatchObject({ status: 'error', reason: 'too-large' });
    expect(logs.at(-1)).toMatchObject({ key: 'models/big2.py', size: digits.length, status: 'error', reason: 'too-large' });
    client.destroy();
  });

  it('gives binary and non-UTF-8 content an error result', async () => {
    const binary = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x00, 0x41]);
    const latin1 = Buffer.from('# r\xe9seau\nunits = 3\n', 'latin1');
    const result = await handlerWith()({ Records: [await uploadedRecord('models/blob.py', binary), await uploadedRecord('models/latin1.py', latin1)] });
    expect(result.records.map((r) => [r.status, r.reason, r.outputs])).toEqual([
      ['error', 'unreadable', ['optpar/blob/blob.error.json']],
      ['error', 'unreadable', ['optpar/latin1/latin1.error.json']],
    ]);
    expect(JSON.parse(await read('optpar/blob/blob.error.json')).message).toMatch(/binary/);
    expect(JSON.parse(await read('optpar/latin1/latin1.error.json')).message).toMatch(/UTF-8/);
  });

  it('writes <name>.error.json for a model with a syntax error, and for one without fit()', async () => {
    const result = await handlerWith()({ Records: [await uploadedRecord('models/broken.py', SYNTAX_ERROR), await uploadedRecord('models/nofit.py', NO_FIT)] });
    expect(result.records.map((r) => [r.status, r.reason, r.outputs])).toEqual([
      ['error', 'syntax-error', ['optpar/broken/broken.error.json']],
      ['error', 'not-tunable', ['optpar/nofit/nofit.error.json']],
    ]);
    const broken = JSON.parse(await read('optpar/broken/broken.error.json'));
    expect(broken).toMatchObject({ key: 'models/broken.py', reason: 'syntax-error' });
    expect(broken.message).toMatch(/syntax error.*line \d+/);
    const nofit = JSON.parse(await read('optpar/nofit/nofit.error.json'));
    expect(nofit.message).toMatch(/fit/);
    expect(await keysUnder('optpar/nofit/')).toEqual(['optpar/nofit/nofit.error.json']);
    expect(logs.at(-1)).toMatchObject({ key: 'models/nofit.py', status: 'error', reason: 'not-tunable' });
    expect(logs.at(-1)!.hyperparameters).toBeGreaterThan(0);
  });

  it('a redelivered event (same key and ETag) writes the same objects again', async () => {
    const record = await uploadedRecord('models/again.py', digits);
    const handler = handlerWith();
    const first = await handler({ Records: [record] });
    const snapshot = async () =>
      Promise.all(
        first.records[0].outputs.map(async (k) => {
          const res = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: k }));
          return { k, etag: res.ETag, body: await res.Body!.transformToString(), source: res.Metadata?.['optpar-source-etag'] };
        }),
      );
    const before = await snapshot();
    const second = await handler({ Records: [record, record] });
    expect(second.records).toEqual([first.records[0], first.records[0]]);
    expect(await snapshot()).toEqual(before);
    expect(before.every((o) => o.source === record.s3.object.eTag)).toBe(true);
  });

  it('skips an event whose object no longer exists, or has been replaced since', async () => {
    const record = await uploadedRecord('models/deleted.py', digits);
    await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'models/deleted.py' }));
    const stale = await uploadedRecord('models/replaced.py', digits);
    await upload('models/replaced.py', NO_FIT);
    const result = await handlerWith()({ Records: [record, stale] });
    expect(result.records.map((r) => [r.status, r.outputs])).toEqual([
      ['skipped', []],
      ['skipped', []],
    ]);
    expect(result.records[0].reason).toMatch(/no longer exists/);
    expect(result.records[1].reason).toMatch(/changed since this event/);
    expect(await keysUnder('optpar/deleted/')).toEqual([]);
    expect(await keysUnder('optpar/replaced/')).toEqual([]);
  });

  it('a batch of 3 whose middle record fails: the others are processed, and each gets its log line', async () => {
    const a = await uploadedRecord('models/batch/a.py', digits);
    const b = await uploadedRecord('models/batch/b.py', SYNTAX_ERROR);
    const c = await uploadedRecord('models/batch/c.py', digits);
    const logged = logs.length;
    const result = await handlerWith()({ Records: [a, b, c] });
    expect(result.records.map((r) => [r.key, r.status])).toEqual([
      ['models/batch/a.py', 'ok'],
      ['models/batch/b.py', 'error'],
      ['models/batch/c.py', 'ok'],
    ]);
    expect(await keysUnder('optpar/batch/b/')).toEqual(['optpar/batch/b/b.error.json']);
    expect((await keysUnder('optpar/batch/c/')).length).toBe(4);
    expect(logs.slice(logged).map((l) => l.status)).toEqual(['ok', 'error', 'ok']);

    // A failure that is no model's fault (a bucket that does not exist) is isolated too.
    const missing = s3Record('optpar-no-such-bucket', 'models/x.py', 10, 'abc');
    const mixed = await handlerWith()({ Records: [a, missing, c] });
    expect(mixed.records.map((r) => [r.status, r.reason ?? null])).toEqual([
      ['ok', null],
      ['error', 'internal'],
      ['ok', null],
    ]);
  });

  it('refuses a configuration that would retrigger itself or skip everything', async () => {
    const record = await uploadedRecord('models/cfg.py', digits);
    await expect(handlerWith({ OPTPAR_OUTPUT_PREFIX: '' })({ Records: [record] })).rejects.toThrow(/OPTPAR_OUTPUT_PREFIX/);
    await expect(handlerWith({ OPTPAR_INPUT_PREFIX: 'optpar/in/' })({ Records: [record] })).rejects.toThrow(/lies under/);
    await expect(handlerWith({ OPTPAR_MAX_BYTES: 'lots' })({ Records: [record] })).rejects.toThrow(/OPTPAR_MAX_BYTES/);
    await expect(handlerWith({ OPTPAR_ALGO: 'grid' })({ Records: [record] })).rejects.toThrow(/OPTPAR_ALGO/);
    expect(await keysUnder('optpar/cfg/')).toEqual([]);
  });
});
