/**
 * Miner and validator configuration with the Python SDK's flag names (`--netuid`, `--subtensor.network`,
 * `--wallet.name`, `--axon.port`, `--neuron.sample_size`, …), read from the command line, then `BT_*` environment
 * variables, then a JSON config file, then defaults. Parsing is commander's; every value is checked and a bad one is
 * a one-line error naming the flag.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { NeuronError } from './errors.js';

import { FLAGS, type FlagKind, type FlagSpec } from './flags.js';

export type { FlagKind };

/** Everything a miner or validator process is configured with. */
export interface NeuronConfig {
  /** Subnet. */
  netuid: number;
  /** Chain: `network` as given, and the endpoint it resolves to (`chain_endpoint` wins). */
  subtensor: {
    /** `--subtensor.network`. */
    network: string;
    /** `--subtensor.chain_endpoint` (wins over the network). */
    chainEndpoint: string | null;
  };
  /** Wallet name, hotkey name and folder. */
  wallet: {
    /** `--wallet.name`. */
    name: string;
    /** `--wallet.hotkey`. */
    hotkey: string;
    /** `--wallet.path`. */
    path: string;
  };
  /** Where the axon binds and what it announces. */
  axon: {
    /** `--axon.port`. */
    port: number;
    /** `--axon.ip`: the address bound. */
    ip: string;
    /** `--axon.external_ip`: the address announced. */
    externalIp: string | null;
    /** `--axon.external_port`: the port announced. */
    externalPort: number | null;
  };
  /** Log level and format. */
  logging: {
    /** `--logging.debug`. */
    debug: boolean;
    /** `--logging.trace`. */
    trace: boolean;
    /** `--logging.format`. */
    format: 'pretty' | 'json' | 'auto';
  };
  /** Neuron settings (`--neuron.*`). */
  neuron: {
    /** `--neuron.epoch_length`: blocks between metagraph resyncs. */
    epochLength: number;
    /** `--neuron.full_path`: the state folder. */
    fullPath: string | null;
    /** `--neuron.sync_interval`: seconds between a miner's resyncs. */
    syncInterval: number;
    /** `--neuron.axon_off`. */
    axonOff: boolean;
    /** `--neuron.timeout`: seconds a miner has to answer. */
    timeout: number;
    /** `--neuron.sample_size`: miners per step. */
    sampleSize: number;
    /** `--neuron.moving_average_alpha`. */
    movingAverageAlpha: number;
    /** `--neuron.weights_interval`: blocks between weights (null: the tempo). */
    weightsInterval: number | null;
    /** `--neuron.step_interval`: least seconds between steps. */
    stepInterval: number;
    /** `--neuron.disable_set_weights`. */
    disableSetWeights: boolean;
  };
  /** Miner blacklist (`--blacklist.*`). */
  blacklist: {
    /** `--blacklist.allow_non_registered`. */
    allowNonRegistered: boolean;
    /** `--blacklist.force_validator_permit`. */
    forceValidatorPermit: boolean;
    /** `--blacklist.min_stake`, in TAO. */
    minStake: number;
  };
  /** Prometheus metrics and health endpoint; port null means off. */
  metrics: {
    /** `--metrics.port` (null: off). */
    port: number | null;
    /** `--metrics.host`. */
    host: string;
  };
  /** Flags the program added itself (`extraFlags`), by name. */
  extra: Record<string, string | number | boolean | null>;
}

/** A flag a program adds to the standard ones (`--model.path`, say). */
export interface ExtraFlag {
  /** Dotted name without dashes. */
  name: string;
  /** Value type. */
  kind: FlagKind;
  /** Help text. */
  help: string;
  /** Default (null: unset). */
  default?: string | number | boolean | null;
  /** Least value of a number. */
  min?: number;
  /** Largest value of a number. */
  max?: number;
  /** Allowed strings. */
  choices?: readonly string[];
}

/** Options of {@link parseNeuronConfig}. */
export interface ParseConfigOptions {
  /** Which flags apply. */
  role: 'miner' | 'validator';
  /** Program name for the help text. */
  name?: string;
  /** One-line description for the help text. */
  description?: string;
  /** Environment to read `BT_*` variables from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Flags of the program's own. */
  extraFlags?: readonly ExtraFlag[];
  /** Version printed by `--version`. */
  version?: string;
}

