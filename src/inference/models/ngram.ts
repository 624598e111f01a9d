/**
 * An n-gram causal LM (bigram or trigram) trained from token counts and exported to ONNX, so that miners and tests
 * have a real model whose every prediction can be checked against the counts it came from.
 *
 * The distribution after a context row r is Dirichlet-smoothed towards the unigram distribution u:
 *   p(w | r) = (c(r, w) + α·u(w)) / (c(r) + α),   u(w) = (c(w) + 1) / (N + V)
 * where V is the vocabulary size and N the number of training tokens. Tokens outside the `columns` most frequent
 * next tokens share one bucket, spread evenly: p(w | r) = (Σ_{w'∉cols} c(r, w') + α·Σ_{w'∉cols} u(w')) / (c(r) + α) / (V − C).
 * Context rows: for order 2 the current token, if among the `contexts − 1` most frequent, else one shared "rare" row;
 * for order 3 additionally the most frequent (previous, current) pairs of two non-rare tokens, which fall back to the
 * bigram row of the current token when absent (position 0 counts as a rare previous token).
 */
import { InferenceError } from '../errors.js';
import { attr, encodeModel, type OnnxNode, type OnnxTensor } from '../onnx/graph.js';

/** Options of {@link trainNgram}. */
export interface NgramOptions {
  /** 2 (bigram) or 3 (trigram). */
  order: 2 | 3;
  /** Vocabulary size of the token ids (50257 for GPT-2). */
  vocabSize: number;
  /** Bigram context rows, the last one shared by rare tokens (default 512). */
  contexts?: number;
  /** Trigram (pair) context rows (order 3; default 2048). */
  pairContexts?: number;
  /** Next-token columns kept individually (default 2048); the rest share a bucket. */
  columns?: number;
  /** Smoothing strength α (default 1). */
  alpha?: number;
}

/** A trained n-gram model: the tables the ONNX graph holds, and an exact `logprob` for checks. */
export interface NgramModel {
  /** 2 or 3. */
  readonly order: 2 | 3;
  /** Vocabulary size. */
  readonly vocabSize: number;
  /** Training tokens. */
  readonly tokens: number;
  /** Token id → bigram context row (the last row is "rare"). */
  readonly rowOf: Int32Array;
  /** Column token ids (the individually kept next tokens). */
  readonly columns: Int32Array;
  /** Token id → column, or `columns.length` for the shared bucket. */
  readonly columnOf: Int32Array;
  /** For order 3: `rowOf[prev]·R + rowOf[cur]` → table row. */
  readonly pairRow: Int32Array | null;
  /** Log-probabilities, `[rows, columns + 1]`; the last column is the per-token log-probability of the bucket. */
  readonly table: Float32Array;
  /** Table rows. */
  readonly rows: number;
  /** log p(next | context) as the ONNX model computes it; `context` is the tokens so far (at least one). */
  logprob(context: readonly number[], next: number): number;
}

function topByCount(counts: Float64Array | Map<number, number>, n: number): number[] {
  const entries: [number, number][] =
    counts instanceof Map ? [...counts.entries()] : Array.from(counts, (c, i) => [i, c] as [number, number]);
  return entries
    .filter(([, c]) => c > 0)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, n)
    .map(([i]) => i);
}

/**
 * Counts n-grams over token sequences and builds the smoothed tables.
 *
 * @example
 * ```ts
 * const model = trainNgram([tokens], { order: 3, vocabSize: 50257 });
 * const onnx = ngramToOnnx(model);
 * ```
 */
