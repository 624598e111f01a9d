/**
 * The template miner. Run it against a devnet:
 *   npx tsx examples/template/miner.ts --netuid 2 --subtensor.network ws://127.0.0.1:9944 \
 *     --wallet.name miner --wallet.hotkey default --axon.port 8091
 */
import { createMiner, runNeuronProcess } from 'subnetkit/neuron';
import { Multiply } from './protocol.js';

process.exitCode = await runNeuronProcess(process.argv.slice(2), {
  role: 'miner',
  name: 'template-miner',
  async start({ subtensor, hotkey, config, logger }) {
    const miner = createMiner({
      subtensor,
      hotkey,
      netuid: config.netuid,
      axon: {
        port: config.axon.port,
        host: config.axon.ip,
        ...(config.axon.externalIp ? { externalIp: config.axon.externalIp } : {}),
      },
      blacklist: {
        allowNonRegistered: config.blacklist.allowNonRegistered,
        forceValidatorPermit: config.blacklist.forceValidatorPermit,
      },
      logger,
    });
    miner.attach(Multiply, (s) => {
      s.product = s.a * s.b; // your model goes here
      return s;
    });
    await miner.start();
    return () => miner.stop();
  },
});
