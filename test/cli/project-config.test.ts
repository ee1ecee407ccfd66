import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/python';

const bin = join(repoRoot, 'bin', 'optpar.js');
const optpar = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

/** A project folder with optpar.yaml at its root and the model one folder down. */
function project(yaml: string): string {
  const root = mkdtempSync(join(tmpdir(), 'optpar-project-'));
  mkdirSync(join(root, '.git'));
  writeFileSync(join(root, 'optpar.yaml'), yaml);
  mkdirSync(join(root, 'models'));
  const model = join(root, 'models', 'digits_cnn.py');
  copyFileSync(join(repoRoot, 'examples', 'digits_cnn.py'), model);
  return model;
}

describe('optpar.yaml in the CLI (the same file the language server reads)', () => {
  const yaml = 'ranges:\n  dense.units: [32, 48, 64]\n  dropout.rate: {low: 0.1, high: 0.2}\nexclude: [fit.batch_size]\nbogus: 1\n';

  it('scan applies ranges and exclusions from the nearest optpar.yaml and reports its bad keys with a line', () => {
    const model = project(yaml);
    const r = optpar(['scan', model, '--json']);
    expect(r.status).toBe(0);
    const hps = new Map(JSON.parse(r.stdout).files[0].hyperparameters.map((h: { id: string }) => [h.id, h]));
    expect((hps.get('dense.units') as { space: unknown }).space).toEqual({ kind: 'choice', options: [32, 48, 64] });
    expect((hps.get('dropout.rate') as { space: unknown }).space).toEqual({ kind: 'uniform', low: 0.1, high: 0.2 });
    expect(hps.get('fit.batch_size')).toMatchObject({ kind: 'ignored', tunable: false, reason: 'excluded in optpar.yaml' });
    expect(r.stderr).toMatch(/optpar\.yaml:5:1: unknown key "bogus"/);
  });

  it('harness uses those ranges and leaves the excluded value as written', () => {
    const model = project(yaml);
    const out = join(mkdtempSync(join(tmpdir(), 'optpar-harness-')), 'tune.py');
    const r = optpar(['harness', model, '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('"dense.units": hp.choice("dense.units", [32, 48, 64]),');
    expect(text).toContain('"dropout.rate": hp.uniform("dropout.rate", 0.1, 0.2),');
    expect(text).not.toContain('"fit.batch_size"');
    expect(text).toContain('batch_size=32');
  });

  it('params: rules by Keras parameter name, relative ranges, a range that searches a budget; an id beats a name', () => {
    const model = project(
      'ranges:\n  dense.units: {relative: [0.5, 2]}\n  fit.epochs: [3, 9]\nparams:\n  units: {relative: [0.25, 8], scale: pow2}\n  filters: {relative: [0.25, 8]}\n  activation: {choices: [relu, gelu]}\n  learning_rate: {relative: [0.5, 2]}\n',
    );
    const r = optpar(['scan', model, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const hps = new Map(JSON.parse(r.stdout).files[0].hyperparameters.map((h: { id: string }) => [h.id, h as { space: unknown; kind: string }]));
    // digits_cnn.py: Dense(64), Conv2D(32), Conv2D(64), Adam(learning_rate=0.001), epochs=5 (ignored by a comment there).
    expect(hps.get('dense.units')!.space).toEqual({ kind: 'choice', options: [32, 64, 128] });
    expect(hps.get('conv2d.filters')!.space).toEqual({ kind: 'choice', options: [8, 16, 32, 64, 128, 256] });
    // The written value joins a choice: the first trial runs it.
    expect(hps.get('conv2d.activation')!.space).toEqual({ kind: 'choice', options: ['relu', 'gelu'] });
    expect(hps.get('compile.optimizer.learning_rate')!.space).toEqual({ kind: 'loguniform', low: 0.0005, high: 0.002 });
  });

  it('a budget with a range in optpar.yaml is searched; without one it is kept', () => {
    const model = project('ranges:\n  fit.batch_size: [16, 32]\n');
    writeFileSync(model, readFileSync(model, 'utf8').replace('  # optpar: ignore[epochs]', ''));
    const kept = new Map(JSON.parse(optpar(['scan', model, '--json']).stdout).files[0].hyperparameters.map((h: { id: string }) => [h.id, h as { kind: string }]));
    expect(kept.get('fit.epochs')!.kind).toBe('budget');
    writeFileSync(join(model, '..', '..', 'optpar.yaml'), 'ranges:\n  fit.epochs: [3, 9]\n');
    const searched = new Map(JSON.parse(optpar(['scan', model, '--json']).stdout).files[0].hyperparameters.map((h: { id: string }) => [h.id, h as { kind: string; space: unknown }]));
    expect(searched.get('fit.epochs')).toMatchObject({ kind: 'hyperparameter', space: { kind: 'uniformint', low: 3, high: 9 } });
  });
});
