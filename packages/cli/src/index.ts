export type { CliIo, OutputStream } from "./io.js";
export { main } from "./main.js";
