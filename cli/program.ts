import { Command, CommanderError } from 'commander';
import { SluiceApiError, SluiceConnectionError } from '../sdk';
import { enqueueCommand } from './commands/enqueue';
import { keysCommand } from './commands/keys';
import { cancelCommand, retryCommand, statsCommand, statusCommand } from './commands/jobs';
import { tailCommand } from './commands/tail';
import { addGlobalOptions, ExitCode, UsageError, type GlobalOptions } from './options';

/** Builds the `sluice` command with its subcommands. */
export function createProgram(): Command {
  const program = addGlobalOptions(new Command('sluice'))
    .description('Enqueue, inspect, retry and cancel Sluice jobs over the HTTP API')
    .showHelpAfterError('(run the command with --help for usage)')
    .addHelpText('after', '\nExit status: 0 ok, 1 the API returned an error, 2 invalid flag or argument, 3 could not connect.');

  program.addCommand(enqueueCommand());
  program.addCommand(statusCommand());
  program.addCommand(statsCommand());
  program.addCommand(retryCommand());
  program.addCommand(cancelCommand());
  program.addCommand(tailCommand());
  // Manages API keys in MongoDB directly (MONGODB_URI), not over the HTTP API.
  program.addCommand(keysCommand());

  return program;
}

/** Makes every command throw its parse errors instead of exiting, so `run` picks the exit status. */
function throwParseErrors(command: Command): void {
  command.exitOverride();
  command.commands.forEach(throwParseErrors);
}

function describeFailure(error: unknown, program: Command): { message: string; code: number } {
  if (error instanceof SluiceApiError) {
    const problems = error.problems.map((problem) => `\n  ${problem.field}: ${problem.message}`).join('');
    return { message: `error: ${error.message}${problems}`, code: ExitCode.requestFailed };
  }
  if (error instanceof SluiceConnectionError) {
    const { url } = program.opts<GlobalOptions>();
    return {
      message: `error: could not connect to the Sluice API at ${url} (${error.code} after ${error.attempts} attempt${error.attempts === 1 ? '' : 's'}). Check --url (or SLUICE_URL) and that the API is running; npm start runs a local one.`,
      code: ExitCode.connectionFailed,
    };
  }
  if (error instanceof UsageError) {
    return { message: `error: ${error.message}`, code: ExitCode.usage };
  }
  return { message: `error: ${error instanceof Error ? error.message : String(error)}`, code: ExitCode.requestFailed };
}

/** Runs the CLI with `argv` (as process.argv) and returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  const program = createProgram();
  throwParseErrors(program);
  try {
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help) already.
      const printedHelp = error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version';
      return printedHelp ? ExitCode.ok : ExitCode.usage;
    }
    const failure = describeFailure(error, program);
    process.stderr.write(`${failure.message}\n`);
    return failure.code;
  }
}
