/**
 * The model an ONNX adapter serves: its bytes (shared with the workers, not copied per thread), what its graph
 * declares (token-id input, optional attention mask, logits output, vocabulary, context length), checked before any
 * worker starts, and its graph variants (as it is, or with a top-k head appended, see surgery.ts).
 */
import { open as openFile, stat } from 'node:fs/promises';
import type { Positions } from '../types.js';
import { InferenceError } from '../errors.js';
import { appendTopkParts, findLogitsOutput, inspectModel } from './surgery.js';

/** What the adapter needs to know of a model. */
export interface ModelInfo {
  bytes: Uint8Array;
  inputName: string;
  maskName: string | undefined;
  logitsName: string;
  vocabSize: number;
  contextLength: number | undefined;
}

async function readShared(path: string): Promise<Uint8Array> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (cause) {
    throw new InferenceError('INFERENCE_BAD_MODEL', `cannot read the model at ${path}`, { cause });
  }
  const view = new Uint8Array(new SharedArrayBuffer(size));
  const fh = await openFile(path, 'r');
  try {
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(view, off, Math.min(size - off, 1 << 26), off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return view;
}

function shared(bytes: Uint8Array): Uint8Array {
  if (bytes.buffer instanceof SharedArrayBuffer) return bytes;
  const view = new Uint8Array(new SharedArrayBuffer(bytes.length));
  view.set(bytes);
  return view;
}

export async function loadModel(
  model: string | Uint8Array,
  options: { logitsOutput?: string | undefined; contextLength?: number | undefined },
): Promise<ModelInfo> {
  const bytes = typeof model === 'string' ? await readShared(model) : shared(model);
  const summary = inspectModel(bytes);
  const logits = findLogitsOutput(summary, options.logitsOutput);
  const idsInput = summary.inputs.find((i) => i.name === 'input_ids') ?? summary.inputs[0];
  if (!idsInput) throw new InferenceError('INFERENCE_BAD_MODEL', 'the model has no inputs');
  if (idsInput.elemType !== 7)
    throw new InferenceError(
      'INFERENCE_BAD_MODEL',
      `input ${idsInput.name} must be int64 token ids, the model declares element type ${idsInput.elemType}`,
    );
  const maskInput = summary.inputs.find((i) => i.name === 'attention_mask');
  const others = summary.inputs.filter((i) => i !== idsInput && i !== maskInput);
  if (others.length)
    throw new InferenceError(
      'INFERENCE_BAD_MODEL',
      `the model needs inputs this adapter cannot feed: ${others.map((o) => o.name).join(', ')}`,
    );
  const vocabDim = logits.shape[logits.shape.length - 1];
  const vocabSize = typeof vocabDim === 'number' ? vocabDim : Number(summary.metadata['subnetkit.vocab_size']);
  if (!Number.isInteger(vocabSize) || vocabSize < 2)
    throw new InferenceError(
      'INFERENCE_BAD_MODEL',
      'the vocabulary size is neither in the logits shape nor in the model metadata',
    );
  return {
    bytes,
    inputName: idsInput.name,
    maskName: maskInput?.name,
    logitsName: logits.name,
    vocabSize,
    contextLength: options.contextLength ?? (Number(summary.metadata['subnetkit.context_length']) || undefined),
  };
}

/** The serialized graph of each variant, built once: `logits` (the model) or `topk:<positions>:<method>`. */
export function variantParts(model: ModelInfo): (variant: string) => Uint8Array[] {
  const variants = new Map<string, Uint8Array[]>();
  return (variant) => {
    let parts = variants.get(variant);
    if (!parts) {
      if (variant === 'logits') parts = [model.bytes];
      else {
        const [, positions, method] = variant.split(':') as [string, Positions, 'exact' | 'blocked'];
        parts = appendTopkParts(model.bytes, { positions, method, logitsOutput: model.logitsName });
      }
      variants.set(variant, parts);
    }
    return parts;
  };
}
