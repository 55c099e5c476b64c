// Least-recently-used bookkeeping under a byte budget.

/**
 * Entries in recency order with their sizes. Eviction removes the least
 * recently used entries until the total fits the budget, sparing pinned ones
 * and the one named `keep` (so a result larger than the whole budget is still
 * kept until the next result arrives, and its path stays readable meanwhile).
 */
export class ByteBudgetLru<V> {
  // A Map iterates in insertion order: re-inserting on use keeps the oldest first.
  private readonly entries = new Map<string, { value: V; size: number }>();
  private total = 0;

  constructor(readonly budgetBytes: number) {}

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

  has(key: string): boolean {
    return this.entries.has(key);
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

  values(): IterableIterator<V> {
    return Array.from(this.entries.values(), (e) => e.value)[Symbol.iterator]();
  }

  /** Removes least recently used entries until within budget; returns them, oldest first. */
  evict(isPinned: (value: V) => boolean, keep?: string): V[] {
    const evicted: V[] = [];
    if (this.total <= this.budgetBytes) return evicted;
    for (const [key, entry] of this.entries) {
      if (this.total <= this.budgetBytes) break;
      if (key === keep || isPinned(entry.value)) continue;
      this.entries.delete(key);
      this.total -= entry.size;
      evicted.push(entry.value);
    }
    return evicted;
  }
}
