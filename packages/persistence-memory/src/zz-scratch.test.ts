import fc from "fast-check";
import { it } from "vitest";
import { opArb } from "../../tinyfs/src/testing/operations.js";
import { PropertyRun } from "../../tinyfs/src/testing/property-run.js";
import { createMemoryFs } from "./index.js";

it("stats", async () => {
  let worst = 0; let worstOps: unknown;
  const t0 = Date.now();
  try {
  await fc.assert(fc.asyncProperty(fc.array(opArb(false), { maxLength: 30, size: "max" }), async (ops) => {
    const t = Date.now();
    try { await new PropertyRun({ name: "m", create: createMemoryFs }).run(ops); }
    finally { const d = Date.now() - t; if (d > worst) { worst = d; worstOps = ops; } if (d > 2000) { console.log("SLOW", d, JSON.stringify(ops)); throw new Error("slow " + d); } }
  }), { numRuns: Number(process.env.N ?? 300), seed: Number(process.env.S ?? 1), includeErrorInReport: true, endOnFailure: process.env.E === "1" });
  } finally { console.log("total", Date.now() - t0, "worst", worst, JSON.stringify(worstOps)); }
}, 600_000);
