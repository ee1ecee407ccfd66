import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanSource } from '../../server/src/analysis/scan';
import { buildCatalogue, loadCatalogue, readCatalogueSources } from '../../server/src/catalogue/load';
import { parseCsvRows } from '../../server/src/catalogue/csv';

const dir = join(__dirname, '..', 'fixtures', 'catalogue');

describe('paper-style CSV catalogues', () => {
  it('a valid CSV loads into one callable with its parameters mapped', () => {
    const { sources } = readCatalogueSources([join(dir, 'custom.csv')]);
    const { catalogue, errors } = buildCatalogue(sources);
    expect(errors).toEqual([]);
    const foo = catalogue.byPath.get('mylib.layers.Foo')!;
    expect(foo).toMatchObject({ name: 'Foo', kind: 'layer', paths: ['mylib.layers.Foo'] });
    const p = Object.fromEntries(foo.params.map((x) => [x.name, x]));
    expect(p.width).toMatchObject({ type: 'int', position: 0, choices: [8, 16, 32], tune: true });
    expect(p.rate).toMatchObject({ type: 'float', position: 1, range: [0, 0.5], scale: 'linear' });
    expect(p.kernel).toMatchObject({ type: 'tuple', size: 2, position: 2, range: [1, 5] });
    expect(p.learning_rate).toMatchObject({ type: 'float', position: undefined, scale: 'log', range: [1e-5, 0.1] });
  });

  it('its entry is used by scanSource, by every import form of mylib.layers.Foo', () => {
    const { catalogue, errors } = loadCatalogue([join(dir, 'custom.csv')]);
    expect(errors).toEqual([]);
    const src = [
      'from mylib.layers import Foo',
      'import mylib.layers as ml',
      'import mylib',
      'a = Foo(16, 0.2, kernel=(3, 3), learning_rate=1e-3)',
      'b = ml.Foo(32)',
      'c = mylib.layers.Foo(width=8)',
      '',
    ].join('\n');
    const r = scanSource(src, catalogue);
    expect(r.hyperparameters.map((h) => [h.id, h.call, h.value, h.tunable])).toEqual([
      ['a.width', 'mylib.layers.Foo', '16', true],
      ['a.rate', 'mylib.layers.Foo', '0.2', true],
      ['a.kernel', 'mylib.layers.Foo', '(3, 3)', true],
      ['a.learning_rate', 'mylib.layers.Foo', '1e-3', true],
      ['b.width', 'mylib.layers.Foo', '32', true],
      ['c.width', 'mylib.layers.Foo', '8', true],
    ]);
    const lr = r.hyperparameters.find((h) => h.id === 'a.learning_rate')!;
    expect(lr.space!.kind).toBe('loguniform');
  });

  it('a bad Type names the file, the row and the column', () => {
    const file = join(dir, 'bad-type.csv');
    const { sources } = readCatalogueSources([file]);
    const { catalogue, errors } = buildCatalogue(sources);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file, entry: 'Bar (row 3)', field: 'Type' });
    expect(errors[0].message).toMatch(/unknown Type "Complex"/);
    expect(catalogue.byPath.has('mylib.layers.Foo')).toBe(true);
  });

  it('missing columns are listed', () => {
    const file = join(dir, 'missing-columns.csv');
    const { sources } = readCatalogueSources([file]);
    const { errors, catalogue } = buildCatalogue(sources);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file, field: 'TupleSize, Int, Set' });
    expect(errors[0].message).toMatch(/missing column\(s\): TupleSize, Int, Set/);
    expect(catalogue.callables).toEqual([]);
  });

  it('an empty CSV is an error; quoted fields with commas parse', () => {
    const { errors } = buildCatalogue([{ file: 'e.csv', text: '' }]);
    expect(errors[0]).toMatchObject({ file: 'e.csv', message: expect.stringMatching(/empty CSV/) });
    expect(parseCsvRows('a,"b,c","d ""q"""\r\n1,2,3\n')).toEqual([['a', 'b,c', 'd "q"'], ['1', '2', '3']]);
  });
});
