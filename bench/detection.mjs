// Detection report (issue 10 §7): scans each file of the real-style fixture corpus with the built
// engine (dist/) and compares what it offers to tune with bench/detection/expected.yaml, written
// by reading each file as a practitioner would. Prints per file and in total: the values an
// expert would tune that optpar offers (found / expected), the task-changing values it offers
// (goal 0), the inert ones it offers, and every other value it offers, for a reader to judge.
// Run after `npm run build`: `node bench/detection.mjs [--json] [--verbose] [--strict]` or
// `npm run bench:detection`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const YAML = require('yaml');

/** One expectation: a line, the parameter names it may carry, an optional value, a note. */
function parseEntry(entry, file) {
  // "LINE PARAM: note" is a one-key mapping in YAML, or a string when quoted.
  const [head, note] = typeof entry === 'string' ? [entry.split(/: /)[0], entry.includes(': ') ? entry.slice(entry.indexOf(': ') + 2) : undefined] : Object.entries(entry)[0];
  const m = /^(\d+)\s+([\w|*]+)(?:=(\S+))?$/.exec(String(head).trim());
  if (!m) throw new Error(`${file}: cannot read the expectation "${head}"`);
  return { line: Number(m[1]), params: m[2].split('|'), value: m[3], note: note === null ? undefined : note, text: String(head).trim() };
}

export function loadExpectations(path = join(root, 'bench', 'detection', 'expected.yaml')) {
  const doc = YAML.parse(readFileSync(path, 'utf8'));
  return Object.entries(doc.files).map(([file, e]) => ({
    file,
    style: e.style,
    tune: (e.tune ?? []).map((x) => parseEntry(x, file)),
    never: (e.never ?? []).map((x) => parseEntry(x, file)),
    inert: (e.inert ?? []).map((x) => parseEntry(x, file)),
    may: (e.may ?? []).map((x) => parseEntry(x, file)),
  }));
}

const unquote = (s) => s.replace(/^[rRbBuU]?(['"])(.*)\1$/s, '$2');

function matches(entry, h) {
  if (h.line !== entry.line) return false;
  if (!entry.params.includes('*') && !entry.params.includes(h.param) && !(h.writtenAs && entry.params.includes(h.writtenAs))) return false;
  return entry.value === undefined || unquote(h.value) === entry.value;
}

/** Assigns each hyperparameter to at most one expectation slot of `entries` (duplicates are separate slots). */
function assign(entries, hps, taken) {
  const out = [];
  for (const entry of entries) {
    const h = hps.find((x) => !taken.has(x) && matches(entry, x));
    if (h) taken.add(h);
    out.push({ entry, h });
  }
  return out;
}

function lineOf(text) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** Scans every file of the corpus and compares. */
export function detect({ dist = join(root, 'dist'), engine, expectations = loadExpectations() } = {}) {
  // The built engine by default; a test may hand in the sources' own functions.
  const { scanSource } = engine ?? require(join(dist, 'analysis', 'scan.js'));
  const { loadCatalogue } = engine ?? require(join(dist, 'catalogue', 'load.js'));
  const { catalogue } = loadCatalogue();
  const files = [];
  for (const exp of expectations) {
    const text = readFileSync(join(root, exp.file), 'utf8');
    const line = lineOf(text);
    const reported = scanSource(text, catalogue).hyperparameters.map((h) => ({
      id: h.id,
      param: h.param,
      writtenAs: h.writtenAs,
      value: h.value,
      kind: h.kind,
      reason: h.reason,
      definition: h.definition,
      line: line(h.span.start),
    }));
    const offered = reported.filter((h) => h.kind === 'hyperparameter');
    const taken = new Set();
    const tune = assign(exp.tune, offered, taken);
    const never = assign(exp.never, offered, taken);
    const inert = assign(exp.inert, offered, taken);
    // Any number of offered values may fall under one "may" entry.
    const may = offered.filter((h) => !taken.has(h) && exp.may.some((e) => matches(e, h)));
    for (const h of may) taken.add(h);
    const describe = (h) => `${h.id} (line ${h.line}, ${h.param}=${h.value}${h.definition === 'implicit' ? ', implicit' : ''})`;
    const misses = tune
      .filter((s) => !s.h)
      .map(({ entry }) => {
        const seen = reported.find((h) => h.kind !== 'hyperparameter' && matches(entry, h));
        return { expected: entry.text, note: entry.note, reported: seen ? `${seen.id}: ${seen.kind}${seen.reason ? ` (${seen.reason})` : ''}` : 'not reported' };
      });
    files.push({
      file: exp.file,
      style: exp.style,
      expected: exp.tune.length,
      found: tune.filter((s) => s.h).length,
      misses,
      taskChanging: never.filter((s) => s.h).map(({ entry, h }) => ({ expected: entry.text, note: entry.note, offered: describe(h) })),
      neverFixed: never.filter((s) => !s.h).length,
      neverTotal: exp.never.length,
      inert: inert.filter((s) => s.h).map(({ entry, h }) => ({ expected: entry.text, note: entry.note, offered: describe(h) })),
      may: may.length,
      other: offered.filter((h) => !taken.has(h)).map(describe),
      offered: offered.length,
    });
  }
  const sum = (k) => files.reduce((a, f) => a + (typeof f[k] === 'number' ? f[k] : f[k].length), 0);
  return {
    files,
    total: {
      files: files.length,
      expected: sum('expected'),
      found: sum('found'),
      taskChanging: sum('taskChanging'),
      never: sum('neverTotal'),
      inert: sum('inert'),
      may: sum('may'),
      other: sum('other'),
      offered: sum('offered'),
    },
  };
}

function print(report, verbose) {
  const pad = (s, n) => String(s).padEnd(n);
  console.log('detection report: optpar scan against bench/detection/expected.yaml');
  console.log(`${pad('file', 50)} ${pad('found', 9)} ${pad('task-chg', 9)} ${pad('inert', 6)} ${pad('other', 6)} offered`);
  for (const f of report.files) {
    console.log(`${pad(f.file, 50)} ${pad(`${f.found}/${f.expected}`, 9)} ${pad(f.taskChanging.length, 9)} ${pad(f.inert.length, 6)} ${pad(f.other.length, 6)} ${f.offered}`);
    for (const m of f.misses) console.log(`    missed   ${m.expected}${m.note ? ` (${m.note})` : ''}: ${m.reported}`);
    for (const t of f.taskChanging) console.log(`    TASK-CHANGING offered ${t.offered}: expected never (${t.expected}${t.note ? `: ${t.note}` : ''})`);
    for (const t of f.inert) console.log(`    inert offered ${t.offered}${t.note ? `: ${t.note}` : ''}`);
    if (verbose || f.other.length <= 6) for (const o of f.other) console.log(`    other    ${o}`);
    else console.log(`    other    ${f.other.length} values (--verbose lists them)`);
  }
  const t = report.total;
  console.log(
    `total: ${t.files} files; expert values found ${t.found}/${t.expected} (${((100 * t.found) / t.expected).toFixed(1)} %); ` +
      `task-changing values offered ${t.taskChanging} (goal 0) of ${t.never} that must not be; inert offered ${t.inert}; ` +
      `other offered ${t.other}; acceptable extras ${t.may}; offered in all ${t.offered}`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const report = detect();
  if (process.argv.includes('--json')) console.log(JSON.stringify(report, null, 2));
  else print(report, process.argv.includes('--verbose'));
  // --strict: exit 1 when a task-changing value is offered (test/bench/detection.test.ts checks it too).
  process.exitCode = process.argv.includes('--strict') && report.total.taskChanging > 0 ? 1 : 0;
}
