/**
 * An SN19-style miner: declares its capacities, serves Chat, and answers 429 past its concurrency (SN19's
 * "Enhance your calm").
 *   npx tsx examples/sn19-style/miner.ts --netuid 2 --subtensor.network ws://127.0.0.1:9944 --wallet.name miner \
 *     --capacity.chat_small 50000 --capacity.chat_large 20000 --capacity.concurrency 4
 */
import { Capacity } from 'subnetkit/epoch';
import { createMiner, runNeuronProcess } from 'subnetkit/neuron';
import { Chat } from './protocol.js';

process.exitCode = await runNeuronProcess(process.argv.slice(2), {
  role: 'miner',
  name: 'sn19-miner',
  extraFlags: [
    {
      name: 'capacity.chat_small',
      kind: 'float',
      help: 'volume declared for chat-small (characters/hour)',
      default: 50_000,
      min: 0,
    },
    { name: 'capacity.chat_large', kind: 'float', help: 'volume declared for chat-large', default: 20_000, min: 0 },
    { name: 'capacity.concurrency', kind: 'int', help: 'requests served at once before 429s', default: 4, min: 1 },
    { name: 'capacity.ms_per_char', kind: 'float', help: 'simulated work per character', default: 0.2, min: 0 },
  ],
  async start({ subtensor, hotkey, config, logger }) {
    const x = config.extra as Record<string, number>;
    const miner = createMiner({
      subtensor,
      hotkey,
      netuid: config.netuid,
      axon: { port: config.axon.port, host: config.axon.ip },
      blacklist: {
        forceValidatorPermit: config.blacklist.forceValidatorPermit,
        allowNonRegistered: config.blacklist.allowNonRegistered,
      },
      logger,
    });
    miner.attach(Capacity, (s) => {
      s.capacities = {
        'chat-small': { volume: x['capacity.chat_small']! },
        'chat-large': { volume: x['capacity.chat_large']! },
      };
      return s;
    });
    let active = 0;
    miner.attach(Chat, async (s) => {
      if (active >= x['capacity.concurrency']!) {
        s.axon.status_code = 429;
        throw Object.assign(new Error('Enhance your calm bro'), { synapse: s });
      }
      active++;
      try {
        await new Promise((r) => setTimeout(r, s.prompt.length * x['capacity.ms_per_char']!));
        s.reply = [...s.prompt].reverse().join('');
        return s;
      } finally {
        active--;
      }
    });
    await miner.start();
    return () => miner.stop();
  },
});
