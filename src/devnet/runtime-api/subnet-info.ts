/** SubnetInfoRuntimeApi answers built from storage, in finney's types. */
import type { Storage } from '../storage/storage.js';
import { bool, existingNetuids, num, str } from '../storage/read.js';
import { yumaParams } from '../storage/subnet-params.js';

/** `get_subnet_hyperparams_v2(netuid)`: None for a subnet that does not exist. */
export function subnetHyperparamsV2(s: Storage, netuid: number): Record<string, unknown> | null {
  if (!bool(s, 'networksAdded', netuid)) return null;
  const p = yumaParams(s, netuid);
  const first = s.get('subtensorModule', 'firstEmissionBlockNumber', netuid) as unknown as { isSome: boolean };
  return {
    rho: p.rho,
    kappa: p.kappa,
    immunityPeriod: num(s, 'immunityPeriod', netuid),
    minAllowedWeights: num(s, 'minAllowedWeights', netuid),
    maxWeightsLimit: num(s, 'maxWeightsLimit', netuid),
    tempo: num(s, 'tempo', netuid),
    minDifficulty: str(s, 'minDifficulty', netuid),
    maxDifficulty: str(s, 'maxDifficulty', netuid),
    weightsVersion: str(s, 'weightsVersionKey', netuid),
    weightsRateLimit: str(s, 'weightsSetRateLimit', netuid),
    adjustmentInterval: num(s, 'adjustmentInterval', netuid),
    activityCutoff: num(s, 'activityCutoff', netuid),
    registrationAllowed: bool(s, 'networkRegistrationAllowed', netuid),
    targetRegsPerInterval: num(s, 'targetRegistrationsPerInterval', netuid),
    minBurn: str(s, 'minBurn', netuid),
    maxBurn: str(s, 'maxBurn', netuid),
    bondsMovingAvg: str(s, 'bondsMovingAverage', netuid),
    maxRegsPerBlock: num(s, 'maxRegistrationsPerBlock', netuid),
    servingRateLimit: str(s, 'servingRateLimit', netuid),
    maxValidators: p.maxAllowedValidators,
    adjustmentAlpha: str(s, 'adjustmentAlpha', netuid),
    difficulty: str(s, 'difficulty', netuid),
    commitRevealPeriod: str(s, 'revealPeriodEpochs', netuid),
    commitRevealWeightsEnabled: bool(s, 'commitRevealWeightsEnabled', netuid),
    alphaHigh: p.alphaHigh,
    alphaLow: p.alphaLow,
    liquidAlphaEnabled: p.liquidAlpha,
    // I32F32 bits of the i16 steepness.
    alphaSigmoidSteepness: { bits: BigInt(p.alphaSigmoidSteepness) << 32n },
    yumaVersion: p.yuma3 ? 3 : 2,
    subnetIsActive: first.isSome,
    transfersEnabled: bool(s, 'transferToggle', netuid),
    bondsResetEnabled: bool(s, 'bondsResetOn', netuid),
    userLiquidityEnabled: false,
  };
}

