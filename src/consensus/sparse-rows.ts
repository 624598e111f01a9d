/** Sparse-row helpers of the epoch: reading CSR input, column normalisation, the chain's sparse EMA, CSR output. */
import { invalidInput as fail } from './errors.js';
import type { Arith } from './arith.js';
import type { SparseRows } from './types.js';

/** Sparse rows as parallel column and value lists, in stored order. */
export type Rows = { cols: number[][]; vals: number[][] };

export function emptyRows(n: number): Rows {
  return { cols: Array.from({ length: n }, () => []), vals: Array.from({ length: n }, () => []) };
}

/** Reads CSR rows as raw u16 integers, keeping only i < n and j < n. */
export function readRows(m: SparseRows, n: number, what: string): Rows {
  const out = emptyRows(n);
  const rowsIn = m.indptr.length - 1;
  if (rowsIn < 0) fail(`${what}.indptr must hold n + 1 offsets`);
  for (let i = 0; i < Math.min(rowsIn, n); i++) {
    const a = m.indptr[i]!;
    const b = m.indptr[i + 1]!;
    if (!(a <= b && b <= m.indices.length && m.indices.length === m.values.length))
      fail(`${what}: bad row offsets at row ${i}`);
    for (let c = a; c < b; c++) {
      const j = m.indices[c]!;
      const v = m.values[c]!;
      if (!Number.isInteger(v) || v < 0 || v > 65535) fail(`${what}[${i}]: value ${v} is not a u16`);
      if (j < n) {
        out.cols[i]!.push(j);
        out.vals[i]!.push(v);
      }
    }
  }
  return out;
}

export function toCsr(rows: Rows): SparseRows {
  const indptr = new Uint32Array(rows.cols.length + 1);
  let nnz = 0;
  rows.cols.forEach((c, i) => {
    nnz += c.length;
    indptr[i + 1] = nnz;
  });
  const indices = new Uint16Array(nnz);
  const values = new Uint16Array(nnz);
  let o = 0;
  rows.cols.forEach((c, i) => {
    for (let k = 0; k < c.length; k++) {
      indices[o] = c[k]!;
      values[o++] = rows.vals[i]![k]!;
    }
  });
  return { indptr, indices, values };
}

export function colNormalize(ar: Arith, rows: Rows, n: number): void {
  const sum = new Float64Array(n);
  for (let i = 0; i < rows.cols.length; i++) {
    const c = rows.cols[i]!;
    const v = rows.vals[i]!;
    for (let k = 0; k < c.length; k++) sum[c[k]!] = sum[c[k]!]! + v[k]!;
  }
  for (let i = 0; i < rows.cols.length; i++) {
    const c = rows.cols[i]!;
    const v = rows.vals[i]!;
    for (let k = 0; k < v.length; k++) {
      const s = sum[c[k]!]!;
      if (s !== 0) v[k] = ar.div(v[k]!, s);
    }
  }
}

/** Dense-row EMA like the chain's `mat_ema_sparse`: α·new + (1−α)·old, cells > 0, in column order. */
export function emaSparse(ar: Arith, fresh: Rows, old: Rows, alpha: number, n: number): Rows {
  const out = emptyRows(n);
  const oneMinus = ar.one - alpha;
  const row = new Float64Array(n);
  const touched = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const fc = fresh.cols[i]!;
    const fv = fresh.vals[i]!;
    const oc = old.cols[i]!;
    const ov = old.vals[i]!;
    if (fc.length === 0 && oc.length === 0) continue;
    const seen: number[] = [];
    // Each product is floored on its own, then summed, as the chain's dense row does.
    const accumulate = (cols: number[], vals: number[], coef: number) => {
      for (let k = 0; k < cols.length; k++) {
        const j = cols[k]!;
        if (!touched[j]) {
          touched[j] = 1;
          row[j] = 0;
          seen.push(j);
        }
        row[j] = row[j]! + ar.mul(coef, vals[k]!);
      }
    };
    accumulate(fc, fv, alpha);
    accumulate(oc, ov, oneMinus);
    const outC = out.cols[i]!;
    const outV = out.vals[i]!;
    const emit = (j: number) => {
      touched[j] = 0;
      if (row[j]! > 0) {
        outC.push(j);
        outV.push(row[j]!);
      }
    };
    // Column order: scan the dense row when it is well filled, sort the touched columns when it is sparse.
    if (seen.length * 16 > n) {
      for (let j = 0; j < n; j++) if (touched[j]) emit(j);
    } else {
      seen.sort((a, b) => a - b);
      for (const j of seen) emit(j);
    }
  }
  return out;
}
