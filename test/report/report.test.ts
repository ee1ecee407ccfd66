import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, venvPython } from '../helpers/python';
import { Browser, decodePng, ensureChromium, type Page } from './browser';

/**
 * Issue 11 §2: `optpar report` writes one self-contained page. Opened in Debian's headless
 * Chromium: every plot is drawn (canvases present, with pixels), the screenshot is not blank and
 * holds the plots' colours, the tables list the values and the failures, and no request leaves
 * the page (the page's own CSP bypassed, so an attempt would be seen).
 */
const bin = join(repoRoot, 'bin', 'optpar.js');
const chromium = ensureChromium();
const maybe = chromium.binary ? describe : describe.skip;
if (!chromium.binary) console.error(`\n*** SKIPPING the report browser tests: ${chromium.reason} ***\n`);

function optpar(args: string[], cwd = repoRoot) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 400_000, env: { ...process.env, PYTHONUNBUFFERED: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A results file (format version 1) with every shape the page draws: ints, a log-scale float,
 * a string choice, a square kernel tuned as one value; ok, failed (build and training) and pruned trials. */
function results() {
  const trial = (n: number, status: string, loss: number | null, p: [number, number, string, number], error: string | null = null, phase: string | null = null) => ({
    number: n,
    params: { 'dense.units': p[0], 'compile.optimizer.learning_rate': p[1], 'dense.activation': p[2], 'conv2d.kernel_size': p[3] },
    status,
    phase,
    loss,
    error,
    duration: 1.5 + n,
    seed: 7919 * n,
    best_epoch: loss === null ? null : 2,
    epochs: loss === null ? null : 2,
    metrics: null,
    notes: null,
  });
  const trials = [
    trial(1, 'ok', 0.52, [64, 0.001, 'relu', 3]),
    trial(2, 'ok', 0.61, [32, 0.0003, 'tanh', 5]),
    trial(3, 'failed', null, [128, 0.01, 'gelu', 7], 'ValueError: Computed output size would be negative: -2 [input_size=5, kernel_size=7]', 'build'),
    trial(4, 'ok', 0.41, [128, 0.0021, 'gelu', 3]),
    trial(5, 'ok', 0.47, [256, 0.004, 'relu', 5]),
    trial(6, 'failed', null, [16, 0.009, 'elu', 3], 'FloatingPointError: val_loss was never finite ([nan, nan])', 'training'),
    trial(7, 'ok', 0.44, [64, 0.0015, 'gelu', 3]),
    trial(8, 'pruned', null, [32, 0.0005, 'relu', 5], 'stopped before it finished (the search was interrupted)'),
  ];
  const defaults = { 'dense.units': 64, 'compile.optimizer.learning_rate': 0.001, 'dense.activation': 'relu', 'conv2d.kernel_size': 3 };
  return {
    version: 1,
    source: 'cnn.py',
    model: { path: '/home/user/cnn.py', sha256: 'ab'.repeat(32), values: {} },
    algo: 'tpe',
    seed: 0,
    max_evals: 8,
    interrupted: true,
    n_startup_jobs: 5,
    trials_counted: 7,
    build_failures: 1,
    original: { params: defaults, loss: 0.52, trial: 1, status: 'ok' },
    best: { params: trials[3].params, loss: 0.41, trial: 4, seed: 7919 * 4 },
    improvement: { loss: 0.52 - 0.41, relative: (0.52 - 0.41) / 0.52 },
    defaults,
    space: {
      'dense.units': { kind: 'choice', options: [16, 32, 64, 128, 256] },
      'compile.optimizer.learning_rate': { kind: 'loguniform', low: 0.0001, high: 0.01 },
      'dense.activation': { kind: 'choice', options: ['relu', 'tanh', 'gelu', 'elu'] },
      'conv2d.kernel_size': { kind: 'choice', options: [3, 5, 7] },
    },
    trials,
    reproduce: null,
  };
}

let tmp: string;
let browser: Browser;
beforeAll(() => {
  const b = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', repoRoot], { encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`build failed:\n${b.stdout}${b.stderr}`);
  tmp = mkdtempSync(join(tmpdir(), 'optpar-report-'));
  if (chromium.binary) browser = new Browser(chromium.binary);
}, 120_000);
afterAll(() => browser?.close());

interface Drawn {
  drawn: string | null;
  canvases: { id: string; kind: string; width: number; height: number; inked: number }[];
  valueRows: number;
  failureRows: string[];
  summary: string;
}

/** What the page shows: the canvases and how many of their pixels are painted, the tables. */
const inspect = (page: Page) =>
  page.evaluate<Drawn>(`(() => ({
    drawn: document.body.getAttribute('data-charts-drawn'),
    canvases: [...document.querySelectorAll('canvas')].map((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let inked = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) inked++;
      return { id: c.dataset.id || c.id, kind: c.dataset.chart, width: c.width, height: c.height, inked };
    }),
    valueRows: document.querySelectorAll('#values tbody tr').length,
    failureRows: [...document.querySelectorAll('#failures tbody tr')].map((r) => r.textContent),
    summary: document.getElementById('summary').textContent,
  }))()`);

/** Share of screenshot pixels that are not the white background, and whether a colour occurs. */
function screenshotFacts(png: Buffer, colours: [number, number, number][]) {
  const { width, height, pixels } = decodePng(png);
  let ink = 0;
  const found = colours.map(() => 0);
  const distinct = new Set<number>();
  for (let i = 0; i < pixels.length; i += 4) {
    const [r, g, b] = [pixels[i], pixels[i + 1], pixels[i + 2]];
    if (r < 245 || g < 245 || b < 245) ink++;
    if (distinct.size < 5000) distinct.add((r << 16) | (g << 8) | b);
    colours.forEach(([cr, cg, cb], k) => {
      if (Math.abs(r - cr) <= 3 && Math.abs(g - cg) <= 3 && Math.abs(b - cb) <= 3) found[k]++;
    });
  }
  return { width, height, inkShare: ink / (width * height), distinct: distinct.size, found };
}

maybe('optpar report in headless Chromium', () => {
  it('draws the loss chart and one plot per hyperparameter, lists values and failures, requests nothing', async () => {
    const res = join(tmp, 'results.json');
    writeFileSync(res, JSON.stringify(results(), null, 2));
    const out = join(tmp, 'report.html');
    const r = optpar(['report', res, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    // Self-contained: no external script, style, image or font.
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).toContain("default-src 'none'");

    const url = pathToFileURL(out).href;
    const page = await browser.open(url);
    const facts = await inspect(page);
    expect(page.errors, 'page errors').toEqual([]);
    expect(facts.drawn).toBe('5');
    expect(facts.canvases.map((c) => [c.kind, c.id])).toEqual([
      ['loss', 'chart-loss'],
      ['hyperparameter', 'dense.units'],
      ['hyperparameter', 'compile.optimizer.learning_rate'],
      ['hyperparameter', 'dense.activation'],
      ['hyperparameter', 'conv2d.kernel_size'],
    ]);
    for (const c of facts.canvases) {
      expect(c.width, c.id).toBeGreaterThan(200);
      expect(c.height, c.id).toBeGreaterThan(150);
      // Axes, ticks and points: a drawn chart paints thousands of pixels, an empty canvas none.
      expect(c.inked, `${c.id} painted pixels`).toBeGreaterThan(2000);
    }
    expect(facts.valueRows).toBe(4);
    expect(facts.failureRows).toHaveLength(3);
    expect(facts.failureRows[0]).toContain('Computed output size would be negative');
    expect(facts.failureRows[2]).toMatch(/pruned.*interrupted/);
    expect(facts.summary).toMatch(/original 0\.52 → best 0\.41 \(trial 4\); improvement 0\.11 \(21\.2%\)/);

    const shot = screenshotFacts(await page.screenshot(), [
      [0x1f, 0x6f, 0xeb], // trial points
      [0x2d, 0xa4, 0x4e], // running best and best points
      [0x82, 0x50, 0xdf], // the original values' points
    ]);
    expect(shot.width).toBe(1200);
    expect(shot.inkShare, 'share of non-white pixels').toBeGreaterThan(0.03);
    expect(shot.distinct).toBeGreaterThan(50);
    for (const [k, n] of shot.found.entries()) expect(n, `colour ${k} in the screenshot`).toBeGreaterThan(10);

    // Nothing but the page itself was requested.
    expect(page.requests).toEqual([url]);
  }, 120_000);

  it('the request check can fail: a copy of the page with a remote image is caught', async () => {
    const out = join(tmp, 'leaky.html');
    writeFileSync(out, readFileSync(join(tmp, 'report.html'), 'utf8').replace('<body>', '<body><img src="http://192.0.2.1/pixel.png" alt="">'));
    const page = await browser.open(pathToFileURL(out).href);
    expect(page.requests).toContain('http://192.0.2.1/pixel.png');
  }, 60_000);

  it('the report of a real 3-trial search (written by optpar tune) draws every plot', async () => {
    venvPython();
    const dir = join(tmp, 'search');
    spawnSync('mkdir', ['-p', dir]);
    const model = join(dir, 'functional_mlp.py');
    copyFileSync(join(repoRoot, 'test', 'fixtures', 'keras', 'functional_mlp.py'), model);
    const r = optpar(['tune', model, '--max-evals', '3'], dir);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const results = JSON.parse(readFileSync(join(dir, '.optpar', 'functional_mlp', 'results.json'), 'utf8'));
    const url = pathToFileURL(join(dir, '.optpar', 'functional_mlp', 'report.html')).href;
    const page = await browser.open(url);
    const facts = await inspect(page);
    expect(page.errors).toEqual([]);
    const ids = Object.keys(results.defaults);
    expect(facts.drawn).toBe(String(ids.length + 1));
    expect(facts.canvases.slice(1).map((c) => c.id)).toEqual(ids);
    for (const c of facts.canvases) expect(c.inked, c.id).toBeGreaterThan(2000);
    expect(page.requests).toEqual([url]);
  }, 400_000);
});
