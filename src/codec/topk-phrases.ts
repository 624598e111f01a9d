/**
 * The v3 top-k token phrase format of TextCausalLMNext: per batch row, the k most probable server tokens, each
 * re-expressed as a phrase of standard (GPT-2) tokens with its probability, plus a floor probability for the rest.
 */
import { CodecError } from './errors.js';
import { selectTopIds } from './topk-select.js';

/**
 * Padding id of v3 tensors.
 *
 * @example
 * ```ts
 * const padded = phrase.concat(Array(maxLen - phrase.length).fill(IGNORE_INDEX));
 * ```
 */
export const IGNORE_INDEX = -100;
/**
 * GPT-2's vocabulary size, the v3 `vocab_size_min`.
 *
 * @example
 * ```ts
 * phraseCrossEntropy(targets, tp, { vocabSizeMin: STD_VOCAB_SIZE });
 * ```
 */
export const STD_VOCAB_SIZE = 50257;

/** Top-k phrases for a batch: `probs[b·k + j]` is the probability of `phrases[b·k + j]`; `floors[b]` the floor. */
export interface TopkPhrases {
  /** Batch rows. */
  readonly batch: number;
  /** Phrases per row. */
  readonly topk: number;
  /** Phrase probabilities, `batch × topk`, most probable first. */
  readonly probs: Float64Array;
  /** Floor probability per row: the mean probability of a token outside the top k. */
  readonly floors: Float64Array;
  /** Standard-token phrases, `batch × topk`. */
  readonly phrases: ReadonlyArray<readonly number[]>;
}

/** Options of {@link buildTopkTokenPhrases}. */
export interface BuildTopkPhrasesOptions {
  /** Last-position logits, `batch × vocab` row-major, over the server's vocabulary. */
  logits: ArrayLike<number>;
  /** Batch rows in `logits`. */
  batch: number;
  /** k, the number of phrases per row. */
  topk: number;
  /** Standard-token phrase of a server token id (a server that uses GPT-2 itself returns `[id]`). */
  phraseOf: (serverTokenId: number) => readonly number[];
}

/**
 * Server side: softmax (float32, as v3) over each row, the top-k tokens as standard phrases, and the floor
 * `clamp(1 − Σ top-k, 1e-40, 1) / (V − k)`.
 *
 * @example
 * ```ts
 * const tp = buildTopkTokenPhrases({ logits, batch: 1, topk: 3, phraseOf: (id) => [id] });
 * const wire = compactTopkTokenPhrases(tp);
 * ```
 */
export function buildTopkTokenPhrases(options: BuildTopkPhrasesOptions): TopkPhrases {
  const { logits, batch, topk, phraseOf } = options;
  if (!Number.isInteger(batch) || batch < 1 || logits.length % batch !== 0)
    throw new CodecError('CODEC_INVALID_INPUT', `logits length ${logits.length} is not a multiple of batch ${batch}`);
  const vocab = logits.length / batch;
  if (!Number.isInteger(topk) || topk < 1 || topk >= vocab)
    throw new CodecError('CODEC_INVALID_INPUT', `topk must be in [1, ${vocab - 1}]`);
  const probs = new Float64Array(batch * topk);
  const floors = new Float64Array(batch);
  const phrases: number[][] = [];
  const row = new Float32Array(vocab);
  for (let b = 0; b < batch; b++) {
    let max = -Infinity;
    for (let i = 0; i < vocab; i++) {
      row[i] = logits[b * vocab + i]!;
      if (row[i]! > max) max = row[i]!;
    }
    if (!Number.isFinite(max)) throw new CodecError('CODEC_INVALID_INPUT', `row ${b} has no finite logit`);
    let sum = 0;
    for (let i = 0; i < vocab; i++) sum += row[i] = Math.fround(Math.exp(row[i]! - max));
    for (let i = 0; i < vocab; i++) row[i] = row[i]! / sum;
    const ids = selectTopIds(row, topk);
    let mass = 0;
    for (let j = 0; j < topk; j++) {
      const p = row[ids[j]!]!;
      probs[b * topk + j] = p;
      mass += p;
      const phrase = phraseOf(ids[j]!);
      if (!Array.isArray(phrase) || phrase.length === 0 || phrase.some((t) => !Number.isInteger(t) || t < 0)) {
        throw new CodecError('CODEC_INVALID_INPUT', `phraseOf(${ids[j]}) must be a non-empty list of token ids`);
      }
      phrases.push([...phrase]);
    }
    floors[b] = Math.min(Math.max(1 - mass, 1e-40), 1) / (vocab - topk);
  }
  return { batch, topk, probs, floors, phrases };
}

