import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/python';

/** Every .ts file under a folder of server/src. */
function sources(folder: string): string[] {
  const dir = join(repoRoot, 'server', 'src', folder);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f));
}

const imports = (file: string) => [...readFileSync(file, 'utf8').matchAll(/(?:from|require\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);

describe('layers import in one direction', () => {
  // The pure engine (text in, data out) is shared by the CLI, the server and the tests: it must
  // never reach for the protocol or the entry points.
  for (const folder of ['analysis', 'catalogue', 'refactor', 'harness', 'config']) {
    it(`server/src/${folder} imports neither the LSP layer nor the CLI`, () => {
      const files = sources(folder);
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        for (const spec of imports(file)) {
          expect(spec, `${file} imports ${spec}`).not.toMatch(/^vscode-|\/lsp(\/|$)|\/cli(\/|$)/);
        }
      }
    });
  }
});
