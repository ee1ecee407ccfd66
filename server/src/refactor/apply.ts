import { canonicalPath, collectImports, type ImportBindings } from '../analysis/imports';
import { parseSyntax } from '../analysis/parse';
import type { SyntaxNode } from '../analysis/syntax';
import type { Hyperparameter } from '../analysis/types';
import type { Catalogue } from '../catalogue/types';
import { applyEdits, type TextEdit } from './edits';

/**
 * Applying a search's values back to the source: pure (text, hyperparameters of that text,
 * chosen values in; edits and skipped values out). Each value is written in the source's own
 * style, and only the value's own text is replaced, so the rest of the file is byte-exact.
 */

/** A value as the results file holds it (JSON): a number, string, bool, None, or a tuple as a list. */
export type AppliedValue = string | number | boolean | null | AppliedValue[];

export interface ApplyEdit extends TextEdit {
  id: string;
  /** The text replaced. */
  original: string;
  value: AppliedValue;
  /** Every id this edit writes, when it writes more than `id` (an optimizer's class and rate in one object). */
  ids?: string[];
}

export interface SkippedValue {
  id: string;
  reason: string;
}

export interface ApplyResult {
  edits: ApplyEdit[];
  /** Values not applied, each with why (changed since the search, not found, not writable). */
  skipped: SkippedValue[];
  /** Ids whose source already holds the chosen value. */
  unchanged: string[];
  /** The text with the edits applied. */
  text: string;
}

export interface ApplyInput {
  text: string;
  /** The hyperparameters found in `text` now (a scan of it). */
  hyperparameters: Hyperparameter[];
  /** The values to write, by id (a trial's params). */
  values: Record<string, AppliedValue>;
  /**
   * Each value's source text when the search was made (results.json `model.values`): a value
   * whose text differs now was changed by hand since, and is skipped rather than overwritten.
   */
  recorded?: Record<string, { text: string }>;
  /**
   * The catalogue the scan used: an optimizer named by a string (optimizer="adam") whose implicit
   * learning rate is applied becomes that optimizer's class, whose Keras default it knows.
   */
  catalogue?: Catalogue;
}

/** The ids an apply changes (a class choice may also edit its import). */
export function appliedIds(edits: ApplyEdit[]): string[] {
  return [...new Set(edits.flatMap((e) => e.ids ?? [e.id]))];
}

/** Edits that add to the file's imports (the same addition for two values is made once). */
const importEdits = new WeakSet<ApplyEdit>();
function importEdit(e: ApplyEdit): ApplyEdit {
  importEdits.add(e);
  return e;
}

