/**
 * The devnet's block step: per-subnet alpha emission into pending buckets, and the Yuma Consensus epoch of
 * src/consensus run when `block − LastEpochBlock ≥ tempo`, its outputs written to storage and its emission staked.
 * Simplified against finney (docs/devnet.md): no TAO injection or root proportion, no validator take, no child keys.
 */
import { activityCutoffBlocks, blockEmission, yumaEpoch, type SparseRows } from '../consensus/index.js';
import { distributeToHotkey } from './staking.js';
import { revealTimelocked } from './commit-reveal.js';
import type { DispatchContext } from './dispatch-context.js';
import { devnetBeacon } from './beacon.js';
import type { Storage } from './state.js';
import { SUBNET_LIMIT, big, bool, existingNetuids, num, vec } from './read.js';
import { decodeU16Pairs, encodeBoolVec, encodePairs, encodeU16Vec, encodeU64Vec } from './scale.js';

const OWNER_CUT = 11_796n; // of 65 535, 18 %

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

/** Runs at the start of every block. Returns the netuids whose epoch ran. */
export function blockStep(s: Storage, block: number, ctxFor?: (signer: string) => DispatchContext): number[] {
  const ran: number[] = [];
  injectTao(s, block);
  // The devnet's beacon stands in for drand: its round at this block is the last one "stored".
  const info = devnetBeacon().info;
  s.set(
    'drand',
    'lastStoredRound',
    [],
    BigInt(Math.max(0, Math.floor((Date.now() / 1000 - info.genesisTime) / info.period) + 1)),
  );
  for (let netuid = 1; netuid < SUBNET_LIMIT; netuid++) {
    if (!bool(s, 'networksAdded', netuid)) continue;
    decayBurn(s, netuid);
    emit(s, netuid, block);
    const tempo = num(s, 'tempo', netuid);
    const due = tempo > 0 && block - num(s, 'lastEpochBlock', netuid) >= tempo;
    // Timelocked commits mature before the epoch; the epoch index is looked ahead by one when an epoch is due.
    if (ctxFor && bool(s, 'commitRevealWeightsEnabled', netuid))
      revealTimelocked(ctxFor, netuid, num(s, 'subnetEpochIndex', netuid) + (due ? 1 : 0));
    if (due) {
      epoch(s, netuid, block, tempo);
      ran.push(netuid);
    } else s.set('subtensorModule', 'blocksSinceLastStep', [netuid], big(s, 'blocksSinceLastStep', netuid) + 1n);
  }
  return ran;
}

/** Burn ← Burn · f each block, with f^BurnHalfLife = ½, within [MinBurn, MaxBurn] (computed in float64, then floored). */
function decayBurn(s: Storage, netuid: number): void {
  const burn = big(s, 'burn', netuid);
  const halfLife = num(s, 'burnHalfLife', netuid) || 360;
  const next = BigInt(Math.floor(Number(burn) * 0.5 ** (1 / halfLife)));
  const min = big(s, 'minBurn', netuid);
  const max = big(s, 'maxBurn', netuid);
  const clamped = next < min ? min : next > max ? max : next;
  if (clamped !== burn) s.set('subtensorModule', 'burn', [netuid], clamped);
}

/** Whether a subnet receives emission this block: started, with its subtoken enabled. */
function emitting(s: Storage, netuid: number, block: number): boolean {
  const first = s.get('subtensorModule', 'firstEmissionBlockNumber', netuid) as unknown as {
    isSome: boolean;
    unwrap(): { toNumber(): number };
  };
  return first.isSome && block >= first.unwrap().toNumber() && bool(s, 'subtokenEnabled', netuid);
}

/**
 * This block's TAO emission (the halving function of SubtensorModule `TotalIssuance`), split across the emitting
 * subnets in proportion to their price (TAO per alpha in the pool; the devnet's moving price is the spot price) and
 * injected into each pool with alpha at that price, so that injection leaves prices unchanged. Finney caps the alpha
 * injected by the root proportion; the devnet has no root stake, under which that cap would stop all injection, so
 * it is not applied (docs/devnet.md).
 */
