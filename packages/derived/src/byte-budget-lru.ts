// Least-recently-used bookkeeping under a byte budget and an entry count.

/**
 * Entries in recency order with their sizes. Eviction removes the least
 * recently used entries until the total fits the budget and the count fits
 * `maxEntries`, sparing the one named `keep` (so a result larger than the whole
 * budget is still kept until the next result arrives).
 */
export class ByteBudgetLru<V> {
  // A Map iterates in insertion order: re-inserting on use keeps the oldest first.
  private readonly entries = new Map<string, { value: V; size: number }>();
  private total = 0;

  constructor(
    readonly budgetBytes: number,
    readonly maxEntries = Number.POSITIVE_INFINITY,
  ) {}

  /** Bytes of all entries. */
  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value, marked most recently used. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Adds or replaces, as most recently used. */
  set(key: string, value: V, size: number): void {
    this.delete(key);
    this.entries.set(key, { value, size });
    this.total += size;
  }

  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.total -= entry.size;
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  values(): IterableIterator<V> {
    return Array.from(this.entries.values(), (e) => e.value)[Symbol.iterator]();
  }

  /** Removes least recently used entries until within budget and count; returns them, oldest first. */
  evict(keep?: string): V[] {
    const evicted: V[] = [];
    for (const [key, entry] of this.entries) {
      if (this.total <= this.budgetBytes && this.entries.size <= this.maxEntries) break;
      if (key === keep) continue;
      this.entries.delete(key);
      this.total -= entry.size;
      evicted.push(entry.value);
    }
    return evicted;
  }
}
