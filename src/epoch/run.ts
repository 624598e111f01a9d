/**
 * Running steps back to back: paced by `stepInterval` (at least a second when a step found nobody to query or
 * failed), until a step, block or time budget is spent, the signal aborts, or `stop()` is called — which wakes a
 * sleeping loop at once and waits for the step in progress.
 */
import { EpochError } from './errors.js';
import type { RunOptions, StepReport } from './types.js';

export interface RunLoopParts {
  /** Before the first step (the first sync; throws to refuse the run). */
  start(): Promise<void>;
  step(): Promise<StepReport>;
  blockNumber(): Promise<number>;
  stepIntervalMs: number;
  /** A step threw: the loop reports it and goes on. */
  onStepError(e: unknown): void;
  /** The loop ended, however it ended. */
  onEnd(): void;
}

export function createRunLoop(parts: RunLoopParts) {
  let running: Promise<void> | null = null;
  let stopRequested = false;
  let wake: (() => void) | null = null;

  function sleep(ms: number): Promise<void> {
    if (ms <= 0 || stopRequested) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });
  }

  async function loop(run: RunOptions): Promise<void> {
    const started = performance.now();
    const startBlock = await parts.blockNumber();
    await parts.start();
    let steps = 0;
    const onAbort = () => void stop();
    run.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      while (!stopRequested && !run.signal?.aborted) {
        if (run.steps !== undefined && steps >= run.steps) break;
        if (run.timeLimit !== undefined && performance.now() - started >= run.timeLimit) break;
        const t = performance.now();
        let wait = parts.stepIntervalMs;
        try {
          const r = await parts.step();
          steps++;
          if (r.uids.length === 0) wait = Math.max(wait, 1000);
          if (run.blocks !== undefined && r.block - startBlock >= run.blocks) break;
        } catch (e) {
          parts.onStepError(e);
          wait = Math.max(wait, 1000);
        }
        await sleep(wait - (performance.now() - t));
      }
    } finally {
      run.signal?.removeEventListener('abort', onAbort);
      parts.onEnd();
    }
  }

  async function stop(): Promise<void> {
    stopRequested = true;
    wake?.();
    await running?.catch(() => {});
  }

  function run(options: RunOptions = {}): Promise<void> {
    if (running) return Promise.reject(new EpochError('EPOCH_BUSY', 'this epoch is already running'));
    for (const k of ['blocks', 'timeLimit', 'steps'] as const) {
      const v = options[k];
      if (v !== undefined && !(Number.isFinite(v) && v >= 0))
        return Promise.reject(
          new EpochError('EPOCH_INVALID_CONFIG', `run.${k} must be a non-negative number, got ${String(v)}`),
        );
    }
    stopRequested = false;
    running = loop(options).finally(() => {
      running = null;
    });
    return running;
  }

  return { run, stop };
}
