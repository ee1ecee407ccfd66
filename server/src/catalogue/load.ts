import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseDocument } from 'yaml';
import { csvToEntries } from './csv';
import type { CallableSpec, Catalogue, CatalogueError, ParamSpec, Scalar } from './types';
import { type RawCallable, validateCallable } from './validate';

export interface CatalogueSource {
  /** A name for messages: usually the file path. */
  file: string;
  text: string;
}

export interface LoadResult {
  catalogue: Catalogue;
  errors: CatalogueError[];
}

/** The built-in metadata folder, from the source tree (tests) or the built one (dist/). */
export function builtinMetadataDir(): string {
  for (const up of ['../..', '../../..']) {
    const dir = join(__dirname, up, 'metadata');
    if (existsSync(join(dir, 'layers.yaml'))) return dir;
  }
  throw new Error(`optpar: the built-in catalogue (metadata/*.yaml) was not found near ${__dirname}`);
}

export function readCatalogueSources(paths: string[]): { sources: CatalogueSource[]; errors: CatalogueError[] } {
  const sources: CatalogueSource[] = [];
  const errors: CatalogueError[] = [];
  for (const path of paths) {
    try {
      sources.push({ file: path, text: readFileSync(path, 'utf8') });
    } catch (err) {
      errors.push({ file: path, message: `cannot read: ${(err as Error).message}` });
    }
  }
  return { sources, errors };
}

function parseSource(source: CatalogueSource, errors: CatalogueError[]): { entries: unknown[]; sets: Record<string, unknown>; version?: string } {
  const ext = extname(source.file).toLowerCase();
  if (ext === '.csv') return { entries: csvToEntries(source.text, source.file, errors), sets: {} };
  const doc = parseDocument(source.text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0];
      errors.push({ file: source.file, message: `YAML error${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${e.message.split('\n')[0]}` });
    }
    return { entries: [], sets: {} };
  }
  const data = doc.toJS() as unknown;
  if (data === null || data === undefined) return { entries: [], sets: {} };
  if (typeof data !== 'object' || Array.isArray(data)) {
    errors.push({ file: source.file, message: 'a catalogue file must be a mapping with "callables" (and optional "sets", "source")' });
    return { entries: [], sets: {} };
  }
  const top = data as Record<string, unknown>;
  for (const key of Object.keys(top))
    if (!['source', 'sets', 'callables'].includes(key)) errors.push({ file: source.file, field: key, message: `unknown top-level field "${key}"` });
  const entries = top.callables ?? [];
  if (!Array.isArray(entries)) {
    errors.push({ file: source.file, field: 'callables', message: 'must be a list' });
    return { entries: [], sets: {} };
  }
  const sets = top.sets ?? {};
  if (typeof sets !== 'object' || Array.isArray(sets) || sets === null) {
    errors.push({ file: source.file, field: 'sets', message: 'must be a mapping of name: [values]' });
    return { entries, sets: {} };
  }
  return { entries, sets: sets as Record<string, unknown>, version: typeof top.source === 'string' ? top.source : undefined };
}

/**
 * Builds a catalogue from sources in order: later sources extend or override earlier ones
 * (a user file after the built-in ones). Bad entries are left out and reported; the rest loads.
 */
export function buildCatalogue(sources: CatalogueSource[]): LoadResult {
  const errors: CatalogueError[] = [];
  const sets = new Map<string, Scalar[]>();
  const raws: RawCallable[] = [];
  let version = '';
  for (const source of sources) {
    const parsed = parseSource(source, errors);
    if (parsed.version && !version) version = parsed.version;
    for (const [name, values] of Object.entries(parsed.sets)) {
      if (!Array.isArray(values) || values.length === 0 || values.some((v) => !['string', 'number', 'boolean'].includes(typeof v)))
        errors.push({ file: source.file, entry: `sets.${name}`, message: 'a set must be a non-empty list of values' });
      else sets.set(name, values as Scalar[]);
    }
    parsed.entries.forEach((entry, i) => {
      const valid = validateCallable(entry, source.file, i, errors);
      if (valid) raws.push(valid);
    });
  }
  const callables = mergeEntries(raws.map((raw) => resolveSets(raw, sets, errors)).filter((c): c is CallableSpec => c !== undefined));
  const byPath = new Map<string, CallableSpec>();
  const byMethod = new Map<string, CallableSpec>();
  for (const c of callables) {
    for (const path of c.paths) {
      byPath.set(path, c);
      if (c.kind === 'method') byMethod.set(path.split('.').pop()!, c);
    }
  }
  return { catalogue: { callables, source: version, byPath, byMethod, sets }, errors };
}

function resolveSets(raw: RawCallable, sets: Map<string, Scalar[]>, errors: CatalogueError[]): CallableSpec | undefined {
  let ok = true;
  const params: ParamSpec[] = raw.params.map((p) => {
    if (typeof p.choices !== 'string') return { ...p, choices: p.choices };
    const values = sets.get(p.choices.slice(1));
    if (!values) {
      ok = false;
      errors.push({ file: raw.origin, entry: raw.name, field: `params[${p.name}].choices`, message: `no set named "${p.choices.slice(1)}" is defined` });
    }
    return { ...p, choices: values };
  });
  return ok ? { ...raw, params } : undefined;
}

/** A later entry with the same name and kind replaces the parameters it names and keeps the rest. */
function mergeEntries(entries: CallableSpec[]): CallableSpec[] {
  const out = new Map<string, CallableSpec>();
  for (const entry of entries) {
    const key = `${entry.kind}:${entry.name}`;
    const prev = out.get(key);
    if (!prev) {
      out.set(key, entry);
      continue;
    }
    const params = prev.params.map((p) => entry.params.find((q) => q.name === p.name) ?? p);
    for (const q of entry.params) if (!params.some((p) => p.name === q.name)) params.push(q);
    out.set(key, { ...prev, ...entry, paths: [...new Set([...prev.paths, ...entry.paths])], params, doc: entry.doc ?? prev.doc });
  }
  return [...out.values()];
}

/** The built-in catalogue plus user files, read now (a server re-reads them when they change). */
export function readCatalogue(userFiles: string[] = []): LoadResult {
  const dir = builtinMetadataDir();
  const builtin = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(dir, f));
  const { sources, errors } = readCatalogueSources([...builtin, ...userFiles]);
  const result = buildCatalogue(sources);
  return { catalogue: result.catalogue, errors: [...errors, ...result.errors] };
}

const cache = new Map<string, LoadResult>();

/** readCatalogue, once per distinct list of files (the CLI and tests). */
export function loadCatalogue(userFiles: string[] = []): LoadResult {
  const key = userFiles.join('\0');
  let hit = cache.get(key);
  if (!hit) cache.set(key, (hit = readCatalogue(userFiles)));
  return hit;
}

export function formatCatalogueError(e: CatalogueError): string {
  const where = [e.file, e.entry && `entry ${e.entry}`, e.field && `field ${e.field}`].filter(Boolean).join(', ');
  return `catalogue error (${where}): ${e.message}`;
}
