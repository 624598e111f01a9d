/**
 * SubtensorModule calls on the devnet: subnet creation, burned registration, serving and weights, with finney's
 * checks in finney's order and its error names. What is simplified is listed in docs/devnet.md.
 */
import { encodeAddress } from '@polkadot/util-crypto';
import { vecMaxUpscaleToU16 } from '../consensus/index.js';
import { neuronToPrune, replaceNeuron } from './pruning.js';
import { decodeBoolVec, decodeU64Vec, encodePairs, encodeU64Vec, readUint } from './scale.js';
import type { DispatchContext } from './dispatch-context.js';
import { addFree, big, bool, fail, freeOf, num, uidOf, vec } from './read.js';

const TAO = 1_000_000_000n;
const MIN_LOCK = 1000n * TAO;
const LOCK_REDUCTION_INTERVAL = 100_800n;
const SUBNET_LIMIT = 128;

type Arg = { toNumber(): number; toBigInt(): bigint; toString(): string; toJSON(): unknown; isTrue?: boolean };
const set = (ctx: DispatchContext, item: string, args: unknown[], value: unknown) =>
  ctx.storage.set('subtensorModule', item, args, value);

/** Takes `amount` from an account and burns it from the total issuance (locks and registration burns). */
function charge(ctx: DispatchContext, who: string, amount: bigint): void {
  addFree(ctx, who, -amount);
  const issuance = BigInt(ctx.storage.get('balances', 'totalIssuance').toString());
  ctx.storage.set('balances', 'totalIssuance', [], issuance - amount);
}

/** The hyperparameters `init_new_network` writes (subtensor's new-subnet values), with the devnet's tempo and CR off. */
export function initSubnet(
  ctx: Pick<DispatchContext, 'storage'>,
  netuid: number,
  owner: string,
  ownerHotkey: string,
  block: number,
  tempo: number,
  commitReveal = false,
  weightsRateLimit?: number,
): void {
  const s = (item: string, value: unknown, ...keys: unknown[]) =>
    ctx.storage.set('subtensorModule', item, keys.length ? keys : [netuid], value);
  s('networksAdded', true);
  s('subnetOwner', owner);
  s('subnetOwnerHotkey', ownerHotkey);
  s('tempo', tempo);
  s('maxAllowedUids', 256);
  s('maxAllowedValidators', 64);
  s('minAllowedWeights', 1);
  s('immunityPeriod', 5000);
  s('burn', TAO);
  s('commitRevealWeightsEnabled', commitReveal);
  if (weightsRateLimit !== undefined) s('weightsSetRateLimit', weightsRateLimit);
  s('revealPeriodEpochs', 1);
  s('yuma3On', true);
  s('networkRegisteredAt', block);
  s('subnetMechanism', 1);
  s('networkRegistrationAllowed', true);
  // Staggered like finney: the first epoch is due `netuid mod tempo` blocks early.
  s('lastEpochBlock', Math.max(0, block - (netuid % Math.max(1, tempo))));
}

/** Seeds a subnet's pool at price 1 (the devnet's median price). */
export function seedPool(ctx: Pick<DispatchContext, 'storage'>, netuid: number, tao: bigint): void {
  ctx.storage.set('subtensorModule', 'subnetTAO', [netuid], tao);
  ctx.storage.set('subtensorModule', 'subnetAlphaIn', [netuid], tao);
}

/**
 * The TAO a subnet registered at `block` locks, as subtensor computes it: max(min_lock, 2·last − last/interval · blocks since the last
 * lock), min_lock the first time. `register_network` charges it; `get_network_registration_cost` reports it.
 */
export function networkLockCost(x: Pick<DispatchContext, 'storage'>, block: number): bigint {
  const last = big(x, 'networkLastLockCost');
  let lastLockBlock = 0;
  for (let u = 1; u < SUBNET_LIMIT; u++)
    if (bool(x, 'networksAdded', u)) lastLockBlock = Math.max(lastLockBlock, num(x, 'networkRegisteredAt', u));
  const since = BigInt(Math.max(0, block - lastLockBlock));
  const mult = x.storage.has('subtensorModule', 'networkLastLockCost') ? 2n : 1n; // 1 until a lock has happened
  const decayed = mult * last - (last / LOCK_REDUCTION_INTERVAL) * since;
  return decayed > MIN_LOCK ? decayed : MIN_LOCK;
}

