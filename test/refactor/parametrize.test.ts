import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanSource } from '../../server/src/analysis/scan';
import type { Hyperparameter } from '../../server/src/analysis/types';
import { loadCatalogue } from '../../server/src/catalogue/load';
import { applyEdits, reverseEdits } from '../../server/src/refactor/edits';
import { chooseHyperparameters, parametrize } from '../../server/src/refactor/parametrize';
import { runParametrize } from '../../server/src/cli/parametrize';
import { repoRoot, venvPython } from '../helpers/python';

/**
 * Issue 3, §1: parametrizing is a set of pure text edits. Over every fixture: reversing them gives
 * the original back (in-process and from the CLI's --json), parametrizing twice changes nothing,
 * each replacement evaluates (in Python, params = defaults) to the original value, and nothing
 * outside the edited ranges changes.
 */

const kerasDir = join(repoRoot, 'test', 'fixtures', 'keras');
const harnessDir = join(repoRoot, 'test', 'fixtures', 'harness');
const bin = join(repoRoot, 'bin', 'optpar.js');

// Every Keras fixture, plus this suite's formatting torture test (non-ASCII before values,
// odd spacing, both quote styles, `1_000`, `.001`, `0x20`) and the harness fixtures.
const FIXTURES: { name: string; path: string }[] = [
  ...readdirSync(kerasDir).filter((f) => f.endsWith('.py')).sort().map((f) => ({ name: f, path: join(kerasDir, f) })),
  ...readdirSync(harnessDir).filter((f) => f.endsWith('.py')).sort().map((f) => ({ name: `harness/${f}`, path: join(harnessDir, f) })),
];

// The refusal fixtures of the harness tests (§7): nothing tunable, so no edits at all.
const NOTHING_TO_TUNE = new Set(['harness/no_model.py', 'harness/only_fixed.py']);

const { catalogue } = loadCatalogue();
const scan = (text: string) => scanSource(text, catalogue);

const tmp = mkdtempSync(join(tmpdir(), 'optpar-parametrize-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface CliEdit {
  id: string;
  with?: string[];
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  original: string;
  replacement: string;
}
interface CliJson {
  version: number;
  path: string;
  edits: CliEdit[];
  defaults: Record<string, unknown>;
  space: Record<string, { kind: string; options?: unknown[]; low?: number; high?: number; q?: number; type: string; default: unknown }>;
}

/** The real command line (bin/optpar.js on dist/), as a child process. */
function cli(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The same command line in process (server/src): cheaper for the many small checks. */
async function cliInProcess(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  // (server/src/cli/main.ts requires package.json relative to dist/, so call the command itself.)
  const status = runParametrize(args.slice(1), { out: (s) => (stdout += s + '\n'), err: (s) => (stderr += s + '\n') });
  return { status, stdout, stderr };
}

/** UTF-16 offset of a 1-based line and 1-based column counted in code points (the CLI's positions). */
function offsetOf(text: string, line: number, column: number): number {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) throw new Error(`line ${line} past the end`);
    start = nl + 1;
  }
  let offset = start;
  for (let c = 1; c < column; c++) offset += text.codePointAt(offset)! > 0xffff ? 2 : 1;
  return offset;
}

/** Ranges (UTF-16, in the original) of the CLI edits, sorted, with where they land in the output. */
function placed(original: string, edits: CliEdit[]) {
  const sorted = edits
    .map((e) => ({ ...e, start: offsetOf(original, e.line, e.column), end: offsetOf(original, e.endLine, e.endColumn) }))
    .sort((a, b) => a.start - b.start);
  let shift = 0;
  return sorted.map((e) => {
    const outStart = e.start + shift;
    shift += e.replacement.length - (e.end - e.start);
    return { ...e, outStart, outEnd: outStart + e.replacement.length };
  });
}

function spaceContains(space: CliJson['space'][string], value: unknown): boolean {
  switch (space.kind) {
    case 'choice':
      return space.options!.some((o) => o === value);
    case 'uniformint':
      return Number.isInteger(value) && (value as number) >= space.low! && (value as number) <= space.high!;
    case 'uniform':
    case 'loguniform':
    case 'qloguniform':
      return typeof value === 'number' && value >= space.low! && value <= space.high!;
    default:
      return false;
  }
}

