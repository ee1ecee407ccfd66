#!/usr/bin/env node
// Bundles the serverless handler into a Lambda deployment package (npm run bundle:lambda).
//
//   node server/src/serverless/bundle.mjs [--arch arm64|x64] [--native build|local|prebuilt]
//        [--cross PREFIX] [--out DIR] [--zip FILE | --no-zip] [--allow-newer-libs]
//
// The package mirrors the checkout's layout so the engine finds its files as it does in dist/:
//   dist/serverless/handler.js        the handler and the engine, one esbuild bundle (handler: dist/serverless/handler.handler)
//   metadata/*.yaml                   the built-in catalogue (found two folders above the bundle)
//   server/src/harness/*.py           the harness runtime (shared part and backends)
//   node_modules/tree-sitter, tree-sitter-python, node-gyp-build
//                                     the native parser, left out of the bundle (a .node file cannot be bundled)
//
// The native bindings must load on Lambda's Amazon Linux 2023 (glibc 2.34, GCC 11's libstdc++,
// so at most GLIBCXX_3.4.29) on the function's architecture:
//   --native build     compiles them with node-gyp: on the target (linux on --arch; the SAM
//                      build image that `sam build --use-container` runs, see the Makefile
//                      beside this file), or with a cross compiler (--cross). The default on
//                      linux on --arch, and on Linux with Debian's cross compiler for --arch
//                      on PATH (aarch64-linux-gnu-g++ from g++-aarch64-linux-gnu).
//   --cross PREFIX     with --native build on another machine: compiles with the cross compiler
//                      PREFIXgcc/PREFIXg++ (Debian: g++-aarch64-linux-gnu, PREFIX aarch64-linux-gnu-).
//   --native local     copies the binding this machine's install already loads (what npm ci
//                      built or chose here); only for running the package on this machine.
//   --native prebuilt  copies the packages' own prebuilds for linux-<arch>, after checking the
//                      library versions they need; refuses any that needs more than Amazon Linux
//                      2023 has unless --allow-newer-libs. The default otherwise.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deflateRawSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(join(root, 'package.json'));

/** What Amazon Linux 2023 (the nodejs20.x runtime's OS) provides. */
const LAMBDA_GLIBC = [2, 34];
const LAMBDA_GLIBCXX = [3, 4, 29];

const NATIVE = [
  { name: 'tree-sitter', files: ['package.json', 'index.js', 'LICENSE'], prebuilt: 'tree-sitter.node' },
  { name: 'tree-sitter-python', files: ['package.json', 'bindings/node/index.js', 'src/node-types.json', 'LICENSE'], prebuilt: 'tree-sitter-python.node' },
];

function fail(message) {
  console.error(`bundle:lambda: ${message}`);
  process.exit(1);
}

const { values } = parseArgs({
  options: {
    arch: { type: 'string', default: 'arm64' },
    native: { type: 'string' },
    out: { type: 'string', default: join(root, 'dist', 'lambda', 'function') },
    zip: { type: 'string', default: join(root, 'dist', 'lambda', 'optpar-lambda.zip') },
    'no-zip': { type: 'boolean' },
    'allow-newer-libs': { type: 'boolean' },
    cross: { type: 'string' },
  },
});
const arch = values.arch === 'x86_64' ? 'x64' : values.arch;
if (!['arm64', 'x64'].includes(arch)) fail(`--arch must be arm64 or x64, not ${values.arch}`);
const onTarget = process.platform === 'linux' && process.arch === arch;
// Debian's cross compilers, used by default when this machine is not the target and has one.
const TRIPLETS = { arm64: 'aarch64-linux-gnu-', x64: 'x86_64-linux-gnu-' };
const onPath = (binary) => (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, binary)));
const cross = values.cross ?? (!onTarget && !values.native && process.platform === 'linux' && onPath(`${TRIPLETS[arch]}g++`) ? TRIPLETS[arch] : undefined);
const native = values.native ?? (onTarget || cross ? 'build' : 'prebuilt');
if (!['build', 'local', 'prebuilt'].includes(native)) fail(`--native must be build, local or prebuilt, not ${values.native}`);
if (cross && native !== 'build') fail('--cross goes with --native build');
if (native === 'local' && !onTarget) fail(`--native local is for this machine (${process.platform}-${process.arch}), not linux-${arch}`);
if (native === 'build' && !onTarget && !cross) fail(`--native ${native} is for this machine (${process.platform}-${process.arch}), not linux-${arch}: run it in the SAM build image (sam build --use-container)`);

