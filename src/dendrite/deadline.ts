/**
 * A call's deadline: one timer from the moment the call starts, so waiting for a connection, a session or a
 * signature counts against it as much as the exchange itself.
 */

/** The error a call ends with at its deadline (the dendrite reports it as 408). */
const timedOut = () => new DOMException('The operation timed out.', 'TimeoutError');

export class Deadline {
  /** Set once the deadline has passed. */
  reason: Error | null = null;
  private readonly timer: NodeJS.Timeout;
  private onExpire: ((reason: Error) => void) | null = null;
  private readonly endsAt: number;

  constructor(seconds: number) {
    this.endsAt = performance.now() + seconds * 1000;
    this.timer = setTimeout(() => {
      this.reason = timedOut();
      const f = this.onExpire;
      this.onExpire = null;
      f?.(this.reason);
    }, seconds * 1000);
    this.timer.unref();
  }

  /**
   * Runs `f` when the deadline passes, or now if it has. A call waits on one thing at a time (a lane, then the
   * exchange), so `f` replaces what was registered before.
   */
  whenExpired(f: (reason: Error) => void): void {
    if (this.reason) f(this.reason);
    else this.onExpire = f;
  }

  /** `p`, or the deadline's reason if it passes first (a wait shared with other calls keeps its own bound). */
  race<T>(p: Promise<T>): Promise<T> {
    if (this.reason) return Promise.reject(this.reason);
    return new Promise<T>((resolve, reject) => {
      this.whenExpired(reject);
      p.then(resolve, reject);
    });
  }

  /** Whole milliseconds left (at least 1: a transport given 0 may read it as "no deadline"). */
  remainingMs(): number {
    return Math.max(1, Math.ceil(this.endsAt - performance.now()));
  }

  /** Stops the timer: the call is over. */
  clear(): void {
    clearTimeout(this.timer);
    this.onExpire = null;
  }
}

/**
 * A deadline started only once a call has to wait for something: most calls find their session and connection
 * open, and then their exchange's own timer is the only one they need.
 */
export class WaitDeadline {
  private deadline: Deadline | null = null;

  constructor(private readonly seconds: number) {}

  /** `p`, or the deadline's reason if it passes first; the deadline starts with the first wait. */
  race<T>(p: Promise<T>): Promise<T> {
    this.deadline ??= new Deadline(this.seconds);
    return this.deadline.race(p);
  }

  /** Whole milliseconds left for the exchange: all of the timeout when nothing was waited for. */
  remainingMs(): number {
    return this.deadline ? this.deadline.remainingMs() : Math.max(1, Math.ceil(this.seconds * 1000));
  }

  /** Stops the timer, if one was started. */
  clear(): void {
    this.deadline?.clear();
  }
}
