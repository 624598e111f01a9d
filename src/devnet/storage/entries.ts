/** Enumerating SubtensorModule maps by their raw keys (the devnet's storage is a flat map of SCALE keys). */
import { u8aToHex } from '@polkadot/util';
import { encodeAddress, xxhashAsU8a } from '@polkadot/util-crypto';
import type { Storage } from './storage.js';

const prefixOf = (item: string) =>
  u8aToHex(new Uint8Array([...xxhashAsU8a('SubtensorModule', 128), ...xxhashAsU8a(item, 128)]));

/** Every (hotkey, coldkey, netuid) with an entry in the `Alpha` share map. */
export function* alphaEntries(s: Storage): Generator<{ hotkey: string; coldkey: string; netuid: number }> {
  const prefix = prefixOf('Alpha');
  for (const key of s.map.keys()) {
    if (!key.startsWith(prefix)) continue;
    // Alpha is an NMap: blake2_128 ‖ hotkey, blake2_128 ‖ coldkey, netuid (Identity, u16 LE).
    const rest = Buffer.from(key.slice(prefix.length), 'hex');
    if (rest.length !== 16 + 32 + 16 + 32 + 2) continue;
    yield {
      hotkey: encodeAddress(rest.subarray(16, 48), 42),
      coldkey: encodeAddress(rest.subarray(64, 96), 42),
      netuid: rest.readUInt16LE(96),
    };
  }
}

/** Every hotkey with an owner (a coldkey), in storage order. */
export function ownedHotkeys(s: Storage): string[] {
  const prefix = prefixOf('Owner');
  const out: string[] = [];
  for (const key of s.map.keys()) {
    if (!key.startsWith(prefix)) continue;
    const rest = Buffer.from(key.slice(prefix.length), 'hex'); // blake2_128 ‖ hotkey
    if (rest.length === 48) out.push(encodeAddress(rest.subarray(16), 42));
  }
  return out;
}
