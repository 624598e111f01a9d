/**
 * The Yuma Consensus epoch on the devnet, run by the block step when `block − LastEpochBlock ≥ tempo`. Simplified
 * against finney (docs/devnet.md): no validator take, no child keys.
 */
import { activityCutoffBlocks, yumaEpoch, type SparseRows } from '../../../consensus/index.js';
import { distributeToHotkey } from './staking.js';
import type { Storage } from '../../storage/storage.js';
import { big, num, vec } from '../../storage/read.js';
import { decodeU16Pairs, encodeBoolVec, encodePairs, encodeU16Vec, encodeU64Vec } from '../../storage/scale.js';
import { yumaParams } from '../../storage/subnet-params.js';

function rows(s: Storage, item: string, netuid: number, n: number): SparseRows {
  const indptr = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (let uid = 0; uid < n; uid++) {
    for (const [j, v] of decodeU16Pairs(s.raw('subtensorModule', item, netuid, uid))) {
      if (j < n) {
        indices.push(j);
        values.push(v);
      }
    }
    indptr.push(indices.length);
  }
  return { indptr, indices, values };
}

/**
 * A subnet's Yuma Consensus epoch: the inputs read from storage, `yumaEpoch` of src/consensus, and its outputs
 * written back (per-uid vectors, bonds, dividends) with the emission staked to each hotkey and the owner's cut paid.
 */
export function runEpoch(s: Storage, netuid: number, block: number, tempo: number): void {
  const n = num(s, 'subnetworkN', netuid);
  const hotkeys = Array.from({ length: n }, (_, uid) => s.get('subtensorModule', 'keys', netuid, uid).toString());
  const pending = big(s, 'pendingServerEmission', netuid) + big(s, 'pendingValidatorEmission', netuid);
  const ownerHotkey = s.get('subtensorModule', 'subnetOwnerHotkey', netuid).toString();
  const ownerUid = hotkeys.indexOf(ownerHotkey);
  const p = yumaParams(s, netuid);
  const out = yumaEpoch({
    n,
    currentBlock: block,
    tempo,
    activityCutoff: activityCutoffBlocks(tempo, p.activityCutoffFactorMilli),
    lastUpdate: vec<number>(s, 'lastUpdate', netuid).map(Number),
    blockAtRegistration: hotkeys.map((_, uid) => num(s, 'blockAtRegistration', netuid, uid)),
    stake: hotkeys.map((hk) => big(s, 'totalHotkeyAlpha', hk, netuid)),
    stakeThreshold: big(s, 'stakeThreshold'),
    validatorPermit: vec<boolean>(s, 'validatorPermit', netuid),
    maxAllowedValidators: p.maxAllowedValidators,
    ownerUid: ownerUid >= 0 ? ownerUid : null,
    kappa: p.kappa,
    bondsPenalty: p.bondsPenalty,
    bondsMovingAverage: p.bondsMovingAverage,
    yuma3: p.yuma3,
    liquidAlpha: p.liquidAlpha,
    alphaLow: p.alphaLow,
    alphaHigh: p.alphaHigh,
    alphaSigmoidSteepness: p.alphaSigmoidSteepness,
    weights: rows(s, 'weights', netuid, n),
    bonds: rows(s, 'bonds', netuid, n),
    lastMechanismStepBlock: num(s, 'lastMechansimStepBlock', netuid),
    raoEmission: pending,
  });
  const set = (item: string, value: unknown, ...keys: unknown[]) =>
    s.set('subtensorModule', item, keys.length ? keys : [netuid], value);
  // The per-uid vectors and the bonds rows are written as raw SCALE: encoding them through polkadot-js was most of
  // an epoch block's time at n = 256.
  const setRaw = (item: string, bytes: Uint8Array, ...keys: unknown[]) =>
    s.setRaw('subtensorModule', item, keys.length ? keys : [netuid], bytes);
  setRaw('active', encodeBoolVec(out.active));
  setRaw('validatorPermit', encodeBoolVec(out.validatorPermit));
  setRaw('stakeWeight', encodeU16Vec(out.stakeWeight));
  setRaw('consensus', encodeU16Vec(out.consensus));
  setRaw('incentive', encodeU16Vec(out.incentive));
  setRaw('dividends', encodeU16Vec(out.dividends));
  setRaw('validatorTrust', encodeU16Vec(out.validatorTrust));
  setRaw('emission', encodeU64Vec(Array.from(out.emission, (e) => BigInt(e))));
  for (let uid = 0; uid < n; uid++) {
    const row: [number, number][] = [];
    for (let k = Number(out.bonds.indptr[uid]); k < Number(out.bonds.indptr[uid + 1]); k++)
      row.push([Number(out.bonds.indices[k]), Number(out.bonds.values[k])]);
    if (row.length) setRaw('bonds', encodePairs(row), netuid, uid);
    else s.remove('subtensorModule', 'bonds', netuid, uid);
    // What the hotkey earned as a validator this epoch (the metagraph's alpha_dividends_per_hotkey).
    if (out.validatorEmission[uid]! > 0n)
      set('alphaDividendsPerSubnet', out.validatorEmission[uid]!, netuid, hotkeys[uid]!);
    else s.remove('subtensorModule', 'alphaDividendsPerSubnet', netuid, hotkeys[uid]!);
    const earned = out.serverEmission[uid]! + out.validatorEmission[uid]!;
    if (earned > 0n) distributeToHotkey({ storage: s }, hotkeys[uid]!, netuid, earned);
  }
  const ownerCut = big(s, 'pendingOwnerCut', netuid);
  if (ownerCut > 0n && s.has('subtensorModule', 'owner', ownerHotkey))
    distributeToHotkey({ storage: s }, ownerHotkey, netuid, ownerCut);
  set('pendingServerEmission', 0);
  set('pendingValidatorEmission', 0);
  set('pendingOwnerCut', 0);
  set('lastEpochBlock', block);
  set('subnetEpochIndex', big(s, 'subnetEpochIndex', netuid) + 1n);
  set('blocksSinceLastStep', 0);
  set('lastMechansimStepBlock', block);
}
