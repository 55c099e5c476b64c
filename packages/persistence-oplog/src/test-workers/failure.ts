// The PondError a promise rejects with, for tests that expect one.

import { PondError } from "@pond/tinyfs";
import { expect } from "vitest";

export async function failure(promise: Promise<unknown>): Promise<PondError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(PondError.is(error), String(error)).toBe(true);
  return error as PondError;
}
