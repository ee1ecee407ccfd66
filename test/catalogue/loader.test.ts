import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCatalogue, formatCatalogueError, loadCatalogue, readCatalogueSources } from '../../server/src/catalogue/load';
import type { CatalogueError } from '../../server/src/catalogue/types';

const dir = join(__dirname, '..', 'fixtures', 'catalogue');
const load = (file: string) => {
  const { sources, errors } = readCatalogueSources([join(dir, file)]);
  expect(errors).toEqual([]);
  return buildCatalogue(sources);
};
const errorOf = (errors: CatalogueError[], entry: string) => errors.filter((e) => e.entry === entry);

describe('catalogue loader errors name the file, entry and field', () => {
  it('the built-in catalogue loads cleanly', () => {
    expect(loadCatalogue().errors.map(formatCatalogueError)).toEqual([]);
  });

  it('a YAML syntax error names the file, and nothing of the file loads', () => {
    const { errors, catalogue } = load('syntax-error.yaml');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].file).toBe(join(dir, 'syntax-error.yaml'));
    expect(errors[0].message).toMatch(/^YAML error/);
    expect(formatCatalogueError(errors[0])).toContain('syntax-error.yaml');
    expect(catalogue.callables).toEqual([]);
  });

  // BUG: load.ts parses with prettyErrors: false, so yaml never fills e.linePos and the line is left out.
  it('a YAML syntax error names the line', () => {
    const { errors } = load('syntax-error.yaml');
    expect(errors[0].message).toMatch(/YAML error at line (6|7)\b/);
  });

  const file = join(dir, 'bad-entries.yaml');
  const cases: [entry: string, field: RegExp, message: RegExp][] = [
    ['UnknownField', /^colour$/, /unknown field "colour"/],
    ['MissingRange', /^params\[width\]$/, /needs a range or choices/],
    ['MinAboveMax', /^params\[rate\]\.range$/, /min 0\.9 is above max 0\.1/],
    ['LogFromZero', /^params\[learning_rate\]\.range$/, /log scale needs min > 0/],
    ['OverlappingPair', /^params\[zoom\]\.pair$/, /the lower range must end where the upper one starts/],
    ['BadSet', /^params\[width\]\.choices$/, /no set named "nosuchset"/],
    ['DuplicatePosition', /^params\[b\]\.position$/, /position 0 is used twice/],
  ];
  for (const [entry, field, message] of cases) {
    it(`${entry}: one error naming file, entry and field`, () => {
      const { errors } = load('bad-entries.yaml');
      const mine = errorOf(errors, entry);
      expect(mine).toHaveLength(1);
      expect(mine[0].file).toBe(file);
      expect(mine[0].field).toMatch(field);
      expect(mine[0].message).toMatch(message);
      const text = formatCatalogueError(mine[0]);
      expect(text).toContain(file);
      expect(text).toContain(`entry ${entry}`);
      expect(text).toContain(`field ${mine[0].field}`);
    });
  }

  it('the good entry in the same file still loads, the bad ones do not', () => {
    const { errors, catalogue } = load('bad-entries.yaml');
    expect(errors).toHaveLength(cases.length);
    expect(catalogue.callables.map((c) => c.name)).toEqual(['Good']);
    const good = catalogue.byPath.get('mylib.Good')!;
    expect(good.params[0]).toMatchObject({ name: 'width', choices: [8, 16, 32] });
  });

  it('a user file with errors next to the built-in catalogue keeps the built-in entries', () => {
    const { catalogue, errors } = loadCatalogue([file]);
    expect(errors).toHaveLength(cases.length);
    expect(catalogue.byPath.has('keras.layers.Dense')).toBe(true);
    expect(catalogue.byPath.has('mylib.Good')).toBe(true);
  });

  it('an unreadable catalogue file is reported, not thrown', () => {
    const { errors } = readCatalogueSources([join(dir, 'nope.yaml')]);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/cannot read/);
  });

  it('top-level shape errors', () => {
    const { errors } = buildCatalogue([{ file: 'x.yaml', text: '- 1\n- 2\n' }, { file: 'y.yaml', text: 'callables: {a: 1}\nextra: 2\n' }]);
    expect(errors.map((e) => [e.file, e.field ?? null])).toEqual([
      ['x.yaml', null],
      ['y.yaml', 'extra'],
      ['y.yaml', 'callables'],
    ]);
  });
});
