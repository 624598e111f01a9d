/**
 * The events of the block being built, as SCALE EventRecords: Phase, the pallet index, the pallet's event enum, no
 * topics. (polkadot-js's GenericEvent decodes from bytes only, so records are assembled here rather than from JSON.)
 */
import type { TypeRegistry } from '@polkadot/types';
import { compactToU8a } from '@polkadot/util';

/** An event as `{ Pallet: { Variant: fields } }`. */
export type PalletEvent = Record<string, Record<string, unknown>>;

export function createEventLog(registry: TypeRegistry) {
  const records: Uint8Array[] = [];
  const eventTypes = new Map<string, { index: number; type: string }>();
  const eventBodies = new Map<string, Uint8Array>();

  function typeOf(pallet: string): { index: number; type: string } {
    let t = eventTypes.get(pallet);
    if (!t) {
      const meta = registry.metadata.pallets.find((p) => p.name.toString() === pallet);
      if (!meta || meta.events.isNone) throw new Error(`pallet ${pallet} has no events`);
      t = { index: meta.index.toNumber(), type: registry.createLookupType(meta.events.unwrap().type) };
      eventTypes.set(pallet, t);
    }
    return t;
  }

  /** One EventRecord's bytes; `extrinsicIndex` null is the Initialization phase (events of on_initialize). */
  function encode(extrinsicIndex: number | null, event: PalletEvent): Uint8Array {
    const [pallet, inner] = Object.entries(event)[0]!;
    const t = typeOf(pallet);
    // Phase: ApplyExtrinsic(u32) = 0, Initialization = 2.
    const phase = extrinsicIndex === null ? new Uint8Array([2]) : new Uint8Array(5);
    if (extrinsicIndex !== null) new DataView(phase.buffer).setUint32(1, extrinsicIndex, true);
    // Encoding through polkadot-js is the cost here, and most events repeat (ExtrinsicSuccess, WeightsSet of the
    // same uid, fee events of the same signer): bodies are remembered by their JSON.
    const memo = `${pallet}${JSON.stringify(inner, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`;
    let body = eventBodies.get(memo);
    if (!body) {
      body = registry.createType(t.type, inner).toU8a();
      if (eventBodies.size >= 50_000) eventBodies.clear();
      eventBodies.set(memo, body);
    }
    return new Uint8Array([...phase, t.index, ...body, 0]);
  }

  return {
    /** Records an event of the extrinsic at `extrinsicIndex` (null: on_initialize). */
    deposit(extrinsicIndex: number | null, event: Record<string, unknown>): void {
      records.push(encode(extrinsicIndex, event as PalletEvent));
    },
    /** How many events are recorded: a mark to roll a failed call's events back to. */
    mark: (): number => records.length,
    rollbackTo(mark: number): void {
      records.splice(mark);
    },
    /** `System.Events` for the block: every record so far, which are then cleared. */
    drain(): Buffer {
      const taken = records.splice(0);
      return Buffer.concat([Buffer.from(compactToU8a(taken.length)), ...taken.map((r) => Buffer.from(r))]);
    },
  };
}

export type EventLog = ReturnType<typeof createEventLog>;
