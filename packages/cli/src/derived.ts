// @pond/derived brings apache-arrow and parquet-wasm, a tenth of a second to load: only the
// commands that need it load it, so the others start faster.

export const loadDerived = () => import("@pond/derived");
