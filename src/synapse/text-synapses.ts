/**
 * The classic text synapses of bittensor v3 (TextLastHiddenState, TextCausalLM, TextCausalLMNext, TextSeq2Seq),
 * carried as Tensors in the 10.x JSON wire format, with the request and response shape checks of v3.
 */
import { SynapseError } from './errors.js';
import { t } from './fields.js';
import { defineSynapse } from './define.js';
import type { Tensor } from './tensor.js';

/**
 * Width of the hidden state every TextLastHiddenState response is padded or projected to.
 *
 * @example
 * ```ts
 * const rowFloats = batch * seq * HIDDEN_WIDTH;
 * ```
 */
export const HIDDEN_WIDTH = 1024;

function shapeError(msg: string): never {
  throw new SynapseError('TEXT_SYNAPSE_SHAPE', msg);
}

/** Checks a [B, S] int64 token tensor and returns [B, S]. */
function checkTokens(tensor: Tensor, what: string): [number, number] {
  if (tensor.baseDtype !== 'int64') shapeError(`${what} must be int64 token ids, got ${tensor.dtype}`);
  const s = tensor.shape;
  if (s.length !== 2) shapeError(`${what} must be 2-D [batch, sequence], got shape [${s.join(', ')}]`);
  if (s[0] === 0 || s[1] === 0) shapeError(`${what} must be non-empty, got shape [${s.join(', ')}]`);
  return [s[0]!, s[1]!];
}

function requireResponse(tensor: Tensor | null, what: string): Tensor {
  if (tensor === null) shapeError(`${what} is missing from the response`);
  return tensor;
}

function sameShape(got: readonly number[], want: readonly number[]): boolean {
  return got.length === want.length && got.every((d, i) => d === want[i]);
}

/**
 * Request: `text_inputs` [B, S] int64, optional `mask` of sequence positions (negative counts from the end).
 * Response: `hidden_states` float32 [B, S, 1024], or packed [B·len(mask), 1024] when a mask is given.
 *
 * @example
 * ```ts
 * const req = new TextLastHiddenState({ text_inputs: Tensor.fromArray(new BigInt64Array([1n, 2n]), { shape: [1, 2] }), mask: [-1] });
 * req.checkRequest();
 * ```
 */
export class TextLastHiddenState extends defineSynapse({
  name: 'TextLastHiddenState',
  fields: {
    /** Token ids [B, S], int64. */
    text_inputs: t.tensor(),
    /** Sequence positions to return (negative from the end). */
    mask: t.list(t.int()).default([]),
    /** Response: [B, S, 1024] or [B·len(mask), 1024] float32. */
    hidden_states: t.tensor().nullable(),
  },
  requiredHashFields: ['text_inputs', 'mask'],
}) {
  /** Checks the request; returns the absolute mask rows (`b·S + pos`) the response must carry, in order. */
  checkRequest(): number[] {
    const [b, s] = checkTokens(this.text_inputs, 'text_inputs');
    if (this.mask.length > s) shapeError(`mask has ${this.mask.length} positions but the sequence has ${s}`);
    const positions = this.mask.map((p) => {
      if (p < -s || p >= s) shapeError(`mask position ${p} is outside [-${s}, ${s - 1}]`);
      return p < 0 ? p + s : p;
    });
    if (new Set(positions).size !== positions.length) shapeError('mask holds duplicate positions');
    const rows: number[] = [];
    for (let i = 0; i < b; i++) for (const p of positions) rows.push(i * s + p);
    return rows;
  }

  /** Checks the response shape against the request; throws `TEXT_SYNAPSE_SHAPE`. */
  checkResponse(): void {
    const [b, s] = checkTokens(this.text_inputs, 'text_inputs');
    const h = requireResponse(this.hidden_states, 'hidden_states');
    const want = this.mask.length ? [b * this.mask.length, HIDDEN_WIDTH] : [b, s, HIDDEN_WIDTH];
    if (!sameShape(h.shape, want)) shapeError(`hidden_states shape [${h.shape.join(', ')}] != [${want.join(', ')}]`);
  }

  /** The hidden states tensor. */
  override deserialize(): Tensor | null {
    return this.hidden_states;
  }
}

