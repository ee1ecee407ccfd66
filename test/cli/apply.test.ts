import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, venvPython } from '../helpers/python';

/**
 * Issue 11: the loop scan → tune → report → apply from the command line, on real TensorFlow and
 * hyperopt. Each runnable fixture gets a real 3-trial `optpar tune` in a scratch copy; its
 * results are then applied back, the file re-scanned, and every applied value must equal the
 * chosen trial's while the rest of the file is byte for byte what it was.
 */
const bin = join(repoRoot, 'bin', 'optpar.js');
const kerasDir = join(repoRoot, 'test', 'fixtures', 'keras');
const TIMEOUT = 420_000;
const FIXTURES = ['sequential_cnn.py', 'functional_mlp.py', 'build_model_constants.py', 'subclassed_model.py', 'lstm_sequences.py'];

function optpar(args: string[], cwd = repoRoot, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PYTHONUNBUFFERED: '1', ...env },
    timeout: TIMEOUT - 20_000,
    maxBuffer: 1 << 26,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonHp {
  id: string;
  value: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}
interface Results {
  version: number;
  model: { path: string; sha256: string; values: Record<string, { text: string; line: number; column: number }> };
  original: { params: Record<string, unknown>; loss: number; trial: number };
  best: { params: Record<string, unknown>; loss: number; trial: number };
  trials: { number: number; status: string; loss: number | null; params: Record<string, unknown>; duration: number | null; error: string | null }[];
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const scan = (file: string): JsonHp[] => {
  const r = optpar(['scan', file, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).files[0].hyperparameters;
};

/** The value a scan's source text stands for, as the results file writes it. */
function parsePy(text: string, id: string): unknown {
  const t = text.trim();
  if (id.endsWith('.class')) return t.split('.').pop();
  if (/^['"]/.test(t)) return t.slice(1, -1);
  if (t === 'True' || t === 'False') return t === 'True';
  const seq = /^[([](.*)[)\]]$/.exec(t);
  if (seq) {
    const items = seq[1].split(',').map((s) => s.trim()).filter(Boolean).map((s) => parsePy(s, id));
    // A tuple tuned as one value: the results hold its element.
    return items.every((v) => v === items[0]) ? items[0] : items;
  }
  return Number(t.replace(/_/g, ''));
}

/** The source text of a scanned value's span. */
function spanText(text: string, h: JsonHp): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return text.slice(starts[h.line - 1] + h.column - 1, starts[h.endLine - 1] + h.endColumn - 1);
}

/** The text with each listed value's text cut out: equal masks mean nothing else changed. */
function mask(text: string, hps: JsonHp[], ids: Set<string>): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const at = (line: number, column: number) => starts[line - 1] + column - 1;
  const spans = hps.filter((h) => ids.has(h.id)).map((h) => ({ id: h.id, start: at(h.line, h.column), end: at(h.endLine, h.endColumn) }));
  spans.sort((a, b) => b.start - a.start || a.id.localeCompare(b.id));
  let out = text;
  // Two ids on one span (an implicit value at its optimizer string): masked once.
  for (const s of spans.filter((x, i) => i === 0 || x.start !== spans[i - 1].start || x.end !== spans[i - 1].end)) out = out.slice(0, s.start) + `\u0000${s.id}\u0000` + out.slice(s.end);
  return out;
}

let tmp: string;
/** Applied files whose optimizer="adam" became an object: built with real Keras at the end. */
const applied: { path: string; want: Record<string, unknown>; id: string }[] = [];
beforeAll(() => {
  const b = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', repoRoot], { encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`build failed:\n${b.stdout}${b.stderr}`);
  venvPython();
  tmp = mkdtempSync(join(tmpdir(), 'optpar-apply-'));
}, 180_000);

describe('optpar COMMAND --help', () => {
  it.each(['scan', 'parametrize', 'harness', 'tune', 'report', 'apply', 'lsp'])('%s --help prints its own usage and exits 0', (command) => {
    const r = optpar([command, '--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^optpar ${command}: `));
    expect(r.stdout).toContain(`optpar ${command} `);
    expect(r.stderr).toBe('');
  });
  it('a usage error names the command and prints that command\'s usage', () => {
    const r = optpar(['apply', '--trial', 'x', 'm.py']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^optpar apply: --trial must be a trial number/);
    expect(r.stderr).toContain('optpar apply [RESULTS.json] MODEL.py [--trial N] [--dry-run]');
    expect(r.stderr).not.toContain('optpar scan FILE');
  });
});

describe.sequential('scan → tune → report → apply on real TensorFlow', () => {
  describe.each(FIXTURES)('%s', (fixture) => {
    it('a 3-trial search keeps its files in .optpar/<name>/; applying the best and another trial writes exactly their values', () => {
      const dir = join(tmp, fixture.replace('.py', ''));
      mkdirSync(dir, { recursive: true });
      const model = join(dir, fixture);
      copyFileSync(join(kerasDir, fixture), model);
      const original = readFileSync(model, 'utf8');
      const name = fixture.replace('.py', '');

      const r = optpar(['tune', model, '--max-evals', '3'], dir);
      expect(r.code, r.stderr.slice(-3000)).toBe(0);
      const out = join(dir, '.optpar', name);
      for (const f of ['results.json', 'trials.pkl', 'report.html', `tune_${fixture}`]) expect(existsSync(join(out, f)), f).toBe(true);
      // Third-party start-up lines are quieted; the progress is one readable line per trial.
      expect(r.stderr).not.toMatch(/cpu_feature_guard|oneDNN custom operations|absl::InitializeLog/);
      expect(r.stderr).toMatch(/optpar: progress: 3\/3 trials, best loss [\d.e+-]+/);
      expect(r.stdout).toContain(`optpar: report in ${join(out, 'report.html')}`);

      const results: Results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      expect(results.version).toBe(1);
      expect(results.model.path).toBe(model);
      expect(results.model.sha256).toBe(sha256(original));
      expect(results.trials).toHaveLength(3);
      for (const t of results.trials) {
        for (const k of ['number', 'status', 'loss', 'params', 'duration', 'error']) expect(t, k).toHaveProperty(k);
        expect(['ok', 'failed', 'pruned']).toContain(t.status);
      }
      expect(results.original.trial).toBe(1);
      expect(results.best.loss).toBe(Math.min(...results.trials.filter((t) => t.status === 'ok').map((t) => t.loss!)));
      const before = scan(model);
      for (const [id, v] of Object.entries(results.model.values)) {
        const h = before.find((x) => x.id === id)!;
        expect(spanText(original, h), id).toBe(v.text);
      }

      // Apply a trial that differs from the original (the best may be the original itself), then the best.
      const other = results.trials.filter((t) => t.status === 'ok' && t.number !== 1).pop() ?? results.trials[1];
      for (const trial of [other.number, results.best.trial]) {
        writeFileSync(model, original);
        const want = results.trials.find((t) => t.number === trial)!.params;
        const dry = optpar(['apply', model, '--trial', String(trial), '--dry-run'], dir);
        expect(dry.code, dry.stderr).toBe(0);
        expect(readFileSync(model, 'utf8')).toBe(original);
        const a = optpar(['apply', model, '--trial', String(trial)], dir);
        expect(a.code, a.stderr).toBe(0);
        // Every value is written, the implicit rate of optimizer="adam" included.
        expect(a.stderr).not.toContain('optpar: skipped');
        const text = readFileSync(model, 'utf8');
        if (!isDeepStrictEqual(want, results.original.params)) {
          expect(text).not.toBe(original);
          expect(dry.stdout).toMatch(/^--- a\/.*\n\+\+\+ b\/.*\n@@ /);
        }
        const after = scan(model);
        for (const [id, v] of Object.entries(want)) {
          // optimizer="adam" written as an object (its rate not Adam's default): the name is its class now.
          const h = after.find((x) => x.id === id) ?? after.find((x) => x.id === `${id}.class`);
          expect(h, `${id} after apply`).toBeDefined();
          if (h!.id !== id) expect(String(parsePy(h!.value, h!.id)).toLowerCase(), `${id} (trial ${trial})`).toBe(v);
          else expect(parsePy(h!.value, id), `${id} = ${h!.value} (trial ${trial})`).toEqual(v);
        }
        const ids = new Set(Object.keys(want));
        // The object written for optimizer="adam" (class and rate) stands where the string was:
        // masked as that one value.
        const forMask = [...after];
        for (const id of ids) {
          const cls = after.find((x) => x.id === `${id}.class`);
          const rate = after.find((x) => x.id === `${id}.learning_rate`);
          if (after.some((x) => x.id === id) || !cls || !rate) continue;
          expect(text.split('\n')[rate.endLine - 1][rate.endColumn - 1], 'the object ends after its rate').toBe(')');
          forMask.splice(forMask.indexOf(rate), 1);
          forMask.push({ ...cls, id, endLine: rate.endLine, endColumn: rate.endColumn + 1 });
          forMask.splice(forMask.indexOf(cls), 1);
          applied.push({ path: join(dir, `applied-${trial}.py`), want, id });
          writeFileSync(join(dir, `applied-${trial}.py`), text);
        }
        // A class the file did not import joins the import of the class it replaces.
        let masked = mask(text, forMask, ids);
        for (const [id, v] of Object.entries(want)) if (id.endsWith('.class')) masked = masked.replace(new RegExp(`(import [^\n]*), ${v}\n`), '$1\n');
        expect(masked).toBe(mask(original, before, ids));
      }
      // The HTML report regenerates from the file alone.
      const page = join(dir, 'again.html');
      const rep = optpar(['report', join(out, 'results.json'), '-o', page]);
      expect(rep.code, rep.stderr).toBe(0);
      expect(readFileSync(page, 'utf8')).toContain('<canvas id="chart-loss"');
    }, TIMEOUT);
  });

  it('optimizer="adam" applied with its searched rate: real Keras builds the chosen class at that rate from the applied file', () => {
    expect(applied.length, 'subclassed_model.py compiles with optimizer="adam"').toBeGreaterThan(0);
    const run = spawnSync(venvPython(), [join(repoRoot, 'test', 'refactor', 'build_optimizers.py'), ...applied.map((a) => a.path)], {
      encoding: 'utf8',
      cwd: tmp,
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
      timeout: TIMEOUT - 20_000,
      maxBuffer: 1 << 26,
    });
    expect(run.status, run.stderr.slice(-3000)).toBe(0);
    const built: Record<string, { class: string; learning_rate: number }[]> = JSON.parse(run.stdout.trim().split('\n').pop()!);
    for (const a of applied) {
      const [opt] = built[a.path];
      expect(opt.class.toLowerCase(), a.path).toBe(a.want[a.id]);
      const lr = a.want[`${a.id}.learning_rate`] as number;
      expect(Math.abs(opt.learning_rate - lr) / lr, a.path).toBeLessThan(1e-6);
    }
  }, TIMEOUT);

  it('a second tune resumes the search; --fresh starts over', () => {
    const dir = join(tmp, 'functional_mlp');
    const model = join(dir, 'functional_mlp.py');
    writeFileSync(model, readFileSync(join(kerasDir, 'functional_mlp.py')));
    const again = optpar(['tune', model, '--max-evals', '4'], dir);
    expect(again.code, again.stderr.slice(-2000)).toBe(0);
    expect(again.stderr).toContain('resuming the search in');
    expect(again.stderr).toMatch(/resuming: 3 trial\(s\) already in .*trials\.pkl/);
    expect(again.stderr).not.toContain('trial 3 started');
    expect(again.stderr).toContain('trial 4 started');
    const fresh = optpar(['tune', model, '--max-evals', '2', '--fresh'], dir);
    expect(fresh.code, fresh.stderr.slice(-2000)).toBe(0);
    expect(fresh.stderr).not.toContain('resuming');
    const results: Results = JSON.parse(readFileSync(join(dir, '.optpar', 'functional_mlp', 'results.json'), 'utf8'));
    expect(results.trials.map((t) => t.number)).toEqual([1, 2]);
  }, TIMEOUT);

  it('an edited model: the value changed by hand is skipped and named, the others applied', () => {
    const dir = join(tmp, 'functional_mlp');
    const model = join(dir, 'functional_mlp.py');
    const original = readFileSync(join(kerasDir, 'functional_mlp.py'), 'utf8');
    // Results of a 3-trial search of the unedited file (--out keeps them apart).
    writeFileSync(model, original);
    const out = join(dir, 'edited-search');
    const r = optpar(['tune', model, '--max-evals', '3', '--out', out, '--seed', '3'], dir);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const results: Results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const trial = results.trials.find((t) => t.number === 2)!;
    expect(Object.keys(trial.params)).toContain('dropout.rate');
    // Changed by hand after the search: Dropout(rate=0.2) becomes 0.35.
    const edited = original.replace('Dropout(rate=0.2)', 'Dropout(rate=0.35)');
    expect(edited).not.toBe(original);
    writeFileSync(model, edited);
    const a = optpar(['apply', join(out, 'results.json'), model, '--trial', '2'], dir);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toContain('functional_mlp.py changed since the search');
    expect(a.stderr).toContain('optpar: skipped dropout.rate: changed since the search (was 0.2, now 0.35)');
    const text = readFileSync(model, 'utf8');
    expect(text).toContain('Dropout(rate=0.35)');
    const after = scan(model);
    for (const [id, v] of Object.entries(trial.params)) {
      if (id === 'dropout.rate') continue;
      expect(parsePy(after.find((h) => h.id === id)!.value, id), id).toEqual(v);
    }
  }, TIMEOUT);

  it('refusals: no results file (names the tune command), a trial that does not exist', () => {
    const dir = join(tmp, 'refusals');
    mkdirSync(dir, { recursive: true });
    const model = join(dir, 'm.py');
    copyFileSync(join(kerasDir, 'functional_mlp.py'), model);
    const none = optpar(['apply', model], dir);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/results\.json: no such file \(run optpar tune .*m\.py first/);
    const res = join(tmp, 'functional_mlp', 'edited-search', 'results.json');
    const missing = optpar(['apply', res, model, '--trial', '99'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no trial 99 in the results/);
    expect(readFileSync(model, 'utf8')).toBe(readFileSync(join(kerasDir, 'functional_mlp.py'), 'utf8'));
  });
});
