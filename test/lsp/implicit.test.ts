import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeAction, Hover, InlayHint, TextDocumentEdit } from 'vscode-languageserver-protocol/node';
import { applyTextEdits, kerasFixture, positionOf, read, startServer, uriOf, type Session } from './client';

/**
 * Issue 10 §4 in the editor, over real JSON-RPC: implicit values (a learning rate or batch size
 * left unwritten) and the optimizer class get diagnostics, "Keras default" hints and hovers, and
 * quick fixes that insert the keyword or name the class through getattr.
 */
const path = kerasFixture('optimizer_objects.py');
const text = read(path);
const uri = uriOf(path);

describe('implicit values and the optimizer class in the language server', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startServer();
    s.open(uri, text);
  });
  afterAll(async () => {
    expect(await s.close()).toBe(0);
  });

  it('diagnoses an unwritten learning rate where its keyword would go, saying it is the Keras default', async () => {
    const p = await s.waitForDiagnostics(uri);
    const lr = p.diagnostics.find((d) => (d.data as { id: string }).id === 'opt.learning_rate')!;
    expect(lr.message).toBe('opt.learning_rate = 0.001 (Keras default, not written): tune in [1e-4, 0.03] log');
    const at = positionOf(text, 'Adam()', 5);
    expect(lr.range).toEqual({ start: at, end: at });
    const cls = p.diagnostics.find((d) => (d.data as { id: string }).id === 'opt.class')!;
    expect(cls.message).toContain("tune in {'Adam', 'AdamW', 'Nadam', 'RMSprop'}");
  });

  it('hints and hovers say "Keras default"', async () => {
    const hints = (await s.conn.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } } })) as InlayHint[];
    const lr = hints.find((h) => String(h.label).startsWith('learning_rate=0.001 (Keras default)'))!;
    expect(lr.position).toEqual(positionOf(text, 'Adam()', 5));
    expect(hints.some((h) => String(h.label).startsWith('batch_size=32 (Keras default)'))).toBe(true);
    const hover = (await s.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'Adam()', 5) })) as Hover;
    expect((hover.contents as { value: string }).value).toContain('the Keras default (not written: parametrizing inserts `learning_rate=`)');
  });

  it('"Parametrize" inserts the keyword argument, and names the class through getattr', async () => {
    const p = await s.waitForDiagnostics(uri);
    const actionsFor = async (id: string) => {
      const d = p.diagnostics.find((x) => (x.data as { id: string }).id === id)!;
      return (await s.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d], only: ['quickfix'] } })) as CodeAction[];
    };
    const editsOf = (a: CodeAction) => (a.edit!.documentChanges![0] as TextDocumentEdit).edits;
    const lr = (await actionsFor('opt.learning_rate')).find((a) => a.title.startsWith('Parametrize'))!;
    expect(applyTextEdits(text, editsOf(lr))).toContain("opt = keras.optimizers.Adam(learning_rate=params['opt.learning_rate'])");
    const batch = (await actionsFor('fit.batch_size')).find((a) => a.title.startsWith('Parametrize'))!;
    expect(applyTextEdits(text, editsOf(batch))).toContain("model.fit(x_train, y_train, epochs=3, validation_split=0.2, batch_size=params['fit.batch_size'])");
    const cls = (await actionsFor('opt.class')).find((a) => a.title.startsWith('Parametrize'))!;
    expect(applyTextEdits(text, editsOf(cls))).toContain("opt = getattr(keras.optimizers, params['opt.class'])()");
  });
});
