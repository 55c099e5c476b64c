// `pond --pond s3://bucket/prefix` (and $POND) against a real S3 server (SeaweedFS, started
// here), its settings in the AWS_* variables.

import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type S3Server, startS3Server, TEST_SECRET_KEY } from "@pond/delta-python";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useSandbox } from "./testing/run-pond.js";
import { seriesChunk } from "./testing/series-fixture.js";

const VENV = join(fileURLToPath(new URL("..", import.meta.url)), ".venv");
const sandbox = useSandbox();
let server: S3Server;
beforeAll(async () => {
  server = await startS3Server(VENV);
}, 600_000);
afterAll(() => server?.stop(), 60_000);

describe("a pond in a bucket", () => {
  it("is created, written, listed, read, logged, maintained and checked through s3:// URLs", async () => {
    const s = sandbox();
    const url = "s3://pond-test/cli/weather";
    const pond = (...args: string[]) => s.run(["--pond", url, ...args], server.env);
    expect((await pond("init")).code).toBe(0);
    await writeFile(s.path("r.csv"), "time,temp_c\n2025-01-06T08:00Z,3.1\n");
    await writeFile(s.path("big.bin"), Buffer.alloc(200_000, 7));
    expect((await pond("mkdir", "/raw")).err).toBe("");
    expect((await pond("copy", "r.csv", "big.bin", "/raw/")).out).toMatch(/^version 2: copied 2/);
    expect((await pond("ls", "/raw")).out).toBe("big.bin\nr.csv\n");
    expect((await pond("cat", "/raw/r.csv")).out).toBe("time,temp_c\n2025-01-06T08:00Z,3.1\n");
    expect((await pond("cat", "/raw/big.bin")).stdout.length).toBe(200_000);
    const log = await pond("log");
    expect(log.out).toMatch(/copy r.csv big.bin \/raw\//);
    expect(log.out).not.toContain(TEST_SECRET_KEY);
    const viaEnv = await s.run(["ls", "/raw"], { ...server.env, POND: url });
    expect(viaEnv.out).toBe("big.bin\nr.csv\n");
    for (let i = 0; i < 3; i++) {
      await writeFile(s.path(`n${i}.csv`), `time,temp_c\n2025-01-0${i + 1}T08:00Z,${i}\n`);
      expect((await pond("copy", `n${i}.csv`, "/raw/")).code).toBe(0);
    }
    const maintained = await pond("maintain");
    expect(maintained.err).toBe("");
    expect(maintained.out).toMatch(/compact/i);
    expect((await pond("cat", "/raw/n2.csv")).out).toBe("time,temp_c\n2025-01-03T08:00Z,2\n");
    const fsck = await pond("fsck");
    expect(fsck.err).toBe("");
    expect(fsck.code).toBe(0);
  }, 300_000);

  it("answers SQL over a series whose chunks are inline and large files", async () => {
    const s = sandbox();
    const url = "s3://pond-test/cli/sql";
    const pond = (...args: string[]) => s.run(["--pond", url, ...args], server.env);
    expect((await pond("init")).code).toBe(0);
    await writeFile(s.path("small.parquet"), await seriesChunk(0, 24, 3_600_000));
    await writeFile(s.path("big.parquet"), await seriesChunk(86_400_000, 200_000, 1000));
    for (const chunk of ["small.parquet", "big.parquet"]) {
      expect((await pond("copy", "--series", chunk, "/weather")).err).toBe("");
    }
    const answer = await pond(
      "query",
      "SELECT count(*) AS n, max(value) AS top FROM w",
      "--table",
      "w=/weather",
      "--format",
      "json",
    );
    expect(answer.err).toBe("");
    expect(JSON.parse(answer.out)).toEqual([{ n: 200_024, top: 199_999 }]);
    const fsck = await pond("fsck");
    expect(fsck.out).toMatch(/1 large file/);
  }, 300_000);
});
