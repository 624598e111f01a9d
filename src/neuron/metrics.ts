/**
 * Prometheus metrics and a health endpoint for a neuron: a registry of its own (never prom-client's global one, so
 * two neurons in a process do not collide) served over HTTP at `/metrics`, with `/health` answering JSON.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { NeuronError } from './errors.js';

/** The metrics a neuron updates. */
export interface NeuronMetrics {
  /** The registry (add metrics of your own to it). */
  readonly registry: Registry;
  /** Requests answered, by synapse and status. */
  readonly requests: Counter<'synapse' | 'status'>;
  /** Requests refused before the handler, by synapse and reason. */
  readonly rejections: Counter<'synapse' | 'reason'>;
  /** Handler latency in seconds, by synapse. */
  readonly latency: Histogram<'synapse'>;
  /** Validator steps, by outcome. */
  readonly steps: Counter<'outcome'>;
  /** Weights set, committed or revealed. */
  readonly weights: Counter<'kind'>;
  /** Last block the neuron saw. */
  readonly block: Gauge;
}

/**
 * Creates a neuron's metrics (`subnetkit_*`), with Node's default process metrics.
 *
 * @example
 * ```ts
 * const m = createNeuronMetrics({ role: 'miner', netuid: 1 });
 * m.requests.inc({ synapse: 'Sum', status: '200' });
 * ```
 */
export function createNeuronMetrics(labels: { role: string; netuid: number }): NeuronMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ role: labels.role, netuid: String(labels.netuid) });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'subnetkit_requests_total',
      help: 'Requests answered by a handler',
      labelNames: ['synapse', 'status'],
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'subnetkit_rejections_total',
      help: 'Requests refused before the handler',
      labelNames: ['synapse', 'reason'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'subnetkit_request_seconds',
      help: 'Time from arrival to reply',
      labelNames: ['synapse'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 12],
      registers: [registry],
    }),
    steps: new Counter({
      name: 'subnetkit_validator_steps_total',
      help: 'Validator steps',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    weights: new Counter({
      name: 'subnetkit_weights_total',
      help: 'Weights set, committed or revealed',
      labelNames: ['kind'],
      registers: [registry],
    }),
    block: new Gauge({ name: 'subnetkit_block', help: 'Last block seen', registers: [registry] }),
  };
}

/** A running metrics server. */
export interface MetricsServer {
  /** The bound port. */
  readonly port: number;
  /** Stops it. */
  close(): Promise<void>;
}

/**
 * Serves `/metrics` (Prometheus text) and `/health` (`{"status":"ok", …health()}`) on `host:port`.
 *
 * @example
 * ```ts
 * const server = await serveMetrics(metrics.registry, { port: 9100, health: () => ({ uid: 3 }) });
 * ```
 */
export async function serveMetrics(
  registry: Registry,
  options: { port: number; host?: string; health?: () => Record<string, unknown> },
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
      return;
    }
    if (path === '/health') {
      let body: Record<string, unknown>;
      try {
        body = { status: 'ok', ...(options.health?.() ?? {}) };
      } catch (e) {
        res
          .writeHead(503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'error', message: (e as Error).message }));
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(body, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
      return;
    }
    res.writeHead(404).end();
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) =>
      reject(
        new NeuronError('NEURON_START_FAILED', `metrics: cannot listen on ${host}:${options.port}: ${e.message}`, {
          cause: e,
        }),
      ),
    );
    server.listen(options.port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
