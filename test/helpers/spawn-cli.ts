/** Test helper: runs the `subnetkit` command as a real process (from source) and collects its output. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI_ENTRY = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));
export const NODE_ARGS = ['--import', 'tsx', CLI_ENTRY];

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `subnetkit ...args` to completion. */
export function runSubnetkit(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number; input?: string } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...NODE_ARGS, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    if (options.input !== undefined) p.stdin.end(options.input);
    else p.stdin.end();
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`subnetkit ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `subnetkit --json ...` and parses stdout; throws with the output when it fails. */
export async function json<T = Record<string, unknown>>(args: string[], env?: Record<string, string>): Promise<T> {
  const r = await runSubnetkit([...args, '--json'], env ? { env } : {});
  if (r.code !== 0) throw new Error(`subnetkit ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Starts a long-running `subnetkit` process; resolves once a stdout line matches `ready`. */
export function startSubnetkit(
  args: string[],
  ready: RegExp,
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ proc: ChildProcess; lines: string[]; exited: Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...NODE_ARGS, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let buf = '';
    const exited = new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`no ${ready} from subnetkit ${args.join(' ')}\n${lines.join('\n')}`));
    }, options.timeoutMs ?? 30_000);
    const onData = (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        if (ready.test(line)) {
          clearTimeout(timer);
          resolve({ proc, lines, exited });
        }
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    exited.then((c) => {
      clearTimeout(timer);
      reject(new Error(`subnetkit ${args.join(' ')} exited ${c} before ready\n${lines.join('\n')}${buf}`));
    });
  });
}
