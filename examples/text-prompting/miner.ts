/**
 * A text miner: an ONNX model in worker threads (build one with `npm run build-models -- --out models`), or any
 * OpenAI-compatible server. It answers TextCausalLMNext (top-k next-token phrases) and streams TextStream.
 *   npx tsx examples/text-prompting/miner.ts --netuid 2 --subtensor.network ws://127.0.0.1:9944 \
 *     --wallet.name miner --model.path models/ngram3-synthetic.onnx
 *   … --model.openai_url http://127.0.0.1:8000/v1 --model.name my-model
 */
import {
  createOnnxAdapter,
  createOpenAIAdapter,
  loadGpt2Tokenizer,
  textCausalLMNextHandler,
  textStreamHandler,
  type InferenceAdapter,
} from 'subnetkit/inference';
import { NeuronError, createMiner, runNeuronProcess } from 'subnetkit/neuron';
import { TextCausalLMNext, TextStream } from './protocol.js';

process.exitCode = await runNeuronProcess(process.argv.slice(2), {
  role: 'miner',
  name: 'text-miner',
  extraFlags: [
    { name: 'model.path', kind: 'string', help: 'an ONNX causal LM over GPT-2 tokens', default: null },
    {
      name: 'model.openai_url',
      kind: 'string',
      help: 'an OpenAI-compatible server (instead of --model.path)',
      default: null,
    },
    { name: 'model.name', kind: 'string', help: 'the model name on that server', default: 'default' },
  ],
  async start({ subtensor, hotkey, config, logger }) {
    const path = config.extra['model.path'] as string | null;
    const url = config.extra['model.openai_url'] as string | null;
    if (!path === !url)
      throw new NeuronError('NEURON_INVALID_CONFIG', 'pass --model.path or --model.openai_url (one of them)');
    const tokenizer = await loadGpt2Tokenizer();
    const adapter: InferenceAdapter = path
      ? await createOnnxAdapter({ model: path, providers: ['cpu'] })
      : createOpenAIAdapter({ baseURL: url!, model: config.extra['model.name'] as string, tokenizer });
    logger.info({ model: path ?? url, vocab: adapter.vocabSize }, 'model loaded');
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
      logger,
    });
    miner.attach(TextCausalLMNext, textCausalLMNextHandler(adapter));
    miner.attach(TextStream, textStreamHandler(adapter, tokenizer), { blacklist: () => false }); // anyone may prompt
    await miner.start();
    return async () => {
      await miner.stop();
      await adapter.close();
    };
  },
});
