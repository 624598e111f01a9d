/** SubnetInfoRuntimeApi and StakeInfoRuntimeApi answers built from storage, in finney's types. */
import { u8aToHex } from '@polkadot/util';
import { encodeAddress, xxhashAsU8a } from '@polkadot/util-crypto';
import { stakeOf } from './staking.js';
import type { Storage } from './state.js';
import { bool, num, str } from './read.js';


/** `get_subnet_hyperparams_v2(netuid)`: None for a subnet that does not exist. */
export function subnetHyperparamsV2(s: Storage, netuid: number): Record<string, unknown> | null {
  if (!bool(s, 'networksAdded', netuid)) return null;
  const alpha = (s.get('subtensorModule', 'alphaValues', netuid).toJSON() as number[]) ?? [45_875, 58_982];
  const first = s.get('subtensorModule', 'firstEmissionBlockNumber', netuid) as unknown as { isSome: boolean };
  return {
    rho: num(s, 'rho', netuid),
    kappa: num(s, 'kappa', netuid),
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
    maxValidators: num(s, 'maxAllowedValidators', netuid),
    adjustmentAlpha: str(s, 'adjustmentAlpha', netuid),
    difficulty: str(s, 'difficulty', netuid),
    commitRevealPeriod: str(s, 'revealPeriodEpochs', netuid),
    commitRevealWeightsEnabled: bool(s, 'commitRevealWeightsEnabled', netuid),
    alphaHigh: Number(alpha[1] ?? 58_982),
    alphaLow: Number(alpha[0] ?? 45_875),
    liquidAlphaEnabled: bool(s, 'liquidAlphaOn', netuid),
    // I32F32 bits of the i16 steepness.
    alphaSigmoidSteepness: { bits: BigInt(num(s, 'alphaSigmoidSteepness', netuid)) << 32n },
    yumaVersion: bool(s, 'yuma3On', netuid) ? 3 : 2,
    subnetIsActive: first.isSome,
    transfersEnabled: bool(s, 'transferToggle', netuid),
    bondsResetEnabled: bool(s, 'bondsResetOn', netuid),
    userLiquidityEnabled: false,
  };
}

/** `get_stake_info_for_coldkey(coldkey)`: one entry per (hotkey, netuid) the coldkey holds shares in. */
export function stakeInfoForColdkey(s: Storage, coldkey: string): Record<string, unknown>[] {
  const prefix = u8aToHex(new Uint8Array([...xxhashAsU8a('SubtensorModule', 128), ...xxhashAsU8a('Alpha', 128)]));
  const cold = encodeAddress(coldkey, 42);
  const out: Record<string, unknown>[] = [];
  for (const key of s.map.keys()) {
    if (!key.startsWith(prefix)) continue;
    // Alpha is an NMap: blake2_128 ‖ hotkey, blake2_128 ‖ coldkey, netuid (Identity, u16 LE).
    const rest = Buffer.from(key.slice(prefix.length), 'hex');
    if (rest.length !== 16 + 32 + 16 + 32 + 2) continue;
    const c = encodeAddress(rest.subarray(64, 96), 42);
    if (c !== cold) continue;
    const hotkey = encodeAddress(rest.subarray(16, 48), 42);
    const netuid = rest.readUInt16LE(96);
    const stake = stakeOf({ storage: s }, hotkey, cold, netuid);
    if (stake === 0n) continue;
    const uid = s.get('subtensorModule', 'uids', netuid, hotkey) as unknown as { isSome: boolean };
    out.push({ hotkey, coldkey: cold, netuid, stake, locked: 0, emission: 0, taoEmission: 0, drain: 0, isRegistered: uid.isSome });
  }
  return out;
}
