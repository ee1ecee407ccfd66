import { describe, expect, it } from 'vitest';
import { FIXTURES, readFixture, scan } from './helpers';

function ids(src: string) {
  return scan(src).hyperparameters.map((h) => h.id);
}

describe('ids', () => {
  it('are unique and readable (prefix.param, no numeric-only names) in every fixture', () => {
    for (const name of FIXTURES) {
      const list = ids(readFixture(name));
      expect(new Set(list).size, name).toBe(list.length);
      for (const id of list) expect(id, name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_0-9][A-Za-z0-9_]*)*$/);
    }
  });

  it('do not change when lines without hyperparameters are inserted (a comment and a print())', () => {
    for (const name of FIXTURES) {
      const src = readFixture(name);
      const lines = src.split('\n');
      // After the last top-level import line, and a comment at the end of the file.
      let at = 0;
      lines.forEach((l, i) => { if (/^(import|from) /.test(l) && i < 10) at = i + 1; });
      const inserted = '# a new comment\nprint("hello")\n';
      const edited = [...lines.slice(0, at), '# a new comment', 'print("hello")', ...lines.slice(at)].join('\n') + '\n# the end\n';
      const cut = lines.slice(0, at).join('\n').length + 1;
      const before = scan(src).hyperparameters;
      const after = scan(edited).hyperparameters;
      expect(after.map((h) => h.id), name).toEqual(before.map((h) => h.id));
      // each value moved with its text
      for (let i = 0; i < before.length; i++)
        expect(after[i].span.start - before[i].span.start, `${name} ${before[i].id}`).toBe(before[i].span.start >= cut ? inserted.length : 0);
    }
  });

  it('do not change when a layer call without hyperparameters is added', () => {
    const src = 'from keras import layers, models\nm = models.Sequential([layers.Dense(32), layers.Dense(16), layers.Dense(1)])\n';
    const edited = 'from keras import layers, models\nm = models.Sequential([layers.Flatten(), layers.Dense(32), layers.Dense(16), layers.Dense(1)])\n';
    expect(ids(edited)).toEqual(ids(src));
    expect(ids(src)).toEqual(['dense.units', 'dense_1.units', 'dense_2.units']);
  });

  it('use name="..." when given, then the assigned variable, then the layer kind counted in source order', () => {
    const src = 'from keras import layers\na = layers.Dense(8, name="encoder")\nb = layers.Dense(8)\nlayers.Dense(4)\nlayers.Dense(2)\n';
    expect(ids(src)).toEqual(['encoder.units', 'b.units', 'dense.units', 'dense_1.units']);
  });

  it('the same assigned name twice gets distinct ids', () => {
    const src = 'from keras import layers\nx = layers.Dense(8)(inp)\nx = layers.Dense(4)\nx = layers.Dense(2)\n';
    const list = ids(src);
    expect(new Set(list).size).toBe(3);
    expect(list).toEqual(['dense.units', 'x.units', 'x_1.units']);
  });
});
