// Private copies of file content, packed into shared blocks: what is staged and what readers get.

export interface ArenaSizes {
  /** Content this large gets a buffer of its own. */
  ownBufferBytes: number;
  /** The first block's size; each next block doubles, up to `maxBlockBytes`. */
  minBlockBytes: number;
  maxBlockBytes: number;
}

/** For what the pond keeps: blocks grow from 64 KiB to 1 MiB, so a small pond stays small. */
export const STORE_SIZES: ArenaSizes = {
  ownBufferBytes: 1 << 16,
  minBlockBytes: 1 << 16,
  maxBlockBytes: 1 << 20,
};

/**
 * For what readers are handed: small blocks, as Node's Buffer pool has, so that
 * a reader keeping one result keeps little else alive.
 */
export const READ_SIZES: ArenaSizes = {
  ownBufferBytes: 1 << 12,
  minBlockBytes: 1 << 13,
  maxBlockBytes: 1 << 13,
};

/**
 * Copies small contents side by side into blocks: one buffer per block rather
 * than one per copy is much less work for the allocator and the garbage
 * collector. A block lives as long as any copy in it, so bytes of rolled-back
 * writes may outlive them; a backend that keeps every committed version loses nothing by it.
 */
export class ContentArena {
  private block = new Uint8Array(0);
  private used = 0;

  constructor(private readonly sizes: ArenaSizes) {}

  /** A copy of `bytes` that no one else holds. */
  copy(bytes: Uint8Array): Uint8Array {
    const size = bytes.length;
    const { ownBufferBytes, minBlockBytes, maxBlockBytes } = this.sizes;
    // Not slice(): on a Buffer that is a view of the same bytes.
    if (size >= ownBufferBytes) return new Uint8Array(bytes);
    if (this.used + size > this.block.length) {
      const grown = Math.min(maxBlockBytes, this.block.length * 2);
      this.block = new Uint8Array(Math.max(minBlockBytes, grown));
      this.used = 0;
    }
    const copy = this.block.subarray(this.used, this.used + size);
    copy.set(bytes);
    this.used += size;
    return copy;
  }
}
