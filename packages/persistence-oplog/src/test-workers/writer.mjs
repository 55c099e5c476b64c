// A child process that writes to a pond, for the crash and concurrency tests.
// Usage: node writer.mjs MODE POND_PATH [ARGS…]; prints one JSON line per transaction.

import { createOplogFs, maintainOplog } from "../../dist/index.js";

const [mode, path, ...args] = process.argv.slice(2);
const fs = await createOplogFs(path);
const report = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

/** Deterministic content for transaction `i`: its first line names it, so a reader can check it. */
export function contentFor(i, size) {
  const bytes = new Uint8Array(size);
  const head = new TextEncoder().encode(`txn ${i}\n`);
  for (let k = 0; k < size; k++) bytes[k] = (i * 31 + k * 7) & 0xff;
  bytes.set(head.subarray(0, size));
  return bytes;
}

if (mode === "crash") {
  // Commits forever until killed: small and large files, overwrites and new names.
  // It numbers its transactions on from the pond's history, so a restart continues the sequence.
  for (let i = (await fs.history()).length - 1; ; i++) {
    const size = i % 7 === 3 ? 70_000 + i : 100 + ((i * 97) % 3000);
    await fs.transaction(
      async (r) => {
        await r.createDirPath(`/d${i % 5}`, { recursive: true });
        await r.writeFile(`/d${i % 5}/f${i % 11}`, contentFor(i, size));
        await r.writeFile(`/log/t${i}`, `${i}`).catch(async () => {
          await r.createDirPath("/log", { recursive: true });
          await r.writeFile(`/log/t${i}`, `${i}`);
        });
      },
      { message: `crash ${i}` },
    );
    report({ committed: i });
  }
}

if (mode === "disjoint") {
  // args: worker id, transactions; each into the worker's own directory.
  const [id, count] = args;
  for (let i = 0; i < Number(count); i++) {
    await fs.transaction(
      async (r) => {
        await r.writeFile(`/w${id}/f${i}`, `worker ${id} txn ${i}`);
      },
      { message: `w${id}-${i}` },
    );
    report({ landed: `w${id}-${i}` });
  }
}

if (mode === "contended") {
  // args: worker id, transactions, names; each transaction writes two random names of one directory.
  const [id, count, names] = args;
  for (let i = 0; i < Number(count); i++) {
    const txn = `c${id}-${i}`;
    const a = `n${(i * 7 + Number(id) * 3) % Number(names)}`;
    const b = `n${(i * 5 + Number(id)) % Number(names)}`;
    try {
      await fs.transaction(
        async (r) => {
          await r.writeFile(`/shared/${a}`, txn);
          await r.writeFile(`/shared/${b}`, txn);
        },
        { message: txn },
      );
      report({ txn, outcome: "landed", names: [a, b] });
    } catch (error) {
      if (error?.code !== "CONFLICT") throw error;
      report({ txn, outcome: "conflict" });
    }
  }
}

if (mode === "maintain") {
  // Maintains the pond over and over until killed, reclaiming without a grace period.
  for (let round = 0; ; round++) {
    await maintainOplog(path, { orphanGraceMs: 0 });
    report({ maintained: round });
  }
}

await fs.close();
