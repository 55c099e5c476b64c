// A backend under test whose ponds reopen from where they were made: a path, a store.

import type { FS } from "../fs.js";
import type { BackendUnderTest } from "./backend-under-test.js";

export interface ReopenablePonds<Place> {
  /** Where the next new pond goes: a fresh path, a new store. */
  place(): Place;
  /** A new, empty pond there. */
  create(place: Place): Promise<FS>;
  /** The pond there, opened again as a new process would. */
  open(place: Place): Promise<FS>;
}

/** A {@link BackendUnderTest} with `reopen`: it closes a pond and opens it again where it was made. */
export function reopenableBackend<Place>(
  name: string,
  ponds: ReopenablePonds<Place>,
): BackendUnderTest {
  const places = new WeakMap<FS, Place>();
  const remember = (fs: FS, place: Place) => {
    places.set(fs, place);
    return fs;
  };
  return {
    name,
    async create() {
      const place = ponds.place();
      return remember(await ponds.create(place), place);
    },
    async reopen(fs) {
      const place = places.get(fs) as Place;
      await fs.close();
      return remember(await ponds.open(place), place);
    },
  };
}