export function trainNgram(sequences: readonly ArrayLike<number>[], options: NgramOptions): NgramModel {
  // over 80 lines by design: counting, smoothing and picking the context table are one pass over shared count arrays.
  const { order, vocabSize: v } = options;
  if (order !== 2 && order !== 3)
    throw new InferenceError('INFERENCE_INVALID_INPUT', `order must be 2 or 3, got ${order}`);
  if (!Number.isInteger(v) || v < 2)
    throw new InferenceError('INFERENCE_INVALID_INPUT', `vocabSize must be an integer >= 2, got ${v}`);
  const rCount = Math.min(options.contexts ?? 512, v + 1);
  const cCount = Math.min(options.columns ?? 2048, v - 1);
  const alpha = options.alpha ?? 1;
  if (rCount < 2 || cCount < 1 || !(alpha > 0))
    throw new InferenceError('INFERENCE_INVALID_INPUT', 'contexts must be >= 2, columns >= 1 and alpha > 0');
  const unigram = new Float64Array(v);
  let n = 0;
  for (const seq of sequences) {
    for (let i = 0; i < seq.length; i++) {
      const t = seq[i]!;
      if (!Number.isInteger(t) || t < 0 || t >= v)
        throw new InferenceError('INFERENCE_INVALID_INPUT', `token ${t} is outside [0, ${v})`);
      unigram[t]!++;
      n++;
    }
  }
  if (n === 0) throw new InferenceError('INFERENCE_INVALID_INPUT', 'no training tokens');
  const rare = rCount - 1;
  const rowOf = new Int32Array(v).fill(rare);
  topByCount(unigram, rare).forEach((t, i) => {
    rowOf[t] = i;
  });
  const columns = Int32Array.from(topByCount(unigram, cCount));
  const columnOf = new Int32Array(v).fill(columns.length);
  columns.forEach((t, i) => {
    columnOf[t] = i;
  });
  const u = new Float64Array(v);
  for (let t = 0; t < v; t++) u[t] = (unigram[t]! + 1) / (n + v);
  let bucketU = 0;
  for (let t = 0; t < v; t++) if (columnOf[t] === columns.length) bucketU += u[t]!;

  // Pair contexts (order 3): the most frequent (prev, cur) pairs of two non-rare tokens.
  let pairRow: Int32Array | null = null;
  const pairIndex = new Map<number, number>();
  if (order === 3) {
    const pairCounts = new Map<number, number>();
    for (const seq of sequences) {
      for (let i = 1; i < seq.length - 1; i++) {
        const a = rowOf[seq[i - 1]!]!;
        const b = rowOf[seq[i]!]!;
        if (a === rare || b === rare) continue;
        const key = a * rCount + b;
        pairCounts.set(key, (pairCounts.get(key) ?? 0) + 1);
      }
    }
    topByCount(pairCounts, options.pairContexts ?? 2048).forEach((key, i) => {
      pairIndex.set(key, rCount + i);
    });
    pairRow = new Int32Array(rCount * rCount);
    for (let a = 0; a < rCount; a++)
      for (let b = 0; b < rCount; b++) pairRow[a * rCount + b] = pairIndex.get(a * rCount + b) ?? b;
  }
  const rows = rCount + pairIndex.size;
  const width = columns.length + 1;
  const counts = new Float64Array(rows * width);
  const totals = new Float64Array(rows);
  for (const seq of sequences) {
    for (let i = 0; i < seq.length - 1; i++) {
      const cur = rowOf[seq[i]!]!;
      const col = columnOf[seq[i + 1]!]!;
      counts[cur * width + col]!++;
      totals[cur]!++;
      if (order === 3 && i > 0) {
        const pr = pairIndex.get(rowOf[seq[i - 1]!]! * rCount + cur);
        if (pr !== undefined) {
          counts[pr * width + col]!++;
          totals[pr]!++;
        }
      }
    }
  }
  const table = new Float32Array(rows * width);
  const spread = v - columns.length;
  for (let r = 0; r < rows; r++) {
    const denom = totals[r]! + alpha;
    for (let c = 0; c < columns.length; c++)
      table[r * width + c] = Math.log((counts[r * width + c]! + alpha * u[columns[c]!]!) / denom);
    table[r * width + columns.length] =
      spread > 0 ? Math.log((counts[r * width + columns.length]! + alpha * bucketU) / denom / spread) : -Infinity;
  }
  const rowFor = (context: readonly number[]): number => {
    const cur = rowOf[context[context.length - 1]!]!;
    if (order === 2) return cur;
    const prev = context.length > 1 ? rowOf[context[context.length - 2]!]! : rare;
    return pairRow![prev * rCount + cur]!;
  };
  return {
    order,
    vocabSize: v,
    tokens: n,
    rowOf,
    columns,
    columnOf,
    pairRow,
    table,
    rows,
    logprob(context, next) {
      if (context.length === 0)
        throw new InferenceError('INFERENCE_INVALID_INPUT', 'the context must hold at least one token');
      return table[rowFor(context) * width + columnOf[next]!]!;
    },
  };
}

