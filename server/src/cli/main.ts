import { runHarness } from './harness';
import { runParametrize } from './parametrize';
import { runScan, type CommandIO } from './scan';
import { COMMAND_USAGE, USAGE, UsageError } from './usage';

export const VERSION: string = require('../../package.json').version;

type Command = (argv: string[], io: CommandIO) => number | Promise<number>;

const COMMANDS: Record<string, Command> = {
  scan: runScan,
  parametrize: runParametrize,
  harness: runHarness,
  tune: (argv, io) => require('./tune').runTune(argv, io),
  report: (argv, io) => require('./reportCommand').runReport(argv, io),
  apply: (argv, io) => require('./apply').runApply(argv, io),
  // Loaded on demand: the language server's dependencies cost start-up time the other commands don't need.
  lsp: (argv, io) => require('./lsp').runLsp(argv, io),
};

/** The optpar command line; resolves to the exit code. */
export async function main(argv: string[], io: CommandIO = defaultIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    io.out(VERSION);
    return 0;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return 0;
  }
  const run = command ? COMMANDS[command] : undefined;
  if (!run) {
    io.err(command ? `optpar: unknown command "${command}"\n\n${USAGE}` : USAGE);
    return 2;
  }
  const usage = command ? COMMAND_USAGE[command] : undefined;
  // Each command answers --help with its own usage (lsp prints its own).
  if (usage && (rest.includes('--help') || rest.includes('-h'))) {
    io.out(usage);
    return 0;
  }
  try {
    return await run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`optpar ${command}: ${err.message}\n\n${usage ?? USAGE}`);
      return 2;
    }
    io.err(`optpar ${command}: ${(err as Error).stack ?? err}`);
    return 1;
  }
}

const defaultIO: CommandIO = {
  out: (s) => process.stdout.write(s + '\n'),
  err: (s) => process.stderr.write(s + '\n'),
};