export function registerNetwork(ctx: DispatchContext, args: readonly Arg[]): void {
  const hotkey = args[0]!.toString();
  const cold = ctx.signer;
  const owner = ctx.storage.get('subtensorModule', 'owner', hotkey).toString();
  if (ctx.storage.has('subtensorModule', 'owner', hotkey) && owner !== cold) throw fail(ctx, 'NonAssociatedColdKey');
  let netuid = 1;
  while (netuid < SUBNET_LIMIT && bool(ctx, 'networksAdded', netuid)) netuid++;
  if (netuid >= SUBNET_LIMIT) throw fail(ctx, 'SubnetLimitReached');
  const lock = networkLockCost(ctx, ctx.block);
  if (freeOf(ctx, cold) < lock) throw fail(ctx, 'CannotAffordLockCost');
  charge(ctx, cold, lock);
  set(ctx, 'networkLastLockCost', [], lock);
  set(ctx, 'subnetLocked', [netuid], lock);
  seedPool(ctx, netuid, lock);
  set(ctx, 'totalNetworks', [], num(ctx, 'totalNetworks') + 1);
  set(ctx, 'owner', [hotkey], cold);
  initSubnet(ctx, netuid, cold, hotkey, ctx.block, ctx.tempo, ctx.commitReveal, ctx.weightsRateLimit);
  ctx.deposit({ SubtensorModule: { NetworkAdded: [netuid, 1] } });
  appendNeuron(ctx, netuid, hotkey);
}

function appendNeuron(ctx: DispatchContext, netuid: number, hotkey: string): number {
  const uid = num(ctx, 'subnetworkN', netuid);
  set(ctx, 'keys', [netuid, uid], hotkey);
  set(ctx, 'uids', [netuid, hotkey], uid);
  set(ctx, 'subnetworkN', [netuid], uid + 1);
  set(ctx, 'blockAtRegistration', [netuid, uid], ctx.block);
  set(ctx, 'isNetworkMember', [hotkey, netuid], true);
  set(ctx, 'lastUpdate', [netuid], [...vec<number>(ctx, 'lastUpdate', netuid), 0]);
  set(ctx, 'validatorPermit', [netuid], [...vec<boolean>(ctx, 'validatorPermit', netuid), false]);
  set(ctx, 'active', [netuid], [...vec<boolean>(ctx, 'active', netuid), true]);
  ctx.deposit({ SubtensorModule: { NeuronRegistered: [netuid, uid, hotkey] } });
  return uid;
}

export function burnedRegister(ctx: DispatchContext, args: readonly Arg[]): void {
  const netuid = args[0]!.toNumber();
  const hotkey = args[1]!.toString();
  const cold = ctx.signer;
  if (netuid === 0) throw fail(ctx, 'RegistrationNotPermittedOnRootSubnet');
  if (!bool(ctx, 'networksAdded', netuid)) throw fail(ctx, 'SubnetNotExists');
  if (!bool(ctx, 'networkRegistrationAllowed', netuid)) throw fail(ctx, 'SubNetRegistrationDisabled');
  if (uidOf(ctx, netuid, hotkey) !== null) throw fail(ctx, 'HotKeyAlreadyRegisteredInSubNet');
  if (
    ctx.storage.has('subtensorModule', 'owner', hotkey) &&
    ctx.storage.get('subtensorModule', 'owner', hotkey).toString() !== cold
  )
    throw fail(ctx, 'NonAssociatedColdKey');
  const burn = big(ctx, 'burn', netuid);
  if (freeOf(ctx, cold) < burn) throw fail(ctx, 'NotEnoughBalanceToStake');
  const full = num(ctx, 'subnetworkN', netuid) >= num(ctx, 'maxAllowedUids', netuid);
  const pruned = full ? neuronToPrune(ctx, netuid) : null;
  if (full && pruned === null) throw fail(ctx, 'NoNeuronIdAvailable');
  charge(ctx, cold, burn);
  set(ctx, 'raoRecycledForRegistration', [netuid], big(ctx, 'raoRecycledForRegistration', netuid) + burn);
  // Every registration raises the price ×1.26 (BurnIncreaseMult), within [MinBurn, MaxBurn].
  set(ctx, 'burn', [netuid], clampBurn(ctx, netuid, (burn * 126n) / 100n));
  set(ctx, 'owner', [hotkey], cold);
  if (pruned !== null) replaceNeuron(ctx, netuid, pruned, hotkey);
  else appendNeuron(ctx, netuid, hotkey);
}

