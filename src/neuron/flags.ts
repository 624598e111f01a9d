/**
 * The flags of a miner or validator process, with the Python SDK's names, kinds, defaults and bounds: the table that
 * parseNeuronConfig (config.ts) reads.
 */

/** The type of a flag's value. */
export type FlagKind = 'int' | 'float' | 'string' | 'bool';
type Kind = FlagKind;

export interface FlagSpec {
  /** Flag name without dashes, dotted as Python's (`axon.port`). */
  name: string;
  kind: Kind;
  help: string;
  default?: string | number | boolean | null;
  min?: number;
  max?: number;
  /** Only for this role. */
  role?: 'miner' | 'validator';
  /** A fixed set of string values. */
  choices?: readonly string[];
}

export const FLAGS: readonly FlagSpec[] = [
  { name: 'netuid', kind: 'int', help: 'subnet to run on', default: 1, min: 0, max: 65535 },
  {
    name: 'subtensor.network',
    kind: 'string',
    help: 'finney, test, archive, local, or a ws:// URL',
    default: 'finney',
  },
  { name: 'subtensor.chain_endpoint', kind: 'string', help: 'node URL; overrides --subtensor.network', default: null },
  { name: 'wallet.name', kind: 'string', help: 'wallet (coldkey) name', default: 'default' },
  { name: 'wallet.hotkey', kind: 'string', help: 'hotkey name', default: 'default' },
  { name: 'wallet.path', kind: 'string', help: 'wallets folder', default: '~/.bittensor/wallets/' },
  { name: 'axon.port', kind: 'int', help: 'port the axon listens on', default: 8091, min: 0, max: 65535 },
  { name: 'axon.ip', kind: 'string', help: 'address the axon binds', default: '0.0.0.0' },
  {
    name: 'axon.external_ip',
    kind: 'string',
    help: 'address announced on chain (default: --axon.ip, or 127.0.0.1 for 0.0.0.0)',
    default: null,
  },
  {
    name: 'axon.external_port',
    kind: 'int',
    help: 'port announced on chain (default: --axon.port)',
    default: null,
    min: 1,
    max: 65535,
  },
  { name: 'logging.debug', kind: 'bool', help: 'log debug lines', default: false },
  { name: 'logging.trace', kind: 'bool', help: 'log trace lines', default: false },
  {
    name: 'logging.format',
    kind: 'string',
    help: 'pretty, json, or auto (pretty on a terminal, JSON when piped)',
    default: 'auto',
    choices: ['pretty', 'json', 'auto'],
  },
  {
    name: 'neuron.epoch_length',
    kind: 'int',
    help: 'blocks between metagraph resyncs',
    default: 100,
    min: 1,
    max: 1_000_000,
  },
  {
    name: 'neuron.full_path',
    kind: 'string',
    help: 'folder for state (default ~/.bittensor/miners/<wallet>/<hotkey>/netuid<N>/<role>)',
    default: null,
  },
  {
    name: 'neuron.sync_interval',
    kind: 'float',
    help: 'seconds between metagraph resyncs of a miner',
    default: 60,
    min: 0.1,
    max: 86_400,
    role: 'miner',
  },
  { name: 'neuron.axon_off', kind: 'bool', help: 'do not serve an axon', default: false, role: 'validator' },
  {
    name: 'neuron.timeout',
    kind: 'float',
    help: 'seconds a miner has to answer',
    default: 12,
    min: 0.01,
    max: 3600,
    role: 'validator',
  },
  {
    name: 'neuron.sample_size',
    kind: 'int',
    help: 'miners queried per step',
    default: 16,
    min: 1,
    max: 65535,
    role: 'validator',
  },
  {
    name: 'neuron.moving_average_alpha',
    kind: 'float',
    help: 'weight of a new reward in the moving average',
    default: 0.1,
    min: 1e-9,
    max: 1,
    role: 'validator',
  },
  {
    name: 'neuron.weights_interval',
    kind: 'int',
    help: 'blocks between weight settings (default: the tempo)',
    default: null,
    min: 1,
    max: 1_000_000,
    role: 'validator',
  },
  {
    name: 'neuron.step_interval',
    kind: 'float',
    help: 'least seconds between the starts of two steps',
    default: 1,
    min: 0,
    max: 86_400,
    role: 'validator',
  },
  {
    name: 'neuron.disable_set_weights',
    kind: 'bool',
    help: 'score but never set weights',
    default: false,
    role: 'validator',
  },
  {
    name: 'blacklist.allow_non_registered',
    kind: 'bool',
    help: 'answer hotkeys that are not registered on the subnet',
    default: false,
    role: 'miner',
  },
  {
    name: 'blacklist.force_validator_permit',
    kind: 'bool',
    help: 'answer only hotkeys with a validator permit (pass false to turn off)',
    default: true,
    role: 'miner',
  },
  {
    name: 'blacklist.min_stake',
    kind: 'float',
    help: 'least stake (TAO) a caller needs',
    default: 0,
    min: 0,
    max: 1e12,
    role: 'miner',
  },
  {
    name: 'metrics.port',
    kind: 'int',
    help: 'serve /metrics (Prometheus) and /health on this port',
    default: null,
    min: 0,
    max: 65535,
  },
  { name: 'metrics.host', kind: 'string', help: 'address the metrics server binds', default: '127.0.0.1' },
];
