// Which transaction the current async call belongs to, in Node: AsyncLocalStorage.

export { AsyncLocalStorage as AsyncContext } from "node:async_hooks";

/** Whether calls are told apart by the async call chain they belong to. */
export const TRACKS_ASYNC_CALLS = true;
