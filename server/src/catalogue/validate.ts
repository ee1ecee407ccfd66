import type {
  CallableKind,
  CallableSpec,
  CatalogueError,
  ParamSpec,
  RelativeRange,
  Scalar,
  Scale,
  ValueType,
} from './types';

/** A parameter as written in a file, before `$set` references are resolved. */
export type RawParam = Omit<ParamSpec, 'choices'> & { choices?: Scalar[] | string };
export type RawCallable = Omit<CallableSpec, 'params'> & { params: RawParam[] };

const CALLABLE_KINDS: CallableKind[] = [
  'layer', 'model', 'activation', 'optimizer', 'regularizer', 'initializer', 'callback', 'schedule', 'method', 'function',
];
const VALUE_TYPES: ValueType[] = ['int', 'float', 'bool', 'string', 'tuple'];
const CALLABLE_FIELDS = ['name', 'kind', 'paths', 'id', 'output', 'passthrough', 'wrapper', 'doc', 'params'];
const PARAM_FIELDS = ['name', 'position', 'legacy', 'type', 'size', 'range', 'pair', 'choices', 'scale', 'tune', 'fixed', 'budget', 'relative', 'implicit', 'removed', 'doc'];
const DOTTED = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Keras's own rule for layer names: Conv2DTranspose -> conv2d_transpose. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, (_, a: string, b: string) => (/[0-9]/.test(a) ? a + b : `${a}_${b}`))
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is Scalar =>
  typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';

/**
 * Validates one callable entry of a catalogue file. Returns the entry, or undefined with
 * every problem reported to `errors` (never throws: one bad entry must not hide the others).
 */
export function validateCallable(raw: unknown, file: string, index: number, errors: CatalogueError[]): RawCallable | undefined {
  const before = errors.length;
  const entryName = isObject(raw) && typeof raw.name === 'string' ? raw.name : `#${index + 1}`;
  const fail = (field: string | undefined, message: string) => errors.push({ file, entry: entryName, field, message });
  if (!isObject(raw)) {
    fail(undefined, 'an entry must be a mapping');
    return undefined;
  }
  for (const key of Object.keys(raw)) if (!CALLABLE_FIELDS.includes(key)) fail(key, `unknown field "${key}"`);
  if (typeof raw.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw.name)) fail('name', 'must be an identifier');
  if (!CALLABLE_KINDS.includes(raw.kind as CallableKind)) fail('kind', `must be one of ${CALLABLE_KINDS.join(', ')}`);
  const paths = raw.paths;
  if (!Array.isArray(paths) || paths.length === 0) fail('paths', 'must be a non-empty list of dotted names');
  else paths.forEach((p, i) => { if (typeof p !== 'string' || !DOTTED.test(p)) fail(`paths[${i}]`, `"${String(p)}" is not a dotted name`); });
  if (raw.id !== undefined && (typeof raw.id !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw.id))) fail('id', 'must be an identifier');
  for (const flag of ['passthrough', 'wrapper'] as const)
    if (raw[flag] !== undefined && typeof raw[flag] !== 'boolean') fail(flag, 'must be true or false');
  if (!Array.isArray(raw.params)) {
    fail('params', 'must be a list (use [] for none)');
    return undefined;
  }
  const params: RawParam[] = [];
  const names = new Set<string>();
  const positions = new Set<number>();
  raw.params.forEach((p, i) => {
    const param = validateParam(p, (field, message) =>
      fail(`params[${isObject(p) && typeof p.name === 'string' ? p.name : i}]${field ? '.' + field : ''}`, message));
    if (!param) return;
    if (names.has(param.name)) fail(`params[${param.name}]`, 'duplicate parameter name');
    if (param.position !== undefined && positions.has(param.position)) fail(`params[${param.name}].position`, `position ${param.position} is used twice`);
    names.add(param.name);
    if (param.position !== undefined) positions.add(param.position);
    params.push(param);
  });
  const output = raw.output ?? [];
  if (!Array.isArray(output) || output.some((o) => typeof o !== 'string' || !names.has(o)))
    fail('output', 'must list parameter names of this entry');
  if (errors.length > before) return undefined;
  return {
    name: raw.name as string,
    kind: raw.kind as CallableKind,
    paths: paths as string[],
    id: (raw.id as string | undefined) ?? snakeCase(raw.name as string),
    output: output as string[],
    passthrough: (raw.passthrough as boolean | undefined) ?? false,
    wrapper: (raw.wrapper as boolean | undefined) ?? false,
    doc: typeof raw.doc === 'string' ? raw.doc : undefined,
    params,
    origin: file,
  };
}