/**
 * The compact wire form: per row, `prob, tok+2, …` for each phrase, then the floor; as float32.
 *
 * @example
 * ```ts
 * compactTopkTokenPhrases(tp); // Float32Array [0.5, 320, 0.2, 259, 1334, 0.1, 264, 3.9797827e-6]
 * ```
 */
export function compactTopkTokenPhrases(tp: TopkPhrases): Float32Array {
  let n = 0;
  for (const p of tp.phrases) n += 1 + p.length;
  const out = new Float32Array(n + tp.batch);
  let o = 0;
  for (let b = 0; b < tp.batch; b++) {
    for (let j = 0; j < tp.topk; j++) {
      out[o++] = tp.probs[b * tp.topk + j]!;
      for (const t of tp.phrases[b * tp.topk + j]!) out[o++] = t + 2;
    }
    out[o++] = tp.floors[b]!;
  }
  return out;
}

/**
 * Receiver side: splits the compact form at its probability markers (values in (−1e-6, 1+1e-6)) back into
 * phrases, probabilities and floors, checking that markers divide into `batch × (topk+1)` and each row's mass ≤ 1.
 *
 * @throws {@link CodecError} `CODEC_MALFORMED` when the tensor is not a valid phrase tensor for this `topk`.
 * @example
 * ```ts
 * const tp = unravelTopkTokenPhrases(wire, 3); // tp.phrases[1] → [257, 1332]
 * ```
 */
export function unravelTopkTokenPhrases(compact: ArrayLike<number>, topk: number): TopkPhrases {
  if (!Number.isInteger(topk) || topk < 1)
    throw new CodecError('CODEC_INVALID_INPUT', `topk must be a positive integer, got ${topk}`);
  const markers: number[] = [];
  for (let i = 0; i < compact.length; i++) {
    const v = compact[i]!;
    if (Number.isNaN(v)) throw new CodecError('CODEC_MALFORMED', `value ${i} is NaN`);
    if (v > -1e-6 && v < 1 + 1e-6) markers.push(i);
    else if (v < 2 - 1e-6)
      throw new CodecError('CODEC_MALFORMED', `value ${i} = ${v} is neither a probability nor a shifted token id`);
  }
  if (markers.length === 0 || markers[0] !== 0)
    throw new CodecError('CODEC_MALFORMED', 'the tensor must start with a probability');
  if (markers.length % (topk + 1) !== 0)
    throw new CodecError(
      'CODEC_MALFORMED',
      `${markers.length} probability markers do not divide into rows of ${topk + 1}`,
    );
  const batch = markers.length / (topk + 1);
  const probs = new Float64Array(batch * topk);
  const floors = new Float64Array(batch);
  const phrases: number[][] = [];
  for (let b = 0; b < batch; b++) {
    let mass = 0;
    for (let j = 0; j <= topk; j++) {
      const m = b * (topk + 1) + j;
      const at = markers[m]!;
      const p = Math.min(Math.max(compact[at]!, 0), 1);
      mass += p;
      if (j === topk) {
        floors[b] = p;
        continue;
      }
      probs[b * topk + j] = p;
      const end = m + 1 < markers.length ? markers[m + 1]! : compact.length;
      if (end - at < 2) throw new CodecError('CODEC_MALFORMED', `phrase ${j} of row ${b} is empty`);
      const phrase: number[] = [];
      for (let i = at + 1; i < end; i++) phrase.push(Math.round(compact[i]!) - 2);
      phrases.push(phrase);
    }
    if (!(mass > -1e-6 && mass < 1 + 1e-6))
      throw new CodecError('CODEC_MALFORMED', `row ${b} probabilities sum to ${mass}`);
  }
  return { batch, topk, probs, floors, phrases };
}

function normalised(tp: TopkPhrases, b: number, vocabSizeMin: number): { p: Float64Array; floor: number } {
  const k = tp.topk;
  const p = new Float64Array(k);
  let sum = 0;
  for (let j = 0; j < k; j++) sum += p[j] = Math.min(Math.max(tp.probs[b * k + j]!, 0), 1);
  const floor = Math.min(Math.max(tp.floors[b]!, 0), 1);
  const total = sum + Math.max(0, vocabSizeMin - k) * floor;
  if (!(total > 0)) return { p: p.fill(0), floor: 0 };
  for (let j = 0; j < k; j++) p[j] = p[j]! / total;
  return { p, floor: floor / total };
}

