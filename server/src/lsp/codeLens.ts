/** "Tune this model (N hyperparameters)" over the first model.compile (or fit) call. */
import type { Hyperparameter } from '../analysis/types';
import { COMMANDS } from './constants';
import type { CodeLens } from './protocol';

const CALL = /\.(compile|fit)\s*\(/;

/** Line of the first compile call outside comments, else of the first fit call. */
function anchorLine(text: string): number | undefined {
  const lines = text.split('\n');
  let fit: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const code = lines[i].split('#')[0];
    const m = CALL.exec(code);
    if (!m) continue;
    if (m[1] === 'compile') return i;
    fit ??= i;
  }
  return fit;
}

export function codeLenses(uri: string, text: string, hps: Hyperparameter[]): CodeLens[] {
  const n = hps.filter((h) => h.tunable).length;
  if (n === 0) return [];
  const line = anchorLine(text);
  if (line === undefined) return [];
  const pos = { line, character: 0 };
  return [
    {
      range: { start: pos, end: pos },
      command: { title: `Tune this model (${n} hyperparameter${n === 1 ? '' : 's'})`, command: COMMANDS.generateHarness, arguments: [{ uri }] },
    },
  ];
}