const out = resolve(values.out);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// 1. The handler and the engine in one file. @aws-sdk/client-s3 is bundled too: the function
//    uses the version it was tested with, not the one the runtime happens to carry.
const esbuild = require('esbuild');
await esbuild.build({
  entryPoints: [join(root, 'server', 'src', 'serverless', 'handler.ts')],
  outfile: join(out, 'dist', 'serverless', 'handler.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: NATIVE.map((n) => n.name),
  legalComments: 'none',
  logLevel: 'warning',
});

// 2. The files the engine reads next to its code.
const copy = (from, to) => {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
};
for (const f of readdirSync(join(root, 'metadata')).filter((f) => f.endsWith('.yaml'))) copy(join(root, 'metadata', f), join(out, 'metadata', f));
for (const f of readdirSync(join(root, 'server', 'src', 'harness')).filter((f) => f.endsWith('.py'))) {
  copy(join(root, 'server', 'src', 'harness', f), join(out, 'server', 'src', 'harness', f));
}

// 3. The native parser.
const packageDir = (name) => dirname(require.resolve(`${name}/package.json`));
const versionOf = (text, prefix) =>
  [...text.matchAll(new RegExp(`${prefix}_([0-9.]+)`, 'g'))]
    .map((m) => m[1].split('.').map(Number))
    .reduce((a, b) => (compare(a, b) >= 0 ? a : b), [0]);
function compare(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}
/** The newest glibc and libstdc++ symbol versions a shared object asks for (from its version strings). */
function libraryNeeds(file) {
  const text = readFileSync(file).toString('latin1');
  return { glibc: versionOf(text, 'GLIBC'), glibcxx: versionOf(text, 'GLIBCXX') };
}

function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  const npmCli = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (existsSync(npmCli)) return npmCli;
  fail('node-gyp not found (run through npm: npm run bundle:lambda)');
}

