/**
 * Crash-safe persistence of the devnet (`data` option): an append-only block log, fsynced before a block is
 * acknowledged, plus periodic snapshots written atomically. On restart the snapshot is loaded and the log replayed
 * up to the last complete, checksummed record; a torn tail (a crash mid-write) is cut off.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/** What is stored of a block. */
export interface StoredBlock {
  number: number;
  hash: string;
  header: Record<string, unknown>;
  extrinsics: string[];
}

/** A block record of the log: the block and the storage it changed (null = removed). */
export interface BlockRecord extends StoredBlock {
  diff: [string, string | null][];
}

/** What a restart recovers: every block, and the state at the last one. */
export interface Recovered {
  blocks: StoredBlock[];
  state: Map<string, Uint8Array>;
}

const SNAPSHOT_EVERY = 512;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hex = (u: Uint8Array) => `0x${Buffer.from(u).toString('hex')}`;
const bytes = (h: string) => new Uint8Array(Buffer.from(h.slice(2), 'hex'));

export function createBlockStore(dir: string) {
  // over 80 lines by design: load, append and snapshot share the log's file handle and its position.
  mkdirSync(dir, { recursive: true });
  const logPath = join(dir, 'blocks.log');
  const snapPath = join(dir, 'snapshot.json');

  function load(): Recovered | null {
    let blocks: StoredBlock[] = [];
    const state = new Map<string, Uint8Array>();
    if (existsSync(snapPath)) {
      const snap = JSON.parse(readFileSync(snapPath, 'utf8')) as {
        version: number;
        blocks: StoredBlock[];
        state: [string, string][];
      };
      blocks = snap.blocks;
      for (const [k, v] of snap.state) state.set(k, bytes(v));
    }
    if (existsSync(logPath)) {
      const text = readFileSync(logPath, 'utf8');
      let good = 0;
      let pos = 0;
      while (pos < text.length) {
        const end = text.indexOf('\n', pos);
        if (end < 0) break; // torn tail
        const line = text.slice(pos, end);
        const sep = line.indexOf(' ');
        const sum = line.slice(0, sep);
        const json = line.slice(sep + 1);
        if (sep !== 64 || sha256(json) !== sum) break;
        const rec = JSON.parse(json) as BlockRecord;
        const last = blocks.at(-1);
        if (last && rec.number <= last.number) {
          pos = end + 1; // already in the snapshot
          good = Buffer.byteLength(text.slice(0, pos));
          continue;
        }
        if ((last ? last.number + 1 : 0) !== rec.number || (last && rec.header.parentHash !== last.hash)) break;
        for (const [k, v] of rec.diff) v === null ? state.delete(k) : state.set(k, bytes(v));
        blocks.push({ number: rec.number, hash: rec.hash, header: rec.header, extrinsics: rec.extrinsics });
        pos = end + 1;
        good = Buffer.byteLength(text.slice(0, pos));
      }
      const fd = openSync(logPath, 'r+');
      ftruncateSync(fd, good); // drop a torn or corrupt tail
      fsyncSync(fd);
      closeSync(fd);
    }
    return blocks.length ? { blocks, state } : null;
  }

  let fd = -1;
  let sinceSnapshot = 0;

  function writeSnapshot(blocks: StoredBlock[], state: Map<string, Uint8Array>): void {
    const tmp = `${snapPath}.tmp`;
    const f = openSync(tmp, 'w');
    writeSync(f, JSON.stringify({ version: 1, blocks, state: [...state].map(([k, v]) => [k, hex(v)]) }));
    fsyncSync(f);
    closeSync(f);
    renameSync(tmp, snapPath);
    const d = openSync(dir, 'r');
    fsyncSync(d);
    closeSync(d);
    // The snapshot is durable: the log can restart empty.
    if (fd >= 0) {
      ftruncateSync(fd, 0);
      fsyncSync(fd);
    }
    sinceSnapshot = 0;
  }

  return {
    load,
    /** Appends one block and fsyncs before returning: a returned block survives a crash. */
    append(rec: BlockRecord, allBlocks: () => StoredBlock[], state: Map<string, Uint8Array>): void {
      if (fd < 0) fd = openSync(logPath, 'a');
      const json = JSON.stringify(rec);
      writeSync(fd, `${sha256(json)} ${json}\n`);
      fsyncSync(fd);
      if (++sinceSnapshot >= SNAPSHOT_EVERY) writeSnapshot(allBlocks(), state);
    },
    close(): void {
      if (fd >= 0) closeSync(fd);
      fd = -1;
    },
  };
}

export type BlockStore = ReturnType<typeof createBlockStore>;

/** The changes from `before` to `after`. */
export function stateDiff(
  before: Map<string, Uint8Array> | undefined,
  after: Map<string, Uint8Array>,
): [string, string | null][] {
  const diff: [string, string | null][] = [];
  for (const [k, v] of after) {
    const old = before?.get(k);
    if (!old || old.length !== v.length || !Buffer.from(old).equals(Buffer.from(v))) diff.push([k, hex(v)]);
  }
  if (before) for (const k of before.keys()) if (!after.has(k)) diff.push([k, null]);
  return diff;
}
