// Rollup states in browsers: kept in memory only (a page has no cache directory).

import type { DerivedParams } from "../derived-key.js";
import type { RollupState } from "../rollup-state.js";

export async function loadStates(
  _cacheDir: string | undefined,
  names: readonly string[],
  _ids: readonly string[],
  _params: readonly DerivedParams[],
): Promise<Array<RollupState | undefined>> {
  return names.map(() => undefined);
}

export async function saveStates(
  _cacheDir: string | undefined,
  _names: readonly string[],
  _states: readonly RollupState[],
  _params: readonly DerivedParams[],
): Promise<void> {}
