/**
 * The server's settings: one schema, one parser. The same parseSettings reads
 * initializationOptions, workspace/configuration (section "optpar") and didChangeConfiguration.
 * A bad value is reported and the previous good value of that key is kept.
 */
import type { Algo } from '../harness/types';

export type SeverityName = 'error' | 'warning' | 'information' | 'hint' | 'off';
export type LogLevel = 'error' | 'warning' | 'info' | 'debug';
export type SeverityKind = 'hyperparameter' | 'budget' | 'fixed-by-task' | 'not-a-literal' | 'ignored' | 'inert' | 'syntax-error';

export interface Settings {
  cataloguePaths: string[];
  severity: Record<SeverityKind, SeverityName>;
  showFixed: boolean;
  inlayHints: boolean;
  codeLens: boolean;
  harness: { algo: Algo; maxEvals: number };
  logLevel: LogLevel;
  debounceMs: number;
  splitTuples: boolean;
  tuneBudget: boolean;
}

export interface SettingSchema {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'array';
  default: unknown;
  description: string;
  enum?: string[];
  items?: { type: 'string' };
  minimum?: number;
  maximum?: number;
}

const SEVERITIES: SeverityName[] = ['error', 'warning', 'information', 'hint', 'off'];

/** Every key (dotted, under the "optpar" section), its type, default and a doc line. */
export const SETTINGS_SCHEMA: Record<string, SettingSchema> = {
  cataloguePaths: {
    type: 'array',
    items: { type: 'string' },
    default: [],
    description: 'Extra catalogue files (YAML in metadata/\'s schema, or the paper\'s CSV) loaded after the built-in one; relative paths are resolved from the workspace root.',
  },
  'severity.hyperparameter': { type: 'string', enum: SEVERITIES, default: 'hint', description: 'Severity of the diagnostic on a tunable hyperparameter ("off" hides it).' },
  'severity.budget': { type: 'string', enum: SEVERITIES, default: 'hint', description: 'Severity of the diagnostic on a training budget (epochs, patience), kept as written unless budgets are tuned ("off" hides it).' },
  'severity.fixed-by-task': { type: 'string', enum: SEVERITIES, default: 'hint', description: 'Severity of the diagnostic on a value set by the task (output units, loss...); shown only with showFixed.' },
  'severity.not-a-literal': { type: 'string', enum: SEVERITIES, default: 'hint', description: 'Severity of the diagnostic on a hyperparameter whose value is not a literal; shown only with showFixed.' },
  'severity.ignored': { type: 'string', enum: SEVERITIES, default: 'hint', description: 'Severity of the diagnostic on a hyperparameter excluded by "# optpar: ignore" or optpar.yaml; shown only with showFixed.' },
  'severity.inert': { type: 'string', enum: SEVERITIES, default: 'hint', description: 'Severity of the diagnostic on a value the training never reaches (in a model the file builds but never trains, a dataset fit never reads); shown only with showFixed.' },
  'severity.syntax-error': { type: 'string', enum: SEVERITIES, default: 'information', description: 'Severity of the diagnostic on a syntax error or unreadable file (your Python server reports these too).' },
  showFixed: { type: 'boolean', default: false, description: 'Also show diagnostics for values that are not tuned: fixed by the task, not literals, ignored, inert.' },
  inlayHints: { type: 'boolean', default: true, description: 'Show the search range beside each tunable value (∈ {32, 64, 128}).' },
  codeLens: { type: 'boolean', default: true, description: 'Show "Tune this model (N hyperparameters)" above model.compile/fit.' },
  'harness.algo': { type: 'string', enum: ['tpe', 'rand', 'anneal', 'atpe'], default: 'tpe', description: 'hyperopt search algorithm of generated tuning harnesses.' },
  'harness.maxEvals': { type: 'integer', minimum: 1, maximum: 100000, default: 50, description: 'Number of trials (max_evals) of generated tuning harnesses.' },
  logLevel: { type: 'string', enum: ['error', 'warning', 'info', 'debug'], default: 'info', description: 'Verbosity of the server log (window/logMessage).' },
  debounceMs: { type: 'integer', minimum: 0, maximum: 10000, default: 150, description: 'Delay after the last keystroke before a document is analysed again (milliseconds).' },
  splitTuples: { type: 'boolean', default: false, description: 'Tune the elements of equal tuples separately (kernel_size=(3, 3) as two values).' },
  tuneBudget: { type: 'boolean', default: false, description: 'Tune training budgets (epochs, EarlyStopping patience...) too; by default they are kept as written.' },
};