/** Clamps a burn price to the subnet's [MinBurn, MaxBurn]. */
export function clampBurn(ctx: Pick<DispatchContext, 'storage'>, netuid: number, value: bigint): bigint {
  const min = BigInt(ctx.storage.get('subtensorModule', 'minBurn', netuid).toString());
  const max = BigInt(ctx.storage.get('subtensorModule', 'maxBurn', netuid).toString());
  return value < min ? min : value > max ? max : value;
}

function validIp(ip: bigint, ipType: number, allowLoopback: boolean): boolean {
  if (ipType === 4) return ip < 0xffffffffn && (allowLoopback || ip !== 0x7f000001n);
  return ip !== (1n << 128n) - 1n && (allowLoopback || ip !== 1n);
}

/**
 * The checks serve_axon and serve_prometheus share, in finney's order: registered, ip_type, IP, port, then the
 * serving rate limit against the previous record in `item`.
 */
function checkServe(
  ctx: DispatchContext,
  netuid: number,
  ipType: number,
  ip: bigint,
  port: number,
  item: 'axons' | 'prometheus',
  allowZeroIp: boolean,
): void {
  if (uidOf(ctx, netuid, ctx.signer) === null) throw fail(ctx, 'HotKeyNotRegisteredInNetwork');
  if (ipType !== 4 && ipType !== 6) throw fail(ctx, 'InvalidIpType');
  if ((!allowZeroIp && ip === 0n) || !validIp(ip, ipType, ctx.allowLoopback)) throw fail(ctx, 'InvalidIpAddress');
  if (port === 0) throw fail(ctx, 'InvalidPort');
  const prev = ctx.storage.get('subtensorModule', item, netuid, ctx.signer) as unknown as {
    isSome: boolean;
    unwrap(): { block: { toNumber(): number } };
  };
  const prevBlock = prev.isSome ? prev.unwrap().block.toNumber() : 0;
  if (prevBlock !== 0 && ctx.block - prevBlock < num(ctx, 'servingRateLimit', netuid))
    throw fail(ctx, 'ServingRateLimitExceeded');
}

export function serveAxon(ctx: DispatchContext, args: readonly Arg[], withCertificate = false): void {
  const [netuidA, versionA, ipA, portA, ipTypeA, protocolA, p1A, p2A] = args as [
    Arg,
    Arg,
    Arg,
    Arg,
    Arg,
    Arg,
    Arg,
    Arg,
  ];
  const netuid = netuidA.toNumber();
  const hotkey = ctx.signer;
  const ip = ipA.toBigInt();
  checkServe(ctx, netuid, ipTypeA.toNumber(), ip, portA.toNumber(), 'axons', true);
  set(ctx, 'axons', [netuid, hotkey], {
    block: ctx.block,
    version: versionA.toNumber(),
    ip,
    port: portA.toNumber(),
    ipType: ipTypeA.toNumber(),
    protocol: protocolA.toNumber(),
    placeholder1: p1A.toNumber(),
    placeholder2: p2A.toNumber(),
  });
  if (withCertificate) {
    // serve_axon_tls: the first byte of the certificate is the algorithm, the rest a public key of up to 64 bytes.
    const cert = Buffer.from((args[8] as Arg).toString().slice(2), 'hex');
    if (cert.length >= 1)
      set(ctx, 'neuronCertificates', [netuid, hotkey], {
        publicKey: `0x${cert.subarray(1, 65).toString('hex')}`,
        algorithm: cert[0],
      });
  }
  ctx.deposit({ SubtensorModule: { AxonServed: [netuid, hotkey] } });
}

export function servePrometheus(ctx: DispatchContext, args: readonly Arg[]): void {
  const [netuidA, versionA, ipA, portA, ipTypeA] = args as [Arg, Arg, Arg, Arg, Arg];
  const netuid = netuidA.toNumber();
  const ip = ipA.toBigInt();
  // Prometheus endpoints may not use IP 0 (axons may).
  checkServe(ctx, netuid, ipTypeA.toNumber(), ip, portA.toNumber(), 'prometheus', false);
  set(ctx, 'prometheus', [netuid, ctx.signer], {
    block: ctx.block,
    version: versionA.toNumber(),
    ip,
    port: portA.toNumber(),
    ipType: ipTypeA.toNumber(),
  });
  ctx.deposit({ SubtensorModule: { PrometheusServed: [netuid, ctx.signer] } });
}

