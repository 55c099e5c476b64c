// Parquet tiles fetched once each and read with @pond/derived's browser build.

import { readParquet } from "@pond/derived";
import type { Table } from "apache-arrow";

const tiles = new Map<string, Promise<Table>>();

/** The tile at `url` as an Arrow table; fetched on first use, then kept. */
export function loadTile(url: string): Promise<Table> {
  let tile = tiles.get(url);
  if (!tile) {
    tile = fetch(url).then(async (response) => {
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return readParquet(new Uint8Array(await response.arrayBuffer()), url);
    });
    // A failed fetch is tried again next time.
    tile.catch(() => tiles.delete(url));
    tiles.set(url, tile);
  }
  return tile;
}
