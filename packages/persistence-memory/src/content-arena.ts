// Private copies of file content, packed into shared blocks.

/** Content this large gets a buffer of its own; smaller content always fits a fresh block. */
const OWN_BUFFER_BYTES = 1 << 16;
const MAX_BLOCK_BYTES = 1 << 20;

/**
 * Copies small contents side by side into blocks: one buffer per block rather
 * than one per file is much less work for the garbage collector. Blocks grow
 * from 64 KiB to 1 MiB, so a small pond stays small. A block lives as long as
 * any content in it, so bytes of rolled-back writes may outlive them; the
 * memory pond keeps every committed version anyway.
 */
export class ContentArena {
  private block = new Uint8Array(0);
  private used = 0;

  /** A copy of `bytes` that no caller holds. */
  copy(bytes: Uint8Array): Uint8Array {
    const size = bytes.length;
    if (size >= OWN_BUFFER_BYTES) return bytes.slice();
    if (this.used + size > this.block.length) {
      const grown = Math.min(MAX_BLOCK_BYTES, this.block.length * 2);
      this.block = new Uint8Array(Math.max(OWN_BUFFER_BYTES, grown));
      this.used = 0;
    }
    const copy = this.block.subarray(this.used, this.used + size);
    copy.set(bytes);
    this.used += size;
    return copy;
  }
}
