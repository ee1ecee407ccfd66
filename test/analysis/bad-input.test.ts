import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeSource } from '../../server/src/analysis/input';
import { scanSource } from '../../server/src/analysis/scan';
import { catalogue, scan } from './helpers';

describe('bad input never throws or hangs', () => {
  it('syntax errors: the intact parts are reported, with the error line', () => {
    const r = scan('from keras import layers\na = layers.Dense(32)\nb = layers.Dense(16,\nc = layers.Dropout(0.5)\n');
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors[0].message).toMatch(/syntax error at line \d+/);
    expect(r.hyperparameters.map((h) => h.value)).toContain('32');
  });
  it('binary content is refused with a message', () => {
    const r = scanSource('import keras\u0000\u0001\u0002', catalogue());
    expect(r.hyperparameters).toEqual([]);
    expect(r.errors).toEqual([{ message: expect.stringMatching(/binary/) }]);
    expect(decodeSource(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00])).error).toMatch(/binary/);
  });
  it('non-UTF-8 bytes are refused with a message', () => {
    const bytes = Buffer.from('import keras\n# caf\xe9\n', 'latin1');
    const d = decodeSource(bytes);
    expect(d.text).toBeUndefined();
    expect(d.error).toMatch(/UTF-8/);
  });
  it('an empty file: no hyperparameters, no errors', () => {
    expect(scan('')).toEqual({ hyperparameters: [], errors: [] });
  });
  it('a 100,000-line file scans completely', async () => {
    const { generateLargeFile, largeFileFunctionCount, HYPERPARAMETERS_PER_FUNCTION } = await import('../../bench/model.mjs');
    const text: string = generateLargeFile(100000);
    expect(text.split('\n').length - 1).toBe(100000);
    const r = scan(text);
    expect(r.errors).toEqual([]);
    expect(r.hyperparameters.length).toBe(largeFileFunctionCount(100000) * HYPERPARAMETERS_PER_FUNCTION);
    expect(new Set(r.hyperparameters.map((h) => h.id)).size).toBe(r.hyperparameters.length);
  }, 120_000);
  it('500-deep nested parentheses and brackets as arguments', () => {
    const d = 500;
    const src = `from keras import layers\nm = layers.Dense(${'('.repeat(d)}64${')'.repeat(d)}, activation="relu")\nn = layers.Dense(${'['.repeat(d)}${']'.repeat(d)})\no = layers.Dropout(${'('.repeat(d)}0.1 + 0.1${')'.repeat(d)})\n`;
    const r = scan(src);
    expect(r.errors).toEqual([]);
    const by = new Map(r.hyperparameters.map((h) => [h.id, h]));
    expect(by.get('m.units')!).toMatchObject({ value: '64', tunable: true });
    expect(by.get('n.units')!.tunable).toBe(false);
    expect(by.get('o.rate')!.tunable).toBe(false);
  });
  it('a file read from disk with CRLF line ends scans the same as with LF', () => {
    const lf = readFileSync(__dirname + '/../fixtures/keras/paper_figure5.py', 'utf8');
    const crlf = lf.replace(/\n/g, '\r\n');
    expect(scan(crlf).hyperparameters.map((h) => [h.id, h.value])).toEqual(scan(lf).hyperparameters.map((h) => [h.id, h.value]));
  });
});

describe('a file whose parse tree root is an ERROR node', () => {
  it('scans without hanging (name resolution stops at the root)', () => {
    const text = readFileSync(new URL('../fixtures/lsp/scan_hang.py', import.meta.url), 'utf8');
    const result = scanSource(text, catalogue());
    expect(Array.isArray(result.hyperparameters)).toBe(true);
    expect(result.errors.some((e) => e.message.startsWith('syntax error'))).toBe(true);
  });
});
