/** `subnetkit demo` and the demo's neuron processes (`subnetkit demo-neuron miner|validator`, not listed in help). */
import type { Command } from 'commander';
import { usage } from '../errors.js';
import { intFlag, type CliContext } from '../context.js';

export function demoCommands(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(
      'run a whole subnet locally, every part its own process: devnet, validators, miners of four qualities, a table per epoch and an HTML plot',
    )
    .option('--epochs <n>', 'epochs to watch once weights are set', '6')
    .option('--tempo <blocks>', 'blocks per epoch', '10')
    .option('--sealing <ms>', 'milliseconds per block', '250')
    .option('--validators <n>', 'validators (1 or 2)', '2')
    .option('--out <dir>', 'folder for wallets, logs, state and the report (default: a new temp folder)')
    .option('--time-limit <s>', 'give up after this many seconds', '150')
    .action(
      async (o: {
        epochs: string;
        tempo: string;
        sealing: string;
        validators: string;
        out?: string;
        timeLimit: string;
      }) => {
        const bin = process.env.SUBNETKIT_BIN ?? process.argv[1];
        if (!bin) throw usage('cannot find the subnetkit script to start the processes with (set SUBNETKIT_BIN)');
        const { runDemo } = await import('../demo/orchestrator.js');
        const code = await runDemo(ctx.io, {
          epochs: intFlag(o.epochs, '--epochs', 1, 1000),
          tempo: intFlag(o.tempo, '--tempo', 2, 1000),
          sealingMs: intFlag(o.sealing, '--sealing', 10, 60_000),
          validators: intFlag(o.validators, '--validators', 1, 2),
          timeLimit: intFlag(o.timeLimit, '--time-limit', 10, 86_400),
          bin,
          ...(o.out ? { out: o.out } : {}),
        });
        if (code !== 0) process.exitCode = code;
      },
    );

  program
    .command('demo-neuron <role> [flags...]', { hidden: true })
    .description('a demo miner or validator process (started by `subnetkit demo`)')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (role: string, _flags: string[], _o: unknown, cmd: Command) => {
      if (role !== 'miner' && role !== 'validator') throw usage(`demo-neuron takes miner or validator, got ${role}`);
      const { runDemoNeuron } = await import('../demo/neurons.js');
      const argv = cmd.args.slice(1);
      const code = await runDemoNeuron(role, argv);
      if (code !== 0) process.exitCode = code;
    });
}