/**
 * Exports a trained n-gram model to ONNX: input `input_ids` int64 [batch, sequence], output `logits` float32
 * [batch, sequence, vocab] holding normalised log-probabilities.
 *
 * @example
 * ```ts
 * writeFileSync('ngram.onnx', ngramToOnnx(trainNgram([tokens], { order: 2, vocabSize: 50257 })));
 * ```
 */
export function ngramToOnnx(model: NgramModel): Uint8Array {
  const r = model.rowOf.length === 0 ? 0 : Math.max(...model.rowOf) + 1;
  const width = model.columns.length + 1;
  const nodes: OnnxNode[] = [];
  const inits: OnnxTensor[] = [];
  const i64 = (name: string, values: ArrayLike<number>, dims: number[]) => {
    inits.push({ name, type: 'int64', dims, data: BigInt64Array.from(Array.from(values, BigInt)) });
    return name;
  };
  inits.push({ name: 'table', type: 'float32', dims: [model.rows, width], data: model.table });
  i64('row_of', model.rowOf, [model.vocabSize]);
  i64('column_of', model.columnOf, [model.vocabSize]);
  nodes.push({ op: 'Gather', inputs: ['row_of', 'input_ids'], outputs: ['cur_row'], attrs: { axis: attr.int(0) } });
  let ctx = 'cur_row';
  if (model.order === 3) {
    i64('pair_row', model.pairRow!, [model.pairRow!.length]);
    i64('starts', [0], [1]);
    i64('ends', [1], [1]);
    i64('axis1', [1], [1]);
    i64('rare', [r - 1], []);
    i64('zero', [0], []);
    i64('width', [r], []);
    i64('neg1', [-1], [1]);
    i64('big', [1 << 30], [1]);
    // prev_row = [rare, cur_row[:, :-1]] along the sequence axis.
    nodes.push(
      { op: 'Slice', inputs: ['cur_row', 'starts', 'ends', 'axis1'], outputs: ['first_col'] },
      { op: 'Mul', inputs: ['first_col', 'zero'], outputs: ['zeros_col'] },
      { op: 'Add', inputs: ['zeros_col', 'rare'], outputs: ['rare_col'] },
      { op: 'Slice', inputs: ['cur_row', 'starts', 'neg1', 'axis1'], outputs: ['shifted'] },
      { op: 'Concat', inputs: ['rare_col', 'shifted'], outputs: ['prev_row'], attrs: { axis: attr.int(1) } },
      { op: 'Mul', inputs: ['prev_row', 'width'], outputs: ['prev_scaled'] },
      { op: 'Add', inputs: ['prev_scaled', 'cur_row'], outputs: ['pair_key'] },
      { op: 'Gather', inputs: ['pair_row', 'pair_key'], outputs: ['ctx_row'], attrs: { axis: attr.int(0) } },
    );
    ctx = 'ctx_row';
  }
  nodes.push(
    { op: 'Gather', inputs: ['table', ctx], outputs: ['dist'], attrs: { axis: attr.int(0) } },
    { op: 'Gather', inputs: ['dist', 'column_of'], outputs: ['logits'], attrs: { axis: attr.int(2) } },
  );
  return encodeModel(
    {
      name: `subnetkit_ngram${model.order}`,
      nodes,
      initializers: inits,
      inputs: [{ name: 'input_ids', type: 'int64', shape: ['batch', 'sequence'] }],
      outputs: [{ name: 'logits', type: 'float32', shape: ['batch', 'sequence', model.vocabSize] }],
    },
    {
      opset: 17,
      metadata: { 'subnetkit.kind': `ngram${model.order}`, 'subnetkit.vocab_size': String(model.vocabSize) },
    },
  );
}