function injectTao(s: Storage, block: number): void {
  const pools: { netuid: number; tao: bigint; alpha: bigint }[] = [];
  for (const netuid of existingNetuids(s, false)) {
    if (!emitting(s, netuid, block)) continue;
    const tao = big(s, 'subnetTAO', netuid);
    const alpha = big(s, 'subnetAlphaIn', netuid);
    if (tao > 0n && alpha > 0n) pools.push({ netuid, tao, alpha });
  }
  if (!pools.length) return;
  const issuance = big(s, 'totalIssuance');
  const emission = blockEmission(issuance);
  if (emission === 0n) return;
  // Shares price_i / Σ price, with price = tao / alpha (float64: the shares only apportion 1 TAO).
  const prices = pools.map((p) => Number(p.tao) / Number(p.alpha));
  const sum = prices.reduce((a, b) => a + b, 0);
  let injected = 0n;
  pools.forEach((p, i) => {
    const taoIn = BigInt(Math.floor((Number(emission) * prices[i]!) / sum));
    const alphaIn = (taoIn * p.alpha) / p.tao;
    s.set('subtensorModule', 'subnetTAO', [p.netuid], p.tao + taoIn);
    s.set('subtensorModule', 'subnetAlphaIn', [p.netuid], p.alpha + alphaIn);
    s.set('subtensorModule', 'subnetTaoInEmission', [p.netuid], taoIn);
    s.set('subtensorModule', 'subnetAlphaInEmission', [p.netuid], alphaIn);
    injected += taoIn;
  });
  s.set('subtensorModule', 'totalIssuance', [], issuance + injected);
}

/** Mints this block's alpha for a started subnet and splits it: 18 % owner, then half miners, half validators. */
function emit(s: Storage, netuid: number, block: number): void {
  if (!emitting(s, netuid, block)) return;
  const issuance = big(s, 'subnetAlphaIn', netuid) + big(s, 'subnetAlphaOut', netuid);
  const alphaOut = blockEmission(issuance);
  if (alphaOut === 0n) return;
  const ownerCut = (alphaOut * OWNER_CUT) / 65_535n;
  const rest = alphaOut - ownerCut;
  const server = rest / 2n;
  s.set('subtensorModule', 'subnetAlphaOut', [netuid], big(s, 'subnetAlphaOut', netuid) + alphaOut);
  s.set('subtensorModule', 'subnetAlphaOutEmission', [netuid], alphaOut);
  s.set('subtensorModule', 'pendingOwnerCut', [netuid], big(s, 'pendingOwnerCut', netuid) + ownerCut);
  s.set('subtensorModule', 'pendingServerEmission', [netuid], big(s, 'pendingServerEmission', netuid) + server);
  s.set(
    'subtensorModule',
    'pendingValidatorEmission',
    [netuid],
    big(s, 'pendingValidatorEmission', netuid) + rest - server,
  );
}

function epoch(s: Storage, netuid: number, block: number, tempo: number): void {
  const n = num(s, 'subnetworkN', netuid);
  const hotkeys = Array.from({ length: n }, (_, uid) => s.get('subtensorModule', 'keys', netuid, uid).toString());
  const pending = big(s, 'pendingServerEmission', netuid) + big(s, 'pendingValidatorEmission', netuid);
  const ownerHotkey = s.get('subtensorModule', 'subnetOwnerHotkey', netuid).toString();
  const ownerUid = hotkeys.indexOf(ownerHotkey);
  const alphaValues = vec<number>(s, 'alphaValues', netuid);
  const out = yumaEpoch({
    n,
    currentBlock: block,
    tempo,
    activityCutoff: activityCutoffBlocks(tempo, num(s, 'activityCutoffFactorMilli', netuid)),
    lastUpdate: vec<number>(s, 'lastUpdate', netuid).map(Number),
    blockAtRegistration: hotkeys.map((_, uid) => num(s, 'blockAtRegistration', netuid, uid)),
    stake: hotkeys.map((hk) => big(s, 'totalHotkeyAlpha', hk, netuid)),
    stakeThreshold: big(s, 'stakeThreshold'),
    validatorPermit: vec<boolean>(s, 'validatorPermit', netuid),
    maxAllowedValidators: num(s, 'maxAllowedValidators', netuid),
    ownerUid: ownerUid >= 0 ? ownerUid : null,
    kappa: num(s, 'kappa', netuid),
    bondsPenalty: num(s, 'bondsPenalty', netuid),
    bondsMovingAverage: num(s, 'bondsMovingAverage', netuid),
    yuma3: bool(s, 'yuma3On', netuid),
    liquidAlpha: bool(s, 'liquidAlphaOn', netuid),
    alphaLow: Number(alphaValues[0] ?? 45_875),
    alphaHigh: Number(alphaValues[1] ?? 58_982),
    alphaSigmoidSteepness: num(s, 'alphaSigmoidSteepness', netuid),
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
