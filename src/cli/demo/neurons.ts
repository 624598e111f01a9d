/** The demo's miner and validator processes (`subnetkit demo-neuron miner|validator`), on the base neurons. */
import { join } from 'node:path';
import { createMiner, createValidator, runNeuronProcess } from '../../neuron/index.js';
import { QUALITIES, Sum, sumHandler, sumQuery, sumScorer, type Quality } from './protocol.js';

/** Runs a demo neuron process with the Python-style flags plus `--demo.quality` for miners. */
export async function runDemoNeuron(role: 'miner' | 'validator', argv: readonly string[]): Promise<number> {
  if (role === 'miner') {
    return runNeuronProcess(argv, {
      role: 'miner',
      name: 'demo-miner',
      description: 'a demo miner: answers Sum with the quality it is given',
      extraFlags: [
        {
          name: 'demo.quality',
          kind: 'string',
          help: 'honest, slow, sloppy or lazy',
          default: 'honest',
          choices: QUALITIES,
        },
      ],
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
            minStake: config.blacklist.minStake,
          },
          syncInterval: config.neuron.syncInterval,
          ...(config.metrics.port !== null
            ? { metrics: { port: config.metrics.port, host: config.metrics.host } }
            : {}),
          logger,
        });
        miner.attach(Sum, sumHandler(config.extra['demo.quality'] as Quality));
        await miner.start();
        return () => miner.stop();
      },
    });
  }
  return runNeuronProcess(argv, {
    role: 'validator',
    name: 'demo-validator',
    description: 'a demo validator: asks for sums, scores correctness × speed, sets weights',
    async start({ subtensor, hotkey, config, logger, stateDir }) {
      const validator = createValidator({
        subtensor,
        hotkey,
        netuid: config.netuid,
        query: sumQuery,
        score: sumScorer,
        timeout: config.neuron.timeout,
        sampleSize: config.neuron.sampleSize,
        alpha: config.neuron.movingAverageAlpha,
        resyncInterval: config.neuron.epochLength,
        stepInterval: config.neuron.stepInterval * 1000,
        setWeights: !config.neuron.disableSetWeights,
        ...(config.neuron.weightsInterval !== null ? { weightsInterval: config.neuron.weightsInterval } : {}),
        statePath: join(stateDir, 'state.json'),
        ...(config.metrics.port !== null ? { metrics: { port: config.metrics.port, host: config.metrics.host } } : {}),
        logger,
      });
      await validator.start();
      return () => validator.stop();
    },
  });
}
