/**
 * The devnet's runtime description: finney's metadata for the pallets it implements (see
 * scripts/gen-devnet-metadata.ts), a type registry built from it, and the runtime version it reports.
 */
import { Metadata, TypeRegistry } from '@polkadot/types';
import { expandMetadata } from '@polkadot/types/metadata';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { inflateSync } from 'fflate';
import {
  DEVNET_METADATA_DEFLATED_BASE64,
  DEVNET_METADATA_V14_DEFLATED_BASE64,
  DEVNET_METADATA_V15_DEFLATED_BASE64,
} from './metadata.generated.js';

/** finney's four custom transaction extensions carry no data on either side. */
export const EMPTY_EXTENSIONS = {
  SudoTransactionExtension: { extrinsic: {}, payload: {} },
  CheckShieldedTxValidity: { extrinsic: {}, payload: {} },
  SubtensorTransactionExtension: { extrinsic: {}, payload: {} },
  DrandPriority: { extrinsic: {}, payload: {} },
};

export const SPEC_VERSION = 424;
export const TRANSACTION_VERSION = 1;

export interface Runtime {
  registry: TypeRegistry;
  metadata: Metadata;
  metadataBytes: Uint8Array;
  /** The metadata at each version the runtime offers (14, 15, 16): what `Metadata_metadata_at_version` answers. */
  metadataAt: ReadonlyMap<number, Uint8Array>;
  decorated: ReturnType<typeof expandMetadata>;
  version: Record<string, unknown>;
}

let cached: Runtime | undefined;

export function loadRuntime(): Runtime {
  if (cached) return cached;
  const metadataBytes = inflateSync(Buffer.from(DEVNET_METADATA_DEFLATED_BASE64, 'base64'));
  const registry = new TypeRegistry();
  registry.setSignedExtensions(undefined, EMPTY_EXTENSIONS);
  const metadata = new Metadata(registry, metadataBytes);
  registry.setMetadata(metadata, undefined, EMPTY_EXTENSIONS);
  registry.setChainProperties(
    registry.createType('ChainProperties', { ss58Format: 42, tokenDecimals: 9, tokenSymbol: 'TAO' }) as never,
  );
  const decorated = expandMetadata(registry, metadata);
  const apis = (metadata.asV16.apis.toJSON() as { name: string; version: number }[]).map((a) => [
    `0x${Buffer.from(blake2AsU8a(a.name, 64)).toString('hex')}`,
    a.version,
  ]);
  const version = {
    specName: 'node-subtensor',
    implName: 'node-subtensor',
    authoringVersion: 1,
    specVersion: SPEC_VERSION,
    implVersion: 1,
    apis,
    transactionVersion: TRANSACTION_VERSION,
    stateVersion: 1,
  };
  const inflate = (b64: string) => inflateSync(Buffer.from(b64, 'base64'));
  const metadataAt = new Map([
    [14, inflate(DEVNET_METADATA_V14_DEFLATED_BASE64)],
    [15, inflate(DEVNET_METADATA_V15_DEFLATED_BASE64)],
    [16, metadataBytes],
  ]);
  cached = { registry, metadata, metadataBytes, metadataAt, decorated, version };
  return cached;
}
