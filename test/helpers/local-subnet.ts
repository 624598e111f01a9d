/**
 * Test helper: a subnet on a real devnet with miners of known quality on real axons. The miners answer
 * TextCausalLMNext over the words of a synthetic source whose true distribution is known: `true` (the source
 * itself), `ngram` (a trigram counted on 10k sampled tokens, smoothed), `unigram`, `random` (a fresh random
 * distribution per request), `copycat` (forwards the request to another miner and returns its answer), `slow`
 * (answers after the validator's timeout), `garbage` (malformed phrases), `throws` (the handler fails) and `offline`
 * (announced on chain, nothing listening).
 */
import { createServer } from 'node:net';
import { compactTopkTokenPhrases } from '../../src/codec/index.js';
import { createAxon, type Axon } from '../../src/axon/index.js';
import { createDendrite, type Dendrite } from '../../src/dendrite/index.js';
import { startDevnet, type Devnet, type DevnetOptions } from '../../src/devnet/index.js';
import { createSyntheticSource, loadGpt2Tokenizer, type SyntheticSource } from '../../src/inference/index.js';
import { cryptoReady, keypairFromUri, type Keypair } from '../../src/keys/index.js';
import { createSubtensor, type Subtensor } from '../../src/subtensor/index.js';
import { Tensor, TextCausalLMNext } from '../../src/synapse/index.js';

export type MinerKind = 'true' | 'ngram' | 'unigram' | 'random' | 'copycat' | 'slow' | 'garbage' | 'throws' | 'offline';

export interface LocalMiner {
  kind: MinerKind;
  hotkey: Keypair;
  uid: number;
  axon: Axon | null;
}

export interface LocalSubnet {
  devnet: Devnet;
  st: Subtensor;
  netuid: number;
  validator: Keypair;
  miners: LocalMiner[];
  source: SyntheticSource;
  /** Draws n consecutive tokens from a fresh point of the source. */
  sample: (n: number) => Int32Array;
  close(): Promise<void>;
}

export const WORDS = 24;
const TAO = 1_000_000_000n;

/** A distribution over the source's words given the context, for each quality of miner. */
function model(kind: MinerKind, source: SyntheticSource): (ctx: number[]) => Float64Array {
  const ids = source.tokenIds;
  const w = ids.length;
  const idx = new Map(Array.from(ids, (t, i) => [t, i]));
  if (kind === 'true') return (ctx) => Float64Array.from(ids, (t) => source.probability(ctx, t));
  if (kind === 'random') {
    return () => {
      const r = Float64Array.from({ length: w }, () => -Math.log(Math.random() + 1e-12));
      const s = r.reduce((a, b) => a + b);
      return r.map((v) => v / s);
    };
  }
  const train = source.sample(10_000, 11);
  if (kind === 'unigram') {
    const uni = new Float64Array(w).fill(0.1);
    for (const t of train) uni[idx.get(t)!]! += 1;
    const s = uni.reduce((a, b) => a + b);
    const p = uni.map((v) => v / s);
    return () => p;
  }
  // ngram: a trigram counted on the sample with add-0.2 smoothing.
  const tri = new Float64Array(w * w * w).fill(0.2);
  for (let i = 2; i < train.length; i++)
    tri[(idx.get(train[i - 2]!)! * w + idx.get(train[i - 1]!)!) * w + idx.get(train[i]!)!]! += 1;
  return (ctx) => {
    const a = idx.get(ctx[ctx.length - 2]!) ?? 0;
    const b = idx.get(ctx[ctx.length - 1]!) ?? 0;
    const row = tri.subarray((a * w + b) * w, (a * w + b + 1) * w);
    const s = row.reduce((x, y) => x + y);
    return Float64Array.from(row, (v) => v / s);
  };
}

