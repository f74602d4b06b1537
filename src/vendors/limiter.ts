/**
 * Runs at most `limit` tasks at once; the others wait their turn, first come first served.
 * A vendor client holds one, so the bound holds across every command calling that vendor.
 */
export class Limiter {
  private running = 0;
  // A Set iterates in insertion order and deletes in constant time: a FIFO queue of wake-ups.
  private readonly waiting = new Set<() => void>();

  constructor(readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) this.running += 1;
    else await new Promise<void>((resolve) => this.waiting.add(resolve));
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private release(): void {
    const [next] = this.waiting;
    if (next === undefined) {
      this.running -= 1;
      return;
    }
    // The slot passes straight to the first in line, so a newcomer cannot take it first.
    this.waiting.delete(next);
    next();
  }
}
