/**
 * Headless Neovim (Debian's 0.7) with the shipped clients/neovim/optpar-legacy.lua, unchanged:
 * optpar's diagnostics arrive, the "Parametrize <param>" code action is offered at a value
 * and applied through vim.lsp.buf.code_action, and the written file is exactly the original
 * with that one value replaced.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPLIED, BEST, ensureNeovim, projectWith, repoRoot, serverOnPath, warnSkip } from './editors';
import { writeResultsBeside } from '../helpers/results';

// At collection time, so that skipIf sees the answer (apt-get may take a few minutes).
const nvim = ensureNeovim();
warnSkip('Neovim', nvim);

const snippet = join(repoRoot, 'clients', 'neovim', 'optpar-legacy.lua');
const init = join(repoRoot, 'test', 'fixtures', 'clients', 'neovim', 'init.lua');
const fixture = readFileSync(join(repoRoot, 'test', 'fixtures', 'keras', 'sequential_cnn.py'), 'utf8');
const applyDriver = join(repoRoot, 'test', 'fixtures', 'clients', 'neovim', 'apply.lua');

describe(`Neovim client (${nvim.available ? nvim.version : `SKIPPED: ${nvim.reason}`})`, () => {
  it.skipIf(!nvim.available)(
    'optpar-legacy.lua: diagnostics, then the Parametrize action for conv2d.filters rewrites exactly that value',
    () => {
      const { dir, file } = projectWith('nvim', 'model.py', fixture);
      const resultPath = join(dir, 'result.json');
      const r = spawnSync('nvim', ['--headless', '--clean', '-u', init], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
        env: {
          ...process.env,
          PATH: `${serverOnPath()}:${process.env.PATH}`,
          OPTPAR_SNIPPET: snippet,
          OPTPAR_FILE: file,
          OPTPAR_AT: '16, kernel_size',
          OPTPAR_RESULT: resultPath,
        },
      });
      let result: any;
      try {
        result = JSON.parse(readFileSync(resultPath, 'utf8'));
      } catch {
        throw new Error(`nvim wrote no report (status ${r.status}, signal ${r.signal})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      }
      expect(result.log, JSON.stringify(result, null, 2)).toEqual([]);
      expect(result.exit).toBe(0);
      expect(result.filetype).toBe('python');
      expect(result.clients).toContain('optpar');

      // One diagnostic per tunable hyperparameter (fixed ones are off by default), on their lines.
      const lines = fixture.split('\n');
      const diagLines = result.diagnostics.map((d: any) => lines[d.lnum]);
      expect(result.diagnostics.length).toBeGreaterThanOrEqual(5);
      expect(diagLines.some((l: string) => l.includes('Conv2D(16'))).toBe(true);
      expect(diagLines.some((l: string) => l.includes('Dropout(0.25)'))).toBe(true);
      expect(diagLines.some((l: string) => l.includes('learning_rate=1e-3'))).toBe(true);

      expect(result.titles).toContain("Parametrize filters (params['conv2d.filters'])");
      expect(result.chosen).toBe("Parametrize filters (params['conv2d.filters'])");

      const after = readFileSync(file, 'utf8');
      expect(after).toBe(fixture.replace('layers.Conv2D(16,', "layers.Conv2D(params['conv2d.filters'],"));
    },
    180_000,
  );

  it.skipIf(!nvim.available)(
    'optpar-legacy.lua: with a search\'s results beside the model, best-value diagnostics, then "Apply best values" rewrites exactly those values (one undo step)',
    () => {
      const { dir, file } = projectWith('nvim-apply', 'model.py', fixture);
      writeResultsBeside(file, fixture, BEST);
      const resultPath = join(dir, 'result.json');
      const r = spawnSync('nvim', ['--headless', '--clean', '-u', applyDriver], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, PATH: `${serverOnPath()}:${process.env.PATH}`, OPTPAR_SNIPPET: snippet, OPTPAR_FILE: file, OPTPAR_RESULT: resultPath },
      });
      let result: any;
      try {
        result = JSON.parse(readFileSync(resultPath, 'utf8'));
      } catch {
        throw new Error(`nvim wrote no report (status ${r.status}, signal ${r.signal})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      }
      expect(result.log, JSON.stringify(result, null, 2)).toEqual([]);
      expect(result.exit).toBe(0);
      expect(result.diagnostics.map((d: any) => d.message.split(':')[0]).sort()).toEqual(Object.keys(BEST).sort());
      expect(result.chosen).toBe('Apply best values (loss 0.52 → 0.41; 5 values)');
      expect(result.buffer + '\n').toBe(APPLIED);
      expect(result.after_undo + '\n').toBe(fixture);
      expect(readFileSync(file, 'utf8')).toBe(APPLIED);
    },
    180_000,
  );

  it.skipIf(!nvim.available)('lsp/optpar.lua (0.11+) is a plain config table: cmd, filetypes, root_markers, settings.optpar', () => {
    const file = join(repoRoot, 'clients', 'neovim', 'lsp', 'optpar.lua');
    const r = spawnSync('nvim', ['--headless', '--clean', '-c', `lua io.stdout:write(vim.fn.json_encode(dofile('${file}')))`, '-c', 'qall!'], { encoding: 'utf8', timeout: 60_000 });
    const t = JSON.parse(r.stdout);
    expect(t.cmd).toEqual(['optpar-lsp', '--stdio']);
    expect(t.filetypes).toEqual(['python']);
    expect(t.root_markers).toEqual(['pyproject.toml', 'setup.py', 'setup.cfg', '.git', 'optpar.yaml']);
    expect(t.settings).toHaveProperty('optpar');
  });
});
