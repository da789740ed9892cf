#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { CouncilUserError } from '../errors';
import { codecServerCommand, gcCommand } from './blobs';
import { configCommand } from './configCommands';
import { resynthesizeCommand } from './councilResynthesize';
import { estimateCommand } from './estimate';
import { ExitCode } from './output';
import { runCommand } from './run';
import { scheduleCommand } from './schedule';
import { serverCommand } from './server';
import { sessionCommand } from './session';
import { uiCommand } from './ui';
import { workerCommand } from './worker';

/** The `council` program: every command group, and the global --verbose. */
function buildProgram(): Command {
  const program = new Command('council')
    .description('Multi-participant LLM sessions and councils, run as durable Temporal workflows')
    .option('-v, --verbose', 'print stack traces and details of errors')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  for (const command of [
    runCommand(),
    resynthesizeCommand(),
    sessionCommand(),
    scheduleCommand(),
    workerCommand(),
    serverCommand(),
    configCommand(),
    estimateCommand(),
    gcCommand(),
    codecServerCommand(),
    uiCommand(),
  ]) {
    program.addCommand(command.exitOverride());
  }
  return program;
}

/**
 * Runs the CLI. Every error becomes one line on stderr and exit code 1 (stack traces with
 * --verbose); commands set `process.exitCode` themselves (2: some participants failed).
 */
export async function main(argv: string[]): Promise<number> {
  endQuietlyOnClosedPipe();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok;
  } catch (error) {
    // Commander has printed its own message (unknown option, missing argument) or the help.
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Error;
    const verbose = argv.includes('--verbose') || argv.includes('-v');
    process.stderr.write(`council: ${describeError(error)}\n`);
    if (verbose && error instanceof Error) process.stderr.write(`${error.stack ?? ''}\n`);
    else if (!(error instanceof CouncilUserError)) process.stderr.write('(run with --verbose for details)\n');
    return ExitCode.Error;
  }
}

/**
 * `council session show ID | head`: once the reader is gone, nothing more can be shown, so the CLI
 * stops at once with exit code 0, as Unix tools do, instead of an unhandled EPIPE and its stack.
 * Whatever runs in Temporal goes on (a run closes itself; `attach` follows it), and an embedded
 * server this process started stops with it (see client/devServer.ts).
 */
function endQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(ExitCode.Ok);
      throw error;
    });
  }
}

function describeError(error: unknown): string {
  if (error instanceof CouncilUserError) return error.toOneLine();
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

if (require.main === module) {
  void main(process.argv).then((code) => process.exit(code));
}
