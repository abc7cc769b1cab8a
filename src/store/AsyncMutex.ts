/** A first-come first-served async lock: `run` calls never overlap. */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `work` after every earlier `run` has settled; resolves or rejects as `work` does. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }
}