const PY_CHECK = String.raw`
import ast, json, re, sys
results = {}
for data in json.load(sys.stdin):
  out = results[data["name"]] = []
  module = None
  for e in data["edits"]:
      if e["original"] == "":
          # An implicit value: the inserted keyword argument's value is the Keras default.
          m = re.fullmatch(r"(?:, )?(\w+)=(.*)", e["replacement"])
          got = eval(m.group(2), {"__builtins__": {}}, {"params": data["defaults"]})
          want = data["implicit"][e["id"]]
      elif e["replacement"].startswith('__import__("keras").optimizers.get('):
          # An optimizer named by a string, with its implicit learning rate: at the defaults, the
          # optimizer the name gives.
          import keras
          got = eval(e["replacement"], {"__import__": __import__, "params": data["defaults"]})
          want = keras.optimizers.get(ast.literal_eval(e["original"]))
          ca, cb = got.get_config(), want.get_config()
          ca.pop("name", None); cb.pop("name", None)
          out.append({"id": e["id"], "ok": type(got) is type(want) and ca == cb, "got": repr(ca), "want": repr(cb)})
          continue
      elif e["replacement"].startswith("getattr(") or e["replacement"].startswith("(lambda name:"):
          # An optimizer class chosen at its callee: the same class object as the code names (or,
          # wrapped to leave out keywords some classes do not take, a callable building it).
          if module is None:
              module = {}
              for line in data["imports"].splitlines():
                  try:
                      exec(line, module)
                  except ImportError:
                      pass  # a Keras 2 module path: the names this check needs come from the others
          scope = dict(module, params=data["defaults"])
          got, want = eval(e["replacement"], scope), eval(e["original"], scope)
          if e["replacement"].startswith("(lambda name:"):
              got = type(got())
          out.append({"id": e["id"], "ok": got is want, "got": repr(got), "want": repr(want)})
          continue
      else:
          got = eval(e["replacement"], {"__builtins__": {}}, {"params": data["defaults"]})
          want = ast.literal_eval(e["original"])
      # JSON turns 1.0 into 1: a float original may come back as an equal int; an int must stay an int.
      same_type = type(got) is type(want) or (isinstance(want, float) and type(got) is int)
      out.append({"id": e["id"], "ok": got == want and same_type, "got": repr(got), "want": repr(want)})
print(json.dumps(results))
`;

type Check = { id: string; ok: boolean; got: string; want: string };
let checked: Map<string, Check[]> | undefined;