/** An axon handler answering TextCausalLMNext from a word distribution. */
export function phraseHandler(dist: (ctx: number[]) => Float64Array, ids: Int32Array) {
  return (s: TextCausalLMNext): TextCausalLMNext => {
    const [batch, seq] = s.checkRequest();
    const k = Math.min(s.topk, ids.length);
    const inputs = s.text_inputs.toArray() as BigInt64Array;
    const probs = new Float64Array(batch * k);
    const floors = new Float64Array(batch);
    const phrases: number[][] = [];
    for (let b = 0; b < batch; b++) {
      const ctx = [Number(inputs[b * seq + seq - 2]), Number(inputs[b * seq + seq - 1])];
      const p = dist(ctx);
      const order = Array.from(p.keys())
        .sort((x, y) => p[y]! - p[x]!)
        .slice(0, k);
      let mass = 0;
      order.forEach((i, j) => {
        probs[b * k + j] = p[i]!;
        mass += p[i]!;
        phrases.push([ids[i]!]);
      });
      floors[b] = Math.min(Math.max(1 - mass, 1e-40), 1) / (50257 - k);
    }
    const compact = compactTopkTokenPhrases({ batch, topk: k, probs, floors, phrases });
    s.topk_phrases = Tensor.fromArray(compact, { shape: [compact.length] });
    return s;
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts a devnet (interval sealing), creates a subnet owned by //Alice with a staked validator hotkey, registers one
 * miner per kind and serves their axons. `slowMs` is how long the slow miner waits.
 */
export async function startLocalSubnet(options: {
  kinds: MinerKind[];
  devnet?: DevnetOptions;
  slowMs?: number;
  commitReveal?: boolean;
  tag?: string;
}): Promise<LocalSubnet> {
  await cryptoReady();
  const devnet = await startDevnet({ port: 0, tempo: 10, sealing: 100, ...options.devnet });
  const st = await createSubtensor({ network: devnet.url });
  const tokenizer = await loadGpt2Tokenizer();
  const source = createSyntheticSource(tokenizer, { seed: 7, words: WORDS, sharpness: 6 });
  const tag = options.tag ?? 'epoch';
  const alice = keypairFromUri('//Alice');
  const bob = keypairFromUri('//Bob');
  const validator = keypairFromUri(`//Alice//${tag}-validator`);
  const { netuid } = await st.registerNetwork(alice, validator.ss58Address);
  await st.startCall(alice, netuid);
  await st.addStake(alice, validator.ss58Address, netuid, 100n * TAO);
  const admin = st.calls.adminUtils;
  await st.sudo(alice, await admin.sudoSetWeightsSetRateLimit({ netuid, weightsSetRateLimit: 0n }));
  if (options.commitReveal !== undefined)
    await st.send(await admin.sudoSetCommitRevealWeightsEnabled({ netuid, enabled: options.commitReveal }), alice);
  const miners: LocalMiner[] = [];
  const dendrites: Dendrite[] = [];
  const byKind = new Map<MinerKind, LocalMiner>();
  for (const [i, kind] of options.kinds.entries()) {
    const hotkey = keypairFromUri(`//Bob//${tag}-${i}-${kind}`);
    const { uid } = await st.burnedRegister(bob, netuid, hotkey.ss58Address);
    let axon: Axon | null = null;
    let port: number;
    if (kind === 'offline') {
      port = await freePort(); // announced, but nothing listens there
    } else {
      axon = createAxon({ keypair: hotkey, port: 0, host: '127.0.0.1' });
      if (kind === 'copycat') {
        const d = createDendrite({ keypair: hotkey });
        dendrites.push(d);
        axon.attach(TextCausalLMNext, async (s) => {
          const target = byKind.get('ngram')!;
          const info = target.axon!.info();
          const copy = await d.call(
            { ip: '127.0.0.1', port: info.port, hotkey: target.hotkey.ss58Address },
            new TextCausalLMNext({ text_inputs: s.text_inputs, topk: s.topk }),
            { timeout: 5 },
          );
          s.topk_phrases = copy.topk_phrases;
          return s;
        });
      } else if (kind === 'slow') {
        const answer = phraseHandler(model('true', source), source.tokenIds);
        axon.attach(TextCausalLMNext, async (s) => {
          await new Promise((r) => setTimeout(r, options.slowMs ?? 1500));
          return answer(s);
        });
      } else if (kind === 'garbage') {
        axon.attach(TextCausalLMNext, (s) => {
          s.topk_phrases = Tensor.fromArray(
            Float32Array.from({ length: 50 }, (_, j) => (j % 3 ? 7.5 : 0.9)),
            { shape: [50] },
          );
          return s;
        });
      } else if (kind === 'throws') {
        axon.attach(TextCausalLMNext, () => {
          throw new Error('the model crashed');
        });
      } else {
        axon.attach(TextCausalLMNext, phraseHandler(model(kind, source), source.tokenIds));
      }
      await axon.start();
      port = axon.info().port;
    }
    await st.serveAxon(hotkey, netuid, { ip: '127.0.0.1', port, version: 1 });
    const m = { kind, hotkey, uid, axon };
    miners.push(m);
    byKind.set(kind, m);
  }
  let seed = 1000;
  return {
    devnet,
    st,
    netuid,
    validator,
    miners,
    source,
    sample: (n) => source.sample(n, seed++),
    async close() {
      await Promise.all(dendrites.map((d) => d.close()));
      await Promise.all(miners.map((m) => m.axon?.stop()));
      await st.close();
      await devnet.close();
    },
  };
}
