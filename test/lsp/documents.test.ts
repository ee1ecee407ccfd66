import { describe, expect, it } from 'vitest';
import { DocumentStore } from '../../server/src/lsp/documents';
import { parsePython } from '../../server/src/analysis/parse';

const source = (n: number) => `from keras import layers\nlayer = layers.Dense(${n})\n`;

describe('DocumentStore keeps trees for the documents analysed most recently', () => {
  it('drops the least recently analysed tree past the limit, and reparses it in full when asked again', () => {
    const store = new DocumentStore(2);
    const docs = [1, 2, 3].map((n) => store.open(`file:///d${n}.py`, 'python', 1, source(n)));
    for (const d of docs) expect(store.tree(d)).toBeDefined();
    expect(docs[0].tree).toBeUndefined();
    expect(docs[1].tree).toBeDefined();
    expect(docs[2].tree).toBeDefined();

    // An edit to the evicted document, then a tree for it: a fresh parse of the new text.
    store.change(docs[0].uri, 2, [{ range: { start: { line: 1, character: 21 }, end: { line: 1, character: 22 } }, text: '64' }]);
    const tree = store.tree(docs[0])!;
    expect(docs[0].doc.getText()).toBe(source(64));
    expect(tree.rootNode.toString()).toBe(parsePython(source(64)).rootNode.toString());
    // Now the second document is the oldest and lost its tree.
    expect(docs[1].tree).toBeUndefined();
    expect(docs[2].tree).toBeDefined();
  });

  it('forgets a closed document', () => {
    const store = new DocumentStore(1);
    const a = store.open('file:///a.py', 'python', 1, source(1));
    store.tree(a);
    store.close(a.uri);
    const b = store.open('file:///b.py', 'python', 1, source(2));
    expect(store.tree(b)).toBeDefined();
    expect(store.get(a.uri)).toBeUndefined();
  });
});