const report = [];
for (const pkg of NATIVE) {
  const src = packageDir(pkg.name);
  const dest = join(out, 'node_modules', pkg.name);
  for (const f of pkg.files) if (existsSync(join(src, f))) copy(join(src, f), join(dest, f));
  let binary;
  if (native === 'build') {
    // Compiled in a scratch copy, so the checkout's own binding is never touched; headers from
    // this Node installation when it has them (so nothing is downloaded).
    const scratch = mkdtempSync(join(tmpdir(), `optpar-native-${pkg.name}-`));
    cpSync(src, scratch, { recursive: true, filter: (f) => !/[\\/](build|prebuilds|node_modules)$/.test(f) });
    const nodedir = join(dirname(process.execPath), '..');
    const args = [nodeGyp(), 'rebuild', '--release', ...(existsSync(join(nodedir, 'include', 'node', 'node_api.h')) ? [`--nodedir=${nodedir}`] : [])];
    // A cross compiler (e.g. Debian's g++-aarch64-linux-gnu with --cross aarch64-linux-gnu-):
    // the library check below still decides whether the result can load on Lambda.
    const crossEnv = cross ? { CC: `${cross}gcc`, CXX: `${cross}g++`, LINK: `${cross}g++`, AR: `${cross}ar` } : {};
    if (cross) args.push(`--arch=${arch}`);
    const started = Date.now();
    execFileSync(process.execPath, args, {
      cwd: scratch,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ...crossEnv, NODE_PATH: join(root, 'node_modules'), JOBS: process.env.JOBS ?? 'max' },
    });
    console.log(`bundle:lambda: compiled ${pkg.name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const release = join(scratch, 'build', 'Release');
    const built = readdirSync(release).find((f) => f.endsWith('.node'));
    if (!built) fail(`node-gyp built no .node file in ${release}`);
    binary = join(dest, 'build', 'Release', built);
    copy(join(release, built), binary);
    rmSync(scratch, { recursive: true, force: true });
  } else if (native === 'local') {
    // The binding this machine's install loads (node-gyp-build's choice), at the same place.
    const loaded = require('node-gyp-build').path(src);
    binary = join(dest, relative(src, loaded));
    copy(loaded, binary);
  } else {
    const from = join(src, 'prebuilds', `linux-${arch}`, pkg.prebuilt);
    if (!existsSync(from)) fail(`${pkg.name} ships no prebuild for linux-${arch}; build it on the target (--native build in the SAM build image)`);
    binary = join(dest, 'prebuilds', `linux-${arch}`, pkg.prebuilt);
    copy(from, binary);
  }
  const needs = libraryNeeds(binary);
  const tooNew = compare(needs.glibc, LAMBDA_GLIBC) > 0 || compare(needs.glibcxx, LAMBDA_GLIBCXX) > 0;
  report.push(`${relative(out, binary)}: needs GLIBC_${needs.glibc.join('.')}, GLIBCXX_${needs.glibcxx.join('.')}${tooNew ? ' (newer than Amazon Linux 2023 provides)' : ''}`);
  if (tooNew && !values['allow-newer-libs'])
    fail(
      `${relative(out, binary)} needs GLIBC_${needs.glibc.join('.')} / GLIBCXX_${needs.glibcxx.join('.')}, more than Lambda's Amazon Linux 2023 ` +
        `(GLIBC_${LAMBDA_GLIBC.join('.')}, GLIBCXX_${LAMBDA_GLIBCXX.join('.')}): it would not load there. Build it on the target instead: ` +
        'sam build --use-container (or --native build inside the SAM build image); --allow-newer-libs bundles it anyway (for running elsewhere).',
    );
}
const gypBuild = packageDir('node-gyp-build');
for (const f of ['package.json', 'index.js', 'node-gyp-build.js', 'LICENSE']) if (existsSync(join(gypBuild, f))) copy(join(gypBuild, f), join(out, 'node_modules', 'node-gyp-build', f));

// 4. The zip: sorted entries and a fixed date, so the same inputs give the same bytes (and
//    `sam deploy` uploads nothing new when nothing changed).
const files = (dir) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile()).sort();
let zipPath;
if (!values['no-zip']) {
  zipPath = resolve(values.zip);
  mkdirSync(dirname(zipPath), { recursive: true });
  writeFileSync(zipPath, zip(out, files(out)));
}
const size = (f) => statSync(f).size;
console.log(`bundle:lambda: ${out} (linux-${arch}, native ${native}${cross ? `, cross compiler ${cross}g++` : ''})`);
for (const line of report) console.log(`  ${line}`);
console.log(`  handler bundle: ${(size(join(out, 'dist', 'serverless', 'handler.js')) / 1024).toFixed(0)} KiB`);
if (zipPath) console.log(`  zip: ${zipPath} (${(size(zipPath) / 1024).toFixed(0)} KiB)`);

function crc32(buf) {
  let table = crc32.table;
  if (!table) {
    table = crc32.table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let c = -1;
  for (let i = 0; i < buf.length; i++) c = table[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** A zip archive (deflate) of the given files under dir. */
function zip(dir, names) {
  const DOS_DATE = (1 << 5) | 1; // 1980-01-01, 00:00
  const locals = [];
  const central = [];
  let offset = 0;
  for (const name of names) {
    const data = readFileSync(join(dir, name));
    const packed = deflateRawSync(data, { level: 9 });
    const fileName = Buffer.from(name.split(sep).join('/'), 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    locals.push(local, fileName, packed);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode below counts
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt16LE(0, 12);
    entry.writeUInt16LE(DOS_DATE, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(packed.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(fileName.length, 28);
    entry.writeUInt32LE(((0o100644 << 16) >>> 0), 38); // -rw-r--r--
    entry.writeUInt32LE(offset, 42);
    central.push(entry, fileName);
    offset += local.length + fileName.length + packed.length;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(names.length, 8);
  end.writeUInt16LE(names.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...central, end]);
}
