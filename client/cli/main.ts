#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { userErrorIn } from '../../common/userError';
import { COMMANDS, requestedCommand } from './commands';
import { detachedExitCode, ExitCode, followedRun } from './exitCode';
import { listedCommand } from './help';
import { printable } from '../../common/printable';
import { PROJECT_ROOT } from '../runtime/temporalCli';

/**
 * The `council` program: every command group, and the global --verbose. Only the command `argv`
 * runs is loaded (see commands.ts); the others are listed in the help by their table row.
 */
async function buildProgram(argv: readonly string[]): Promise<Command> {
  const terms = new Map(COMMANDS.map((entry) => [entry.name, entry.term]));
  const program = new Command('council')
    .description('Multi-participant LLM sessions and councils, run as durable Temporal workflows')
    .version(packageVersion(), '-V, --version', 'print the version of council')
    .option('-v, --verbose', 'print stack traces and details of errors')
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ subcommandTerm: (command) => terms.get(command.name()) ?? command.name() })
    .exitOverride();
  const wanted = requestedCommand(argv);
  for (const entry of COMMANDS) {
    const command = entry.name === wanted ? await entry.load() : listedCommand(entry.name);
    program.addCommand(command.exitOverride());
  }
  return program;
}

/** The version in the package's own package.json. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

/**
 * Runs the CLI. Every error becomes one line on stderr and exit code 1 (stack traces with
 * --verbose); commands set `process.exitCode` themselves (2: some participants failed).
 */
export async function main(argv: string[]): Promise<number> {
  endQuietlyOnClosedPipe();
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return detachedExitCode() ?? (typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok);
  } catch (error) {
    // Ctrl-C closed the connection under the command: that is how it ends, not an error of its own.
    const detached = detachedExitCode();
    if (detached !== undefined) return detached;
    // Commander has printed its own message (unknown option, missing argument) or the help; the
    // events stream still says how it ended.
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.Ok;
      await endStreams(argv, oneLine(error.message.replace(/^error: /, '')));
      return ExitCode.Error;
    }
    const verbose = argv.includes('--verbose') || argv.includes('-v');
    const line = oneLine(describeError(error));
    process.stderr.write(`council: ${line}\n`);
    await endStreams(argv, line);
    // A stack's first line is the message, which may quote what a model or a person wrote.
    if (verbose && error instanceof Error) process.stderr.write(`${printable(error.stack ?? '')}\n`);
    else if (!userErrorIn(error)) process.stderr.write('(run with --verbose for details)\n');
    return ExitCode.Error;
  }
}

/**
 * An error as one printed line. Errors quote what a person typed or wrote (an id, a config's key):
 * never an escape of theirs, nor a line break, after which the rest would read as a line of its own.
 */
function oneLine(text: string): string {
  return printable(text).replace(/\r?\n/g, '\\n');
}

/**
 * A pipeline reading `--events` or `--json` learns how the command ended from its stdout: an `error`
 * event, or an `error` document unless the command printed its own. Flags count only before `--`:
 * after it, `--events` is a question's text. Only `run` has `--events`.
 */
async function endStreams(argv: string[], message: string): Promise<void> {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  if (requestedCommand(argv) === 'run' && flags.includes('--events')) {
    (await import('./events')).writeRunEvent({ type: 'error', message, exitCode: ExitCode.Error });
  } else if (flags.includes('--json')) {
    const { createOutput, jsonDocumentPrinted } = await import('./output');
    if (!jsonDocumentPrinted())
      createOutput(true).result({ type: 'error', message, exitCode: ExitCode.Error });
  }
}

/**
 * `council show ID | head`: once the reader is gone, nothing more can be shown, so the CLI
 * stops at once with exit code 0, as Unix tools do, instead of an unhandled EPIPE and its stack.
 * Whatever runs in Temporal goes on (a run closes itself; `attach` follows it), and an embedded
 * server this process started stops with it (see client/runtime/devServer.ts). A command that
 * followed a run (`run`, `send`, `attach`) stopped before its end, as Ctrl-C stops it: it says on
 * stderr what goes on and exits with the shell's code for a closed pipe, 141.
 */
function endQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      const left = followedRun();
      if (left === undefined) process.exit(ExitCode.Ok);
      if (stream === process.stdout) process.stderr.write(`council: ${left}\n`);
      process.exit(CLOSED_PIPE_EXIT);
    });
  }
}

/** The shell's exit code for a writer whose reader went away: 128 and SIGPIPE's number. */
const CLOSED_PIPE_EXIT = 128 + os.constants.signals.SIGPIPE;

/**
 * One line: the message, then the first line of each cause that adds to it. The SDK wraps what the
 * server said ("Failed to query Workflow") around the gRPC error that says why, and that is the part
 * a person needs without --verbose.
 */
export function describeError(error: unknown): string {
  const userError = userErrorIn(error);
  if (userError) return userError.toOneLine();
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined; depth++) {
    const line =
      current instanceof Error ? (current.message.split('\n')[0] ?? current.name) : String(current);
    if (line && !parts.some((part) => part.includes(line))) parts.push(line);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ');
}

/**
 * Resolves once everything written to stdout and stderr has been handed to them. process.exit drops
 * writes still queued for a pipe whose reader is slower than the CLI (`council show ID --json | jq`
 * would lose all past the pipe's 64 KiB); writes complete in order, so an empty one's callback
 * comes after all before it.
 */
function flushed(): Promise<unknown> {
  return Promise.all(
    [process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))),
  );
}

if (require.main === module) {
  void main(process.argv).then(async (code) => {
    await flushed();
    process.exit(code);
  });
}
