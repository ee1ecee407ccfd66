import Parser = require('tree-sitter');
import Python = require('tree-sitter-python');
import { SyntaxTree } from './syntax';

export type Tree = Parser.Tree;
export type TreeCursor = Parser.TreeCursor;
export type Edit = Parser.Edit;

let shared: Parser | undefined;

/** One parser per process: creating one loads the grammar, parsing reuses it. */
function parser(): Parser {
  if (!shared) {
    shared = new Parser();
    shared.setLanguage(Python as unknown as Parser.Language);
  }
  return shared;
}

/**
 * Parses Python source. With `old` (already edited with tree.edit) the parse is incremental.
 * The buffer size covers the whole text so large files are read in one callback.
 */
export function parsePython(text: string, old?: Tree): Tree {
  return parser().parse(text, old, { bufferSize: Math.max(32 * 1024, text.length + 1) });
}

/** Parses Python source into the plain copy the analysis reads. */
export function parseSyntax(text: string): SyntaxTree {
  return SyntaxTree.from(parsePython(text), text);
}
