/**
 * A text validator: each step sends a few rows of text to a sample of miners, holds out the next tokens, scores each
 * reply with v3's phrase cross-entropy and scaling law, and sets weights from the moving averages.
 *   npx tsx examples/text-prompting/validator.ts --netuid 2 --subtensor.network ws://127.0.0.1:9944 --wallet.name validator
 */
import { join } from 'node:path';
import { textCausalLMNextQuery, textCausalLMNextScorer } from 'subnetkit/epoch';
import { createValidator, runNeuronProcess } from 'subnetkit/neuron';
import { textSource } from './protocol.js';

process.exitCode = await runNeuronProcess(process.argv.slice(2), {
  role: 'validator',
  name: 'text-validator',
  extraFlags: [
    {
      name: 'data.corpus',
      kind: 'string',
      help: 'score on this text file (default: the synthetic source)',
      default: null,
    },
    { name: 'data.topk', kind: 'int', help: 'phrases each miner returns', default: 64, min: 1, max: 4096 },
  ],
  async start({ subtensor, hotkey, config, logger, stateDir }) {
    const sample = await textSource(config.extra['data.corpus'] as string | null);
    const validator = createValidator({
      subtensor,
      hotkey,
      netuid: config.netuid,
      query: textCausalLMNextQuery({
        sample,
        batchSize: 4,
        sequenceLength: 32,
        validationLength: 8,
        topk: config.extra['data.topk'] as number,
      }),
      score: textCausalLMNextScorer(),
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
