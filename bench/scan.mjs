// Benchmark: bare tree-sitter parse vs full scan of a generated 3,500-line Keras file
// (goal: warm scan < 2x parse), and the scan time of a 100,000-line file.
// Run after `npm run build` (uses dist/).
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { generateBenchModel, generateLargeFile } from './model.mjs';

const require = createRequire(import.meta.url);
const { parsePython } = require('../dist/analysis/parse.js');
const { scanSource } = require('../dist/analysis/scan.js');
const { loadCatalogue } = require('../dist/catalogue/load.js');

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const WARMUP = 5;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function time(fn, runs = RUNS, warmup = WARMUP) {
  for (let i = 0; i < warmup; i++) fn();
  const times = [];
  let last;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = fn();
    times.push(performance.now() - t0);
  }
  return { median: median(times), min: Math.min(...times), last };
}

// --compare DIR: the same scan by another build of optpar (DIR/dist, e.g. a git worktree of an
// earlier commit built with tsc), timed in this process alternately with this build's, so both see
// the same machine load; prints both medians and minimums and exits.
const compareAt = process.argv.indexOf('--compare');
if (compareAt > 0) {
  const other = process.argv[compareAt + 1];
  const rounds = Number(process.env.BENCH_ROUNDS ?? 60);
  const theirs = {
    scanSource: require(`${other}/dist/analysis/scan.js`).scanSource,
    catalogue: require(`${other}/dist/catalogue/load.js`).loadCatalogue().catalogue,
  };
  const ours = { scanSource, catalogue: loadCatalogue().catalogue };
  const input = generateBenchModel(250);
  const times = { ours: [], theirs: [], parse: [] };
  for (let i = 0; i < WARMUP; i++) for (const e of [ours, theirs]) e.scanSource(input, e.catalogue);
  for (let i = 0; i < rounds; i++) {
    // Alternate which goes first, so neither always follows the other's garbage.
    const order = i % 2 ? [['theirs', theirs], ['ours', ours]] : [['ours', ours], ['theirs', theirs]];
    for (const [name, e] of order) {
      // With --expose-gc: each scan starts on a clean heap, so neither pays for the other's garbage.
      globalThis.gc?.();
      const t0 = performance.now();
      e.scanSource(input, e.catalogue);
      times[name].push(performance.now() - t0);
    }
    const t0 = performance.now();
    parsePython(input);
    times.parse.push(performance.now() - t0);
  }
  const row = (name) => `${median(times[name]).toFixed(1)} ms median, ${Math.min(...times[name]).toFixed(1)} ms min`;
  console.log(`scan of the ${input.split('\n').length - 1}-line bench file, ${rounds} interleaved rounds after ${WARMUP} warm-up`);
  console.log(`  this build:   ${row('ours')}`);
  console.log(`  ${other}: ${row('theirs')}`);
  console.log(`  parse:        ${row('parse')}`);
  console.log(`  ratio (this / other): median ${(median(times.ours) / median(times.theirs)).toFixed(3)}, min ${(Math.min(...times.ours) / Math.min(...times.theirs)).toFixed(3)}`);
  // Each round's two scans ran back to back: their ratio cancels most of the machine's drift.
  const paired = median(times.ours.map((t, i) => t / times.theirs[i]));
  console.log(`  per-round ratio: median ${paired.toFixed(3)}${globalThis.gc ? ' (heap collected before each scan)' : ' (run with node --expose-gc to collect the heap before each scan)'}`);
  if (process.env.BENCH_JSON) console.log(JSON.stringify({ ours: times.ours, theirs: times.theirs, parse: times.parse }));
  process.exit(0);
}

const { catalogue, errors } = loadCatalogue();
if (errors.length) console.warn(`warning: ${errors.length} catalogue error(s)`);

const text = generateBenchModel(250);
const lines = text.split('\n').length - 1;
const parse = time(() => parsePython(text));
const scan = time(() => scanSource(text, catalogue));
const found = scan.last.hyperparameters.length;
const ratio = scan.median / parse.median;

const fmt = (ms) => `${ms.toFixed(2)} ms`;
console.log(`scan benchmark (${RUNS} runs after ${WARMUP} warm-up, median)`);
console.log(`  model file:        ${lines} lines, 250 functions, ${found} hyperparameters`);
console.log(`  bare parse:        ${fmt(parse.median)} (min ${fmt(parse.min)})`);
console.log(`  full scan (warm):  ${fmt(scan.median)} (min ${fmt(scan.min)})`);
console.log(`  ratio scan/parse:  ${ratio.toFixed(2)}x (goal < 2x) ${ratio < 2 ? 'OK' : 'OVER GOAL'}`);

const large = generateLargeFile(100000);
const largeRuns = Number(process.env.BENCH_LARGE_RUNS ?? 3);
const largeParse = time(() => parsePython(large), largeRuns, 1);
const largeScan = time(() => scanSource(large, catalogue), largeRuns, 1);
console.log(`  100,000-line file: scan ${fmt(largeScan.median)}, parse ${fmt(largeParse.median)} (median of ${largeRuns}), ${largeScan.last.hyperparameters.length} hyperparameters`);

if (process.env.BENCH_JSON) {
  console.log(JSON.stringify({ lines, parseMs: parse.median, scanMs: scan.median, ratio, largeScanMs: largeScan.median, largeParseMs: largeParse.median }));
}