function validateParam(raw: unknown, fail: (field: string | undefined, message: string) => void): RawParam | undefined {
  if (!isObject(raw)) {
    fail(undefined, 'a parameter must be a mapping');
    return undefined;
  }
  let ok = true;
  const bad = (field: string | undefined, message: string) => { ok = false; fail(field, message); };
  for (const key of Object.keys(raw)) if (!PARAM_FIELDS.includes(key)) bad(key, `unknown field "${key}"`);
  if (typeof raw.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw.name)) bad('name', 'must be an identifier');
  if (raw.position !== undefined && raw.position !== null && !(Number.isInteger(raw.position) && (raw.position as number) >= 0))
    bad('position', 'must be a non-negative integer');
  const legacy = raw.legacy ?? [];
  if (!Array.isArray(legacy) || legacy.some((l) => typeof l !== 'string')) bad('legacy', 'must be a list of names');
  const type = raw.type as ValueType;
  if (!VALUE_TYPES.includes(type)) bad('type', `must be one of ${VALUE_TYPES.join(', ')}`);
  const scale = (raw.scale ?? 'linear') as Scale;
  if (scale !== 'linear' && scale !== 'log') bad('scale', 'must be linear or log');
  if (type === 'tuple' && !(Number.isInteger(raw.size) && (raw.size as number) >= 2)) bad('size', 'a tuple parameter needs size >= 2');
  if (type !== 'tuple' && raw.size !== undefined) bad('size', 'only tuple parameters have a size');
  if (raw.tune !== undefined && typeof raw.tune !== 'boolean') bad('tune', 'must be true or false');
  if (raw.fixed !== undefined && typeof raw.fixed !== 'string') bad('fixed', 'must be a reason (a string)');
  if (raw.budget !== undefined && typeof raw.budget !== 'boolean') bad('budget', 'must be true or false');
  if (raw.removed !== undefined && typeof raw.removed !== 'string') bad('removed', 'must be a reason (a string)');
  if (raw.implicit !== undefined) {
    const v = raw.implicit;
    const fits = (type === 'int' && Number.isInteger(v)) || (type === 'float' && typeof v === 'number') || (type === 'string' && typeof v === 'string') || (type === 'bool' && typeof v === 'boolean');
    if (!fits) bad('implicit', `must be the Keras default, a ${type}`);
  }
  const relative = raw.relative === undefined ? undefined : validateRelative(raw.relative, type, (message) => bad('relative', message));
  let range: [number, number] | undefined;
  if (raw.range !== undefined) {
    const r = raw.range;
    if (!Array.isArray(r) || r.length !== 2 || r.some((x) => typeof x !== 'number' || !Number.isFinite(x))) bad('range', 'must be [min, max] numbers');
    else if (r[0] > r[1]) bad('range', `min ${r[0]} is above max ${r[1]}`);
    else if (scale === 'log' && r[0] <= 0) bad('range', 'a log scale needs min > 0');
    else if ((type === 'int' || type === 'tuple') && !(Number.isInteger(r[0]) && Number.isInteger(r[1]))) bad('range', 'an int parameter needs int bounds');
    else if (type === 'bool' || type === 'string') bad('range', `a ${type} parameter takes choices, not a range`);
    else range = [r[0], r[1]];
  }
  let pair: ParamSpec['pair'];
  if (raw.pair !== undefined) {
    const pr = raw.pair;
    const bounds = (v: unknown) => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x)) && v[0] <= v[1];
    if (type !== 'float') bad('pair', 'only a float parameter takes a [lower, upper] pair');
    else if (!isObject(pr) || !bounds(pr.lower) || !bounds(pr.upper) || Object.keys(pr).some((k) => k !== 'lower' && k !== 'upper'))
      bad('pair', 'must be {lower: [min, max], upper: [min, max]}');
    else if ((pr.lower as number[])[1] > (pr.upper as number[])[0]) bad('pair', 'the lower range must end where the upper one starts, or before');
    else pair = { lower: [...(pr.lower as [number, number])], upper: [...(pr.upper as [number, number])] };
  }
  const choices = raw.choices;
  if (choices !== undefined) {
    const isRef = typeof choices === 'string' && /^\$[A-Za-z_]+$/.test(choices);
    if (!isRef && !(Array.isArray(choices) && choices.length > 0 && choices.every(isScalar)))
      bad('choices', 'must be a non-empty list of values or a "$set" reference');
  }
  const tune = (raw.tune as boolean | undefined) ?? true;
  if (tune && raw.fixed === undefined && raw.removed === undefined && range === undefined && choices === undefined && ok)
    bad(undefined, 'a tunable parameter needs a range or choices (or tune: false / fixed)');
  if (!ok) return undefined;
  return {
    name: raw.name as string,
    position: raw.position === null ? undefined : (raw.position as number | undefined),
    legacy: legacy as string[],
    type,
    size: raw.size as number | undefined,
    scale,
    range,
    ...(pair ? { pair } : {}),
    choices: choices as Scalar[] | string | undefined,
    tune,
    fixed: raw.fixed as string | undefined,
    budget: raw.budget as boolean | undefined,
    relative,
    implicit: raw.implicit as Scalar | undefined,
    removed: raw.removed as string | undefined,
    doc: typeof raw.doc === 'string' ? raw.doc : undefined,
  };
}

const RELATIVE_FIELDS = ['scale', 'low', 'high', 'min', 'max'];

function validateRelative(raw: unknown, type: ValueType, bad: (message: string) => void): RelativeRange | undefined {
  if (!isObject(raw)) {
    bad('must be a mapping {scale, low, high, min, max}');
    return undefined;
  }
  const before = { ok: true };
  const fail = (m: string) => { before.ok = false; bad(m); };
  for (const key of Object.keys(raw)) if (!RELATIVE_FIELDS.includes(key)) fail(`unknown field "${key}"`);
  if (!['pow2', 'log', 'linear'].includes(raw.scale as string)) fail('scale must be pow2, log or linear');
  if (raw.scale === 'pow2' && type !== 'int' && type !== 'tuple') fail('scale pow2 needs an int parameter');
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (!num(raw.low) || !num(raw.high) || (raw.low as number) <= 0 || (raw.low as number) > 1 || (raw.high as number) < 1)
    fail('low and high are factors of the current value: 0 < low <= 1 <= high');
  for (const b of ['min', 'max'] as const) if (raw[b] !== undefined && !num(raw[b])) fail(`${b} must be a number`);
  if (num(raw.min) && num(raw.max) && (raw.min as number) > (raw.max as number)) fail('min is above max');
  if (!before.ok) return undefined;
  return { scale: raw.scale as RelativeRange['scale'], low: raw.low as number, high: raw.high as number, min: raw.min as number | undefined, max: raw.max as number | undefined };
}
