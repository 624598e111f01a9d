/**
 * TextCausalLMNext replies read in place: the compact top-k phrase tensor is scanned once for its probability
 * markers (an Int32Array), checked, and then scored straight from the float values — phrase cross-entropy, and each
 * row's first-token distribution for the divergence penalty — without building a list per phrase. At v3's size (256
 * replies × 32 rows × 4,096 phrases) the phrase lists alone would be 33 million arrays.
 */
/** A checked reply: where each probability sits, and the longest phrase (v3 pads every row to it). */
export interface ScannedReply {
  values: ArrayLike<number>;
  batch: number;
  topk: number;
  /** Index of each probability, `batch × (topk + 1)`: k phrases then the floor, per row. */
  markers: Int32Array;
  /** Longest phrase in the reply, in tokens. */
  maxLen: number;
}

/** Limits a reply is checked against. */
export interface ScanLimits {
  /** Largest token id + 1. */
  maxTokenId: number;
  /** Longest phrase. */
  maxPhraseLength: number;
}

/** Scans and checks a reply; a string is why it is refused. */
export function scanReply(
  values: ArrayLike<number>,
  batch: number,
  topk: number,
  limits: ScanLimits,
): ScannedReply | string {
  const want = batch * (topk + 1);
  const markers = new Int32Array(want);
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) return `value ${i} is ${v}`;
    if (v > -1e-6 && v < 1 + 1e-6) {
      if (m === want) return `more than ${want} probabilities (rows of ${topk} phrases and a floor)`;
      markers[m++] = i;
    } else if (v < 0) {
      return `value ${i} is negative (${v})`;
    } else if (v < 2 - 1e-6) {
      return `value ${i} = ${v} is neither a probability nor a shifted token id`;
    } else if (Math.round(v) - 2 >= limits.maxTokenId) {
      return `token id ${Math.round(v) - 2} is outside [0, ${limits.maxTokenId})`;
    }
  }
  if (m !== want) return `${m} probabilities, expected ${want} (${batch} rows of ${topk} phrases and a floor)`;
  if (markers[0] !== 0) return 'the reply must start with a probability';
  let maxLen = 1;
  for (let b = 0; b < batch; b++) {
    let mass = 0;
    for (let j = 0; j <= topk; j++) {
      const at = b * (topk + 1) + j;
      const start = markers[at]!;
      const end = at + 1 < want ? markers[at + 1]! : values.length;
      const len = end - start - 1;
      mass += Math.min(Math.max(values[start]!, 0), 1);
      if (j === topk) {
        if (len !== 0) return `row ${b}'s floor is followed by ${len} stray tokens`;
        continue;
      }
      if (len < 1) return `phrase ${j} of row ${b} is empty`;
      if (len > limits.maxPhraseLength) return `a phrase of ${len} tokens exceeds ${limits.maxPhraseLength}`;
      if (len > maxLen) maxLen = len;
    }
    if (mass > 1 + 1e-4) return `row ${b}'s probabilities sum to ${mass.toFixed(6)} > 1`;
  }
  return { values, batch, topk, markers, maxLen };
}

const prob = (r: ScannedReply, at: number) => Math.min(Math.max(r.values[r.markers[at]!]!, 0), 1);
const token = (r: ScannedReply, i: number) => Math.round(r.values[i]!) - 2;

/** The normaliser of row b: Σ top-k probabilities + (vocab − k) · floor, as v3's phrase scoring divides by. */
export function rowTotal(r: ScannedReply, b: number, vocabSize: number): number {
  const base = b * (r.topk + 1);
  let total = Math.max(0, vocabSize - r.topk) * prob(r, base + r.topk);
  for (let j = 0; j < r.topk; j++) total += prob(r, base + j);
  return total;
}

