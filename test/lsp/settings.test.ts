import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseSettings } from '../../server/src/lsp/settings';

describe('parseSettings', () => {
  it('reads nested and dotted keys over the defaults', () => {
    const { settings, errors } = parseSettings({ inlayHints: false, harness: { maxEvals: 7 }, 'severity.hyperparameter': 'warning' });
    expect(errors).toEqual([]);
    expect(settings.inlayHints).toBe(false);
    expect(settings.harness.maxEvals).toBe(7);
    expect(settings.severity.hyperparameter).toBe('warning');
    expect(settings.harness.algo).toBe(DEFAULT_SETTINGS.harness.algo);
  });

  it('reports an unknown key and a bad value, keeping the last good value', () => {
    const base = parseSettings({ debounceMs: 40 }).settings;
    const { settings, errors } = parseSettings({ debounceMs: 'soon', typo: 1 }, base);
    expect(settings.debounceMs).toBe(40);
    expect(errors).toHaveLength(2);
    expect(errors.join('\n')).toMatch(/unknown setting "optpar.typo"/);
    expect(errors.join('\n')).toMatch(/optpar.debounceMs/);
  });

  it("ignores the editor clients' own keys (optpar.server.path)", () => {
    expect(parseSettings({ server: { path: '/opt/optpar-lsp' } }).errors).toEqual([]);
  });
});