/** Losses of {@link phraseCrossEntropy}: means over the batch, and per row. */
export interface PhraseLoss {
  /** Mean next-token loss (first token of the phrase vs the target's first token). */
  lossVal: number;
  /** Mean phrase loss (the phrase as a whole vs the target's prefix). */
  loss: number;
  /** Next-token loss of each row. */
  lossValPerRow: Float64Array;
  /** Phrase loss of each row. */
  lossPerRow: Float64Array;
}

/**
 * v3 validator scoring: next-token and phrase cross-entropy of top-k phrases against target continuations.
 *
 * @example
 * ```ts
 * const { lossVal, loss } = phraseCrossEntropy([[257, 1332, 11]], tp); // 1.6094379, 1.6094180
 * ```
 */
export function phraseCrossEntropy(
  targets: ReadonlyArray<ArrayLike<number>>,
  tp: TopkPhrases,
  options: { vocabSizeMin?: number } = {},
): PhraseLoss {
  const vocabSizeMin = options.vocabSizeMin ?? STD_VOCAB_SIZE;
  if (targets.length !== tp.batch)
    throw new CodecError('CODEC_INVALID_INPUT', `${targets.length} targets for a batch of ${tp.batch}`);
  const k = tp.topk;
  let maxPhrase = 1;
  for (const ph of tp.phrases) if (ph.length > maxPhrase) maxPhrase = ph.length;
  const lossValPerRow = new Float64Array(tp.batch);
  const lossPerRow = new Float64Array(tp.batch);
  for (let b = 0; b < tp.batch; b++) {
    const target = targets[b]!;
    if (target.length === 0) throw new CodecError('CODEC_INVALID_INPUT', `target ${b} is empty`);
    const { p, floor } = normalised(tp, b, vocabSizeMin);
    let valP = 0;
    let valHit = false;
    for (let j = 0; j < k; j++) {
      if (tp.phrases[b * k + j]![0] === target[0]) {
        valP += p[j]!;
        valHit = true;
      }
    }
    if (!valHit) valP = floor;
    lossValPerRow[b] = -Math.log(Math.min(Math.max(valP, 0), 1) + 1e-40);

    // Phrase loss: for each prefix length c, phrases that equal target[:c] exactly (compared over check_len
    // columns padded with IGNORE_INDEX, as v3 does); a prefix no phrase matches contributes the floor.
    const checkLen = Math.min(maxPhrase, target.length);
    let matchP = 0;
    for (let c = 1; c <= checkLen; c++) {
      let hit = false;
      for (let j = 0; j < k; j++) {
        const ph = tp.phrases[b * k + j]!;
        let eq = true;
        for (let col = 0; col < checkLen && eq; col++) {
          const want = col < c ? target[col]! : IGNORE_INDEX;
          const got = col < ph.length ? ph[col]! : IGNORE_INDEX;
          eq = want === got;
        }
        if (eq) {
          matchP += p[j]!;
          hit = true;
        }
      }
      if (!hit) matchP += floor;
    }
    lossPerRow[b] = -Math.log(Math.min(Math.max(matchP, 0), 1) + 1e-40);
  }
  const mean = (a: Float64Array) => a.reduce((s, x) => s + x, 0) / a.length;
  return { lossVal: mean(lossValPerRow), loss: mean(lossPerRow), lossValPerRow, lossPerRow };
}

/**
 * Dense [batch, vocabSizeStd] probabilities: each phrase's normalised probability added onto its first token (the
 * floor is not spread), as v3's `topk_tokens_to_vocab_size`.
 *
 * @example
 * ```ts
 * const dense = topkTokensToVocab(tp); // Float32Array(batch × 50258)
 * ```
 */
export function topkTokensToVocab(
  tp: TopkPhrases,
  options: { vocabSizeStd?: number; vocabSizeMin?: number } = {},
): Float32Array {
  const vStd = options.vocabSizeStd ?? STD_VOCAB_SIZE + 1;
  const vMin = options.vocabSizeMin ?? STD_VOCAB_SIZE;
  const out = new Float32Array(tp.batch * vStd);
  for (let b = 0; b < tp.batch; b++) {
    const { p } = normalised(tp, b, vMin);
    for (let j = 0; j < tp.topk; j++) {
      const first = tp.phrases[b * tp.topk + j]![0]!;
      if (first < 0 || first >= vStd)
        throw new CodecError('CODEC_INVALID_INPUT', `token ${first} is outside the vocabulary of ${vStd}`);
      out[b * vStd + first] = out[b * vStd + first]! + p[j]!;
    }
  }
  return out;
}
