/**
 * The few protobuf mechanics subnetkit needs (ONNX models, the gRPC wire): a writer that assembles messages from parts without copying large tensor
 * bytes until the single final concatenation, and a reader that lists a message's top-level fields as byte ranges so
 * a graph can be extended without decoding (repeated fields may be appended anywhere in protobuf).
 */
/** Malformed protobuf bytes; callers turn it into their module's typed error. */
export class MalformedProtobuf extends Error {}

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/** An append-only protobuf message under construction. */
export class ProtoWriter {
  readonly parts: Uint8Array[] = [];
  length = 0;
  private scratch: number[] = [];

  private flushScratch(): void {
    if (this.scratch.length === 0) return;
    const b = Uint8Array.from(this.scratch);
    this.parts.push(b);
    this.length += b.length;
    this.scratch = [];
  }

  private varint(value: bigint | number): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.scratch.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.scratch.push(Number(v));
    if (this.scratch.length > 4096) this.flushScratch();
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_I32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.scratch.push(...b);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.varint(data.length);
    this.flushScratch();
    this.parts.push(data);
    this.length += data.length;
    return this;
  }

  /** Appends already-encoded field bytes as they are. */
  raw(data: Uint8Array): this {
    this.flushScratch();
    this.parts.push(data);
    this.length += data.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, inner: ProtoWriter): this {
    inner.flushScratch();
    this.tag(field, WIRE_LEN);
    this.varint(inner.length);
    this.flushScratch();
    for (const p of inner.parts) this.parts.push(p);
    this.length += inner.length;
    return this;
  }

  /** Packed repeated int64 (varints). */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.message(field, inner);
  }

  /** Packed repeated float32. */
  packedFloats(field: number, values: readonly number[]): this {
    return this.bytes(field, new Uint8Array(Float32Array.from(values).buffer));
  }

  finish(): Uint8Array {
    this.flushScratch();
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

/** One top-level field of a message: its number, wire type, the whole field's bytes and its value's bytes. */
export interface ProtoField {
  field: number;
  wire: number;
  /** Start of the tag. */
  start: number;
  /** Start of the value (after the length prefix for length-delimited fields). */
  valueStart: number;
  end: number;
  /** The varint value, for wire type 0. */
  varint?: bigint;
}

function readVarint(buf: Uint8Array, pos: number, end: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new MalformedProtobuf('truncated varint');
    const b = buf[pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
  throw new MalformedProtobuf('varint longer than 10 bytes');
}

/** Lists the top-level fields of the message in `buf[start, end)`, checking every length against the bounds. */
export function readFields(buf: Uint8Array, start = 0, end = buf.length): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = start;
  while (pos < end) {
    const fieldStart = pos;
    const [key, p1] = readVarint(buf, pos, end);
    pos = p1;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new MalformedProtobuf('field number 0');
    if (wire === WIRE_VARINT) {
      const [v, p2] = readVarint(buf, pos, end);
      fields.push({ field, wire, start: fieldStart, valueStart: pos, end: p2, varint: v });
      pos = p2;
    } else if (wire === WIRE_LEN) {
      const [len, p2] = readVarint(buf, pos, end);
      const stop = p2 + Number(len);
      if (len > BigInt(end - p2)) throw new MalformedProtobuf('length-delimited field runs past the end');
      fields.push({ field, wire, start: fieldStart, valueStart: p2, end: stop });
      pos = stop;
    } else if (wire === WIRE_I64 || wire === WIRE_I32) {
      const stop = pos + (wire === WIRE_I64 ? 8 : 4);
      if (stop > end) throw new MalformedProtobuf('fixed-width field runs past the end');
      fields.push({ field, wire, start: fieldStart, valueStart: pos, end: stop });
      pos = stop;
    } else {
      throw new MalformedProtobuf(`unsupported protobuf wire type ${wire}`);
    }
  }
  return fields;
}

/** The UTF-8 string value of a length-delimited field. */
export function fieldString(buf: Uint8Array, f: ProtoField): string {
  return new TextDecoder().decode(buf.subarray(f.valueStart, f.end));
}
