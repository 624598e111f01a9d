/**
 * SubnetInfoRuntimeApi's metagraph family, built from storage in finney's `Metagraph` and `SelectiveMetagraph` types:
 * get_metagraph, get_all_metagraphs, get_selective_metagraph, their mechagraph forms (the devnet runs one mechanism,
 * mecid 0, per subnet), get_all_dynamic_info and get_next_epoch_start_block.
 */
import { dynamicInfo, subnetHyperparamsV2, subnetState } from './subnet-info.js';
import type { Storage } from '../storage/storage.js';
import { big, bool, existingNetuids, num, str } from '../storage/read.js';

/**
 * The field order of `SelectiveMetagraph`: a field's position is its index in `metagraph_indexes` (0, netuid, is
 * always filled). Positions 1–71 are the fields of `Metagraph`; 72 and 73 exist only in the selective form.
 */
const SELECTIVE_FIELDS = [
  'netuid',
  'name',
  'symbol',
  'identity',
  'networkRegisteredAt',
  'ownerHotkey',
  'ownerColdkey',
  'block',
  'tempo',
  'lastStep',
  'blocksSinceLastStep',
  'subnetEmission',
  'alphaIn',
  'alphaOut',
  'taoIn',
  'alphaOutEmission',
  'alphaInEmission',
  'taoInEmission',
  'pendingAlphaEmission',
  'pendingRootEmission',
  'subnetVolume',
  'movingPrice',
  'rho',
  'kappa',
  'minAllowedWeights',
  'maxWeightsLimit',
  'weightsVersion',
  'weightsRateLimit',
  'activityCutoff',
  'maxValidators',
  'numUids',
  'maxUids',
  'burn',
  'difficulty',
  'registrationAllowed',
  'powRegistrationAllowed',
  'immunityPeriod',
  'minDifficulty',
  'maxDifficulty',
  'minBurn',
  'maxBurn',
  'adjustmentAlpha',
  'adjustmentInterval',
  'targetRegsPerInterval',
  'maxRegsPerBlock',
  'servingRateLimit',
  'commitRevealWeightsEnabled',
  'commitRevealPeriod',
  'liquidAlphaEnabled',
  'alphaHigh',
  'alphaLow',
  'bondsMovingAvg',
  'hotkeys',
  'coldkeys',
  'identities',
  'axons',
  'active',
  'validatorPermit',
  'pruningScore',
  'lastUpdate',
  'emission',
  'dividends',
  'incentives',
  'consensus',
  'trust',
  'rank',
  'blockAtRegistration',
  'alphaStake',
  'taoStake',
  'totalStake',
  'taoDividendsPerHotkey',
  'alphaDividendsPerHotkey',
  'validators',
  'commitments',
] as const;

const EMPTY_AXON = { block: 0, version: 0, ip: 0, port: 0, ipType: 0, protocol: 0, placeholder1: 0, placeholder2: 0 };

