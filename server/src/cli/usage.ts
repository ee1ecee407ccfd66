/** Bad command-line usage: exit code 2 with a message and the usage text. */
export class UsageError extends Error {}

export const USAGE = `optpar: find the hyperparameters in TensorFlow/Keras code and tune them

Usage:
  optpar scan FILE... [--json] [--catalogue FILE]... [--split-tuples]
  optpar lsp --stdio
  optpar --version | --help

Commands:
  scan   list each file's hyperparameters: a table, or a JSON document with --json

Options:
  --json             machine-readable output (see README, "JSON output")
  --catalogue FILE   add a user catalogue (YAML in metadata/'s schema, or the paper's CSV)
  --split-tuples     tune the elements of equal tuples separately (kernel_size=(3, 3) as two values)

Exit codes: 0 ran, 1 a file could not be read, 2 bad usage.`;
