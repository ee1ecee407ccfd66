import { describe, expect, it } from 'vitest';
import { byId, offsetOf, readFixture, scan } from './helpers';

describe('literals and tuples', () => {
  it('a tied square kernel is one value with tupleSize 2', () => {
    const src = 'from keras import layers\nc = layers.Conv2D(8, kernel_size=(3, 3))\n';
    const h = byId(scan(src)).get('c.kernel_size')!;
    expect(h).toMatchObject({ value: '(3, 3)', tupleSize: 2, current: 3, type: 'int', tunable: true });
    expect(h.element).toBeUndefined();
    expect(h.span.start).toBe(offsetOf(src, '(3, 3)'));
  });
  it('with splitTuples an equal tuple gives two ids .0 and .1 at each element', () => {
    const src = 'from keras import layers\nc = layers.Conv2D(8, kernel_size=(3, 3))\n';
    const r = scan(src, { splitTuples: true }).hyperparameters.filter((h) => h.param === 'kernel_size');
    expect(r.map((h) => [h.id, h.value, h.element, h.tupleSize, h.span.start])).toEqual([
      ['c.kernel_size.0', '3', 0, 2, offsetOf(src, '(3, 3)') + 1],
      ['c.kernel_size.1', '3', 1, 2, offsetOf(src, '(3, 3)') + 4],
    ]);
  });
  it('splitTuples on the paper Figure 2 model splits both pool sizes and the kernel', () => {
    const r = scan(readFixture('paper_figure2.py'), { splitTuples: true }).hyperparameters.map((h) => h.id);
    expect(r.filter((id) => /kernel_size|pool_size/.test(id))).toEqual([
      'conv2d.kernel_size.0', 'conv2d.kernel_size.1', 'max_pooling2d.pool_size.0', 'max_pooling2d.pool_size.1',
      'conv2d_1.kernel_size', 'max_pooling2d_1.pool_size.0', 'max_pooling2d_1.pool_size.1',
    ]);
  });
  it('an unequal tuple is split by default; an int stays one value', () => {
    const src = 'from keras import layers\nc = layers.Conv2D(8, (1, 5), strides=2)\n';
    const r = byId(scan(src));
    expect([...r.keys()].sort()).toEqual(['c.filters', 'c.kernel_size.0', 'c.kernel_size.1', 'c.strides']);
    expect(r.get('c.kernel_size.1')!).toMatchObject({ value: '5', current: 5, element: 1 });
    expect(r.get('c.strides')!).toMatchObject({ value: '2', current: 2 });
    expect(r.get('c.strides')!.tupleSize).toBeUndefined();
  });
  it('number forms: 1e-3, 1_000, negative, parenthesised; strings with either quote', () => {
    const src = 'from keras import layers, optimizers\no = optimizers.Adam(learning_rate=(1e-3))\nd = layers.Dense(1_024, activation=\'relu\')\nl = layers.LeakyReLU(negative_slope=-0.0)\n';
    const r = byId(scan(src));
    expect(r.get('o.learning_rate')!).toMatchObject({ value: '1e-3', current: 0.001 });
    expect(r.get('d.units')!).toMatchObject({ value: '1_024', current: 1024 });
    expect(r.get('d.activation')!).toMatchObject({ value: "'relu'", current: 'relu' });
    expect(r.get('l.negative_slope')!.current).toBe(-0);
  });
  it('f-strings and expressions are not literals', () => {
    const r = byId(scan('from keras import layers\nk = "relu"\nd = layers.Dense(2 ** 6, activation=f"{k}")\n'));
    expect(r.get('d.units')!.tunable).toBe(false);
    expect(r.get('d.activation')!.tunable).toBe(false);
  });
});