/** `get_metagraph(netuid)` at a block: None for a subnet that does not exist. */
export function metagraphInfo(s: Storage, netuid: number, blockNumber: number): Record<string, unknown> | null {
  // over 80 lines by design: one object literal with the runtime's fields in the runtime's order, so it can be read
  // against the type.
  const hp = subnetHyperparamsV2(s, netuid);
  const dyn = dynamicInfo(s, netuid);
  const state = subnetState(s, netuid);
  if (!hp || !dyn || !state) return null;
  const hotkeys = state.hotkeys as string[];
  return {
    netuid,
    name: dyn.subnetName,
    symbol: dyn.tokenSymbol,
    identity: null,
    networkRegisteredAt: dyn.networkRegisteredAt,
    ownerHotkey: dyn.ownerHotkey,
    ownerColdkey: dyn.ownerColdkey,
    block: blockNumber,
    tempo: dyn.tempo,
    lastStep: dyn.lastStep,
    blocksSinceLastStep: dyn.blocksSinceLastStep,
    subnetEmission: 0,
    alphaIn: dyn.alphaIn,
    alphaOut: dyn.alphaOut,
    taoIn: dyn.taoIn,
    alphaOutEmission: dyn.alphaOutEmission,
    alphaInEmission: dyn.alphaInEmission,
    taoInEmission: dyn.taoInEmission,
    pendingAlphaEmission: dyn.pendingAlphaEmission,
    pendingRootEmission: dyn.pendingRootEmission,
    subnetVolume: dyn.subnetVolume,
    movingPrice: dyn.movingPrice,
    rho: hp.rho,
    kappa: hp.kappa,
    minAllowedWeights: hp.minAllowedWeights,
    maxWeightsLimit: hp.maxWeightsLimit,
    weightsVersion: hp.weightsVersion,
    weightsRateLimit: hp.weightsRateLimit,
    activityCutoff: hp.activityCutoff,
    maxValidators: hp.maxValidators,
    numUids: num(s, 'subnetworkN', netuid),
    maxUids: num(s, 'maxAllowedUids', netuid),
    burn: big(s, 'burn', netuid),
    difficulty: hp.difficulty,
    registrationAllowed: hp.registrationAllowed,
    powRegistrationAllowed: bool(s, 'networkPowRegistrationAllowed', netuid),
    immunityPeriod: hp.immunityPeriod,
    minDifficulty: hp.minDifficulty,
    maxDifficulty: hp.maxDifficulty,
    minBurn: hp.minBurn,
    maxBurn: hp.maxBurn,
    adjustmentAlpha: hp.adjustmentAlpha,
    adjustmentInterval: hp.adjustmentInterval,
    targetRegsPerInterval: hp.targetRegsPerInterval,
    maxRegsPerBlock: hp.maxRegsPerBlock,
    servingRateLimit: hp.servingRateLimit,
    commitRevealWeightsEnabled: hp.commitRevealWeightsEnabled,
    commitRevealPeriod: hp.commitRevealPeriod,
    liquidAlphaEnabled: hp.liquidAlphaEnabled,
    alphaHigh: hp.alphaHigh,
    alphaLow: hp.alphaLow,
    bondsMovingAvg: hp.bondsMovingAvg,
    hotkeys,
    coldkeys: state.coldkeys,
    identities: hotkeys.map(() => null),
    axons: hotkeys.map((hk) => s.get('subtensorModule', 'axons', netuid, hk).toJSON() ?? EMPTY_AXON),
    active: state.active,
    validatorPermit: state.validatorPermit,
    pruningScore: state.pruningScore,
    lastUpdate: state.lastUpdate,
    emission: state.emission,
    dividends: state.dividends,
    incentives: state.incentives,
    consensus: state.consensus,
    trust: state.trust,
    rank: state.rank,
    blockAtRegistration: state.blockAtRegistration,
    alphaStake: state.alphaStake,
    taoStake: state.taoStake,
    totalStake: state.totalStake,
    // No root network stake on the devnet: no TAO dividends.
    taoDividendsPerHotkey: hotkeys.map((hk) => [hk, 0]),
    alphaDividendsPerHotkey: hotkeys.map((hk) => [hk, big(s, 'alphaDividendsPerSubnet', netuid, hk)]),
  };
}

/** `get_all_metagraphs()`: one entry per existing subnet. */
export function allMetagraphs(s: Storage, blockNumber: number): (Record<string, unknown> | null)[] {
  return existingNetuids(s, true).map((netuid) => metagraphInfo(s, netuid, blockNumber));
}

/** `get_mechagraph(netuid, mecid)`: the devnet's subnets have one mechanism, 0; any other is None. */
export function mechagraphInfo(
  s: Storage,
  netuid: number,
  mecid: number,
  blockNumber: number,
): Record<string, unknown> | null {
  return mecid === 0 ? metagraphInfo(s, netuid, blockNumber) : null;
}

/**
 * `get_selective_metagraph(netuid, indexes)`: netuid always, and each field whose position is listed; the others
 * None. Positions past the last field are ignored, as the runtime ignores unknown indexes.
 */
export function selectiveMetagraph(
  s: Storage,
  netuid: number,
  indexes: readonly number[],
  blockNumber: number,
): Record<string, unknown> | null {
  const full = metagraphInfo(s, netuid, blockNumber);
  if (!full) return null;
  const wanted = new Set(indexes);
  const out: Record<string, unknown> = {};
  SELECTIVE_FIELDS.forEach((field, i) => {
    if (i === 0) out.netuid = netuid;
    else if (!wanted.has(i)) out[field] = null;
    else if (field === 'validators')
      out.validators = (full.validatorPermit as boolean[]).flatMap((permit, uid) => (permit ? [uid] : []));
    // The Commitments pallet is not part of the devnet: no commitments.
    else if (field === 'commitments') out.commitments = [];
    else out[field] = full[field];
  });
  return out;
}

/** `get_all_dynamic_info()`: one entry per existing subnet. */
export function allDynamicInfo(s: Storage): (Record<string, unknown> | null)[] {
  return existingNetuids(s, true).map((netuid) => dynamicInfo(s, netuid));
}

/** `get_next_epoch_start_block(netuid)`: the block at which the epoch next runs (LastEpochBlock + tempo). */
export function nextEpochStartBlock(s: Storage, netuid: number): bigint | null {
  if (!bool(s, 'networksAdded', netuid)) return null;
  const tempo = num(s, 'tempo', netuid);
  return tempo > 0 ? BigInt(str(s, 'lastEpochBlock', netuid)) + BigInt(tempo) : null;
}
