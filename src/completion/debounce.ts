// A debounce that adapts to typing speed: wait a little longer than the user's recent gap
// between keystrokes (so a burst does not start a decode per key), within [base, 4 × base].

import { abortError } from '../core/abort.js';

export class AdaptiveDebounce {
  private lastKeystroke: number | undefined;
  private averageGap: number | undefined; // exponential moving average, ms

  constructor(private readonly baseMs: number) {}

  /** Records a keystroke at `now` and returns how long to wait before asking the model. */
  delayFor(now: number): number {
    if (this.lastKeystroke !== undefined) {
      const gap = Math.min(now - this.lastKeystroke, 1000);
      this.averageGap = this.averageGap === undefined ? gap : 0.7 * this.averageGap + 0.3 * gap;
    }
    this.lastKeystroke = now;
    if (this.averageGap === undefined) return this.baseMs;
    return Math.round(Math.min(4 * this.baseMs, Math.max(this.baseMs, 0.8 * this.averageGap)));
  }
}

/** Newest request wins: starting one aborts the one before it. */
export class NewestWins {
  private current: AbortController | undefined;

  begin(): AbortSignal {
    this.current?.abort();
    this.current = new AbortController();
    return this.current.signal;
  }

  cancel(): void {
    this.current?.abort();
    this.current = undefined;
  }
}

/** Resolves after `ms`, or rejects with an AbortError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined = undefined;
    const abort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    if (signal?.aborted) return abort();
    timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}
