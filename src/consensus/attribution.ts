/**
 * The seed's attribution emission: bittensor's first incentive mechanism (an EOS contract, 2019). Each node holds
 * stake and an edge set whose first edge is a loop back to itself. When a node emits, it mints tokens in proportion
 * to its stake and the blocks since it last emitted, keeps its loop-in share (+1), and passes the rest along its
 * outgoing edges, recursively, until the amounts round down to zero. Arithmetic is float32, as the original's.
 */
import { invalidInput as fail } from './errors.js';

/** One node's edges: `[uid, weight]` pairs, the first being `[self, loopInWeight > 0]`, weights summing to 1. */
export type AttributionEdges = ReadonlyArray<readonly [number, number]>;

/** Options of {@link simulateAttribution}. */
export interface AttributionOptions {
  /** Initial stake per node, in tokens. */
  stake: ArrayLike<number>;
  /** Edge set per node (loop-in edge first). */
  edges: ReadonlyArray<AttributionEdges>;
  /** Blocks to simulate; every node emits once per block, in uid order. */
  blocks: number;
  /** Tokens minted per block at full stake share (the original's SUPPLY_EMIT_RATE, default 1). */
  tokensPerBlock?: number;
  /** Most edges a node may have (default 10, as the original). */
  maxEdges?: number;
  /** Longest propagation chain followed from one emission (default 1000); deeper amounts are kept by the last node. */
  maxDepth?: number;
}

/** Result of {@link simulateAttribution}. */
export interface AttributionResult {
  /** Final stake per node. */
  stake: Float64Array;
  /** Tokens each node received over the run. */
  received: Float64Array;
  /** Tokens minted in total. */
  minted: number;
  /** Longest propagation chain seen. */
  maxDepthReached: number;
}

const f32 = Math.fround;

/**
 * Runs the seed's attribution emission over a graph: "with this stake S, these loop-in and outgoing edges, for this
 * many blocks at this many tokens per block, where does the emission go?"
 *
 * @throws {@link ConsensusError} on an edge set that does not start with the node itself, has a zero loop-in
 *   weight, negative weights, weights not summing to 1 ± 0.001, or too many edges.
 * @example
 * ```ts
 * // Node 0 keeps half and passes half to node 1, which keeps everything.
 * const r = simulateAttribution({ stake: [10, 10], edges: [[[0, 0.5], [1, 0.5]], [[1, 1]]], blocks: 100 });
 * r.received[1] > r.received[0]; // true: node 1 also earns through node 0
 * ```
 */
export function simulateAttribution(options: AttributionOptions): AttributionResult {
  const n = options.stake.length;
  const { edges, blocks } = options;
  const rate = options.tokensPerBlock ?? 1;
  const maxEdges = options.maxEdges ?? 10;
  const maxDepth = options.maxDepth ?? 1000;
  if (edges.length !== n) fail(`${edges.length} edge sets for ${n} nodes`);
  if (!Number.isInteger(blocks) || blocks < 0) fail('blocks must be a non-negative integer');
  edges.forEach((es, i) => {
    if (es.length === 0 || es.length > maxEdges) fail(`node ${i}: edge set length must be in [1, ${maxEdges}]`);
    if (es[0]![0] !== i) fail(`node ${i}: the first edge must point to itself`);
    if (!(es[0]![1] > 0)) fail(`node ${i}: the loop-in weight must be > 0 (else emission recurses forever)`);
    let sum = 0;
    for (const [to, w] of es) {
      if (!Number.isInteger(to) || to < 0 || to >= n) fail(`node ${i}: edge to unknown node ${to}`);
      if (!(w >= 0)) fail(`node ${i}: edge weights must be >= 0`);
      sum += w;
    }
    if (Math.abs(sum - 1) > 0.001) fail(`node ${i}: edge weights sum to ${sum}, not 1 ± 0.001`);
  });
  const stake = Float64Array.from(options.stake, (s) => {
    if (!(s >= 0)) fail('stake must be >= 0');
    return Math.floor(s);
  });
  let total = stake.reduce((a, b) => a + b, 0);
  const received = new Float64Array(n);
  const lastEmit = new Float64Array(n);
  let minted = 0;
  let maxDepthReached = 0;
  const stack: Array<[node: number, amount: number, depth: number]> = [];
  for (let block = 1; block <= blocks; block++) {
    for (let i = 0; i < n; i++) {
      const share = total > 0 ? f32(f32(stake[i]!) / f32(total)) : 0;
      const emission = Math.floor(f32(f32(rate * (block - lastEmit[i]!)) * share)) + 1;
      lastEmit[i] = block;
      stack.push([i, emission, 0]);
      while (stack.length > 0) {
        const [u, e, depth] = stack.pop()!;
        if (depth > maxDepthReached) maxDepthReached = depth;
        const es = edges[u]!;
        const last = depth >= maxDepth;
        const kept = last ? e : Math.floor(f32(e * f32(es[0]![1]))) + 1;
        stake[u] = stake[u]! + kept;
        received[u] = received[u]! + kept;
        total += kept;
        minted += kept;
        if (last) continue;
        for (let k = 1; k < es.length; k++) {
          const next = Math.floor(f32(e * f32(es[k]![1])));
          if (next > 0) stack.push([es[k]![0], next, depth + 1]);
        }
      }
    }
  }
  return { stake, received, minted, maxDepthReached };
}
