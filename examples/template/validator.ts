/**
 * The template validator: asks every miner for a product, rewards right and fast answers, sets weights each tempo.
 *   npx tsx examples/template/validator.ts --netuid 2 --subtensor.network ws://127.0.0.1:9944 \
 *     --wallet.name validator --wallet.hotkey default
 */
import { join } from 'node:path';
import { correctnessScorer } from 'subnetkit/epoch';
import { createValidator, runNeuronProcess } from 'subnetkit/neuron';
import { Multiply, reward } from './protocol.js';

const random = () => Math.floor(Math.random() * 10_000);

process.exitCode = await runNeuronProcess(process.argv.slice(2), {
  role: 'validator',
  name: 'template-validator',
  async start({ subtensor, hotkey, config, logger, stateDir }) {
    const validator = createValidator({
      subtensor,
      hotkey,
      netuid: config.netuid,
      query: () => new Multiply({ a: random(), b: random() }),
      score: correctnessScorer<Multiply>((reply, ctx) => reward(ctx.request, reply)),
      timeout: config.neuron.timeout,
      sampleSize: config.neuron.sampleSize,
      alpha: config.neuron.movingAverageAlpha,
      statePath: join(stateDir, 'state.json'),
      logger,
    });
    await validator.start();
    return () => validator.stop();
  },
});
