/**
 * Terminal plumbing of the CLI: where lines go, tables, JSON, a spinner while waiting for the chain, and hidden
 * password prompts. Everything goes through a {@link CliIO}, so tests capture it and the library never writes to the
 * console on its own.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** Where the CLI writes and how it asks. */
export interface CliIO {
  /** Standard output (results). */
  out(line: string): void;
  /** Standard error (progress, warnings, errors). */
  err(line: string): void;
  /** Whether a person is at a terminal (spinners, prompts); default false. */
  interactive?: boolean;
  /** Asks a question; `hidden` input is not echoed. Absent: prompts are impossible. */
  prompt?(question: string, options?: { hidden?: boolean }): Promise<string>;
}

/** The IO of a real process: stdout, stderr, and prompts on the terminal. */
export function processIO(): CliIO {
  // A reader that stops early (`subnetkit … | head`) closes the pipe: that is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') === 0)
      stream.on('error', (e: NodeJS.ErrnoException) =>
        e.code === 'EPIPE' ? process.exit(process.exitCode ?? 0) : undefined,
      );
  }
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  return {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    interactive,
    prompt: interactive ? promptTerminal : undefined,
  };
}

/** Reads one line from the terminal; hidden input echoes nothing. */
export function promptTerminal(question: string, options: { hidden?: boolean } = {}): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, cb) {
      if (!muted) process.stderr.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      if (options.hidden) process.stderr.write('\n');
      resolve(answer);
    });
    muted = Boolean(options.hidden);
  });
}

/** Renders rows as an aligned text table (numbers right-aligned). */
export function table(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string[] {
  if (rows.length === 0) return ['(none)'];
  const cols = columns ?? Object.keys(rows[0]!);
  const cell = (v: unknown) =>
    v === null || v === undefined
      ? '-'
      : typeof v === 'number'
        ? Number.isInteger(v)
          ? String(v)
          : v.toFixed(4)
        : String(v);
  const cells = rows.map((r) => cols.map((c) => cell(r[c])));
  const width = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const numeric = cols.map((c) => rows.every((r) => typeof r[c] === 'number' || r[c] === null || r[c] === undefined));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (numeric[i] ? v.padStart(width[i]!) : v.padEnd(width[i]!)))
      .join('  ')
      .trimEnd();
  return [line(cols.map((c) => c.toUpperCase())), ...cells.map(line)];
}

/** JSON with bigints as strings and typed arrays as lists. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_, v) =>
      typeof v === 'bigint'
        ? v.toString()
        : ArrayBuffer.isView(v) && !(v instanceof DataView)
          ? Array.from(v as unknown as ArrayLike<number>)
          : v,
    2,
  );
}

/** A spinner on stderr while a promise runs (only on a terminal); resolves with the promise's value. */
export async function withSpinner<T>(io: CliIO, text: string, work: Promise<T>): Promise<T> {
  if (!io.interactive) return work;
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let i = 0;
  const timer = setInterval(() => process.stderr.write(`\r${frames[i++ % frames.length]} ${text}`), 80);
  try {
    return await work;
  } finally {
    clearInterval(timer);
    process.stderr.write(`\r${' '.repeat(text.length + 2)}\r`);
  }
}

/** TAO (a decimal string or number) to rao; null when it is not a non-negative amount with at most 9 decimals. */
export function taoToRao(v: string): bigint | null {
  const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(v.trim());
  if (!m) return null;
  return BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/** rao to a TAO string with up to 9 decimals. */
export function raoToTao(value: bigint | number | string): string {
  const v = BigInt(value);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const frac = (a % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${a / 1_000_000_000n}${frac ? `.${frac}` : ''}`;
}
