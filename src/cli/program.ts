/** The command table: one file per noun, assembled into one commander program. */
import { Command } from 'commander';
import { devnetCommand } from './commands/devnet.js';
import { demoCommands } from './commands/demo.js';
import { stakeCommands } from './commands/stake.js';
import { subnetCommands } from './commands/subnet.js';
import { walletCommands } from './commands/wallet.js';
import { weightCommands } from './commands/weights.js';
import type { CliContext } from './context.js';

/** The package version, for `--version`. */
export const VERSION = '0.1.0';

/** Builds the `subnetkit` program; output goes through `ctx.io`. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('subnetkit')
    .description(
      "subnetkit: wallets, subnets, staking, weights, a local devnet and a demo subnet (btcli's nouns and verbs)",
    )
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.out(s.trimEnd()), writeErr: (s) => ctx.io.err(s.trimEnd()) });
  walletCommands(program, ctx);
  subnetCommands(program, ctx);
  stakeCommands(program, ctx);
  weightCommands(program, ctx);
  devnetCommand(program, ctx);
  demoCommands(program, ctx);
  // Every subcommand inherits the output settings and exits through the runner, never through process.exit.
  const apply = (cmd: Command) => {
    cmd
      .exitOverride()
      .configureOutput({ writeOut: (s) => ctx.io.out(s.trimEnd()), writeErr: (s) => ctx.io.err(s.trimEnd()) })
      .showHelpAfterError('(run with --help for usage)');
    for (const c of cmd.commands) apply(c);
  };
  for (const c of program.commands) apply(c);
  return program;
}
