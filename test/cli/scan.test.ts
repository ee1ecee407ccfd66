import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const fixture = (name: string) => join(root, 'test', 'fixtures', 'keras', name);

function optpar(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'optpar.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let tmp: string;
beforeAll(() => {
  // The CLI runs the built dist/: build it once (npm test does too, through pretest).
  const b = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { encoding: 'utf8' });
  if (b.status !== 0 && !/server\/src\/lsp/.test(b.stdout)) throw new Error(`build failed:\n${b.stdout}${b.stderr}`);
  tmp = mkdtempSync(join(tmpdir(), 'optpar-cli-'));
}, 120_000);

describe('optpar scan --json', () => {
  it('documents every file: version 1, files[].hyperparameters[] with the issue\'s fields', () => {
    const r = optpar('scan', fixture('paper_figure5.py'), '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.version).toBe(1);
    expect(doc.files).toHaveLength(1);
    const file = doc.files[0];
    expect(file.path).toBe(fixture('paper_figure5.py'));
    expect(file.errors).toEqual([]);
    expect(file.hyperparameters).toHaveLength(13);
    for (const h of file.hyperparameters) {
      for (const key of ['id', 'call', 'param', 'value', 'type', 'tunable', 'reason', 'line', 'column', 'endLine', 'endColumn', 'uses', 'space'])
        expect(h, `${h.id} has ${key}`).toHaveProperty(key);
      expect(h.tunable ? h.space : h.reason, h.id).not.toBeNull();
    }
    const units = file.hyperparameters.find((h: { id: string }) => h.id === 'dense_5.units');
    // line 14: model2 = Sequential([Dense(units=24, ...
    expect(units).toMatchObject({ call: 'keras.layers.Dense', param: 'units', value: '24', type: 'int', tunable: true, reason: null, line: 14, column: 34, endLine: 14, endColumn: 36, uses: [] });
    expect(units.space).toEqual({ kind: 'choice', options: [8, 16, 24, 32, 64] });
    const out = file.hyperparameters.find((h: { id: string }) => h.id === 'dense_4.units');
    expect(out).toMatchObject({ tunable: false, reason: expect.stringMatching(/output layer/), space: null, line: 12, column: 17 });
  });

  it('"param" is the current Keras name; uses of variables are 1-based', () => {
    const legacy = JSON.parse(optpar('scan', fixture('keras2_legacy.py'), '--json').stdout).files[0].hyperparameters;
    expect(legacy.find((h: { id: string }) => h.id === 'compile.optimizer.learning_rate')).toMatchObject({ param: 'learning_rate', value: '0.1', line: 15, column: 32 });
    const vars = JSON.parse(optpar('scan', fixture('variables_and_values.py'), '--json').stdout).files[0].hyperparameters;
    expect(vars.find((h: { id: string }) => h.id === 'units')).toMatchObject({ line: 7, column: 9, uses: [{ line: 17, column: 28 }, { line: 18, column: 28 }] });
  });

  it('columns count characters, not bytes or UTF-16 units', () => {
    const file = join(tmp, 'unicode.py');
    const line2 = 's = "héllo 😀 wörld"; h = layers.Dense(64)';
    writeFileSync(file, `from keras import layers\n${line2}\n`);
    const doc = JSON.parse(optpar('scan', file, '--json').stdout);
    const h = doc.files[0].hyperparameters[0];
    const prefix = line2.slice(0, line2.indexOf('64'));
    expect([...prefix].length).not.toBe(prefix.length); // the emoji is 2 UTF-16 units
    expect(h).toMatchObject({ id: 'h.units', line: 2, column: [...prefix].length + 1, endColumn: [...prefix].length + 3 });
  });

  it('--split-tuples splits equal tuples', () => {
    const doc = JSON.parse(optpar('scan', fixture('sequential_cnn.py'), '--json', '--split-tuples').stdout);
    const ids = doc.files[0].hyperparameters.map((h: { id: string }) => h.id);
    expect(ids).toContain('conv2d.kernel_size.0');
    expect(ids).toContain('conv2d.kernel_size.1');
    expect(doc.files[0].hyperparameters.find((h: { id: string }) => h.id === 'conv2d.kernel_size.1')).toMatchObject({ tupleSize: 2, element: 1, value: '3' });
  });

  it('syntax errors are listed with 1-based positions and the file still reports', () => {
    const r = optpar('scan', fixture('syntax_error.py'), '--json');
    expect(r.code).toBe(0);
    const f = JSON.parse(r.stdout).files[0];
    expect(f.hyperparameters).toHaveLength(5);
    expect(f.errors).toEqual([{ message: expect.stringMatching(/line 5/), line: 5, column: expect.any(Number) }]);
  });

  it('exit 1 when a file cannot be read; the other files are still reported', () => {
    const bin = join(tmp, 'model.bin');
    writeFileSync(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1]));
    const latin = join(tmp, 'latin.py');
    writeFileSync(latin, Buffer.from('import keras\n# caf\xe9\n', 'latin1'));
    const r = optpar('scan', join(tmp, 'missing.py'), bin, latin, fixture('paper_figure2.py'), '--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.files.map((f: { path: string }) => f.path)).toEqual([join(tmp, 'missing.py'), bin, latin, fixture('paper_figure2.py')]);
    expect(doc.files[0].errors[0].message).toMatch(/no such file/);
    expect(doc.files[1].errors[0].message).toMatch(/binary/);
    expect(doc.files[2].errors[0].message).toMatch(/UTF-8/);
    expect(doc.files[3].hyperparameters).toHaveLength(19);
    expect(r.stderr).toContain('missing.py: no such file');
  });

  it('an empty file: exit 0, no hyperparameters', () => {
    const empty = join(tmp, 'empty.py');
    writeFileSync(empty, '');
    const r = optpar('scan', empty, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).files[0]).toEqual({ path: empty, hyperparameters: [], errors: [] });
  });
});

describe('optpar scan: usage and the table', () => {
  it('exit 2 without a file', () => {
    const r = optpar('scan');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs at least one FILE/);
    expect(r.stderr).toMatch(/Usage:/);
  });
  it('exit 2 on an unknown option', () => {
    const r = optpar('scan', '--bogus', fixture('paper_figure2.py'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--bogus/);
  });
  it('exit 2 on an unknown command', () => {
    expect(optpar('scna', fixture('paper_figure2.py')).code).toBe(2);
  });
  it('prints a readable table by default', () => {
    const r = optpar('scan', fixture('paper_figure2.py'));
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`${fixture('paper_figure2.py')}: 11 tunable of 19 found`);
    expect(lines[1]).toMatch(/^LINE\s+ID\s+VALUE\s+SEARCH RANGE \/ WHY NOT TUNED$/);
    expect(lines).toHaveLength(2 + 19);
    expect(lines.find((l) => /\bdense\.units\b/.test(l))).toMatch(/^17:17\s+dense\.units\s+64\s+\{16, 32, 64, 128, 256\}$/);
    expect(lines.find((l) => /\bdense_1\.units\b/.test(l))).toMatch(/^18:17\s+dense_1\.units\s+1\s+fixed-by-task: output layer/);
    expect(lines.find((l) => /compile\.loss/.test(l))).toMatch(/fixed-by-task: the loss defines the task/);
  });
  it('the table lists syntax errors after the rows', () => {
    const r = optpar('scan', fixture('syntax_error.py'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n {2}! syntax error at line 5/);
  });
});