/**
 * v3's `phrase_cross_entropy` on a scanned reply, per row: the next-token loss (phrases whose first token is the
 * target's) and the phrase loss (for each prefix length c up to min(longest phrase, target length), the phrases equal
 * to target[:c] when compared over that many columns padded with -100; the floor where none matches). Same numbers as
 * `phraseCrossEntropy` of subnetkit/codec.
 */
export function phraseLosses(
  r: ScannedReply,
  targets: readonly ArrayLike<number>[],
  vocabSize: number,
): { loss: Float64Array; lossVal: Float64Array } {
  const { batch, topk: k, markers, values } = r;
  const loss = new Float64Array(batch);
  const lossVal = new Float64Array(batch);
  const count = r.markers.length;
  for (let b = 0; b < batch; b++) {
    const target = targets[b]!;
    const total = rowTotal(r, b, vocabSize);
    const norm = (p: number) => (total > 0 ? p / total : 0);
    const floor = norm(prob(r, b * (k + 1) + k));
    const checkLen = Math.min(r.maxLen, target.length);
    // sums[c] = probability of the phrases that match target[:c]; hit[c] whether any did.
    const sums = new Float64Array(checkLen + 1);
    const hit = new Uint8Array(checkLen + 1);
    let valP = 0;
    let valHit = false;
    for (let j = 0; j < k; j++) {
      const at = b * (k + 1) + j;
      const start = markers[at]! + 1;
      const end = at + 1 < count ? markers[at + 1]! : values.length;
      const len = end - start;
      const p = norm(prob(r, at));
      if (token(r, start) === target[0]) {
        valP += p;
        valHit = true;
      }
      // Over checkLen columns, a phrase of length ℓ ≤ checkLen equals the template of c = ℓ exactly when its tokens
      // are target[:ℓ]; a longer one is cut at checkLen and can only equal the full template (c = checkLen).
      const c = Math.min(len, checkLen);
      let eq = true;
      for (let i = 0; i < c && eq; i++) eq = token(r, start + i) === target[i];
      if (eq && c >= 1) {
        sums[c] = sums[c]! + p;
        hit[c] = 1;
      }
    }
    lossVal[b] = -Math.log(Math.min(Math.max(valHit ? valP : floor, 0), 1) + 1e-40);
    let matched = 0;
    for (let c = 1; c <= checkLen; c++) matched += hit[c] ? sums[c]! : floor;
    loss[b] = -Math.log(Math.min(Math.max(matched, 0), 1) + 1e-40);
  }
  return { loss, lossVal };
}

/** Reusable buffers for {@link forEachFirstToken}: one slot per vocabulary entry. */
export interface FirstTokenScratch {
  sums: Float64Array;
  seen: Uint8Array;
  touched: Int32Array;
}

/** Scratch buffers for a vocabulary of `vocab` ids and rows of up to `topk` phrases. */
export function firstTokenScratch(vocab: number, topk: number): FirstTokenScratch {
  return { sums: new Float64Array(vocab), seen: new Uint8Array(vocab), touched: new Int32Array(topk) };
}

/**
 * Calls `fn(token, p)` for each distinct first token of row b with its summed normalised probability (v3's
 * `topk_tokens_to_vocab_size`, sparse). The scratch is left clean for the next row.
 */
export function forEachFirstToken(
  r: ScannedReply,
  b: number,
  vocabSize: number,
  scratch: FirstTokenScratch,
  fn: (token: number, p: number) => void,
): void {
  const k = r.topk;
  const total = rowTotal(r, b, vocabSize);
  const { sums, seen, touched } = scratch;
  let n = 0;
  for (let j = 0; j < k; j++) {
    const at = b * (k + 1) + j;
    const t = token(r, r.markers[at]! + 1);
    if (!seen[t]) {
      seen[t] = 1;
      touched[n++] = t;
    }
    sums[t] = sums[t]! + (total > 0 ? prob(r, at) / total : 0);
  }
  for (let i = 0; i < n; i++) {
    const t = touched[i]!;
    fn(t, sums[t]!);
    sums[t] = 0;
    seen[t] = 0;
  }
}
