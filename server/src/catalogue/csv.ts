import type { CatalogueError } from './types';

/** The OptPar paper's metadata columns, one row per parameter. */
const COLUMNS = ['Layer', 'ParamName', 'Hptype', 'TupleSize', 'ParamOrder', 'Base', 'Type', 'Min', 'Max', 'Int', 'Set'];
const HPTYPES = ['choice', 'uniform', 'quniform', 'uniformint', 'loguniform', 'qloguniform', 'none', ''];
const TYPES: Record<string, string> = { integer: 'int', int: 'int', float: 'float', string: 'string', str: 'string', bool: 'bool', boolean: 'bool', set: 'string' };

/** RFC 4180 fields: quotes, doubled quotes, commas and newlines inside quotes. */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.some((f) => f.trim() !== '')) rows.push(row);
      row = [];
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f.trim() !== '')) rows.push(row);
  return rows;
}

const num = (s: string): number | undefined => (s.trim() === '' || Number.isNaN(Number(s)) ? undefined : Number(s));

/**
 * Turns a paper-style CSV catalogue into the YAML schema's raw entries (validated afterwards
 * like any YAML file, so both forms report errors the same way).
 */
export function csvToEntries(text: string, file: string, errors: CatalogueError[]): unknown[] {
  const rows = parseCsvRows(text);
  if (rows.length === 0) {
    errors.push({ file, message: 'empty CSV catalogue (a header row is required)' });
    return [];
  }
  const header = rows[0].map((h) => h.trim());
  const missing = COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) {
    errors.push({ file, field: missing.join(', '), message: `missing column(s): ${missing.join(', ')} (expected ${COLUMNS.join(', ')})` });
    return [];
  }
  const col = (row: string[], name: string) => (row[header.indexOf(name)] ?? '').trim();
  const entries = new Map<string, { name: string; kind: string; paths: string[]; params: Record<string, unknown>[] }>();
  rows.slice(1).forEach((row, i) => {
    const line = `row ${i + 2}`;
    const layer = col(row, 'Layer');
    const base = col(row, 'Base');
    const typeName = col(row, 'Type').toLowerCase();
    const hptype = col(row, 'Hptype').toLowerCase();
    if (!layer) { errors.push({ file, entry: line, field: 'Layer', message: 'empty Layer' }); return; }
    if (!(typeName in TYPES)) { errors.push({ file, entry: `${layer} (${line})`, field: 'Type', message: `unknown Type "${col(row, 'Type')}" (Integer, Float, String, Bool, Set)` }); return; }
    if (!HPTYPES.includes(hptype)) { errors.push({ file, entry: `${layer} (${line})`, field: 'Hptype', message: `unknown Hptype "${col(row, 'Hptype')}" (${HPTYPES.filter(Boolean).join(', ')}, none)` }); return; }
    const isMethod = base === 'Model';
    const key = `${base}.${layer}`;
    if (!entries.has(key)) entries.set(key, { name: layer, kind: isMethod ? 'method' : 'layer', paths: [base ? `${base}.${layer}` : layer], params: [] });
    const tupleSize = num(col(row, 'TupleSize')) ?? 1;
    const intFlag = /^(1|true|yes)$/i.test(col(row, 'Int'));
    let type = TYPES[typeName];
    if (type === 'float' && intFlag) type = 'int';
    const param: Record<string, unknown> = { name: col(row, 'ParamName'), type: tupleSize > 1 ? 'tuple' : type };
    if (tupleSize > 1) param.size = tupleSize;
    const order = num(col(row, 'ParamOrder'));
    if (order !== undefined && order >= 0) param.position = order;
    if (hptype === 'none' || hptype === '') param.tune = false;
    if (hptype.includes('log')) param.scale = 'log';
    const min = num(col(row, 'Min'));
    const max = num(col(row, 'Max'));
    if (min !== undefined || max !== undefined) param.range = [min, max];
    const set = col(row, 'Set');
    if (set) param.choices = set.split(/[|;]/).map((s) => s.trim()).filter(Boolean).map((s) => num(s) ?? s);
    entries.get(key)!.params.push(param);
  });
  return [...entries.values()];
}
