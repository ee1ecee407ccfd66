/**
 * Emacs in batch mode with eglot and the shipped clients/emacs/optpar.el, unchanged: optpar's
 * diagnostics reach flymake, "Parametrize <param>" from eglot-code-actions rewrites exactly
 * that value, and "Generate tuning harness" writes tune_<file>.py through the server's
 * executeCommand fallback (eglot has no CreateFile).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS_SCHEMA } from '../../server/src/lsp/settings';
import { APPLIED, BEST, EMACS_PACKAGE_SETUP, ensureEmacs, projectWith, repoRoot, serverOnPath, warnSkip } from './editors';
import { writeResultsBeside } from '../helpers/results';

// At collection time, so that skipIf sees the answer (apt-get may take a few minutes).
const emacs = ensureEmacs();
warnSkip('Emacs (eglot)', emacs);

const optparEl = join(repoRoot, 'clients', 'emacs', 'optpar.el');
const driver = join(repoRoot, 'test', 'fixtures', 'clients', 'emacs', 'test.el');
const fixture = readFileSync(join(repoRoot, 'test', 'fixtures', 'keras', 'sequential_cnn.py'), 'utf8');
const applyDriver = join(repoRoot, 'test', 'fixtures', 'clients', 'emacs', 'apply.el');

describe(`Emacs client (${emacs.available ? emacs.version : `SKIPPED: ${emacs.reason}`})`, () => {
  it.skipIf(!emacs.available)(
    'optpar.el + eglot: flymake diagnostics, the Parametrize action for conv2d.filters, then the harness via executeCommand',
    () => {
      const { dir, file } = projectWith('emacs', 'model.py', fixture);
      const resultPath = join(dir, 'result.json');
      const r = spawnSync('emacs', ['--batch', '-Q', '--eval', EMACS_PACKAGE_SETUP, '-l', optparEl, '-l', driver], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 150_000,
        env: {
          ...process.env,
          PATH: `${serverOnPath()}:${process.env.PATH}`,
          OPTPAR_FILE: file,
          OPTPAR_AT: '16, kernel_size',
          OPTPAR_RESULT: resultPath,
        },
      });
      let result: any;
      try {
        result = JSON.parse(readFileSync(resultPath, 'utf8'));
      } catch {
        throw new Error(`emacs wrote no report (status ${r.status}, signal ${r.signal})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      }
      expect(result.log, `${JSON.stringify(result, null, 2)}\n${r.stderr}`).toEqual([]);
      expect(result.exit).toBe(0);
      expect(result.mode).toBe('python-mode');

      const lines = fixture.split('\n');
      const diagLines = result.diagnostics.map((d: any) => lines[d.line - 1]);
      expect(result.diagnostics.length).toBeGreaterThanOrEqual(5);
      expect(diagLines.some((l: string) => l.includes('Conv2D(16'))).toBe(true);
      expect(diagLines.some((l: string) => l.includes('Dropout(0.25)'))).toBe(true);

      expect(result.titles).toContain("Parametrize filters (params['conv2d.filters'])");
      expect(result.chosen).toBe("Parametrize filters (params['conv2d.filters'])");
      expect(readFileSync(file, 'utf8')).toBe(fixture.replace('layers.Conv2D(16,', "layers.Conv2D(params['conv2d.filters'],"));

      expect(result.harness_chosen).toBe('Generate tuning harness tune_model.py');
      const harness = join(dir, 'tune_model.py');
      expect(existsSync(harness)).toBe(true);
      expect(readFileSync(harness, 'utf8')).toContain('fmin');
    },
    200_000,
  );

  it.skipIf(!emacs.available)(
    'optpar.el + eglot: with a search\'s results beside the model, best-value diagnostics, then "Apply best values" rewrites exactly those values (one undo step)',
    () => {
      const { dir, file } = projectWith('emacs-apply', 'model.py', fixture);
      writeResultsBeside(file, fixture, BEST);
      const resultPath = join(dir, 'result.json');
      const r = spawnSync('emacs', ['--batch', '-Q', '--eval', EMACS_PACKAGE_SETUP, '-l', optparEl, '-l', applyDriver], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 150_000,
        env: { ...process.env, PATH: `${serverOnPath()}:${process.env.PATH}`, OPTPAR_FILE: file, OPTPAR_RESULT: resultPath },
      });
      let result: any;
      try {
        result = JSON.parse(readFileSync(resultPath, 'utf8'));
      } catch {
        throw new Error(`emacs wrote no report (status ${r.status}, signal ${r.signal})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      }
      expect(result.log, `${JSON.stringify(result, null, 2)}\n${r.stderr}`).toEqual([]);
      expect(result.exit).toBe(0);
      expect(result.diagnostics.map((d: string) => /([\w.]+): best value in the last search/.exec(d)?.[1]).sort()).toEqual(Object.keys(BEST).sort());
      expect(result.chosen).toBe('Apply best values (loss 0.52 → 0.41; 5 values)');
      expect(result.buffer).toBe(APPLIED);
      expect(result.after_undo).toBe(fixture);
      expect(readFileSync(file, 'utf8')).toBe(APPLIED);
    },
    200_000,
  );

  it.skipIf(!emacs.available)('optpar.el loads with neither eglot nor lsp-mode, and its options are the server settings with their defaults', () => {
    const r = spawnSync('emacs', ['--batch', '-Q', '-l', optparEl, '--eval',
      `(progn (require 'json) (princ (json-encode (list (cons 'eglot (featurep 'eglot)) (cons 'keys (mapcar #'car optpar--settings)) (cons 'settings (optpar-settings-plist))))))`],
      { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.eglot).toBe(null); // nothing loaded eglot: the registration waits for it
    expect([...out.keys].sort()).toEqual(Object.keys(SETTINGS_SCHEMA).sort());
    const defaults: Record<string, any> = {};
    for (const [key, spec] of Object.entries(SETTINGS_SCHEMA)) {
      const parts = key.split('.');
      let o = defaults;
      for (const p of parts.slice(0, -1)) o = o[p] ??= {};
      o[parts[parts.length - 1]] = spec.default;
    }
    expect(out.settings).toEqual(defaults);
  });
});
