import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, venvPython } from '../helpers/python';
import { type S3Server, s3Env, s3Record, startS3Server } from './s3server';

// npm run bundle:lambda's package, unzipped outside the checkout and run by plain node: the
// handler must find the catalogue, the harness runtime and the parser inside the package alone.
const BUNDLE = join(repoRoot, 'server', 'src', 'serverless', 'bundle.mjs');
const hostArch = process.arch;
const BUCKET = 'optpar-bundle';

let s3: S3Server;
let work: string;

beforeAll(async () => {
  s3 = await startS3Server();
  await s3.createBucket(BUCKET);
  work = mkdtempSync(join(tmpdir(), 'optpar-bundle-'));
});

afterAll(async () => {
  await s3?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function bundle(args: string[]) {
  return spawnSync(process.execPath, [BUNDLE, ...args], { cwd: repoRoot, encoding: 'utf8' });
}

describe.skipIf(process.platform !== 'linux' || !['x64', 'arm64'].includes(hostArch))('npm run bundle:lambda', () => {
  it('builds a zip whose handler, loaded with plain node outside the checkout, refactors a model', async () => {
    // This machine's own bindings (the Lambda's are compiled on the target: see template.yaml).
    const zip = join(work, 'optpar-lambda.zip');
    const made = bundle(['--arch', hostArch, '--native', 'local', '--out', join(work, 'staging'), '--zip', zip]);
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/zip: .*optpar-lambda\.zip/);

    const unpacked = join(work, 'task');
    mkdirSync(unpacked);
    execFileSync(venvPython(), ['-m', 'zipfile', '-e', zip, unpacked]);
    for (const f of ['dist/serverless/handler.js', 'metadata/layers.yaml', 'server/src/harness/runtime.py', 'node_modules/tree-sitter/package.json', 'node_modules/tree-sitter-python/package.json', 'node_modules/node-gyp-build/index.js'])
      expect(existsSync(join(unpacked, f)), f).toBe(true);
    // Nothing in the bundle points back into the checkout.
    expect(readFileSync(join(unpacked, 'dist/serverless/handler.js'), 'utf8')).not.toContain(repoRoot);

    const key = 'models/team a/digits_cnn.py';
    const body = readFileSync(join(repoRoot, 'examples', 'digits_cnn.py'));
    const put = await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    const event = { Records: [s3Record(BUCKET, key, body.length, put.ETag!)] };
    const script = `require('./dist/serverless/handler.js').handler(${JSON.stringify(event)}, { awsRequestId: 'bundle-1' })
      .then((r) => process.stdout.write('RESULT ' + JSON.stringify(r) + '\\n'), (e) => { console.error(e); process.exit(1); });`;
    // The generic endpoint variable this time (the handler tests use AWS_ENDPOINT_URL_S3).
    const { AWS_ENDPOINT_URL_S3, ...env } = s3Env(s3.endpoint);
    const run = spawnSync('node', ['-e', script], {
      cwd: unpacked,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: unpacked, ...env, AWS_ENDPOINT_URL: AWS_ENDPOINT_URL_S3 },
    });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const result = JSON.parse(lines.find((l) => l.startsWith('RESULT '))!.slice(7));
    expect(result.records[0]).toMatchObject({ key, status: 'ok' });
    expect(result.records[0].outputs).toHaveLength(4);
    // Its log line: one JSON object on stdout.
    const log = JSON.parse(lines.find((l) => l.startsWith('{'))!);
    expect(log).toMatchObject({ requestId: 'bundle-1', key, size: body.length, status: 'ok' });
    expect(log.hyperparameters).toBeGreaterThan(5);

    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'optpar/team a/digits_cnn/' }));
    expect((listed.Contents ?? []).map((c) => c.Key).sort()).toEqual([...result.records[0].outputs].sort());
    const scan = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'optpar/team a/digits_cnn/digits_cnn.scan.json' }));
    const dir = mkdtempSync(join(work, 'cli-'));
    mkdirSync(join(dir, 'models', 'team a'), { recursive: true });
    writeFileSync(join(dir, key), body);
    const cli = execFileSync(process.execPath, [join(repoRoot, 'bin', 'optpar.js'), 'scan', '--json', key], { cwd: dir, encoding: 'utf8' });
    expect(await scan.Body!.transformToString()).toBe(cli);
  });

  it('picks the prebuilt bindings of the asked architecture and reports what they need from the C++ library', () => {
    const out = join(work, 'arm64');
    const made = bundle(['--arch', 'arm64', '--native', 'prebuilt', '--allow-newer-libs', '--out', out, '--no-zip']);
    expect(made.status, made.stderr).toBe(0);
    const binary = join(out, 'node_modules/tree-sitter/prebuilds/linux-arm64/tree-sitter.node');
    const elf = readFileSync(binary);
    expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(elf.readUInt16LE(18)).toBe(183); // EM_AARCH64
    expect(made.stdout).toMatch(/linux-arm64\/tree-sitter\.node: needs GLIBC_2\.\d+, GLIBCXX_3\.4\.\d+/);
    // Without --allow-newer-libs a binding that needs a newer libstdc++ than Amazon Linux 2023's is refused.
    const needs = Number(/tree-sitter\.node: needs GLIBC_[\d.]+, GLIBCXX_3\.4\.(\d+)/.exec(made.stdout)![1]);
    const strict = bundle(['--arch', 'arm64', '--native', 'prebuilt', '--out', join(work, 'arm64-strict'), '--no-zip']);
    if (needs > 29) {
      expect(strict.status).toBe(1);
      expect(strict.stderr).toMatch(/GLIBCXX_3\.4\.\d+.*Amazon Linux 2023.*sam build --use-container/);
    } else expect(strict.status, strict.stderr).toBe(0);
  });
});
