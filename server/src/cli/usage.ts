/** Bad command-line usage: exit code 2 with a message and the usage text. */
export class UsageError extends Error {}

export const USAGE = `optpar: find the hyperparameters in TensorFlow/Keras code and tune them

Usage:
  optpar scan FILE... [--json] [--catalogue FILE]... [--split-tuples] [--tune-budget]
  optpar parametrize MODEL.py [-o OUT] [--json] [--ids a,b] [--space-json FILE]
  optpar harness MODEL.py [-o tune_MODEL.py] [--max-evals N] [--algo tpe|rand|anneal|atpe]
                 [--seed S] [--ids a,b] [--tune-budget] [--force]
  optpar tune MODEL.py [--python PATH] [harness options]
  optpar lsp --stdio
  optpar --version | --help

Commands:
  scan          list each file's hyperparameters: a table, or a JSON document with --json
  parametrize   rewrite the tunable (or --ids) values into params['<id>']
  harness       write a hyperopt tuning script (tune_MODEL.py) that keeps your code
  tune          write the harness to a temporary folder and run it (default Python: the
                project's .venv, made on first use)
  lsp           the language server over stdio

Options:
  --json             machine-readable output (see README, "JSON output")
  --catalogue FILE   add a user catalogue (YAML in metadata/'s schema, or the paper's CSV)
  --split-tuples     tune the elements of equal tuples separately (kernel_size=(3, 3) as two values)
  --tune-budget      search training budgets too (epochs, EarlyStopping patience...); by
                     default they are kept as written
  --ids a,b          only these hyperparameters (may name fixed ones)
  -o, --output FILE  where to write
  --force            replace an existing harness

Exit codes: 0 ran, 1 a file could not be read, 2 bad usage.`;