/** `get_subnet_hyperparams_v3(netuid)`: name/value entries in finney's order, valued as their storage items are typed. */
export function subnetHyperparamsV3(
  s: Storage,
  netuid: number,
): { name: string; value: Record<string, unknown> }[] | null {
  const v2 = subnetHyperparamsV2(s, netuid);
  if (!v2) return null;
  const fixed = (item: string) =>
    (s.get('subtensorModule', item, netuid).toJSON() as { bits: string | number }) ?? { bits: 0 };
  const entries: [string, string, unknown][] = [
    ['kappa', 'U16', v2.kappa],
    ['immunity_period', 'U16', v2.immunityPeriod],
    ['min_allowed_weights', 'U16', v2.minAllowedWeights],
    ['max_weights_limit', 'U16', v2.maxWeightsLimit],
    ['tempo', 'U16', v2.tempo],
    ['weights_version', 'U64', v2.weightsVersion],
    ['weights_rate_limit', 'U64', v2.weightsRateLimit],
    ['activity_cutoff', 'U16', v2.activityCutoff],
    ['activity_cutoff_factor', 'U32', num(s, 'activityCutoffFactorMilli', netuid)],
    ['registration_allowed', 'Bool', v2.registrationAllowed],
    ['target_regs_per_interval', 'U16', v2.targetRegsPerInterval],
    ['min_burn', 'TaoBalance', v2.minBurn],
    ['max_burn', 'TaoBalance', v2.maxBurn],
    ['burn_half_life', 'U16', num(s, 'burnHalfLife', netuid)],
    ['burn_increase_mult', 'U64F64', fixed('burnIncreaseMult')],
    ['bonds_moving_avg', 'U64', v2.bondsMovingAvg],
    ['max_regs_per_block', 'U16', v2.maxRegsPerBlock],
    ['serving_rate_limit', 'U64', v2.servingRateLimit],
    ['max_validators', 'U16', v2.maxValidators],
    ['commit_reveal_period', 'U64', v2.commitRevealPeriod],
    ['commit_reveal_weights_enabled', 'Bool', v2.commitRevealWeightsEnabled],
    ['alpha_high', 'U16', v2.alphaHigh],
    ['alpha_low', 'U16', v2.alphaLow],
    ['liquid_alpha_enabled', 'Bool', v2.liquidAlphaEnabled],
    ['alpha_sigmoid_steepness', 'I32F32', v2.alphaSigmoidSteepness],
    ['yuma_version', 'U16', v2.yumaVersion],
    ['subnet_is_active', 'Bool', v2.subnetIsActive],
    ['transfers_enabled', 'Bool', v2.transfersEnabled],
    ['bonds_reset_enabled', 'Bool', v2.bondsResetEnabled],
    ['user_liquidity_enabled', 'Bool', v2.userLiquidityEnabled],
    ['owner_cut_enabled', 'Bool', bool(s, 'ownerCutEnabled', netuid)],
  ];
  return entries.map(([name, kind, value]) => ({
    name: `0x${Buffer.from(name).toString('hex')}`,
    value: { [kind]: value },
  }));
}

/** `get_dynamic_info(netuid)`: the subnet's pool and emission state. */
export function dynamicInfo(s: Storage, netuid: number): Record<string, unknown> | null {
  if (!bool(s, 'networksAdded', netuid)) return null;
  const tao = BigInt(str(s, 'subnetTAO', netuid));
  const alphaIn = BigInt(str(s, 'subnetAlphaIn', netuid));
  const bytes = (v: unknown) => Array.from(Buffer.from(String(v ?? '').replace(/^0x/, ''), 'hex'));
  return {
    netuid,
    ownerHotkey: str(s, 'subnetOwnerHotkey', netuid),
    ownerColdkey: str(s, 'subnetOwner', netuid),
    subnetName: Array.from(Buffer.from(`subnet ${netuid}`)),
    tokenSymbol: bytes(s.get('subtensorModule', 'tokenSymbol', netuid).toHex()),
    tempo: num(s, 'tempo', netuid),
    lastStep: str(s, 'lastMechansimStepBlock', netuid),
    blocksSinceLastStep: str(s, 'blocksSinceLastStep', netuid),
    emission: 0,
    alphaIn,
    alphaOut: str(s, 'subnetAlphaOut', netuid),
    taoIn: tao,
    alphaOutEmission: str(s, 'subnetAlphaOutEmission', netuid),
    alphaInEmission: str(s, 'subnetAlphaInEmission', netuid),
    taoInEmission: str(s, 'subnetTaoInEmission', netuid),
    pendingAlphaEmission:
      BigInt(str(s, 'pendingServerEmission', netuid)) + BigInt(str(s, 'pendingValidatorEmission', netuid)),
    pendingRootEmission: 0,
    subnetVolume: str(s, 'subnetVolume', netuid),
    networkRegisteredAt: str(s, 'networkRegisteredAt', netuid),
    subnetIdentity: null,
    // The devnet's moving price is the spot price (TAO per alpha) as I96F32.
    movingPrice: { bits: alphaIn === 0n ? 0n : (tao << 32n) / alphaIn },
  };
}