/** What {@link parseNeuronConfig} returns: a config, or the text `--help` / `--version` asked for. */
export type ParsedConfig =
  | {
      /** The configuration. */
      config: NeuronConfig;
    }
  | {
      /** The text to print (help or version); the program should exit 0. */
      print: string;
    };

/** `axon.external_ip` → `BT_AXON_EXTERNAL_IP`. */
export function envNameOf(flag: string): string {
  return `BT_${flag.replace(/\./g, '_').toUpperCase()}`;
}

function convert(spec: FlagSpec | ExtraFlag, raw: unknown, from: string): string | number | boolean | null {
  const bad = (what: string): never => {
    throw new NeuronError('NEURON_INVALID_CONFIG', `${from} must be ${what}, got ${JSON.stringify(raw)}`);
  };
  if (raw === null || raw === undefined) return null;
  switch (spec.kind) {
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).toLowerCase();
      if (['true', '1', 'yes', 'on', ''].includes(s)) return true;
      if (['false', '0', 'no', 'off'].includes(s)) return false;
      return bad('true or false');
    }
    case 'int':
    case 'float': {
      const n = typeof raw === 'number' ? raw : String(raw).trim() === '' ? NaN : Number(raw);
      const range = `${spec.min ?? '-∞'}, ${spec.max ?? '∞'}`;
      if (!Number.isFinite(n) || (spec.kind === 'int' && !Number.isInteger(n)))
        return bad(`${spec.kind === 'int' ? 'an integer' : 'a number'} in [${range}]`);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max))
        return bad(`in [${range}]`);
      return n;
    }
    default: {
      if (typeof raw !== 'string' && typeof raw !== 'number') return bad('a string');
      const s = String(raw);
      if (spec.choices && !spec.choices.includes(s)) return bad(`one of ${spec.choices.join(', ')}`);
      return s;
    }
  }
}

/** Reads a JSON config file: nested (`{"wallet": {"name": "w"}}`) or flat dotted keys. */
function readConfigFile(path: string): Map<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new NeuronError('NEURON_INVALID_CONFIG', `--config ${path}: ${(e as Error).message}`);
  }
  const out = new Map<string, unknown>();
  const walk = (obj: unknown, prefix: string) => {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      out.set(prefix, obj);
      return;
    }
    for (const [k, v] of Object.entries(obj)) walk(v, prefix ? `${prefix}.${k}` : k);
  };
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new NeuronError('NEURON_INVALID_CONFIG', `--config ${path} must hold a JSON object`);
  walk(json, '');
  return out;
}

/**
 * Parses a miner's or validator's configuration the way the Python template does: command line first, then `BT_*`
 * environment variables (`--axon.port` ↔ `BT_AXON_PORT`), then `--config file.json`, then defaults.
 *
 * @example
 * ```ts
 * const parsed = parseNeuronConfig(process.argv.slice(2), { role: 'miner' });
 * if ('print' in parsed) { console.log(parsed.print); process.exit(0); }
 * const { config } = parsed; // config.netuid, config.wallet.name, config.axon.port, …
 * ```
 */
