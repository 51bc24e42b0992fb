/** A minimal abort signal: cheaper than AbortController, which the hot path would create once per request. */
export class CancelSignal {
  aborted = false;
  private listeners: Array<() => void> | null = null;

  /** Runs `fn` on abort (at once if already aborted). Returns a function that removes it. */
  onAbort(fn: () => void): () => void {
    if (this.aborted) {
      fn();
      return () => {};
    }
    if (!this.listeners) this.listeners = [];
    this.listeners.push(fn);
    return () => {
      const list = this.listeners;
      const i = list ? list.indexOf(fn) : -1;
      if (list && i >= 0) list.splice(i, 1);
    };
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const list = this.listeners;
    this.listeners = null;
    if (list) for (const fn of list) fn();
  }

  /** Resolves when aborted. */
  whenAborted(): Promise<void> {
    return new Promise((resolve) => {
      this.onAbort(resolve);
    });
  }
}