export function applyValues(input: ApplyInput): ApplyResult {
  const { text, values, recorded } = input;
  /** Arguments removed with the class written (a keyword it does not take), and why. */
  const removals = new Map<ApplyEdit, string>();
  const byId = new Map(input.hyperparameters.map((h) => [h.id, h]));
  const edits: ApplyEdit[] = [];
  const skipped: SkippedValue[] = [];
  const unchanged: string[] = [];
  const context = new FileContext(text);
  // optimizer="adam" with its implicit rate: the name and the rate are one piece of text.
  const named = namedOptimizers(input.hyperparameters);
  const done = new Set<string>();
  for (const pair of named) {
    if (!(pair.rate.id in values) && !(pair.choice && pair.choice.id in values)) continue;
    done.add(pair.rate.id);
    if (pair.choice) done.add(pair.choice.id);
    const r = applyNamedOptimizer(pair, text, values, recorded, input.catalogue, context);
    edits.push(...r.edits);
    skipped.push(...r.skipped);
    unchanged.push(...r.unchanged);
  }
  for (const [id, value] of Object.entries(values)) {
    if (done.has(id)) continue;
    let h = byId.get(id);
    // optimizer="adam" applied as an object before: its class choice is now the object's class.
    const asClass = !h ? byId.get(`${id}.class`) : undefined;
    if (asClass && typeof value === 'string' && input.catalogue) {
      const spec = optimizerByName(input.catalogue, value);
      if (spec) {
        const now = text.slice(asClass.span.start, asClass.span.end);
        if (asClass.current === spec.name) unchanged.push(id);
        else {
          const r = renderClass(now, spec.name, text);
          if (r.error !== undefined) skipped.push({ id, reason: r.error });
          else {
            edits.push({ id, span: asClass.span, newText: r.text!, original: now, value });
            for (const extra of r.extra ?? []) edits.push(importEdit({ id, ...extra, original: text.slice(extra.span.start, extra.span.end), value }));
          }
        }
        continue;
      }
    }
    if (!h) {
      skipped.push({ id, reason: 'not found in the model any more' });
      continue;
    }
    const current = text.slice(h.span.start, h.span.end);
    const was = recorded?.[id]?.text;
    if (was !== undefined && current !== was) {
      skipped.push({ id, reason: `changed since the search (was ${was}, now ${current || 'not written'})` });
      continue;
    }
    if (h.current !== undefined && JSON.stringify(h.current) === JSON.stringify(value)) {
      unchanged.push(id);
      continue;
    }
    const rendered = renderValue(h, current, value, text);
    if (rendered.error !== undefined) {
      skipped.push({ id, reason: rendered.error });
      continue;
    }
    if (rendered.text === current) {
      unchanged.push(id);
      continue;
    }
    // A class that does not take some keywords written (Adam for SGD(momentum=0.9)): they go with it.
    const drops = typeof value === 'string' ? h.dropsFor?.[value] : undefined;
    if (drops && drops.remove.some((r) => text.slice(r.start, r.end).includes('#'))) {
      skipped.push({ id, reason: `${value} does not take ${drops.keywords.join(', ')}, and removing them would remove a comment: set it by hand` });
      continue;
    }
    edits.push({ id, span: h.span, newText: rendered.text!, original: current, value });
    // A class the file does not import yet: added to the import that brings the current one.
    for (const extra of rendered.extra ?? []) edits.push(importEdit({ id, ...extra, original: text.slice(extra.span.start, extra.span.end), value }));
    for (const span of drops?.remove ?? []) {
      const e: ApplyEdit = { id, span, newText: '', original: text.slice(span.start, span.end), value };
      removals.set(e, `${value} does not take ${drops!.keywords.join(', ')}`);
      edits.push(e);
    }
  }
  // Two ids on one span (a value shared through a variable is one id, but be safe): keep the first.
  // The same import added for two values is added once.
  edits.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  const kept: ApplyEdit[] = [];
  for (const e of edits) {
    const prev = kept[kept.length - 1];
    if (importEdits.has(e) && kept.some((k) => importEdits.has(k) && k.span.start === e.span.start && k.span.end === e.span.end && k.newText === e.newText)) continue;
    if (prev && e.span.start < prev.span.end) skipped.push({ id: e.id, reason: removals.has(prev) ? `removed with ${prev.id} (${removals.get(prev)})` : `overlaps ${prev.id}` });
    else kept.push(e);
  }
  return { edits: kept, skipped, unchanged, text: applyEdits(text, kept) };
}

/**
 * The two shapes whose rewrite is not "replace the literal" (issue 10 §4), read structurally so
 * this module builds with or without them in the Hyperparameter type.
 */
interface Shaped {
  /** An implicit value (a Keras default not written): inserted as `${before}${keyword}=<value>`. */
  insertion?: { before: string; keyword: string };
  /** Part of an expression (an optimizer class at its callee): the class is rewritten in place. */
  template?: string;
}

