import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanSource } from '../../server/src/analysis/scan';
import { loadCatalogue } from '../../server/src/catalogue/load';
import { generateHarness, hyperoptExpr, pyLiteral, spaceJson } from '../../server/src/harness/hyperopt';
import { DEFAULT_HARNESS_OPTIONS, HarnessError } from '../../server/src/harness/types';
import { chooseHyperparameters } from '../../server/src/refactor/parametrize';
import { repoRoot, venvPython } from '../helpers/python';

/**
 * Issue 3, §2: the generated OPTPAR_SPACE works in real hyperopt. The space, defaults and types
 * blocks are cut out of each generated harness and exec'd alone (no TensorFlow, one Python
 * process for all fixtures); 50 draws with hyperopt.pyll.stochastic.sample must give ints as ints,
 * values inside their bounds or choices, labels equal to the ids, and space_eval must map choice
 * indices to values. One harness is also imported as a module (its data loading runs; its
 * trial code does not) to check the space as the search sees it.
 */

const { catalogue } = loadCatalogue();
const dirs = [join(repoRoot, 'test', 'fixtures', 'keras'), join(repoRoot, 'test', 'fixtures', 'harness')];
const FILES = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.py')).sort().map((f) => join(d, f)));

const tmp = mkdtempSync(join(tmpdir(), 'optpar-space-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A top-level `NAME = {...}` block of the harness, up to its closing brace. */
function block(text: string, name: string): string {
  const m = new RegExp(`^${name} = \\{\\n[\\s\\S]*?^\\}\\n`, 'm').exec(text);
  if (!m) throw new Error(`no ${name} block in the harness`);
  return m[0];
}

interface Case {
  file: string;
  /** Python: the space, defaults and types, as in the harness. */
  code: string;
  space: ReturnType<typeof spaceJson>;
  from: 'harness' | 'expressions';
}

function caseOf(file: string): Case | undefined {
  const text = readFileSync(file, 'utf8');
  const scan = scanSource(text, catalogue);
  const { chosen } = chooseHyperparameters(scan.hyperparameters);
  if (chosen.length === 0) return undefined;
  const space = spaceJson(chosen);
  try {
    const harness = generateHarness(text, file, catalogue, DEFAULT_HARNESS_OPTIONS).text;
    const code = [
      ...['OPTPAR_SPACE', 'OPTPAR_DEFAULTS', 'OPTPAR_TYPES'].map((n) => block(harness, n)),
      // One-line constants must be Python too (True/False/None, not JSON's true/false/null).
      ...['OPTPAR_SPACE_DESCRIPTION', 'OPTPAR_TRIAL_NAMES', 'OPTPAR_SETTINGS', 'OPTPAR_TIES'].map((n) => new RegExp(`^${n} = .*$`, 'm').exec(harness)![0]),
      // A tied value shares its leader's node of the space.
      ...(harness.match(/^OPTPAR_SPACE\[.*$/gm) ?? []),
    ].join('\n');
    return { file, code, space, from: 'harness' };
  } catch (err) {
    if (!(err instanceof HarnessError)) throw err;
    // No harness for this file (no fit, a syntax error): check the same expressions generateHarness writes.
    const lines = chosen.map((h) => `    ${JSON.stringify(h.id)}: ${hyperoptExpr(h.id, h.space!, space[h.id].type)},`);
    const defaults = chosen.map((h) => `    ${JSON.stringify(h.id)}: ${pyLiteral(h.current!, space[h.id].type)},`);
    const types = chosen.map((h) => `    ${JSON.stringify(h.id)}: ${JSON.stringify(space[h.id].type)},`);
    const code = [`OPTPAR_SPACE = {\n${lines.join('\n')}\n}\n`, `OPTPAR_DEFAULTS = {\n${defaults.join('\n')}\n}\n`, `OPTPAR_TYPES = {\n${types.join('\n')}\n}\n`].join('\n');
    return { file, code, space, from: 'expressions' };
  }
}

const CASES = FILES.map(caseOf).filter((c): c is Case => c !== undefined);

const PY_SAMPLE = String.raw`
import json, math, sys
import numpy as np
from hyperopt import hp, space_eval
from hyperopt.pyll import scope, dfs, as_apply
from hyperopt.pyll.stochastic import sample

cases = json.load(sys.stdin)
report = {}
for case in cases:
    problems = []
    ns = {"math": math, "hp": hp, "scope": scope}
    exec(case["code"], ns)
    space, defaults, types, desc = ns["OPTPAR_SPACE"], ns["OPTPAR_DEFAULTS"], ns["OPTPAR_TYPES"], case["space"]
    ties = ns.get("OPTPAR_TIES", {})
    if sorted(space) != sorted(desc):
        problems.append("ids differ: %s vs %s" % (sorted(space), sorted(desc)))

    # Labels: each entry's hyperopt_param nodes are labelled with its id (a tied one's, its leader's), and only that.
    for key, expr in space.items():
        labels = sorted({n.arg["label"].obj for n in dfs(as_apply(expr)) if n.name == "hyperopt_param"})
        if labels != [ties.get(key, key)]:
            problems.append("%s: labels %s" % (key, labels))

    def inside(key, v):
        d = desc[key]
        kind = d["kind"]
        if types[key] == "int" and not (type(v) is int):
            return "int expected, got %s %r" % (type(v).__name__, v)
        if types[key] == "float" and not isinstance(v, float):
            return "float expected, got %s %r" % (type(v).__name__, v)
        if types[key] == "str" and not isinstance(v, str):
            return "str expected, got %s %r" % (type(v).__name__, v)
        if kind == "choice":
            return None if any(o == v and type(o) is type(v) for o in d["options"]) else "%r not in %r" % (v, d["options"])
        low, high = d["low"], d["high"]
        if kind == "qloguniform":
            low, high = round(low / d["q"]) * d["q"], round(high / d["q"]) * d["q"]
        eps = 1e-9 * max(1.0, abs(high))
        return None if low - eps <= v <= high + eps else "%r outside [%r, %r]" % (v, low, high)

    for i in range(50):
        drawn = sample(space, rng=np.random.default_rng(i))
        for key, v in drawn.items():
            why = inside(key, v)
            if why:
                problems.append("draw %d: %s: %s" % (i, key, why))
            if key in ties and v != drawn[ties[key]]:
                problems.append("draw %d: %s = %r but its leader %s = %r" % (i, key, v, ties[key], drawn[ties[key]]))
    for key, v in defaults.items():
        why = inside(key, v) if types[key] != "float" else inside(key, float(v))
        if why:
            problems.append("default %s: %s" % (key, why))

    # space_eval maps choice indices to the values (what the harness reports).
    base = {}
    for key, d in desc.items():
        base[key] = d["options"].index(defaults[key]) if d["kind"] == "choice" else defaults[key]
    for key, d in desc.items():
        if d["kind"] != "choice" or key in ties:
            continue
        for index, option in enumerate(d["options"]):
            got = space_eval(space, dict(base, **{key: index}))[key]
            if got != option:
                problems.append("space_eval %s[%d] = %r, not %r" % (key, index, got, option))
    evaluated = space_eval(space, base)
    for key, v in defaults.items():
        if evaluated[key] != v:
            problems.append("space_eval of the defaults: %s = %r, not %r" % (key, evaluated[key], v))
    report[case["file"]] = problems
print(json.dumps(report))
`;

describe('OPTPAR_SPACE in real hyperopt', () => {
  it('covers fixtures with and without a harness', () => {
    expect(CASES.filter((c) => c.from === 'harness').length).toBeGreaterThanOrEqual(6);
    expect(CASES.length).toBeGreaterThanOrEqual(12);
    // Some fixtures write one activation on several layers: their draws check the ties.
    expect(CASES.filter((c) => /^OPTPAR_SPACE\[/m.test(c.code)).length).toBeGreaterThanOrEqual(1);
  });

  it('50 draws per fixture: ints are ints, values in bounds/choices, labels are the ids, space_eval gives values', () => {
    const input = JSON.stringify(CASES.map((c) => ({ file: c.file, code: c.code, space: c.space })));
    const out = execFileSync(venvPython(), ['-c', PY_SAMPLE], { input, encoding: 'utf8', maxBuffer: 1 << 26 });
    const report: Record<string, string[]> = JSON.parse(out);
    expect(Object.keys(report)).toHaveLength(CASES.length);
    for (const [file, problems] of Object.entries(report)) expect(problems, file).toEqual([]);
  }, 60_000);

  it('the harness imported as a module (not __main__) exposes the same space and does not train', () => {
    const file = join(repoRoot, 'test', 'fixtures', 'keras', 'build_model_constants.py');
    const harness = generateHarness(readFileSync(file, 'utf8'), file, catalogue, DEFAULT_HARNESS_OPTIONS);
    const path = join(tmp, 'tune_build_model_constants.py');
    writeFileSync(path, harness.text);
    const py = String.raw`
import importlib.util, json, sys
import numpy as np
from hyperopt import space_eval
from hyperopt.pyll.stochastic import sample
spec = importlib.util.spec_from_file_location("tune_module", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
draws = [sample(mod.OPTPAR_SPACE, rng=np.random.default_rng(i)) for i in range(50)]
print(json.dumps({
    "args": mod.OPTPAR_ARGS,
    "data_loaded": hasattr(mod, "x_all"),
    "model_built": hasattr(mod, "model"),
    "ids": sorted(mod.OPTPAR_SPACE),
    "draws": draws,
    "types": {k: sorted({type(d[k]).__name__ for d in draws}) for k in mod.OPTPAR_SPACE},
}))
`;
    const out = execFileSync(venvPython(), ['-c', py, path], {
      encoding: 'utf8',
      cwd: tmp,
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
    });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    expect(r.args).toBeNull();
    expect(r.data_loaded).toBe(true);
    expect(r.model_built).toBe(false);
    expect(r.ids).toEqual([...harness.ids].sort());
    const space = spaceJson(chooseHyperparameters(scanSource(readFileSync(file, 'utf8'), catalogue).hyperparameters).chosen);
    for (const [id, s] of Object.entries(space)) {
      expect(r.types[id], id).toEqual([{ int: 'int', float: 'float', str: 'str', bool: 'bool' }[s.type]]);
      for (const d of r.draws) {
        const v = d[id];
        if (s.kind === 'choice') expect(s.options).toContain(v);
        else {
          expect(v, id).toBeGreaterThanOrEqual(s.low);
          expect(v, id).toBeLessThanOrEqual(s.high);
        }
      }
    }
  }, 120_000);
});