/** `get_subnet_state(netuid)`: per-uid vectors. Stake is alpha only (no root TAO stake on the devnet). */
export function subnetState(s: Storage, netuid: number): Record<string, unknown> | null {
  if (!bool(s, 'networksAdded', netuid)) return null;
  const n = num(s, 'subnetworkN', netuid);
  const uids = Array.from({ length: n }, (_, uid) => uid);
  const hotkeys = uids.map((uid) => str(s, 'keys', netuid, uid));
  const alpha = hotkeys.map((hk) => BigInt(str(s, 'totalHotkeyAlpha', hk, netuid)));
  const v = <T>(item: string, fallback: T) => {
    const got = (s.get('subtensorModule', item, netuid).toJSON() as T[] | null) ?? [];
    return uids.map((uid) => got[uid] ?? fallback);
  };
  return {
    netuid,
    hotkeys,
    coldkeys: hotkeys.map((hk) => str(s, 'owner', hk)),
    active: v('active', false),
    validatorPermit: v('validatorPermit', false),
    pruningScore: uids.map(() => 65535),
    lastUpdate: v('lastUpdate', 0),
    emission: v('emission', 0),
    dividends: v('dividends', 0),
    incentives: v('incentive', 0),
    consensus: v('consensus', 0),
    trust: uids.map(() => 0),
    rank: uids.map(() => 0),
    blockAtRegistration: uids.map((uid) => num(s, 'blockAtRegistration', netuid, uid)),
    alphaStake: alpha,
    taoStake: uids.map(() => 0),
    totalStake: alpha,
    emissionHistory: [],
  };
}

/**
 * `get_subnet_info(netuid)` and, with `identity`, `get_subnet_info_v2`: the subnet's shape and hyperparameters.
 * The devnet has no network modalities or connection requirements (0 and empty) and no per-subnet TAO emission
 * value (0, as on finney since dTAO).
 */
export function subnetInfo(s: Storage, netuid: number, v2: boolean): Record<string, unknown> | null {
  if (!bool(s, 'networksAdded', netuid)) return null;
  const info: Record<string, unknown> = {
    netuid,
    rho: num(s, 'rho', netuid),
    kappa: num(s, 'kappa', netuid),
    difficulty: str(s, 'difficulty', netuid),
    immunityPeriod: num(s, 'immunityPeriod', netuid),
    maxAllowedValidators: num(s, 'maxAllowedValidators', netuid),
    minAllowedWeights: num(s, 'minAllowedWeights', netuid),
    maxWeightsLimit: num(s, 'maxWeightsLimit', netuid),
    scalingLawPower: num(s, 'scalingLawPower', netuid),
    subnetworkN: num(s, 'subnetworkN', netuid),
    maxAllowedUids: num(s, 'maxAllowedUids', netuid),
    blocksSinceLastStep: str(s, 'blocksSinceLastStep', netuid),
    tempo: num(s, 'tempo', netuid),
    networkModality: 0,
    networkConnect: [],
    burn: str(s, 'burn', netuid),
    owner: str(s, 'subnetOwner', netuid),
  };
  if (v2) return { ...info, emissionValue: 0, identity: null };
  return { ...info, emissionValues: 0 };
}

/** `get_subnets_info()` / `get_subnets_info_v2()`: one entry per existing subnet, root included. */
export function subnetsInfo(s: Storage, v2: boolean): (Record<string, unknown> | null)[] {
  return existingNetuids(s, true).map((netuid) => subnetInfo(s, netuid, v2));
}
