// One background worker that empties a queue in order, off the caller's path. Both
// delivery channels (Telegram, Alertmanager) drain their outbox this way; what they
// do with each item, and how they cancel it, stays theirs.
export interface DrainHooks {
  /** Handles the next queued item; false when there was none (or the worker should stop). */
  step(): Promise<boolean>;
  /** items still queued */
  pending(): number;
  /** a step that threw: the worker ends, the next kick() starts a new one */
  onError(e: unknown): void;
}

export class Drain {
  private running = false;
  private stoppedFlag = false;
  private worker: Promise<void> = Promise.resolve();
  private readonly idle = new Set<() => void>();

  constructor(private readonly hooks: DrainHooks) {}

  /** true once stop() was called: steps in progress should give up at their next wait */
  get stopped(): boolean {
    return this.stoppedFlag;
  }

  /** Starts the worker unless it runs already, on a later turn: the caller (the tick) never waits for I/O. */
  kick(): void {
    if (this.running || this.stoppedFlag) return;
    this.running = true;
    this.worker = new Promise<void>((r) => setImmediate(r)).then(() => this.run());
  }

  private async run(): Promise<void> {
    try {
      while (!this.stoppedFlag && (await this.hooks.step())) {
        /* next item */
      }
    } catch (e) {
      try {
        this.hooks.onError(e);
      } catch {
        /* reporting must not break the drain */
      }
    } finally {
      this.running = false;
      if (this.hooks.pending() && !this.stoppedFlag) this.kick();
      else this.wakeIdle();
    }
  }

  /** Resolves when the queue is empty and nothing is in flight, or after timeoutMs. */
  async flush(timeoutMs: number): Promise<void> {
    if (!this.running && this.hooks.pending() === 0) return;
    let done: () => void = () => undefined;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      done = resolve;
      this.idle.add(done);
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    clearTimeout(timer);
    this.idle.delete(done);
  }

  /**
   * Stops for good: `interrupt` cancels what is in flight, the worker is awaited, then
   * `after` cleans up (count what is left, close the agent) and flush() waiters wake.
   */
  async stop(interrupt: () => void, after: () => void): Promise<void> {
    if (this.stoppedFlag) return;
    this.stoppedFlag = true;
    interrupt();
    await this.worker;
    after();
    this.wakeIdle();
  }

  private wakeIdle(): void {
    for (const w of this.idle) w();
  }
}