/** `set_weights` with subtensor's 13 checks, in its order. */
export function setWeights(ctx: DispatchContext, args: readonly Arg[]): void {
  const netuid = args[0]!.toNumber();
  const uids = (args[1]!.toJSON() as number[]).map(Number);
  const values = (args[2]!.toJSON() as number[]).map(Number);
  const versionKey = args[3]!.toBigInt();
  if (netuid === 0) throw fail(ctx, 'CanNotSetRootNetworkWeights');
  if (!bool(ctx, 'networksAdded', netuid)) throw fail(ctx, 'SubnetNotExists');
  if (bool(ctx, 'commitRevealWeightsEnabled', netuid)) throw fail(ctx, 'CommitRevealEnabled');
  applyWeights(ctx, netuid, uids, values, versionKey, true);
}

/**
 * The checks and the write shared by `set_weights` and a CRv2 reveal (subtensor's checks from the second on). The rate limit applies
 * only without commit-reveal: with it, LastUpdate was set at commit time.
 */
export function applyWeights(
  ctx: DispatchContext,
  netuid: number,
  uids: number[],
  values: number[],
  versionKey: bigint,
  rateLimited: boolean,
): void {
  // The hot path of every subnet: storage is read and written as raw SCALE here (see scale.ts).
  const hotkey = ctx.signer;
  const raw = (item: string, ...args: unknown[]) => ctx.storage.raw('subtensorModule', item, ...args);
  const uint = (item: string, ...args: unknown[]) => readUint(raw(item, ...args));
  if (netuid === 0) throw fail(ctx, 'CanNotSetRootNetworkWeights');
  if (uids.length !== values.length) throw fail(ctx, 'WeightVecNotEqualSize');
  const n = Number(uint('subnetworkN', netuid));
  if (uids.length > n) throw fail(ctx, 'UidsLengthExceedUidsInSubNet');
  const uidBytes = ctx.storage.map.get(ctx.storage.key('subtensorModule', 'uids', netuid, hotkey));
  if (!uidBytes) throw fail(ctx, 'HotKeyNotRegisteredInSubNet');
  const uid = Number(readUint(uidBytes));
  // (6) stake threshold: stake below StakeThreshold cannot set weights (the owner is exempt).
  const ownerHotkey = encodeAddress(raw('subnetOwnerHotkey', netuid), 42);
  if (hotkey !== ownerHotkey && uint('totalHotkeyAlpha', hotkey, netuid) < uint('stakeThreshold'))
    throw fail(ctx, 'NotEnoughStakeToSetWeights');
  const required = uint('weightsVersionKey', netuid);
  if (required !== 0n && versionKey < required) throw fail(ctx, 'IncorrectWeightVersionKey');
  const lastUpdate = decodeU64Vec(raw('lastUpdate', netuid));
  const last = Number(lastUpdate[uid] ?? 0n);
  if (rateLimited && last !== 0 && ctx.block - last < Number(uint('weightsSetRateLimit', netuid)))
    throw fail(ctx, 'SettingWeightsTooFast');
  const selfWeight = uids.length === 1 && uids[0] === uid;
  const permits = decodeBoolVec(raw('validatorPermit', netuid));
  if (!selfWeight && hotkey !== ownerHotkey && !permits[uid]) throw fail(ctx, 'NeuronNoValidatorPermit');
  if (new Set(uids).size !== uids.length) throw fail(ctx, 'DuplicateUids');
  if (uids.some((u) => u >= n)) throw fail(ctx, 'UidVecContainInvalidOne');
  if (!selfWeight && uids.length < Math.min(Number(uint('minAllowedWeights', netuid)), n))
    throw fail(ctx, 'WeightVecLengthIsLow');
  const maxLimit = Number(uint('maxWeightsLimit', netuid));
  if (maxLimit !== 65535) {
    const total = values.reduce((a, b) => a + b, 0);
    if (total > 0 && values.some((v) => (v * 65535) / total > maxLimit)) throw fail(ctx, 'MaxWeightExceeded');
  }
  const scaled = vecMaxUpscaleToU16(values);
  ctx.storage.setRaw(
    'subtensorModule',
    'weights',
    [netuid, uid],
    encodePairs(uids.map((u, i) => [u, scaled[i]!] as const)),
  );
  if (rateLimited) {
    while (lastUpdate.length <= uid) lastUpdate.push(0n);
    lastUpdate[uid] = BigInt(ctx.block);
    ctx.storage.setRaw('subtensorModule', 'lastUpdate', [netuid], encodeU64Vec(lastUpdate));
  }
  ctx.deposit({ SubtensorModule: { WeightsSet: [netuid, uid] } });
}
