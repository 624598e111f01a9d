/**
 * Organic routing: a validator as the access point of its subnet (SN19's design). An outside request goes to the
 * miner most likely to answer it well — by the validator's moving averages, recent latency and declared capacity —
 * skipping miners that rate-limited us lately; a failure moves on to the next candidate, and each answer can be
 * scored into the averages like a synthetic query.
 */
import type { Dendrite, AxonTarget } from '../dendrite/index.js';
import type { Metagraph } from '../metagraph/index.js';
import type { Synapse } from '../synapse/index.js';
import { EpochError } from './errors.js';
import type { Epoch } from './types.js';

/** Options of {@link createRouter}. */
export interface RouterOptions<S extends Synapse> {
  /** The dendrite that forwards requests. */
  dendrite: Dendrite;
  /** The validator loop whose averages and metagraph rank the miners (or pass `scores` and `metagraph`). */
  epoch?: Pick<Epoch, 'scores' | 'metagraph'> & Partial<Pick<Epoch, 'record'>>;
  /** Moving average per uid, when there is no `epoch`. */
  scores?: () => ArrayLike<number>;
  /** The metagraph, when there is no `epoch`. */
  metagraph?: () => Metagraph | null;
  /** Declared capacity of a uid for this request (0 excludes it; default: every uid can take it). */
  capacity?: (uid: number, synapse: S) => number;
  /** Uids never routed to (for example the validator itself). */
  exclude?: readonly number[];
  /** Candidates tried per request (default 3). */
  attempts?: number;
  /** Seconds per attempt (default 12). */
  timeout?: number;
  /** How long a miner that answered 429 is skipped, in ms (default 60,000). */
  cooldownMs?: number;
  /** Rates a routed answer into the epoch's averages (a reward in [0, 1], or null to leave them alone). */
  score?: (reply: S, uid: number) => number | null;
}

/** What one routed request did. */
export interface RouteResult<S extends Synapse> {
  /** The answer: the first success, else the last failure. */
  reply: S;
  /** The uid that answered (or failed last). */
  uid: number;
  /** Every attempt, in order. */
  tried: {
    /** The uid tried. */
    uid: number;
    /** Its status code (200, 408, 429, 503, …). */
    status: number | null;
  }[];
}

/** The handle {@link createRouter} returns. */
export interface Router<S extends Synapse> {
  /** Candidate uids for a request, best first (what `route` would try). */
  rank(synapse: S): number[];
  /** Sends the request to the best candidate, moving on after a failure. */
  route(synapse: S, options?: { timeout?: number; signal?: AbortSignal }): Promise<RouteResult<S>>;
}

/**
 * Creates an organic router. Ranking: `average × 1 / (1 + recent latency in s)`, highest first; ties by declared
 * capacity. Uids that do not serve, are excluded, declare no capacity, or answered 429 within `cooldownMs` are
 * skipped.
 *
 * @example
 * ```ts
 * const router = createRouter<Chat>({ dendrite, epoch, exclude: [myUid] });
 * const { reply, uid } = await router.route(new Chat({ messages }));
 * ```
 */
export function createRouter<S extends Synapse>(options: RouterOptions<S>): Router<S> {
  if (!options?.dendrite || typeof options.dendrite.call !== 'function')
    throw new EpochError('EPOCH_INVALID_CONFIG', 'options.dendrite must be a dendrite');
  const scores = options.scores ?? (options.epoch ? () => options.epoch!.scores : null);
  const metagraph = options.metagraph ?? (options.epoch ? () => options.epoch!.metagraph : null);
  if (!scores || !metagraph)
    throw new EpochError('EPOCH_INVALID_CONFIG', 'pass an epoch, or both scores and metagraph');
  const attempts = options.attempts ?? 3;
  if (!Number.isInteger(attempts) || attempts < 1)
    throw new EpochError('EPOCH_INVALID_CONFIG', `attempts must be a positive integer, got ${attempts}`);
  const cooldownMs = options.cooldownMs ?? 60_000;
  const latency = new Map<number, number>();
  const cooling = new Map<number, number>();
  const exclude = new Set(options.exclude ?? []);

  function rank(synapse: S): number[] {
    const mg = metagraph!();
    if (!mg) return [];
    const avg = scores!();
    const now = Date.now();
    const rows: { uid: number; key: number; cap: number }[] = [];
    for (let uid = 0; uid < mg.n; uid++) {
      if (exclude.has(uid) || !mg.axons[uid]!.isServing) continue;
      if ((cooling.get(uid) ?? 0) > now) continue;
      const cap = options.capacity ? options.capacity(uid, synapse) : 1;
      if (!(cap > 0)) continue;
      const key = (avg[uid] ?? 0) / (1 + (latency.get(uid) ?? 0));
      rows.push({ uid, key, cap });
    }
    rows.sort((a, b) => b.key - a.key || b.cap - a.cap || a.uid - b.uid);
    return rows.map((r) => r.uid);
  }

  async function route(synapse: S, opts: { timeout?: number; signal?: AbortSignal } = {}): Promise<RouteResult<S>> {
    const mg = metagraph!();
    const order = rank(synapse).slice(0, attempts);
    if (!mg || order.length === 0)
      throw new EpochError(
        'EPOCH_NO_ROUTE',
        'no miner can take this request (none serving, all cooling down after 429s, or no capacity)',
      );
    const tried: RouteResult<S>['tried'] = [];
    let last: { reply: S; uid: number } | null = null;
    for (const uid of order) {
      if (opts.signal?.aborted) break;
      const reply = await options.dendrite.call(mg.axons[uid] as AxonTarget, synapse.copy() as S, {
        timeout: opts.timeout ?? options.timeout ?? 12,
      });
      const status = reply.dendrite.status_code;
      tried.push({ uid, status });
      const secs = reply.dendrite.process_time;
      if (typeof secs === 'number') latency.set(uid, 0.8 * (latency.get(uid) ?? secs) + 0.2 * secs);
      if (status === 429) cooling.set(uid, Date.now() + cooldownMs);
      if (options.score && options.epoch?.record) {
        const r = reply.isSuccess ? options.score(reply, uid) : 0;
        if (r !== null) options.epoch.record(uid, r);
      }
      last = { reply, uid };
      if (reply.isSuccess) break;
    }
    if (!last) throw new EpochError('EPOCH_NO_ROUTE', 'the request was aborted before any miner was tried');
    return { ...last, tried };
  }

  return { rank, route };
}
