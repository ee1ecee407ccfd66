/** The catalogue as the server sees it: built-in plus user files, read fresh (files change while the server runs). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildCatalogue, builtinMetadataDir, readCatalogueSources, type LoadResult } from '../catalogue/load';

export function freshCatalogue(userFiles: string[]): LoadResult {
  const dir = builtinMetadataDir();
  const builtin = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(dir, f));
  const { sources, errors } = readCatalogueSources([...builtin, ...userFiles]);
  const result = buildCatalogue(sources);
  return { catalogue: result.catalogue, errors: [...errors, ...result.errors] };
}
