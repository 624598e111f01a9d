/**
 * AdminUtils hyperparameter setters (root through Sudo, or the subnet owner where finney allows it) and
 * `Sudo.sudo`. Each setter writes its storage item and emits the SubtensorModule event finney emits.
 */
import { DispatchFailure, moduleError, type DispatchContext } from './context.js';

interface Setter {
  item: string;
  origin: 'root' | 'own';
  event?: string;
  /** A global setter takes only the value. */
  global?: boolean;
}

/** call name (polkadot-js camelCase) → what it sets. */
const SETTERS: Record<string, Setter> = {
  sudoSetWeightsSetRateLimit: { item: 'weightsSetRateLimit', origin: 'root', event: 'WeightsSetRateLimitSet' },
  sudoSetCommitRevealWeightsEnabled: { item: 'commitRevealWeightsEnabled', origin: 'own' },
  sudoSetTempo: { item: 'tempo', origin: 'root', event: 'TempoSet' },
  sudoSetMaxAllowedValidators: { item: 'maxAllowedValidators', origin: 'root', event: 'MaxAllowedValidatorsSet' },
  sudoSetMinAllowedWeights: { item: 'minAllowedWeights', origin: 'own', event: 'MinAllowedWeightSet' },
  sudoSetMaxAllowedUids: { item: 'maxAllowedUids', origin: 'own', event: 'MaxAllowedUidsSet' },
  sudoSetServingRateLimit: { item: 'servingRateLimit', origin: 'own', event: 'ServingRateLimitSet' },
  sudoSetWeightsVersionKey: { item: 'weightsVersionKey', origin: 'own', event: 'WeightsVersionKeySet' },
  sudoSetImmunityPeriod: { item: 'immunityPeriod', origin: 'own', event: 'ImmunityPeriodSet' },
  sudoSetKappa: { item: 'kappa', origin: 'root', event: 'KappaSet' },
  sudoSetBondsMovingAverage: { item: 'bondsMovingAverage', origin: 'own', event: 'BondsMovingAverageSet' },
  sudoSetBondsPenalty: { item: 'bondsPenalty', origin: 'own', event: 'BondsPenaltySet' },
  sudoSetActivityCutoff: { item: 'activityCutoff', origin: 'own', event: 'ActivityCutoffSet' },
  sudoSetNetworkRegistrationAllowed: { item: 'networkRegistrationAllowed', origin: 'root' },
  sudoSetMinBurn: { item: 'minBurn', origin: 'own', event: 'MinBurnSet' },
  sudoSetMaxBurn: { item: 'maxBurn', origin: 'own', event: 'MaxBurnSet' },
  sudoSetLiquidAlphaEnabled: { item: 'liquidAlphaOn', origin: 'own' },
  sudoSetYuma3Enabled: { item: 'yuma3On', origin: 'own' },
  sudoSetStakeThreshold: { item: 'stakeThreshold', origin: 'root', event: 'StakeThresholdSet', global: true },
};

/** Runs an AdminUtils setter; false when the call is not one of them. */
export function adminSetter(ctx: DispatchContext, method: string, args: readonly { toJSON(): unknown }[]): boolean {
  const s = SETTERS[method];
  if (!s) return false;
  const value = args[s.global ? 0 : 1]!.toJSON();
  if (s.global) {
    if (!ctx.root) throw new DispatchFailure({ BadOrigin: null });
    ctx.storage.set('subtensorModule', s.item, [], value);
    if (s.event) ctx.deposit({ SubtensorModule: { [s.event]: value } });
    return true;
  }
  const netuid = Number(args[0]!.toJSON());
  if (!(ctx.storage.get('subtensorModule', 'networksAdded', netuid) as unknown as { isTrue: boolean }).isTrue)
    throw moduleError(ctx.registry, 'AdminUtils', 'SubnetDoesNotExist');
  const owner = ctx.storage.get('subtensorModule', 'subnetOwner', netuid).toString();
  if (!ctx.root && (s.origin === 'root' || owner !== ctx.signer)) throw new DispatchFailure({ BadOrigin: null });
  ctx.storage.set('subtensorModule', s.item, [netuid], value);
  if (s.event) ctx.deposit({ SubtensorModule: { [s.event]: [netuid, value] } });
  return true;
}

/** `Sudo.sudo(call)`: the inner call runs as root; its failure is reported in `Sudid`, not as the extrinsic's. */
export function sudo(ctx: DispatchContext, run: (ctx: DispatchContext) => void): void {
  const key = ctx.storage.get('sudo', 'key') as unknown as { isSome: boolean; unwrap(): { toString(): string } };
  if (!key.isSome || key.unwrap().toString() !== ctx.signer) throw moduleError(ctx.registry, 'Sudo', 'RequireSudo');
  // The extrinsic's own checkpoint is open; the inner call's writes are undone by hand from a copy of the touched
  // state (Sudo calls are rare, so a snapshot is fine here).
  const before = ctx.storage.snapshot();
  try {
    run({ ...ctx, root: true });
    ctx.deposit({ Sudo: { Sudid: { sudoResult: { Ok: null } } } });
  } catch (e) {
    if (!(e instanceof DispatchFailure)) throw e;
    for (const k of [...ctx.storage.map.keys()]) if (!before.has(k)) ctx.storage.map.delete(k);
    for (const [k, v] of before) ctx.storage.map.set(k, v);
    ctx.deposit({ Sudo: { Sudid: { sudoResult: { Err: e.error } } } });
  }
}