/** The text of `value` for hyperparameter `h`, in the style of its current text (and of the file's). */
export function renderValue(h: Hyperparameter, current: string, value: AppliedValue, text = ''): { text?: string; error?: string; extra?: TextEdit[] } {
  const shaped = h as Hyperparameter & Shaped;
  if (shaped.insertion) {
    // No text of its own to follow: strings take the file's usual quote.
    const sample = (text.match(/"/g)?.length ?? 0) > (text.match(/'/g)?.length ?? 0) ? '""' : "''";
    const r = Array.isArray(value) ? renderSequence(h, '(' + value.map(() => '0').join(', ') + ')', value) : renderScalar(h.type, typeof value === 'string' ? sample : '', value);
    if (r.error !== undefined) return r;
    return { text: `${shaped.insertion.before}${shaped.insertion.keyword}=${r.text}` };
  }
  if (shaped.template !== undefined) {
    if (h.param === 'class') return renderClass(current, value, text);
    // Another value inside an expression (an implicit learning rate of optimizer="adam"): no
    // rendering in the source's style yet, so it is named rather than written in the template's.
    const r = renderScalar(h.type, '', value);
    return { error: `cannot write ${h.param}=${r.text ?? JSON.stringify(value)} into ${current} yet: set it by hand` };
  }
  if (h.span.end === h.span.start) return { error: `no written value to replace (${h.definition})` };
  // A tuple tuned as one value (kernel_size=(3, 3) kept square): the value is its element.
  if (h.tupleSize !== undefined && h.element === undefined) {
    const element = Array.isArray(value) ? value : Array(h.tupleSize).fill(value);
    return renderSequence(h, current, element);
  }
  if (Array.isArray(value)) return renderSequence(h, current, value);
  return renderScalar(h.type, current, value);
}

/** A class chosen at its callee: keras.optimizers.Adam becomes keras.optimizers.AdamW. */
function renderClass(current: string, value: AppliedValue, text: string): { text?: string; error?: string; extra?: TextEdit[] } {
  if (typeof value !== 'string' || !/^[A-Za-z_]\w*$/.test(value)) return { error: `cannot write the class ${JSON.stringify(value)}` };
  const m = /^([\w.]*\.)?(\w+)$/.exec(current.trim());
  if (!m) return { error: `cannot rewrite the callee ${current}` };
  if (!m[1]) {
    // A bare name: the new class must be bound in the file too (imported or defined).
    const bound = new RegExp(`(^|\\n)\\s*(from\\s+\\S+\\s+import\\s+[^\\n]*\\b${value}\\b|class\\s+${value}\\b|${value}\\s*=)`).test(text);
    if (!bound) {
      // `from ....optimizers import Adam` (one line): the new class joins that import.
      const imp = new RegExp(`^[ \\t]*from[ \\t]+[\\w.]*optimizers[ \\t]+import[ \\t]+[^\\n#()\\\\]*\\b${m[2]}\\b`, 'm').exec(text);
      if (!imp) return { error: `${value} is not imported in the file (write keras.optimizers.${value}, or import it)` };
      const end = imp.index + imp[0].length;
      return { text: value, extra: [{ span: { start: end, end }, newText: `, ${value}` }] };
    }
  }
  return { text: `${m[1] ?? ''}${value}` };
}

/** A tuple or list, keeping the brackets, separators and spacing of the current text. */
function renderSequence(h: Hyperparameter, current: string, elements: AppliedValue[]): { text?: string; error?: string } {
  const m = /^([(\[])([\s\S]*)([)\]])$/.exec(current.trim());
  if (!m) {
    // Written as a bare scalar standing for a square tuple (kernel_size=3): stays a scalar when all equal.
    const first = elements[0];
    if (elements.every((e) => JSON.stringify(e) === JSON.stringify(first))) return renderScalar(h.type === 'tuple' ? 'int' : h.type, current, first);
    return { error: `cannot write ${JSON.stringify(elements)} over ${current}` };
  }
  const [, open, inner, close] = m;
  const parts = splitTopLevel(inner);
  const items = parts.filter((p) => p.trim() !== '');
  if (items.length !== elements.length) return { error: `cannot write ${elements.length} element(s) over ${current}` };
  let i = 0;
  const out: string[] = [];
  for (const p of parts) {
    if (p.trim() === '') {
      out.push(p);
      continue;
    }
    const r = renderScalar(h.type === 'tuple' ? 'int' : h.type, p.trim(), elements[i++]);
    if (r.error !== undefined) return r;
    out.push(/^\s*/.exec(p)![0] + r.text + /\s*$/.exec(p)![0]);
  }
  const lead = /^\s*/.exec(current)![0];
  const trail = /\s*$/.exec(current)![0];
  return { text: `${lead}${open}${out.join(',')}${close}${trail}` };
}

/** Splits a bracket's inside on its top-level commas, keeping the whitespace. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** A scalar in the style of `current`: ints stay ints, floats keep exponent notation, strings their quotes. */
export function renderScalar(type: string, current: string, value: AppliedValue): { text?: string; error?: string } {
  if (value === null) return { text: 'None' };
  if (typeof value === 'boolean') return { text: value ? 'True' : 'False' };
  if (typeof value === 'string') return { text: renderString(current, value) };
  if (typeof value !== 'number' || !Number.isFinite(value)) return { error: `cannot write ${JSON.stringify(value)}` };
  if (type === 'int' || type === 'tuple' || (type !== 'float' && /^[+-]?\d[\d_]*$/.test(current) && Number.isInteger(value))) {
    return { text: String(Math.round(value)) };
  }
  return { text: renderFloat(current, value) };
}

/** A float as Python's repr would write it (shortest round trip), in exponent form if the source used it. */
function renderFloat(current: string, v: number): string {
  if (/^[+-]?[\d.]+e[+-]?\d+$/i.test(current.trim())) {
    const [mant, exp] = v.toExponential().split('e');
    return `${mant}${current.includes('E') ? 'E' : 'e'}${exp.startsWith('+') ? exp.slice(1) : exp}`;
  }
  const s = String(v);
  // JavaScript's shortest round trip is Python's repr, but for 1e+21 style exponents.
  if (/e/.test(s)) return s.replace('e+', 'e');
  return Number.isInteger(v) ? `${v}.0` : s;
}

/** A string literal with the current literal's prefix and quote character. */
function renderString(current: string, value: string): string {
  const m = /^([rRuUbBfF]*)('''|"""|'|")/.exec(current.trim());
  const prefix = m ? m[1].replace(/[fF]/g, '') : '';
  const quote = m ? m[2] : "'";
  const raw = /[rR]/.test(prefix);
  let body = raw ? value : value.replace(/\\/g, '\\\\');
  if (quote.length === 1) body = body.replace(new RegExp(quote, 'g'), `\\${quote}`).replace(/\n/g, '\\n');
  return `${prefix}${quote}${body}${quote}`;
}

/**
 * optimizer="adam" and its implicit learning rate (issue 10 §4): the rate is reported on the
 * string, and so is the optimizer's name when it is a choice, so both are applied together.
 */
interface NamedOptimizer {
  /** compile.optimizer.learning_rate: implicit, on the string. */
  rate: Hyperparameter;
  /** compile.optimizer: the string itself as a choice of names, when reported. */
  choice?: Hyperparameter;
}

function namedOptimizers(hps: Hyperparameter[]): NamedOptimizer[] {
  const out: NamedOptimizer[] = [];
  for (const rate of hps) {
    if (rate.definition !== 'implicit' || rate.param !== 'learning_rate' || !rate.template?.includes('optimizers.get(')) continue;
    const choice = hps.find((h) => h !== rate && h.template === undefined && h.span.start === rate.span.start && h.span.end === rate.span.end);
    out.push({ rate, choice });
  }
  return out;
}

/** The Keras optimizer class a name such as "adam" or "RMSprop" gives (keras.optimizers.get's lookup). */
export function optimizerByName(catalogue: Catalogue, name: string): { name: string; rate?: number } | undefined {
  const lower = name.toLowerCase();
  const spec = catalogue.callables.find((c) => c.kind === 'optimizer' && c.name.toLowerCase() === lower && c.paths.includes(`keras.optimizers.${c.name}`));
  if (!spec) return undefined;
  const rate = spec.params.find((p) => p.name === 'learning_rate')?.implicit;
  return { name: spec.name, rate: typeof rate === 'number' ? rate : undefined };
}

/**
 * The string stays as written while the rate is the chosen optimizer's Keras default (only a
 * chosen name is written over it); another rate makes the string an object of the chosen class,
 * named the way the file already names Keras (`keras.optimizers.RMSprop(learning_rate=0.003)`).
 */
function applyNamedOptimizer(
  pair: NamedOptimizer,
  text: string,
  values: Record<string, AppliedValue>,
  recorded: Record<string, { text: string }> | undefined,
  catalogue: Catalogue | undefined,
  context: FileContext,
): { edits: ApplyEdit[]; skipped: SkippedValue[]; unchanged: string[] } {
  const { rate, choice } = pair;
  const ids = [rate.id, ...(choice ? [choice.id] : [])].filter((id) => id in values);
  const skipAll = (reason: string) => ({ edits: [], skipped: ids.map((id) => ({ id, reason })), unchanged: [] });
  const current = text.slice(rate.span.start, rate.span.end);
  for (const id of ids) {
    const was = recorded?.[id]?.text;
    if (was !== undefined && current !== was) return skipAll(`changed since the search (was ${was}, now ${current})`);
  }
  const written = /^[rRuU]?(['"])(.*)\1$/s.exec(current.trim())?.[2];
  if (written === undefined) return skipAll(`cannot read the optimizer name ${current}`);
  const chosen = choice && choice.id in values ? values[choice.id] : written;
  if (typeof chosen !== 'string') return skipAll(`cannot write the optimizer ${JSON.stringify(chosen)}`);
  const lr = rate.id in values ? values[rate.id] : undefined;
  const spec = catalogue && optimizerByName(catalogue, chosen);
  if (lr !== undefined && typeof lr !== 'number') return skipAll(`cannot write learning_rate=${JSON.stringify(lr)}`);
  if (lr !== undefined && !spec?.rate) return skipAll(catalogue ? `no Keras optimizer class named ${JSON.stringify(chosen)} is known` : 'the catalogue is needed to write an optimizer object');
  if (lr === undefined || lr === spec!.rate) {
    // The name gives the rate: the string stays a string.
    const unchanged = lr === undefined ? [] : [rate.id];
    if (chosen === written) return { edits: [], skipped: [], unchanged: ids };
    const newText = renderString(current, chosen);
    return { edits: [{ id: choice!.id, span: rate.span, newText, original: current, value: chosen }], skipped: [], unchanged };
  }
  const ref = classReference(context, spec!.name);
  if ('error' in ref) return skipAll(ref.error);
  const newText = `${ref.text}(learning_rate=${renderScalar('float', '', lr).text})`;
  const edits: ApplyEdit[] = [{ id: rate.id, ids, span: rate.span, newText, original: current, value: lr }];
  for (const extra of ref.extra ?? []) edits.push(importEdit({ id: rate.id, ...extra, original: text.slice(extra.span.start, extra.span.end), value: lr }));
  return { edits, skipped: [], unchanged: [] };
}

/** The file's parse and import bindings, made once per apply and only when needed. */
class FileContext {
  private parsed?: { root: SyntaxNode; imports: ImportBindings };
  constructor(readonly text: string) {}
  get tree(): { root: SyntaxNode; imports: ImportBindings } {
    if (!this.parsed) {
      const root = parseSyntax(this.text).root;
      this.parsed = { root, imports: collectImports(root) };
    }
    return this.parsed;
  }
}

const KERAS_ROOT = /^(.*?\b(?:keras|tf_keras))(?:\.|$)/;

/**
 * An expression for keras.optimizers.<cls> that is valid in the file, the way the file names
 * Keras: the class itself when imported by name, else through an imported `optimizers`, `keras`
 * or `tensorflow` module (nothing added to the imports). When the file binds none of those (it
 * imports only layers, models...), the class joins a one-line import of other optimizers, or
 * `optimizers` joins a one-line `from <keras> import ...`, or a line
 * `from <keras> import optimizers` is added after the file's last module-level Keras import,
 * spelled as the file spells Keras (tensorflow.keras or keras).
 */
export function classReference(context: FileContext, cls: string): { text: string; extra?: TextEdit[] } | { error: string } {
  const { root, imports } = context.tree;
  const text = context.text;
  const bound = [...imports.names];
  const local = (path: string) => bound.find(([, p]) => p === path)?.[0];
  const byName = local(`keras.optimizers.${cls}`);
  if (byName) return { text: byName };
  const module = local('keras.optimizers');
  if (module) return { text: `${module}.${cls}` };
  if (imports.starModules.includes('keras.optimizers') && !imports.names.has(cls)) return { text: cls };
  const keras = local('keras');
  if (keras) return { text: `${keras}.optimizers.${cls}` };
  const tf = local('tensorflow');
  if (tf) return { text: `${tf}.keras.optimizers.${cls}` };
  // Nothing usable: add to the imports, as little as possible.
  const redefined = (name: string) => imports.names.has(name) || new RegExp(`(^|\\n)[ \\t]*(def|class)[ \\t]+${name}\\b|(^|[^.\\w])${name}[ \\t]*(=[^=]|,[^\\n]*=)`).test(text);
  const statements = root.descendantsOfType('import_from_statement').filter((s) => s.parent?.type === 'module');
  const oneLine = (s: SyntaxNode) => !/[\n()\\]/.test(s.text);
  const moduleOf = (s: SyntaxNode) => s.childForFieldName('module_name');
  const canonical = (s: SyntaxNode) => {
    const m = moduleOf(s);
    return m && m.type !== 'relative_import' ? canonicalPath(m.text.replace(/\s+/g, '')) : undefined;
  };
  const append = (s: SyntaxNode, name: string) => {
    const end = s.namedChildren[s.namedChildren.length - 1].endIndex;
    return { span: { start: end, end }, newText: `, ${name}` };
  };
  const others = statements.find((s) => canonical(s) === 'keras.optimizers' && oneLine(s) && !s.namedChildren.some((c) => c.type === 'wildcard_import'));
  if (others && !redefined(cls)) return { text: cls, extra: [append(others, cls)] };
  if (redefined('optimizers')) return { error: `the file binds no Keras module to write keras.optimizers.${cls} through, and its name optimizers is taken: set it by hand` };
  const kerasFrom = statements.find((s) => canonical(s) === 'keras' && oneLine(s) && !s.namedChildren.some((c) => c.type === 'wildcard_import'));
  if (kerasFrom) return { text: `optimizers.${cls}`, extra: [append(kerasFrom, 'optimizers')] };
  // After the last of them, so the file's Keras imports stay together.
  const anyKeras = [...statements, ...root.descendantsOfType('import_statement').filter((s) => s.parent?.type === 'module')].sort((a, b) => b.startIndex - a.startIndex).find((s) => {
    const names = s.type === 'import_from_statement' ? [moduleOf(s)?.text ?? ''] : s.namedChildren.map((c) => (c.type === 'aliased_import' ? c.childForFieldName('name')?.text ?? '' : c.text));
    return names.some((n) => KERAS_ROOT.test(n.replace(/\s+/g, '')));
  });
  if (!anyKeras) return { error: `the file imports no Keras module to write keras.optimizers.${cls} through: set it by hand` };
  const names = anyKeras.type === 'import_from_statement' ? [moduleOf(anyKeras)!.text] : anyKeras.namedChildren.map((c) => (c.type === 'aliased_import' ? c.childForFieldName('name')?.text ?? '' : c.text));
  const spelled = names.map((n) => KERAS_ROOT.exec(n.replace(/\s+/g, ''))?.[1]).find((r) => r !== undefined)!;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  // The import statement written again with the new line after it (so a listing of the edits reads well).
  const span = { start: anyKeras.startIndex, end: anyKeras.endIndex };
  return { text: `optimizers.${cls}`, extra: [{ span, newText: `${anyKeras.text}${eol}from ${spelled} import optimizers` }] };
}
