import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, venvPython } from '../helpers/python';
import { type Session, startServer } from '../lsp/client';

/**
 * Issue 14 §2: clients. The jupyterlab-lsp registration (clients/jupyterlab) is validated against
 * jupyter-lsp's own spec schema (2.3.1, vendored) with jsonschema, and its argv starts the server;
 * the VS Code extension declares the notebook cell selector.
 */
const config = join(repoRoot, 'clients', 'jupyterlab', 'jupyter_server_config.json');
const schema = join(repoRoot, 'test', 'fixtures', 'notebook', 'jupyter_lsp_schema.json');

function validateSpecs(specs: unknown): string {
  const code = [
    'import json, sys, jsonschema',
    'schema = json.load(open(sys.argv[1]))',
    'v = jsonschema.validators.Draft7Validator({"$ref": "#/definitions/language-server-specs-implementation-map", **schema})',
    'errors = [e.message for e in v.iter_errors(json.loads(sys.argv[2]))]',
    'print(json.dumps(errors))',
  ].join('\n');
  return execFileSync(venvPython(), ['-c', code, schema, JSON.stringify(specs)], { encoding: 'utf8' }).trim();
}

describe('jupyterlab-lsp registration', () => {
  it('is a valid jupyter-lsp language server spec (and the check rejects a broken one)', () => {
    const doc = JSON.parse(readFileSync(config, 'utf8'));
    const specs = doc.LanguageServerManager.language_servers;
    expect(Object.keys(specs)).toEqual(['optpar']);
    expect(JSON.parse(validateSpecs(specs))).toEqual([]);
    expect(specs.optpar.languages).toContain('python');
    const broken = { optpar: { ...specs.optpar, version: 1 } };
    delete (broken.optpar as Record<string, unknown>).argv;
    expect(JSON.parse(validateSpecs(broken)).length).toBeGreaterThan(0);
  });

  it("its argv starts the language server over stdio", async () => {
    const argv: string[] = JSON.parse(readFileSync(config, 'utf8')).LanguageServerManager.language_servers.optpar.argv;
    expect(argv).toEqual(['optpar-lsp', '--stdio']);
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    expect(pkg.bin[argv[0]]).toBe('bin/optpar-lsp.js');
    // startServer runs bin/optpar-lsp.js --stdio, the binary argv[0] names.
    const s: Session = await startServer();
    try {
      expect(s.init.serverInfo?.name).toBe('optpar');
    } finally {
      await s.close();
    }
  });
});

describe('VS Code extension', () => {
  it('declares the notebook selector: Python cells of jupyter-notebook', () => {
    const src = readFileSync(join(repoRoot, 'clients', 'vscode', 'src', 'extension.ts'), 'utf8');
    expect(src).toContain("{ notebook: 'jupyter-notebook', language: 'python' }");
  });
});
