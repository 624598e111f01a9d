/**
 * The devnet's `data` store against damage and a full disk: a flipped bit mid-log or a log without its snapshot
 * refuses to open (a typed error saying what is wrong) instead of silently dropping blocks; a torn tail is still cut;
 * on a full filesystem no acknowledged block is lost and the store reopens clean.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startDevnet, type DevnetNotice } from '../../src/devnet/index.js';

const dirs: string[] = [];
function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'subnetkit-store-'));
  dirs.push(d);
  return d;
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function chainOf(data: string, blocks: number): Promise<string> {
  const d = await startDevnet({ port: 0, sealing: 'manual', data });
  d.newBlock(blocks);
  const best = d.bestNumber();
  await d.close();
  return String(best);
}

/** A small tmpfs to fill, where the process may mount one (root with CAP_SYS_ADMIN, as in CI's container). */
function mountSmallFs(): string | null {
  const dir = join(freshDir(), 'small');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    return null;
  }
}
const smallFs = mountSmallFs();

afterAll(() => {
  if (smallFs) execFileSync('umount', [smallFs], { stdio: 'ignore' });
});

describe('devnet data store integrity', () => {
  it('a flipped byte in the middle of the log refuses to open (it used to drop every block after it)', async () => {
    const data = freshDir();
    expect(await chainOf(data, 20)).toBe('20');
    const log = join(data, 'blocks.log');
    const lines = readFileSync(log, 'utf8').split('\n');
    lines[5] = lines[5]!.replace(/"number":5/, '"number":6'); // one digit changed inside record 5
    writeFileSync(log, lines.join('\n'));
    await expect(startDevnet({ port: 0, sealing: 'manual', data })).rejects.toMatchObject({
      code: 'DEVNET_STORE_CORRUPT',
      message: expect.stringContaining('blocks.log line 6 fails its checksum'),
    });
  });

  it('a torn last line (a crash mid-write) is cut and the chain reopens at the last whole block', async () => {
    const data = freshDir();
    expect(await chainOf(data, 7)).toBe('7');
    appendFileSync(join(data, 'blocks.log'), 'f00d {"number":8,"hash":"0x');
    const d = await startDevnet({ port: 0, sealing: 'manual', data });
    expect(d.bestNumber()).toBe(7);
    d.newBlock();
    expect(d.bestNumber()).toBe(8);
    await d.close();
  });

  it('a log whose snapshot is missing refuses to open (it used to be wiped back to genesis)', async () => {
    const data = freshDir();
    expect(await chainOf(data, 530)).toBe('530'); // a snapshot at 512, the log holds the blocks after it
    unlinkSync(join(data, 'snapshot.json'));
    await expect(startDevnet({ port: 0, sealing: 'manual', data })).rejects.toMatchObject({
      code: 'DEVNET_STORE_CORRUPT',
      message: expect.stringContaining('snapshot.json is missing'),
    });
  }, 60_000);

  it.skipIf(!smallFs)(
    'a full filesystem: the block that does not fit is not sealed, a notice says why, and no acknowledged block is lost (skipped where a tmpfs cannot be mounted)',
    async () => {
      const data = join(smallFs!, 'chain');
      const d = await startDevnet({ port: 0, sealing: 'manual', data });
      const acknowledged: number[] = [];
      const notices: DevnetNotice[] = [];
      d.onBlock((b) => acknowledged.push(b.number));
      d.onNotice((n) => notices.push(n));
      let failure: unknown = null;
      for (let i = 0; i < 500 && !failure; i++) {
        try {
          d.newBlock();
        } catch (e) {
          failure = e;
        }
      }
      expect(failure).toMatchObject({
        code: 'DEVNET_STORE_FAILED',
        message: expect.stringMatching(/ENOSPC|short write/),
      });
      const best = d.bestNumber();
      expect(acknowledged.at(-1)).toBe(best);
      expect(notices.at(-1)).toMatchObject({ kind: 'store-failed', block: best + 1 });
      // Still full: another try fails the same way and changes nothing.
      expect(() => d.newBlock()).toThrow(/could not be written/);
      expect(d.bestNumber()).toBe(best);
      await d.close();
      const again = await startDevnet({ port: 0, sealing: 'manual', data });
      expect(again.bestNumber()).toBe(best);
      await again.close();
    },
    60_000,
  );
});
