/**
 * Editors for the client tests: finds nvim and emacs (with eglot), installing them from
 * Debian's packages (neovim, emacs-nox, elpa-eglot) once when missing and we are root. When
 * an editor is still unavailable the caller skips its test by name and says so loudly.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..');
export const APT_PACKAGES = ['neovim', 'emacs-nox', 'elpa-eglot'];

/** Where Debian's elpa-* packages live; `emacs -Q` does not activate them by itself. */
export const DEBIAN_ELPA = '/usr/share/emacs/site-lisp/elpa';

export interface Editor {
  available: boolean;
  /** Why not, when unavailable. */
  reason: string;
  version: string;
}

function onPath(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

let installAttempt: string | undefined;

/** apt-get install of the editor packages, at most once per process; returns a failure reason or ''. */
function aptInstall(): string {
  if (installAttempt !== undefined) return installAttempt;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return (installAttempt = 'not root, cannot apt-get install');
  if (!onPath('apt-get')) return (installAttempt = 'no apt-get on this system');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another test file may be installing at the same time: wait for dpkg's lock.
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  const run = (args: string[]) => spawnSync('apt-get', [...lock, ...args], { env, encoding: 'utf8', timeout: 540_000 });
  let r = run(['install', '-y', '--no-install-recommends', ...APT_PACKAGES]);
  if (r.status !== 0) {
    run(['update']);
    r = run(['install', '-y', '--no-install-recommends', ...APT_PACKAGES]);
  }
  installAttempt = r.status === 0 ? '' : `apt-get install ${APT_PACKAGES.join(' ')} failed: ${(r.stderr || String(r.error)).trim().split('\n').slice(-3).join(' | ')}`;
  return installAttempt;
}

function firstLine(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: 30_000 }).split('\n')[0];
  } catch {
    return '';
  }
}

export function ensureNeovim(): Editor {
  if (!onPath('nvim')) {
    const failed = aptInstall();
    if (!onPath('nvim')) return { available: false, reason: `nvim not found (${failed || 'apt-get installed nothing usable'})`, version: '' };
  }
  return { available: true, reason: '', version: firstLine('nvim', ['--version']) };
}

/** Lisp that makes eglot loadable under `emacs -Q`: Debian's elpa folder, when present. */
export const EMACS_PACKAGE_SETUP = `(progn (when (file-directory-p "${DEBIAN_ELPA}") (setq package-directory-list (list "${DEBIAN_ELPA}"))) (package-initialize))`;

function emacsHasEglot(): boolean {
  const r = spawnSync('emacs', ['--batch', '-Q', '--eval', EMACS_PACKAGE_SETUP, '--eval', "(require 'eglot)"], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0;
}

export function ensureEmacs(): Editor {
  if (!onPath('emacs') || !emacsHasEglot()) {
    const failed = aptInstall();
    if (!onPath('emacs')) return { available: false, reason: `emacs not found (${failed || 'apt-get installed nothing usable'})`, version: '' };
    if (!emacsHasEglot()) return { available: false, reason: `emacs has no eglot (${failed || 'elpa-eglot did not provide it'})`, version: '' };
  }
  return { available: true, reason: '', version: firstLine('emacs', ['--version']) };
}

/** The built server's bin; a clear error when the build is missing. */
export function serverBin(): string {
  const bin = join(repoRoot, 'bin', 'optpar-lsp.js');
  if (!existsSync(bin) || !existsSync(join(repoRoot, 'dist', 'lsp'))) {
    throw new Error(`the language server is not built (${bin}, dist/lsp): run "npm run build"`);
  }
  return bin;
}

/** A folder holding an `optpar-lsp` command that runs this checkout's server, for PATH. */
export function serverOnPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'optpar-bin-'));
  const script = join(dir, 'optpar-lsp');
  writeFileSync(script, `#!/bin/sh\nexec "${process.execPath}" "${serverBin()}" "$@"\n`);
  chmodSync(script, 0o755);
  return dir;
}

/** A project folder (with pyproject.toml, a root marker) holding a copy of a fixture. */
export function projectWith(fixture: string, name: string, text: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), `optpar-${fixture}-`));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "demo"\nversion = "0"\n');
  const file = join(dir, name);
  writeFileSync(file, text);
  return { dir, file };
}

/** Says loudly, once per test file, that an editor test is skipped and why. */
export function warnSkip(editor: string, e: Editor): void {
  if (!e.available) console.warn(`\n*** SKIPPED: ${editor} client test: ${e.reason} ***\n`);
}

/** The best values of the editor tests' search on sequential_cnn.py (results beside the model). */
export const BEST = { 'conv2d.filters': 32, 'conv2d.kernel_size': 5, 'dropout.rate': 0.4, 'compile.optimizer.learning_rate': 0.0031, 'fit.batch_size': 64 };

/** sequential_cnn.py with BEST applied: each value in its own style, nothing else changed. */
export const APPLIED = readFileSync(join(repoRoot, 'test', 'fixtures', 'keras', 'sequential_cnn.py'), 'utf8')
  .replace('layers.Conv2D(16, kernel_size=(3, 3),', 'layers.Conv2D(32, kernel_size=(5, 5),')
  .replace('layers.Dropout(0.25),', 'layers.Dropout(0.4),')
  .replace('learning_rate=1e-3', 'learning_rate=3.1e-3')
  .replace('batch_size=32,', 'batch_size=64,');
