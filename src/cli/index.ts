/**
 * The `subnetkit` command line, btcli's nouns and verbs: `wallet create|new-coldkey|new-hotkey|regen-coldkey|
 * regen-hotkey|list|overview|balance|transfer`, `subnet list|create|start|register|hyperparameters|metagraph`,
 * `stake add|remove|list`, `weights set|commit|reveal`, `axon serve`, `devnet` and `demo`. Every command has
 * `--help`; reads take `--json`; `--no-prompt` never asks. Exit codes: 0 done, 1 failed (the chain refused, a file is
 * missing), 2 bad usage, 130 interrupted. User errors are one line, never a stack trace.
 *
 * @example
 * ```ts
 * import { runCli } from 'subnetkit/cli';
 * process.exitCode = await runCli(['subnet', 'metagraph', '--netuid', '1', '--json', '--subtensor.network', 'local']);
 * ```
 *
 * @module cli
 */
import { CommanderError } from 'commander';
import { isSubnetkitError } from '../errors/index.js';
import { CliError } from './errors.js';
import { processIO, type CliIO } from './io.js';
import { buildProgram } from './program.js';

export type { CliIO } from './io.js';
export { CliError } from './errors.js';
export type { CliErrorCode } from './errors.js';
export { DEVNET_CLI_DEFAULTS } from './commands/devnet.js';

/**
 * Runs the CLI with `argv` (without the node and script paths) and resolves with the exit code. A long-running
 * command (devnet) resolves once it runs and hands its stop function to `onStarted`.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2));
 * ```
 */
export async function runCli(
  argv: readonly string[],
  io: CliIO = processIO(),
  onStarted?: (stop: () => Promise<void>) => void,
): Promise<number> {
  const program = buildProgram({ io, ...(onStarted ? { onStarted } : {}) });
  if (argv.length === 0) {
    io.err(program.helpInformation().trimEnd());
    return 0;
  }
  try {
    await program.parseAsync(['node', 'subnetkit', ...argv]);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed by commander.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof CliError) {
      io.err(`error: ${e.message}`);
      return e.exitCode;
    }
    if (isSubnetkitError(e)) {
      io.err(`error: ${e.message}`);
      return 1;
    }
    io.err(`error: ${(e as Error)?.message ?? String(e)}`);
    if (process.env.SUBNETKIT_DEBUG) io.err(String((e as Error)?.stack));
    return 1;
  }
}
