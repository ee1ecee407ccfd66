/**
 * The VS Code extension: it compiles against @types/vscode with its own npm script, its
 * manifest activates on Python and points at the compiled entry, and its contributed settings
 * are the server's SETTINGS_SCHEMA one to one (plus optpar.server.path, the client's own).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS_SCHEMA } from '../../server/src/lsp/settings';
import { repoRoot } from './editors';

const ext = join(repoRoot, 'clients', 'vscode');
const manifest = JSON.parse(readFileSync(join(ext, 'package.json'), 'utf8'));
const CLIENT_ONLY = ['optpar.server.path'];

function npm(args: string[]) {
  const r = spawnSync('npm', args, { cwd: ext, encoding: 'utf8', timeout: 540_000 });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed in ${ext}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('VS Code client', () => {
  it('compiles extension.ts against @types/vscode (npm ci when needed, npm run compile)', () => {
    if (!existsSync(join(ext, 'node_modules', '@types', 'vscode'))) npm(['ci', '--no-audit', '--no-fund']);
    npm(['run', 'compile']);
    const out = readFileSync(join(ext, 'out', 'extension.js'), 'utf8');
    expect(out).toContain('exports.activate');
    expect(out).toContain('exports.deactivate');
  }, 600_000);

  it('manifest: activates on Python, main is the compiled extension, scripts and dependencies as documented', () => {
    expect(manifest.name).toBe('optpar-vscode');
    expect(manifest.activationEvents).toEqual(['onLanguage:python']);
    expect(manifest.main).toBe('./out/extension.js');
    expect(manifest.engines.vscode).toMatch(/^\^1\.\d+\.\d+$/);
    expect(manifest.scripts.compile).toBe('tsc -p ./');
    expect(manifest.scripts.package).toBe('vsce package --allow-missing-repository');
    expect(Object.keys(manifest.dependencies)).toEqual(['vscode-languageclient']);
    expect(Object.keys(manifest.devDependencies)).toEqual(expect.arrayContaining(['@types/vscode', '@vscode/vsce', 'typescript']));
    // @types/vscode may not be newer than the engine, or vsce refuses to pack.
    const engine = manifest.engines.vscode.replace(/^\^/, '').split('.').map(Number);
    const types = manifest.devDependencies['@types/vscode'].replace(/^[~^]/, '').split('.').map(Number);
    expect(types[0] * 1000 + types[1]).toBeLessThanOrEqual(engine[0] * 1000 + engine[1]);
  });

  it("contributed settings mirror the server's SETTINGS_SCHEMA one to one", () => {
    const props: Record<string, any> = manifest.contributes.configuration.properties;
    const schema = SETTINGS_SCHEMA as Record<string, { type: string; default: unknown; description: string; enum?: unknown[]; items?: unknown; minimum?: number; maximum?: number }>;
    const expected = Object.keys(schema).map((k) => `optpar.${k}`);
    expect(Object.keys(props).filter((k) => !CLIENT_ONLY.includes(k)).sort()).toEqual(expected.sort());
    for (const [key, spec] of Object.entries(schema)) {
      const prop = props[`optpar.${key}`];
      expect(prop.type, key).toEqual(spec.type);
      expect(prop.default, key).toEqual(spec.default);
      expect(prop.enum, key).toEqual(spec.enum);
      expect(prop.items, key).toEqual(spec.items);
      expect(prop.minimum, key).toEqual(spec.minimum);
      expect(prop.maximum, key).toEqual(spec.maximum);
      expect(prop.description, key).toBe(spec.description);
    }
    expect(props['optpar.server.path']).toMatchObject({ type: 'string', default: '' });
  });
});
