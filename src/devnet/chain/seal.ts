/**
 * Sealing a block: the System and Timestamp items every block writes, the header with its roots, and the block with
 * a snapshot of the state after it.
 */
import type { TypeRegistry } from '@polkadot/types';
import { u8aToHex } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import type { Storage } from '../storage/storage.js';
import type { Block } from './types.js';

/** The header codec of a header (its hash is the block hash). */
export function headerCodecOf(registry: TypeRegistry, header: Record<string, unknown>): Block['headerCodec'] {
  return registry.createType('Header', header) as unknown as Block['headerCodec'];
}

export function sealBlock(
  registry: TypeRegistry,
  storage: Storage,
  parent: Block | undefined,
  extrinsics: string[],
  events: Buffer,
): Block {
  const number = parent ? parent.number + 1 : 0;
  storage.set('system', 'number', [], number);
  storage.map.set(storage.key('system', 'events'), events);
  storage.set('timestamp', 'now', [], Date.now());
  if (parent) storage.set('system', 'blockHash', [parent.number], parent.hash);
  const extrinsicsRoot = u8aToHex(blake2AsU8a(Buffer.concat(extrinsics.map((x) => Buffer.from(x.slice(2), 'hex')))));
  // Not a trie root (no client checks it): a digest chained over the parent's root, the extrinsics and the
  // number, so it costs nothing per block whatever the size of the state.
  const stateRoot = u8aToHex(
    blake2AsU8a(
      Buffer.concat([
        Buffer.from((parent?.header.stateRoot as string | undefined)?.slice(2) ?? '', 'hex'),
        Buffer.from(extrinsicsRoot.slice(2), 'hex'),
        Buffer.from(String(number)),
      ]),
    ),
  );
  const header = {
    parentHash: parent?.hash ?? `0x${'00'.repeat(32)}`,
    number,
    stateRoot,
    extrinsicsRoot,
    digest: { logs: [] },
  };
  const headerCodec = headerCodecOf(registry, header);
  const hash = headerCodec.hash.toHex();
  if (number === 0) storage.set('system', 'blockHash', [0], hash);
  return { number, hash, header, headerCodec, extrinsics, state: storage.snapshot() };
}
