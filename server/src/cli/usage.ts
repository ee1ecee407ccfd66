/** Bad command-line usage: exit code 2 with a message and the usage text. */
export class UsageError extends Error {}

export const USAGE = `optpar: find the hyperparameters in TensorFlow/Keras code and tune them

Usage:
  optpar scan FILE... [--json] [--catalogue FILE]... [--split-tuples] [--tune-budget]
  optpar parametrize MODEL.py [-o OUT] [--json] [--ids a,b] [--space-json FILE]
  optpar harness MODEL.py [-o tune_MODEL.py] [--backend hyperopt|optuna] [--max-evals N]
                 [--algo tpe|rand|anneal|atpe] [--seed S] [--ids a,b] [--tune-budget] [--force]
  optpar tune MODEL.py [--out DIR] [--fresh] [--python PATH] [harness options] [run options]
  optpar report RESULTS.json [-o report.html]
  optpar apply [RESULTS.json] MODEL.py [--trial N] [--dry-run]
  optpar lsp --stdio
  optpar --version | --help
  optpar COMMAND --help

Commands:
  scan          list each file's hyperparameters: a table, or a JSON document with --json
  parametrize   rewrite the tunable (or --ids) values into params['<id>']
  harness       write a tuning script (tune_MODEL.py; hyperopt or Optuna) that keeps your code
  tune          run a search; harness, trials, results.json and report.html go to
                .optpar/<model name>/ beside the model (or --out DIR); a rerun resumes
  report        write the HTML report of a results file (self-contained, no network)
  apply         write the best (or --trial N's) values back into the model's source
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

Exit codes: 0 ran, 1 a file could not be read or the job was refused, 2 bad usage.`;

const ANALYSIS_OPTIONS = `  --catalogue FILE   add a user catalogue (YAML in metadata/'s schema, or the paper's CSV); repeatable
  --split-tuples     tune the elements of equal tuples separately (kernel_size=(3, 3) as two values)
  --tune-budget      search training budgets too (epochs, EarlyStopping patience...)`;

const HARNESS_USAGE_OPTIONS = `  --backend B        hyperopt (default) or optuna (pruning, a study shared by workers)
  --max-evals N      trials in all (default 50)
  --algo A           tpe (default), rand, anneal or atpe (Optuna: tpe or rand)
  --seed S           seed of the search (default 0)
  --ids a,b          only these hyperparameters (may name fixed ones)
${ANALYSIS_OPTIONS}`;

/** Each command's own usage (optpar COMMAND --help). */
export const COMMAND_USAGE: Record<string, string> = {
  scan: `optpar scan: list each file's hyperparameters

Usage:
  optpar scan FILE... [--json] [--catalogue FILE]... [--split-tuples] [--tune-budget]

Options:
  --json             one JSON document (version 1; README, "JSON output")
${ANALYSIS_OPTIONS}

Exit codes: 0 ran, 1 a file could not be read, 2 bad usage.`,
  parametrize: `optpar parametrize: rewrite the tunable values into params['<id>']

Usage:
  optpar parametrize MODEL.py [-o OUT] [--json] [--ids a,b] [--space-json FILE]

Options:
  -o, --output OUT   write the rewritten model there (default: print it)
  --json             the edits, the original values and the space as JSON
  --ids a,b          only these hyperparameters (may name fixed ones)
  --space-json FILE  also write the search space as JSON
${ANALYSIS_OPTIONS}`,
  harness: `optpar harness: write a tuning script (hyperopt or Optuna) that keeps your code

Usage:
  optpar harness MODEL.py [-o tune_MODEL.py] [--backend hyperopt|optuna] [--max-evals N]
                 [--algo tpe|rand|anneal|atpe] [--seed S] [--ids a,b] [--tune-budget] [--force]

Options:
  -o, --output FILE  where to write (default: tune_MODEL.py beside the model)
  --force            replace an existing file
${HARNESS_USAGE_OPTIONS}

Run the harness with: python tune_MODEL.py [--max-evals N] [--fresh] [--params JSON] [--help]
(hyperopt: [--spark-parallelism N]; Optuna: [--workers N] [--storage URL] [--study NAME] [--pruner P])`,
  tune: `optpar tune: search the model's hyperparameters and keep the results beside it

Usage:
  optpar tune MODEL.py [--out DIR] [--fresh] [--python PATH] [harness options] [run options]

Writes the harness, the trials, results.json and report.html into .optpar/<model name>/ in
the model's folder (or DIR), runs the search there with the project's Python environment
(.venv, made on first use) and prints the best values. A second run resumes the same search
(up to --max-evals trials in all); --fresh starts over.

Options:
  --out DIR          where the search's files go (default: .optpar/<model name>/ beside MODEL.py)
  --fresh            ignore the saved trials and start a new search
  --python PATH      the Python that runs the harness
  -o, --output FILE  write the harness there instead of DIR/tune_MODEL.py
${HARNESS_USAGE_OPTIONS}

Run options (passed to the harness):
  --workers N              Optuna: N worker processes on this machine, one shared study
  --storage URL            Optuna: postgresql://user:password@host/db (other machines join by running
                           the same command) or a journal file (default: DIR/optuna.journal)
  --study NAME             Optuna: the study's name (default: optpar-<model name>)
  --pruner P               Optuna: median (default), hyperband, none or threshold:U
  --heartbeat SECONDS      Optuna with a database: a killed worker's trial is failed after 3 of them
  --spark-parallelism N    hyperopt: N trials at a time with SparkTrials (needs pyspark and Java)
  --spark-master URL       hyperopt: the Spark master (default: $SPARK_MASTER, else local[N])

TensorFlow's C++ log lines are quieted (TF_CPP_MIN_LOG_LEVEL=2) unless TF_CPP_MIN_LOG_LEVEL is set.
Next: optpar report DIR/results.json, optpar apply MODEL.py`,
  report: `optpar report: the HTML report of a search

Usage:
  optpar report RESULTS.json [-o report.html]

Writes one self-contained page (no network needed): the best values beside the original ones
with the improvement in loss, the loss per trial with the running best, one plot per
hyperparameter (value against loss), and the failed and pruned trials with their errors.

Options:
  -o, --output FILE  where to write (default: report.html beside RESULTS.json)`,
  apply: `optpar apply: write a search's best values back into the model

Usage:
  optpar apply [RESULTS.json] MODEL.py [--trial N] [--dry-run]

Rewrites each tuned value in MODEL.py to the best trial's (or trial N's), in the source's own
style; nothing else in the file changes. Without RESULTS.json, reads
.optpar/<model name>/results.json beside MODEL.py. A value whose text changed since the search
is skipped and named; the others are applied.

Options:
  --trial N          the values of trial N instead of the best trial's
  --dry-run          print a unified diff and change nothing

Exit codes: 0 applied (or nothing to change), 1 refused (no results, unreadable model, trial
without values), 2 bad usage.`,
};