/** Every fixture's replacements checked in one Python process (importing Keras once, not per fixture). */
function pythonChecks(): Map<string, Check[]> {
  if (checked) return checked;
  const cases = FIXTURES.map(({ name, path }) => {
    const text = readFileSync(path, 'utf8');
    const result = scan(text);
    const p = parametrize(text, chooseHyperparameters(result.hyperparameters).chosen);
    return {
      name,
      edits: p.edits.map((e) => ({ id: e.id, original: e.original, replacement: e.newText })),
      defaults: p.defaults,
      implicit: Object.fromEntries(result.hyperparameters.filter((h) => h.definition === 'implicit').map((h) => [h.id, h.current])),
      imports: text.split('\n').filter((l) => /^(import|from) \S+/.test(l) && !/tensorflow_addons/.test(l)).join('\n'),
    };
  });
  const stdout = execFileSync(venvPython(), ['-c', PY_CHECK], { input: JSON.stringify(cases), encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' }, maxBuffer: 1 << 26 });
  checked = new Map(Object.entries(JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, Check[]>));
  return checked;
}

describe.each(FIXTURES)('parametrize $name', ({ name, path }) => {
  const text = readFileSync(path, 'utf8');
  const result = scan(text);
  const { chosen } = chooseHyperparameters(result.hyperparameters);
  const p = parametrize(text, chosen);
  let json: CliJson;
  let cliOutput: string;
  let spaceFromFile: CliJson['space'];

  it(NOTHING_TO_TUNE.has(name) ? 'has nothing to parametrize, and stays as it is' : 'has something to parametrize', () => {
    if (NOTHING_TO_TUNE.has(name)) {
      expect(p.edits).toEqual([]);
      expect(p.text).toBe(text);
    } else expect(p.edits.length, `${name}: no tunable literal`).toBeGreaterThan(0);
  });

  it('(a) reverseEdits undoes the edits exactly', () => {
    expect(applyEdits(p.text, reverseEdits(text, p.edits))).toBe(text);
  });

  it('CLI --json, -o and --space-json agree with the in-process rewrite', async () => {
    const out = join(tmp, name.replace(/\//g, '_'));
    const spaceFile = `${out}.space.json`;
    const r = cli(['parametrize', path, '--json', '-o', out, '--space-json', spaceFile]);
    expect(r.status, r.stderr).toBe(0);
    json = JSON.parse(r.stdout);
    cliOutput = readFileSync(out, 'utf8');
    spaceFromFile = JSON.parse(readFileSync(spaceFile, 'utf8'));
    expect(json.version).toBe(1);
    expect(json.path).toBe(path);
    expect(cliOutput).toBe(p.text);
    expect(json.edits.map((e) => e.id)).toEqual(p.edits.map((e) => e.id));
    expect(Object.keys(json.defaults).sort()).toEqual(json.edits.flatMap((e) => [e.id, ...(e.with ?? [])]).sort());
    // Without -o and --json: the rewritten text on stdout.
    const plain = await cliInProcess(['parametrize', path]);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toBe(p.text.replace(/\n$/, '') + '\n');
  });

  it('(a) the CLI edits, reversed at their 1-based line/column ranges, give back the original', () => {
    const edits = placed(text, json.edits);
    for (const e of edits) {
      expect(text.slice(e.start, e.end), `${e.id}: original text at ${e.line}:${e.column}`).toBe(e.original);
      expect(cliOutput.slice(e.outStart, e.outEnd), `${e.id}: replacement in the output`).toBe(e.replacement);
    }
    let back = cliOutput;
    for (const e of [...edits].reverse()) back = back.slice(0, e.outStart) + e.original + back.slice(e.outEnd);
    expect(back).toBe(text);
  });

  it('(d) only the edited ranges differ: every stretch between them is byte-for-byte the same', () => {
    const edits = placed(text, json.edits);
    let inPos = 0;
    let outPos = 0;
    for (const e of edits) {
      expect(cliOutput.slice(outPos, e.outStart)).toBe(text.slice(inPos, e.start));
      inPos = e.end;
      outPos = e.outEnd;
    }
    expect(cliOutput.slice(outPos)).toBe(text.slice(inPos));
    // Line by line: lines without an edit (comments, blank lines, strings) are untouched.
    const editedLines = new Set(json.edits.flatMap((e) => Array.from({ length: e.endLine - e.line + 1 }, (_, i) => e.line + i)));
    const before = text.split('\n');
    const after = cliOutput.split('\n');
    expect(after.length).toBe(before.length);
    for (let i = 0; i < before.length; i++) if (!editedLines.has(i + 1)) expect(after[i], `line ${i + 1}`).toBe(before[i]);
    // Each edit replaces a value with params['<id>'] (or a tuple of it), inserts an implicit
    // one as a keyword argument, or names an optimizer class through getattr (wrapped when some
    // classes leave keywords out), and nothing else.
    for (const e of json.edits) {
      const ref = `params['${e.id}']`;
      if (e.original === '') expect(e.replacement).toMatch(new RegExp(`^(, )?\\w+=${ref.replace(/[[\].']/g, '\\$&')}$`));
      else if (e.replacement.startsWith('getattr(')) expect(e.replacement).toMatch(new RegExp(`^getattr\\(.+, ${ref.replace(/[[\].']/g, '\\$&')}\\)$`));
      // A class choice some classes of which leave keywords out: wrapped to filter them by the class drawn.
      else if (e.replacement.startsWith('(lambda name:')) expect(e.replacement).toMatch(new RegExp(`^\\(lambda name: lambda \\*args, \\*\\*kwargs: getattr\\(.+, name\\)\\(\\*args, .+\\)\\)\\(${ref.replace(/[[\].']/g, '\\$&')}\\)$`));
      else if (e.replacement.startsWith('__import__("keras").optimizers.get(')) {
        const name = e.with?.length ? `params['${e.with[0]}']` : e.original;
        expect(e.replacement).toBe(`__import__("keras").optimizers.get({"class_name": ${name}, "config": {"learning_rate": ${ref}}})`);
      }
      else expect([ref, `(${ref}, ${ref})`, `(${ref}, ${ref}, ${ref})`]).toContain(e.replacement);
    }
  });

  it('(b) parametrizing the parametrized text changes nothing', async () => {
    const again = scan(p.text);
    // A kernel or pool that shapes.ts fixed (no larger one fits the feature map) may be offered
    // again once the strides around it read params[...]: their values are no longer in the text.
    const shapeFixed = new Set(scan(text).hyperparameters.filter((h: Hyperparameter) => /feature map/.test(h.reason ?? '')).map((h) => h.id));
    const literal = again.hyperparameters.filter((h: Hyperparameter) => h.tunable && h.current !== undefined && !shapeFixed.has(h.id));
    expect(literal.map((h) => `${h.id} = ${h.value}`)).toEqual([]);
    const second = parametrize(p.text, chooseHyperparameters(again.hyperparameters.filter((h) => !shapeFixed.has(h.id))).chosen);
    expect(second.edits).toEqual([]);
    expect(second.text).toBe(p.text);
    // And through the CLI, on the file it wrote.
    const out = join(tmp, `again_${name.replace(/\//g, '_')}`);
    writeFileSync(out, p.text);
    const r = await cliInProcess(['parametrize', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).edits.filter((e: CliEdit) => !shapeFixed.has(e.id))).toEqual([]);
  });

  it('(c) each replacement, evaluated in Python with params = defaults, equals the original value', () => {
    const checks = pythonChecks().get(name)!;
    expect(checks).toHaveLength(json.edits.length);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('--space-json writes a space for every parametrized id, each containing its default', () => {
    const space = spaceFromFile;
    expect(space).toEqual(json.space);
    expect(Object.keys(space).sort()).toEqual(Object.keys(json.defaults).sort());
    for (const [id, s] of Object.entries(space)) {
      expect(s.default, id).toEqual(json.defaults[id]);
      expect(spaceContains(s, s.default), `${id}: ${JSON.stringify(s)} must contain ${JSON.stringify(s.default)}`).toBe(true);
      if (s.type === 'int' && s.kind === 'choice') for (const o of s.options!) expect(Number.isInteger(o), `${id}: int option ${o}`).toBe(true);
    }
  });
});

describe('parametrize --ids', () => {
  const path = join(kerasDir, 'paper_figure2.py');
  const text = readFileSync(path, 'utf8');

  it('selects exactly the ids named, tunable or fixed', async () => {
    const r = cli(['parametrize', path, '--json', '--ids', 'dense.units, compile.loss']);
    expect(r.status, r.stderr).toBe(0);
    const json: CliJson = JSON.parse(r.stdout);
    expect(json.edits.map((e) => e.id)).toEqual(['dense.units', 'compile.loss']);
    expect(json.defaults).toEqual({ 'dense.units': 64, 'compile.loss': 'binary_crossentropy' });
    expect(json.edits.map((e) => e.original)).toEqual(['64', "'binary_crossentropy'"]);
    // Everything else, including the other tunable values, is untouched.
    const r2 = await cliInProcess(['parametrize', path, '--ids', 'dense.units,compile.loss']);
    const out = r2.stdout;
    expect(out).toContain("Dense(params['dense.units'], activation = 'relu')");
    expect(out).toContain("loss = params['compile.loss']");
    expect(out).toContain("Conv2D(32, (3, 3), 3, input_shape = (64, 64, 3), activation = 'relu')");
    expect(out.match(/params\[/g)).toHaveLength(2);
    expect(out).toBe(text.replace('Dense(64,', "Dense(params['dense.units'],").replace("'binary_crossentropy'", "params['compile.loss']").replace(/\n$/, '') + '\n');
  });

  it('refuses an unknown id (exit 1, naming it)', () => {
    const r = cli(['parametrize', path, '--json', '--ids', 'dense.units,no.such']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no hyperparameter with id no\.such/);
  });
});