/**
 * Selects the masked rows of a [B·S, 1024] hidden-state matrix (what a miner sends when a mask is given).
 *
 * @example
 * ```ts
 * const packed = packHiddenStates(full, req.checkRequest());
 * ```
 */
export function packHiddenStates(full: Float32Array, rows: readonly number[], width = HIDDEN_WIDTH): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => {
    if ((r + 1) * width > full.length) shapeError(`row ${r} is outside the hidden-state matrix`);
    out.set(full.subarray(r * width, (r + 1) * width), i * width);
  });
  return out;
}

/**
 * Expands packed masked rows back to a zero-filled [B·S, 1024] matrix (what a validator decodes).
 *
 * @example
 * ```ts
 * const full = unpackHiddenStates(packed, req.checkRequest(), batch * seq);
 * ```
 */
export function unpackHiddenStates(
  packed: Float32Array,
  rows: readonly number[],
  totalRows: number,
  width = HIDDEN_WIDTH,
): Float32Array {
  if (packed.length !== rows.length * width)
    shapeError(`packed hidden states hold ${packed.length} values, expected ${rows.length * width}`);
  const out = new Float32Array(totalRows * width);
  rows.forEach((r, i) => {
    if (r >= totalRows) shapeError(`row ${r} is outside [0, ${totalRows})`);
    out.set(packed.subarray(i * width, (i + 1) * width), r * width);
  });
  return out;
}

/**
 * Request: `text_inputs` [B, S] int64 and `topk` (default 512). Response: `logits` [B, S, 2·topk] float holding the
 * top-k probabilities then their token ids (see `subnetkit/codec` `encodeCausalLMTopk`).
 *
 * @example
 * ```ts
 * const req = new TextCausalLM({ text_inputs: tokens, topk: 20 });
 * ```
 */
export class TextCausalLM extends defineSynapse({
  name: 'TextCausalLM',
  fields: {
    /** Token ids [B, S], int64. */
    text_inputs: t.tensor(),
    /** Probabilities returned per position. */
    topk: t.int().default(512),
    /** Response: [B, S, 2·topk] probabilities then ids. */
    logits: t.tensor().nullable(),
  },
  requiredHashFields: ['text_inputs', 'topk'],
}) {
  /** Checks the request; returns [B, S]. */
  checkRequest(): [number, number] {
    if (this.topk < 1) shapeError(`topk must be >= 1, got ${this.topk}`);
    return checkTokens(this.text_inputs, 'text_inputs');
  }

  /** Checks the response: 3-D, batch and sequence match, last dim 2·topk. */
  checkResponse(): void {
    const [b, s] = this.checkRequest();
    const l = requireResponse(this.logits, 'logits');
    const want = [b, s, 2 * this.topk];
    if (!sameShape(l.shape, want)) shapeError(`logits shape [${l.shape.join(', ')}] != [${want.join(', ')}]`);
  }

  /** The top-k logits tensor. */
  override deserialize(): Tensor | null {
    return this.logits;
  }
}

/**
 * Request: `text_inputs` [B, S] int64 and `topk` (default 4096). Response: `topk_phrases`, the compact 1-D float
 * tensor of top-k token phrases plus a floor probability per batch row (see `subnetkit/codec`).
 *
 * @example
 * ```ts
 * const req = new TextCausalLMNext({ text_inputs: tokens, topk: 20 });
 * ```
 */
