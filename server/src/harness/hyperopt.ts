import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import type { Catalogue, Scalar } from '../catalogue/types';
import { parseSyntax } from '../analysis/parse';
import { catalogueCalls, scanSource } from '../analysis/scan';
import { LineIndex } from '../analysis/lines';
import { tiesAmong } from '../analysis/ties';
import type { Hyperparameter, SearchSpace } from '../analysis/types';
import { applyProjectConfig } from '../config/projectConfig';
import { chooseHyperparameters, parametrize } from '../refactor/parametrize';
import { runtimeText } from './runtimeText';
import { splitModule } from './split';
import { type GeneratedHarness, HarnessError, type HarnessOptions } from './types';

const VALIDATION_SPLIT = 0.2;

/** A value as Python source. */
export function pyLiteral(v: Scalar, type?: string): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return JSON.stringify(v);
  if (type === 'float' && Number.isInteger(v)) return `${v}.0`;
  return String(v);
}

/** A JSON value as a Python literal (True/False/None, not true/false/null). */
export function pyValue(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (Array.isArray(v)) return `[${v.map(pyValue).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}: ${pyValue(x)}`).join(', ')}}`;
  return pyLiteral(v as Scalar);
}

/** The hyperopt expression of a search space; ints come back as ints (scope.int / uniformint). */
export function hyperoptExpr(id: string, space: SearchSpace, type: string): string {
  const label = JSON.stringify(id);
  const n = (v: number) => pyLiteral(v, type === 'float' ? 'float' : undefined);
  switch (space.kind) {
    case 'choice':
      return `hp.choice(${label}, [${space.options.map((o) => pyLiteral(o, type)).join(', ')}])`;
    case 'uniform':
      return `hp.uniform(${label}, ${n(space.low)}, ${n(space.high)})`;
    case 'loguniform':
      return `hp.loguniform(${label}, math.log(${space.low}), math.log(${space.high}))`;
    case 'uniformint':
      return `hp.uniformint(${label}, ${space.low}, ${space.high})`;
    case 'qloguniform':
      return `scope.int(hp.qloguniform(${label}, math.log(${space.low}), math.log(${space.high}), ${space.q}))`;
  }
}

function pyType(h: Hyperparameter): string {
  return h.type === 'tuple' || h.type === 'int' ? 'int' : h.type === 'string' ? 'str' : h.type;
}

/** The original value's Python text: the literal as written, or the element of a tuple tuned as one value. */
function defaultText(h: Hyperparameter): string {
  // A tuple tuned as one value, an implicit Keras default, an optimizer class named at its callee.
  if ((h.tupleSize !== undefined && h.element === undefined) || h.insertion || h.template) return pyLiteral(h.current!);
  return h.value;
}

/** The search space as JSON for other tools (--space-json): id -> space, plus type and default. */
export function spaceJson(hps: Hyperparameter[]): Record<string, SearchSpace & { type: string; default: Scalar }> {
  const out: Record<string, SearchSpace & { type: string; default: Scalar }> = {};
  for (const h of hps) if (h.space && h.current !== undefined) out[h.id] = { ...h.space, type: pyType(h), default: h.current };
  return out;
}

/** A search space for a hyperparameter chosen by --ids that has none (a fixed one): its value alone. */
function spaceOf(h: Hyperparameter): SearchSpace {
  return h.space ?? { kind: 'choice', options: [h.current!] };
}

/** SHA-256 of a model's text (as decoded for analysis), recorded by the harness and checked by optpar apply. */
export function textHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The model's path, text hash and each tuned value's original text and place (1-based). */
function modelRecord(text: string, sourcePath: string, chosen: Hyperparameter[]) {
  const lines = new LineIndex(text);
  const values = Object.fromEntries(
    chosen.map((h) => {
      const at = lines.humanPosition(h.span.start);
      return [h.id, { text: text.slice(h.span.start, h.span.end), line: at.line, column: at.column, definition: h.definition }];
    }),
  );
  return { path: resolve(sourcePath), sha256: textHash(text), values };
}

/**
 * Writes the tuning harness: the user's code, parametrized, with what does not depend on
 * hyperparameters kept at module level (run once per search) and model building, compile and
 * fit wrapped in a function that each trial runs; then the objective, the space and fmin.
 */
export function generateHarness(text: string, sourcePath: string, catalogue: Catalogue, options: HarnessOptions): GeneratedHarness {
  const name = basename(sourcePath);
  const scan = scanSource(text, catalogue, { splitTuples: options.splitTuples, tuneBudget: options.tuneBudget });
  const syntax = scan.errors.find((e) => e.message.startsWith('syntax error'));
  if (syntax) throw new HarnessError(`${name}: ${syntax.message}; fix it first: the harness must move this code`);
  const other = scan.errors[0];
  if (other) throw new HarnessError(`${name}: ${other.message}`);
  if (scan.hyperparameters.length === 0) throw new HarnessError(`${name}: no Keras model found (no call into the Keras API that optpar knows)`);

  const hps = options.project ? applyProjectConfig(scan.hyperparameters, options.project) : scan.hyperparameters;
  const { chosen, unknown, unusable } = chooseHyperparameters(hps, options.ids);
  if (unknown.length) throw new HarnessError(`${name}: no hyperparameter with id ${unknown.join(', ')} (optpar scan ${name} lists them)`);
  if (unusable.length) throw new HarnessError(`${name}: ${unusable.join(', ')} has no literal value to start from`);
  if (chosen.length === 0) {
    const fixed = hps.map((h) => h.id).join(', ');
    throw new HarnessError(`${name}: nothing to tune: every hyperparameter found is fixed or not a literal (${fixed}); name some with --ids`);
  }

  const rewritten = parametrize(text, chosen).text;
  const root = parseSyntax(rewritten).root;
  const calls = catalogueCalls(rewritten, root, catalogue);
  const fits = calls.filter((c) => c.path === 'Model.fit');
  if (fits.length === 0) {
    // Keras 2's generator methods are gone from Keras 3, which the harness runs on: say how to move.
    const legacy = calls.find((c) => c.path === 'Model.fit_generator');
    if (legacy) {
      const line = new LineIndex(rewritten).humanPosition(legacy.node.startIndex).line;
      throw new HarnessError(`${name}: line ${line} trains with Keras 2's fit_generator, which Keras 3 removed; write model.fit(generator, ...) with the same arguments (fit takes generators since Keras 2.1) and run optpar again`);
    }
    throw new HarnessError(`${name}: no model.fit(...) call: a trial needs the training code to score the model`);
  }
  const validated = fits.every((c) =>
    c.node.childForFieldName('arguments')!.namedChildren.some(
      (a) => a.type === 'keyword_argument' && ['validation_data', 'validation_split'].includes(a.childForFieldName('name')?.text ?? ''),
    ),
  );
  // What makes a statement part of a trial: it builds Keras objects, or reads a tuned value.
  // Data utilities (image_dataset_from_directory, ImageDataGenerator) and methods are not
  // markers: untuned, they load data once per search, not once per trial.
  const markers = [
    ...calls.filter((c) => c.spec.kind !== 'method' && c.spec.kind !== 'function').map((c) => c.node),
    ...root.descendantsOfType('subscript').filter((s) => s.childForFieldName('value')?.text === 'params'),
  ];
  const split = splitModule(rewritten, root, markers);
  const trialChunks = split.chunks.filter((c) => c.trial);
  if (trialChunks.length === 0) throw new HarnessError(`${name}: no module-level code builds or trains the model, so a trial would do nothing`);

  const indentUnit = /^\t/m.test(rewritten) && !/^ {2,}\S/m.test(rewritten) ? '\t' : '    ';
  const multiline = root.descendantsOfType('string').filter((s) => s.text.includes('\n'));
  const insideString = (offset: number) => multiline.some((s) => offset > s.startIndex && offset < s.endIndex);
  const indent = (start: number, end: number): string => {
    let out = '';
    for (let pos = start; pos < end; ) {
      const nl = rewritten.indexOf('\n', pos);
      const lineEnd = nl === -1 || nl >= end ? end : nl + 1;
      const line = rewritten.slice(pos, lineEnd);
      out += line.trim() === '' || insideString(pos) ? line : indentUnit + line;
      pos = lineEnd;
    }
    return out;
  };
  const verbatim = (c: { start: number; end: number }) => rewritten.slice(c.start, c.end);
  const ensureNewline = (s: string) => (s === '' || s.endsWith('\n') ? s : s + '\n');

  const notes: string[] = [];
  if (!validated) notes.push(`a fit() call has no validation data: the harness adds validation_split=${VALIDATION_SPLIT} there and scores on its val_loss`);
  const ids = chosen.map((h) => h.id);
  const pad = Math.max(...ids.map((id) => id.length)) + 4;
  const ties = tiesAmong(chosen);
  const spaceLines = chosen.filter((h) => !ties.has(h.id)).map((h) => `    ${JSON.stringify(h.id)}: ${hyperoptExpr(h.id, spaceOf(h), pyType(h))},`);
  // A follower is the leader's own node of the space: hyperopt draws it once, space_eval gives both ids its value.
  const tieLines = [...ties].map(([follower, leader]) => `OPTPAR_SPACE[${JSON.stringify(follower)}] = OPTPAR_SPACE[${JSON.stringify(leader)}]`);
  const defaultLines = chosen.map((h) => `    ${`${JSON.stringify(h.id)}:`.padEnd(pad)}${defaultText(h)},`);
  const typeLines = chosen.map((h) => `    ${JSON.stringify(h.id)}: ${JSON.stringify(pyType(h))},`);
  const description = pyValue(Object.fromEntries(chosen.map((h) => [h.id, spaceOf(h)])));

  const header = [
    `# Tuning harness for ${name}, generated by optpar: a hyperopt search over ${chosen.length} hyperparameter(s).`,
    '#',
    `#   python tune_${name}`,
    '#       search (--max-evals N, --algo tpe|rand|anneal|atpe, --seed S, --fresh to ignore saved trials)',
    `#   python tune_${name} --defaults`,
    '#       train once with the original values, exactly as written',
    `#   python tune_${name} --params '{"<id>": value, ...}'`,
    '#       run one trial with these values and print its result as JSON',
    `#   python tune_${name} --save-best model.keras`,
    '#       after the search, retrain with the best values and save that model',
    '#',
    `# The code of ${name} follows verbatim, except that tuned values read params['<id>'] and the`,
    '# statements that build, compile and train the model are indented into _optpar_user_model(),',
    '# which each trial runs. Everything else (imports, data loading, helpers) runs once per search.',
    '# Each trial is scored by the minimum val_loss of its last fit(); a failing trial is recorded',
    '# with its error and the search goes on; Ctrl-C stops with the best so far, and a rerun resumes',
    '# from the trials file saved after every trial.',
    '# During the search, Model.save/save_weights/export and matplotlib show/savefig are no-ops, so',
    '# per-trial side effects stay out of it (--defaults runs the code exactly as written).',
    ...notes.map((n) => `# NOTE: ${n}.`),
    '',
  ];
  const futures = split.chunks.filter((c) => c.future).map(verbatim).join('');
  const parts = [
    header.join('\n'),
    ensureNewline(futures),
    'import math',
    '',
    'try:',
    '    from hyperopt import hp',
    '    from hyperopt.pyll import scope',
    'except ImportError as _optpar_missing:',
    '    raise SystemExit("optpar: this harness needs hyperopt (pip install hyperopt): %s" % _optpar_missing)',
    '',
    '# Search space: one entry per hyperparameter, labelled by its optpar id.',
    'OPTPAR_SPACE = {',
    ...spaceLines,
    '}',
    '',
    '# Values written alike in one model (the same activation on every hidden layer) are searched as one:',
    '# follower id -> the id whose draw it takes.',
    `OPTPAR_TIES = ${pyValue(Object.fromEntries(ties))}`,
    ...tieLines,
    '',
    '# The values in the original code: params = OPTPAR_DEFAULTS reproduces it exactly.',
    'OPTPAR_DEFAULTS = {',
    ...defaultLines,
    '}',
    '',
    'OPTPAR_TYPES = {',
    ...typeLines,
    '}',
    '',
    `OPTPAR_SPACE_DESCRIPTION = ${description}`,
    '',
    `# Names only the trial code binds: dropped after each search trial, so its model can be freed.`,
    `OPTPAR_TRIAL_NAMES = ${JSON.stringify(split.trialOnly)}`,
    '',
    '# The model file at search time (recorded in the results: optpar apply checks it).',
    `OPTPAR_MODEL = ${pyValue(modelRecord(text, sourcePath, chosen))}`,
    '',
    `OPTPAR_SETTINGS = {"source": ${JSON.stringify(name)}, "max_evals": ${options.maxEvals}, "algo": ${JSON.stringify(options.algo)}, "seed": ${options.seed}, "validation_split": ${validated ? 'None' : VALIDATION_SPLIT}}`,
    '',
    runtimeText('hyperopt').trimEnd(),
    '',
    'params = dict(OPTPAR_DEFAULTS)',
    '',
    `# ---- ${name}: the code that runs once per search ----`,
  ];
  let body = '';
  let userModel = '';
  for (const chunk of split.chunks) {
    if (chunk.future) continue;
    if (chunk.trial) userModel += indent(chunk.start, chunk.end);
    else body += verbatim(chunk);
  }
  const globalsLine = split.trialGlobals.length ? `${indentUnit}global ${split.trialGlobals.join(', ')}\n` : '';
  const out = [
    parts.join('\n'),
    ensureNewline(body).replace(/\n*$/, '\n'),
    '',
    `# ---- ${name}: the code that runs in each trial ----`,
    'def _optpar_user_model():',
    ensureNewline(`${globalsLine}${userModel.replace(/\n*$/, '')}`),
    '',
    'if __name__ == "__main__":',
    '    _optpar_sys.exit(_optpar_main(OPTPAR_ARGS))',
    '',
  ].join('\n');
  return { text: out, ids, notes };
}
