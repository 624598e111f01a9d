/**
 * Crash-safe persistence of the devnet (`data` option): an append-only block log, fsynced before a block is
 * acknowledged, plus periodic snapshots written atomically. On restart the snapshot is loaded and the log replayed.
 * Only a torn tail (a last line without its newline: a crash mid-write) is cut off; a record that fails its checksum
 * or does not follow its parent anywhere else, or a log that starts past its snapshot, is corruption, and the store
 * refuses to open rather than silently dropping blocks. A failed or short write is undone and reported, so a block
 * is acknowledged only once all of it is on disk.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { DevnetError } from '../errors.js';

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
const corrupt = (message: string) => new DevnetError('DEVNET_STORE_CORRUPT', message);

/**
 * Applies the log's records after the snapshot's blocks to `blocks` and `state`; returns the byte length of the
 * intact part (everything but a torn last line). Throws DEVNET_STORE_CORRUPT on any other damage.
 */
function replayLog(text: string, blocks: StoredBlock[], state: Map<string, Uint8Array>): number {
  let pos = 0;
  let line = 0;
  while (pos < text.length) {
    const end = text.indexOf('\n', pos);
    if (end < 0) break; // torn tail: a crash mid-write leaves a last line without its newline
    line++;
    const record = text.slice(pos, end);
    const sep = record.indexOf(' ');
    const json = record.slice(sep + 1);
    if (sep !== 64 || sha256(json) !== record.slice(0, sep))
      throw corrupt(`blocks.log line ${line} fails its checksum: the store is damaged (restore it or start afresh)`);
    const rec = JSON.parse(json) as BlockRecord;
    const last = blocks.at(-1);
    pos = end + 1;
    if (last && rec.number <= last.number) continue; // already in the snapshot
    const expected = last ? last.number + 1 : 0;
    if (rec.number !== expected)
      throw corrupt(
        last || rec.number === 0
          ? `blocks.log line ${line} holds block ${rec.number} where block ${expected} was expected`
          : `blocks.log starts at block ${rec.number} but snapshot.json is missing: blocks 0–${rec.number - 1} are gone`,
      );
    if (last && rec.header.parentHash !== last.hash)
      throw corrupt(`blocks.log line ${line}: block ${rec.number} does not follow block ${last.number}`);
    for (const [k, v] of rec.diff) v === null ? state.delete(k) : state.set(k, bytes(v));
    blocks.push({ number: rec.number, hash: rec.hash, header: rec.header, extrinsics: rec.extrinsics });
  }
  return Buffer.byteLength(text.slice(0, pos));
}

export function createBlockStore(dir: string) {
  // over 80 lines by design: load, append and snapshot share the log's file handle and its position.
  mkdirSync(dir, { recursive: true });
  const logPath = join(dir, 'blocks.log');
  const snapPath = join(dir, 'snapshot.json');

  function load(): Recovered | null {
    let blocks: StoredBlock[] = [];
    const state = new Map<string, Uint8Array>();
    if (existsSync(snapPath)) {
      let snap: { version: number; blocks: StoredBlock[]; state: [string, string][] };
      try {
        snap = JSON.parse(readFileSync(snapPath, 'utf8'));
      } catch (e) {
        throw corrupt(`snapshot.json cannot be read: ${(e as Error).message}`);
      }
      blocks = snap.blocks;
      for (const [k, v] of snap.state) state.set(k, bytes(v));
    }
    if (existsSync(logPath)) {
      const good = replayLog(readFileSync(logPath, 'utf8'), blocks, state);
      const fd = openSync(logPath, 'r+');
      ftruncateSync(fd, good); // drop a torn tail
      fsyncSync(fd);
      closeSync(fd);
    }
    return blocks.length ? { blocks, state } : null;
  }

  let fd = -1;
  let logSize = 0;
  let sinceSnapshot = 0;

  function writeSnapshot(blocks: StoredBlock[], state: Map<string, Uint8Array>): void {
    const tmp = `${snapPath}.tmp`;
    const data = Buffer.from(JSON.stringify({ version: 1, blocks, state: [...state].map(([k, v]) => [k, hex(v)]) }));
    const f = openSync(tmp, 'w');
    try {
      for (let off = 0; off < data.length; ) off += writeSync(f, data, off);
      fsyncSync(f);
    } finally {
      closeSync(f);
    }
    renameSync(tmp, snapPath);
    const d = openSync(dir, 'r');
    fsyncSync(d);
    closeSync(d);
    // The snapshot is durable: the log can restart empty.
    if (fd >= 0) {
      ftruncateSync(fd, 0);
      fsyncSync(fd);
      logSize = 0;
    }
    sinceSnapshot = 0;
  }

  return {
    load,
    /** Appends one block and fsyncs before returning: a returned block survives a crash. */
    append(rec: BlockRecord, allBlocks: () => StoredBlock[], state: Map<string, Uint8Array>): void {
      if (fd < 0) {
        fd = openSync(logPath, 'a');
        logSize = fstatSync(fd).size;
      }
      const json = JSON.stringify(rec);
      const line = Buffer.from(`${sha256(json)} ${json}\n`);
      try {
        const written = writeSync(fd, line);
        if (written !== line.length) throw new Error(`short write: ${written} of ${line.length} bytes`);
        fsyncSync(fd);
      } catch (e) {
        // Undo whatever part reached the file, so the log stays a sequence of whole records.
        try {
          ftruncateSync(fd, logSize);
        } catch {
          // the reason below is what the operator needs
        }
        throw new DevnetError(
          'DEVNET_STORE_FAILED',
          `block ${rec.number} could not be written to ${logPath}: ${(e as Error).message}`,
          { cause: e },
        );
      }
      logSize += line.length;
      if (++sinceSnapshot >= SNAPSHOT_EVERY) {
        try {
          writeSnapshot(allBlocks(), state);
        } catch {
          // The block is durable in the log; the snapshot is retried after the next block.
          sinceSnapshot = SNAPSHOT_EVERY - 1;
        }
      }
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