export class TextCausalLMNext extends defineSynapse({
  name: 'TextCausalLMNext',
  fields: {
    /** Token ids [B, S], int64. */
    text_inputs: t.tensor(),
    /** Phrases returned per batch row. */
    topk: t.int().default(4096),
    /** Response: compact 1-D top-k phrases. */
    topk_phrases: t.tensor().nullable(),
  },
  requiredHashFields: ['text_inputs', 'topk'],
}) {
  /** Checks the request; returns [B, S]. */
  checkRequest(): [number, number] {
    if (this.topk < 1) shapeError(`topk must be >= 1, got ${this.topk}`);
    return checkTokens(this.text_inputs, 'text_inputs');
  }

  /** Checks the response: 1-D, at least B·(2·topk+1) values, none below -1e-6. */
  checkResponse(): void {
    const [b] = this.checkRequest();
    const p = requireResponse(this.topk_phrases, 'topk_phrases');
    if (p.shape.length !== 1) shapeError(`topk_phrases must be 1-D, got shape [${p.shape.join(', ')}]`);
    const min = b * (2 * this.topk + 1);
    if (p.shape[0]! < min) shapeError(`topk_phrases holds ${p.shape[0]} values, needs at least ${min}`);
    const values = p.toArray();
    for (let i = 0; i < values.length; i++)
      if (Number(values[i]) < -1e-6) shapeError(`topk_phrases[${i}] = ${values[i]} is negative`);
  }

  /** The compact top-k phrases tensor. */
  override deserialize(): Tensor | null {
    return this.topk_phrases;
  }
}

/**
 * Request: `text_prompt` [B, S] int64 and the generation parameters (v3 defaults). Response: `generations`
 * [B, ≤ num_to_generate] int64 standard token ids.
 *
 * @example
 * ```ts
 * const req = new TextSeq2Seq({ text_prompt: tokens, num_to_generate: 32 });
 * ```
 */
export class TextSeq2Seq extends defineSynapse({
  name: 'TextSeq2Seq',
  fields: {
    /** Prompt token ids [B, S], int64. */
    text_prompt: t.tensor(),
    /** Top-k sampling size. */
    topk: t.int().default(50),
    /** Tokens to generate. */
    num_to_generate: t.int().default(256),
    /** Beam count. */
    num_beams: t.int().default(5),
    /** Forbidden repeated n-gram size. */
    no_repeat_ngram_size: t.int().default(2),
    /** Stop beams early. */
    early_stopping: t.bool().default(false),
    /** Sequences returned per prompt. */
    num_return_sequences: t.int().default(1),
    /** Sample instead of greedy/beam. */
    do_sample: t.bool().default(false),
    /** Nucleus sampling mass. */
    top_p: t.float().default(0.95),
    /** Sampling temperature. */
    temperature: t.float().default(1.0),
    /** Repetition penalty. */
    repetition_penalty: t.float().default(1.0),
    /** Beam length penalty. */
    length_penalty: t.float().default(1.0),
    /** Generation time limit, seconds. */
    max_time: t.float().default(150),
    /** Diverse beam groups. */
    num_beam_groups: t.int().default(1),
    /** Response: generated ids [B, ≤ num_to_generate], int64. */
    generations: t.tensor().nullable(),
  },
  requiredHashFields: ['text_prompt', 'num_to_generate'],
}) {
  /** Checks the request and its generation parameters; returns [B, S]. */
  checkRequest(): [number, number] {
    if (this.num_to_generate < 1) shapeError(`num_to_generate must be >= 1, got ${this.num_to_generate}`);
    if (this.num_beams < 1 || this.num_return_sequences < 1 || this.num_beam_groups < 1)
      shapeError('num_beams, num_return_sequences and num_beam_groups must be >= 1');
    if (!(this.top_p > 0 && this.top_p <= 1)) shapeError(`top_p must be in (0, 1], got ${this.top_p}`);
    if (!(this.temperature > 0)) shapeError(`temperature must be > 0, got ${this.temperature}`);
    return checkTokens(this.text_prompt, 'text_prompt');
  }

  /** Checks the response: int64 [B, n] with n ≤ num_to_generate. */
  checkResponse(): void {
    const [b] = this.checkRequest();
    const g = requireResponse(this.generations, 'generations');
    if (g.baseDtype !== 'int64') shapeError(`generations must be int64, got ${g.dtype}`);
    if (g.shape.length !== 2 || g.shape[0] !== b || g.shape[1]! > this.num_to_generate) {
      shapeError(`generations shape [${g.shape.join(', ')}] must be [${b}, <= ${this.num_to_generate}]`);
    }
  }

  /** The generated token ids. */
  override deserialize(): Tensor | null {
    return this.generations;
  }
}
