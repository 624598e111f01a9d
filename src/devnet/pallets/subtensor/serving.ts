/**
 * SubtensorModule's `serve_axon`, `serve_axon_tls` and `serve_prometheus` on the devnet: the endpoint records
 * neurons publish, with finney's checks in finney's order (the devnet also accepts loopback IPs unless told not to).
 */
import { type CallArg as Arg, type DispatchContext, fail } from '../context.js';
import { num, uidOf } from '../../storage/read.js';

const set = (ctx: DispatchContext, item: string, args: unknown[], value: unknown) =>
  ctx.storage.set('subtensorModule', item, args, value);

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
