/**
 * A small process logger with pino's shape (level methods taking fields then a message, `child`): human-readable
 * lines on a terminal, one JSON object per line (pino's fields: level, time, msg) when the output is piped. The
 * library itself never logs unless it is given a logger; processes (miners, validators, the CLI) make one of these.
 */
import type { Logger } from '../internal/logger.js';

/** Levels, quietest last. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVELS: Record<Exclude<LogLevel, 'silent'>, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50 };
const COLORS: Record<string, string> = {
  trace: '\x1b[90m',
  debug: '\x1b[36m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
};

/** Where log lines go: anything with `write` (a stream, a file, an array in a test). */
export interface LogStream {
  /** Writes one line (with its newline). */
  write(line: string): unknown;
  /** True on a terminal: `auto` then writes readable lines. */
  isTTY?: boolean;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Lowest level written (default `info`). */
  level?: LogLevel;
  /** `pretty` lines, `json` lines, or `auto` (default): pretty on a terminal, JSON when piped. */
  format?: 'pretty' | 'json' | 'auto';
  /** Where lines go (default `process.stdout`). */
  stream?: LogStream;
  /** Fields added to every line (`{ name: 'miner' }`). */
  bindings?: Record<string, unknown>;
}

/** A process logger: the {@link Logger} shape plus `child` and the level in force. */
export interface ProcessLogger extends Required<Logger> {
  /** The level in force. */
  readonly level: LogLevel;
  /** A logger that adds `bindings` to every line. */
  child(bindings: Record<string, unknown>): ProcessLogger;
}

function plain(v: unknown): unknown {
  if (v instanceof Error) {
    const code = (v as { code?: unknown }).code;
    return { type: v.name, message: v.message, ...(code !== undefined ? { code } : {}) };
  }
  if (typeof v === 'bigint') return v.toString();
  return v;
}

function text(v: unknown): string {
  const p = plain(v);
  if (typeof p === 'string') return /\s/.test(p) ? JSON.stringify(p) : p;
  if (p && typeof p === 'object') return JSON.stringify(p, (_, x) => plain(x));
  return String(p);
}

/**
 * Creates a process logger.
 *
 * @example
 * ```ts
 * const log = createLogger({ level: config.logging.debug ? 'debug' : 'info', bindings: { name: 'miner' } });
 * log.info({ port: 8091 }, 'axon started');
 * // on a terminal: 07:47:55.073 INFO  miner axon started port=8091
 * // piped:         {"level":30,"time":1764748075073,"name":"miner","port":8091,"msg":"axon started"}
 * ```
 */
export function createLogger(options: LoggerOptions = {}): ProcessLogger {
  const level = options.level ?? 'info';
  if (level !== 'silent' && !(level in LEVELS)) throw new TypeError(`unknown log level ${String(level)}`);
  const stream = options.stream ?? process.stdout;
  const format =
    options.format === 'pretty' || options.format === 'json' ? options.format : stream.isTTY ? 'pretty' : 'json';
  const floor = level === 'silent' ? Infinity : LEVELS[level];
  const bindings = options.bindings ?? {};
  const color = format === 'pretty' && Boolean(stream.isTTY) && !process.env.NO_COLOR;

  function write(name: Exclude<LogLevel, 'silent'>, fields: Record<string, unknown> | string, message?: string): void {
    if (LEVELS[name] < floor) return;
    const f = typeof fields === 'string' ? {} : (fields ?? {});
    const msg = typeof fields === 'string' ? fields : (message ?? '');
    if (format === 'json') {
      const line = { level: LEVELS[name], time: Date.now(), ...bindings, ...f, msg };
      stream.write(`${JSON.stringify(line, (_, v) => plain(v))}\n`);
      return;
    }
    const time = new Date().toISOString().slice(11, 23);
    const tag = name.toUpperCase().padEnd(5);
    const who = bindings.name ? ` ${String(bindings.name)}` : '';
    const extra = Object.entries({ ...bindings, ...f })
      .filter(([k]) => k !== 'name')
      .map(([k, v]) => `${k}=${text(v)}`)
      .join(' ');
    const head = color ? `${COLORS[name]}${tag}\x1b[0m` : tag;
    stream.write(`${time} ${head}${who} ${msg}${extra ? ` ${extra}` : ''}\n`);
  }

  const method = (name: Exclude<LogLevel, 'silent'>) => (fields: Record<string, unknown>, message: string) =>
    write(name, fields, message);
  return {
    level,
    trace: method('trace'),
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    child: (more) => createLogger({ ...options, format, stream, bindings: { ...bindings, ...more } }),
  };
}