export function parseNeuronConfig(argv: readonly string[], options: ParseConfigOptions): ParsedConfig {
  // over 80 lines by design: Python's flag rules (env, config file, defaults, --help) apply in one order that is
  // easiest to check read as one sequence.
  const env = options.env ?? process.env;
  const specs: (FlagSpec | ExtraFlag)[] = [
    ...FLAGS.filter((f) => !f.role || f.role === options.role),
    ...(options.extraFlags ?? []),
  ];
  let printed = '';
  const program = new Command(options.name ?? options.role)
    .description(options.description ?? `a subnetkit ${options.role}`)
    .exitOverride()
    .configureOutput({ writeOut: (s) => (printed += s), writeErr: (s) => (printed += s) })
    .helpOption('-h, --help', 'show this help')
    .option('--config <file>', 'JSON file with any of these settings (nested or dotted keys)');
  if (options.version) program.version(options.version, '-V, --version');
  for (const s of specs) {
    const envName = envNameOf(s.name);
    const def = s.default === null || s.default === undefined ? '' : ` (default: ${String(s.default)})`;
    const opt = new Option(
      s.kind === 'bool' ? `--${s.name} [value]` : `--${s.name} <value>`,
      `${s.help}${def}; env ${envName}`,
    );
    program.addOption(opt);
  }
  try {
    program.parse(['node', 'x', ...argv]);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return { print: printed.trimEnd() };
      throw new NeuronError('NEURON_INVALID_CONFIG', e.message.replace(/^error: /, ''));
    }
    throw e;
  }
  const cli = program.opts() as Record<string, unknown>;
  const file = typeof cli.config === 'string' ? readConfigFile(cli.config) : new Map<string, unknown>();
  const known = new Set(specs.map((s) => s.name));
  for (const k of file.keys())
    if (!known.has(k))
      throw new NeuronError('NEURON_INVALID_CONFIG', `--config ${String(cli.config)}: unknown setting ${k}`);
  const values = new Map<string, string | number | boolean | null>();
  for (const s of specs) {
    const envName = envNameOf(s.name);
    if (cli[s.name] !== undefined)
      values.set(s.name, convert(s, cli[s.name] === true && s.kind === 'bool' ? true : cli[s.name], `--${s.name}`));
    else if (env[envName] !== undefined && env[envName] !== '') values.set(s.name, convert(s, env[envName], envName));
    else if (file.has(s.name)) values.set(s.name, convert(s, file.get(s.name), `${s.name} in ${String(cli.config)}`));
    else values.set(s.name, (s.default ?? null) as string | number | boolean | null);
  }
  const v = <T>(name: string, fallback: T): T => (values.has(name) ? (values.get(name) as T) : fallback);
  const config: NeuronConfig = {
    netuid: v('netuid', 1),
    subtensor: { network: v('subtensor.network', 'finney'), chainEndpoint: v('subtensor.chain_endpoint', null) },
    wallet: {
      name: v('wallet.name', 'default'),
      hotkey: v('wallet.hotkey', 'default'),
      path: v('wallet.path', '~/.bittensor/wallets/'),
    },
    axon: {
      port: v('axon.port', 8091),
      ip: v('axon.ip', '0.0.0.0'),
      externalIp: v('axon.external_ip', null),
      externalPort: v('axon.external_port', null),
    },
    logging: {
      debug: v('logging.debug', false),
      trace: v('logging.trace', false),
      format: v('logging.format', 'auto'),
    },
    neuron: {
      epochLength: v('neuron.epoch_length', 100),
      fullPath: v('neuron.full_path', null),
      syncInterval: v('neuron.sync_interval', 60),
      axonOff: v('neuron.axon_off', false),
      timeout: v('neuron.timeout', 12),
      sampleSize: v('neuron.sample_size', 16),
      movingAverageAlpha: v('neuron.moving_average_alpha', 0.1),
      weightsInterval: v('neuron.weights_interval', null),
      stepInterval: v('neuron.step_interval', 1),
      disableSetWeights: v('neuron.disable_set_weights', false),
    },
    blacklist: {
      allowNonRegistered: v('blacklist.allow_non_registered', false),
      forceValidatorPermit: v('blacklist.force_validator_permit', true),
      minStake: v('blacklist.min_stake', 0),
    },
    metrics: { port: v('metrics.port', null), host: v('metrics.host', '127.0.0.1') },
    extra: Object.fromEntries((options.extraFlags ?? []).map((f) => [f.name, values.get(f.name) ?? null])),
  };
  return { config };
}

/** The chain endpoint a config points at: `chain_endpoint` when set, else `network`. */
export function networkOf(config: NeuronConfig): string {
  return config.subtensor.chainEndpoint ?? config.subtensor.network;
}

/** The log level a config asks for. */
export function logLevelOf(config: NeuronConfig): 'trace' | 'debug' | 'info' {
  return config.logging.trace ? 'trace' : config.logging.debug ? 'debug' : 'info';
}
