// Structural equality of test values, in Node: util.isDeepStrictEqual.

export { isDeepStrictEqual as deepEqual } from "node:util";