function defaults(): Settings {
  const s = {} as Record<string, unknown>;
  for (const [key, spec] of Object.entries(SETTINGS_SCHEMA)) setPath(s, key, structuredClone(spec.default));
  return s as unknown as Settings;
}

export const DEFAULT_SETTINGS: Settings = Object.freeze(defaults()) as Settings;

function setPath(obj: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let o = obj;
  for (const p of parts.slice(0, -1)) o = (o[p] ??= {}) as Record<string, unknown>;
  o[parts[parts.length - 1]] = value;
}

function getPath(obj: unknown, dotted: string): { found: boolean; value?: unknown } {
  if (obj && typeof obj === 'object' && dotted in (obj as object)) return { found: true, value: (obj as Record<string, unknown>)[dotted] };
  let o: unknown = obj;
  for (const p of dotted.split('.')) {
    if (!o || typeof o !== 'object' || Array.isArray(o) || !(p in (o as object))) return { found: false };
    o = (o as Record<string, unknown>)[p];
  }
  return { found: true, value: o };
}

/** Every dotted leaf key present in raw (nested or dotted form), to report unknown ones. */
function leafKeys(raw: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(raw)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (SETTINGS_SCHEMA[key]) out.push(key);
    else if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...leafKeys(v as Record<string, unknown>, key));
    else out.push(key);
  }
  return out;
}

function check(spec: SettingSchema, value: unknown): string | undefined {
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'expected true or false';
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'expected a number';
      if (spec.type === 'integer' && !Number.isInteger(value)) return 'expected a whole number';
      if (spec.minimum !== undefined && value < spec.minimum) return `must be at least ${spec.minimum}`;
      if (spec.maximum !== undefined && value > spec.maximum) return `must be at most ${spec.maximum}`;
      return undefined;
    }
    case 'string':
      if (typeof value !== 'string') return 'expected a string';
      if (spec.enum && !spec.enum.includes(value)) return `expected one of ${spec.enum.join(', ')}`;
      return undefined;
    case 'array':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? undefined : 'expected a list of strings';
  }
}

/**
 * Reads raw settings (the "optpar" section: nested objects or dotted keys). Missing keys take
 * `base` (the defaults, or the last good settings); a bad value keeps base's and is reported.
 * null/undefined raw gives base unchanged.
 */
const CLIENT_KEYS = ['server.'];

export function parseSettings(raw: unknown, base: Settings = DEFAULT_SETTINGS): { settings: Settings; errors: string[] } {
  const settings = structuredClone(base) as Settings;
  const errors: string[] = [];
  if (raw === null || raw === undefined) return { settings, errors };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { settings, errors: ['optpar settings must be an object'] };
  for (const key of leafKeys(raw as Record<string, unknown>)) {
    // server.* belongs to the editor clients (which server binary to start), not to the server.
    if (!SETTINGS_SCHEMA[key] && !CLIENT_KEYS.some((p) => key.startsWith(p))) errors.push(`unknown setting "optpar.${key}"`);
  }
  for (const [key, spec] of Object.entries(SETTINGS_SCHEMA)) {
    const { found, value } = getPath(raw, key);
    if (!found || value === null || value === undefined) continue;
    const problem = check(spec, value);
    if (problem) errors.push(`setting "optpar.${key}": ${problem} (got ${JSON.stringify(value)}); keeping ${JSON.stringify(getPath(base, key).value)}`);
    else setPath(settings as unknown as Record<string, unknown>, key, structuredClone(value));
  }
  return { settings, errors };
}
