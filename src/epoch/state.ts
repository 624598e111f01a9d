/**
 * The validator's state on disk: moving averages, step count, the hotkey behind each average, the query order, the
 * last weights block and the CRv2 commits still to reveal. Written atomically (temp file, fsync, rename, fsync of
 * the folder) with a checksum, so a kill at any instant leaves either the old state or the new one, and a damaged or
 * foreign file is refused with a typed error rather than silently replaced.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { EpochError } from './errors.js';

const FORMAT = 'subnetkit-epoch-state';
const VERSION = 1;

/** A CRv2 hash commit that the loop must reveal. */
export interface PendingReveal {
  /** Uids as committed (u16 form). */
  uids: number[];
  /** u16 weights as committed. */
  weights: number[];
  /** Salt of the commit. */
  salt: number[];
  /** Version key of the commit. */
  versionKey: bigint;
  /** `SubnetEpochIndex` at the commit's block. */
  commitEpoch: number;
  /** Block of the commit. */
  block: number;
}

/** Everything the loop keeps across restarts. */
export interface EpochState {
  /** The subnet. */
  netuid: number;
  /** The validator's hotkey. */
  hotkey: string;
  /** Steps taken. */
  step: number;
  /** The moving average per uid. */
  scores: Float64Array;
  /** Hotkey each average belongs to ('' before the first sync). */
  hotkeys: string[];
  /** Uids still to query in this pass, in order. */
  order: number[];
  /** Block of the last weights this validator set or committed. */
  lastWeightsBlock: number;
  /** CRv2 commits not yet revealed. */
  pendingReveals: PendingReveal[];
}

/** A fresh state. */
export function emptyState(netuid: number, hotkey: string): EpochState {
  return {
    netuid,
    hotkey,
    step: 0,
    scores: new Float64Array(0),
    hotkeys: [],
    order: [],
    lastWeightsBlock: 0,
    pendingReveals: [],
  };
}

function checksum(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** The file's bytes: a JSON body and its SHA-256 on one line each. */
export function encodeState(s: EpochState): string {
  const body = JSON.stringify({
    format: FORMAT,
    version: VERSION,
    netuid: s.netuid,
    hotkey: s.hotkey,
    step: s.step,
    scores: Array.from(s.scores),
    hotkeys: s.hotkeys,
    order: s.order,
    lastWeightsBlock: s.lastWeightsBlock,
    pendingReveals: s.pendingReveals.map((p) => ({ ...p, versionKey: p.versionKey.toString() })),
  });
  return `${body}\n${checksum(body)}\n`;
}

const corrupt = (path: string, why: string) =>
  new EpochError('EPOCH_STATE_CORRUPT', `epoch state ${path} is unreadable: ${why}; move it aside to start afresh`);

function intArray(v: unknown, what: string, path: string): number[] {
  if (!Array.isArray(v) || v.some((x) => !Number.isInteger(x) || x < 0 || x > 65535))
    throw corrupt(path, `${what} is not a list of u16`);
  return v as number[];
}

/** Parses and checks a state file's text against the expected owner. */
export function decodeState(text: string, expect: { netuid: number; hotkey: string }, path = '(state)'): EpochState {
  const nl = text.indexOf('\n');
  if (nl < 0) throw corrupt(path, 'no checksum line');
  const body = text.slice(0, nl);
  const sum = text.slice(nl + 1).trim();
  if (checksum(body) !== sum) throw corrupt(path, 'checksum mismatch (the file was damaged or edited)');
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(body) as Record<string, unknown>;
  } catch (e) {
    throw corrupt(path, `not JSON (${(e as Error).message})`);
  }
  if (j.format !== FORMAT)
    throw new EpochError('EPOCH_STATE_FOREIGN', `${path} is not an epoch state file (format ${String(j.format)})`);
  if (j.version !== VERSION)
    throw new EpochError(
      'EPOCH_STATE_FOREIGN',
      `${path} has state version ${String(j.version)}; this subnetkit reads version ${VERSION}`,
    );
  if (j.netuid !== expect.netuid || j.hotkey !== expect.hotkey) {
    throw new EpochError(
      'EPOCH_STATE_FOREIGN',
      `${path} belongs to hotkey ${String(j.hotkey)} on subnet ${String(j.netuid)}, not ${expect.hotkey} on subnet ${expect.netuid}`,
    );
  }
  const scores = j.scores;
  if (!Array.isArray(scores) || scores.some((x) => typeof x !== 'number' || !Number.isFinite(x) || x < 0 || x > 1))
    throw corrupt(path, 'scores are not numbers in [0, 1]');
  const hotkeys = j.hotkeys;
  if (!Array.isArray(hotkeys) || hotkeys.length !== scores.length || hotkeys.some((h) => typeof h !== 'string'))
    throw corrupt(path, 'hotkeys do not match the scores');
  if (!Number.isInteger(j.step) || (j.step as number) < 0) throw corrupt(path, 'step is not a count');
  if (!Number.isInteger(j.lastWeightsBlock) || (j.lastWeightsBlock as number) < 0)
    throw corrupt(path, 'lastWeightsBlock is not a block number');
  if (!Array.isArray(j.pendingReveals)) throw corrupt(path, 'pendingReveals is not a list');
  const pendingReveals = (j.pendingReveals as Record<string, unknown>[]).map((p) => {
    if (
      !p ||
      typeof p.versionKey !== 'string' ||
      !/^\d+$/.test(p.versionKey) ||
      !Number.isInteger(p.commitEpoch) ||
      !Number.isInteger(p.block)
    )
      throw corrupt(path, 'a pending reveal is malformed');
    return {
      uids: intArray(p.uids, "a reveal's uids", path),
      weights: intArray(p.weights, "a reveal's weights", path),
      salt: intArray(p.salt, "a reveal's salt", path),
      versionKey: BigInt(p.versionKey),
      commitEpoch: p.commitEpoch as number,
      block: p.block as number,
    };
  });
  return {
    netuid: expect.netuid,
    hotkey: expect.hotkey,
    step: j.step as number,
    scores: Float64Array.from(scores as number[]),
    hotkeys: hotkeys as string[],
    order: intArray(j.order, 'order', path),
    lastWeightsBlock: j.lastWeightsBlock as number,
    pendingReveals,
  };
}

/** Reads the state at `path`, or null when there is no file yet. */
export function loadState(path: string, expect: { netuid: number; hotkey: string }): EpochState | null {
  if (!existsSync(path)) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new EpochError('EPOCH_STATE_CORRUPT', `epoch state ${path} cannot be read: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return decodeState(text, expect, path);
}

/** Writes the state atomically: a reader (or a restart after a crash) sees the old file or the new one, never a mix. */
export function saveState(path: string, state: EpochState): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, encodeState(state));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  // The rename itself must reach the disk, or a power cut could bring the old name back.
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Some filesystems refuse to fsync a folder; the file itself is synced.
  }
}
