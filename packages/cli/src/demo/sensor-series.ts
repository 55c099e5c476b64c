// Simulated weather-station readings for the demo: one Parquet chunk per day, reproducible.

import { makeData, makeVector, Table, TimestampMillisecond, type Vector } from "apache-arrow";
import { writeParquet } from "../parquet.js";

const DAY_MS = 86_400_000;

export interface SensorDay {
  /** Midnight UTC of the day. */
  start: Date;
  rows: number;
  parquet: Uint8Array;
}

/**
 * Day `day` (0-based) after `first` of readings every `intervalSeconds`:
 * timestamp (ms, UTC), temperature (°C, a daily cycle), humidity (%, the
 * opposite cycle) and pressure (hPa, a slow weekly swing), with seeded noise.
 */
export async function sensorDay(
  first: Date,
  day: number,
  intervalSeconds: number,
): Promise<SensorDay> {
  const start = first.getTime() + day * DAY_MS;
  const rows = Math.floor(86_400 / intervalSeconds);
  const times = new BigInt64Array(rows);
  const temperature = new Float64Array(rows);
  const humidity = new Float64Array(rows);
  const pressure = new Float64Array(rows);
  const noise = random(1_000 + day);
  for (let i = 0; i < rows; i++) {
    const t = start + i * intervalSeconds * 1000;
    const hour = (t % DAY_MS) / 3_600_000;
    const cycle = Math.sin((2 * Math.PI * (hour - 9)) / 24);
    times[i] = BigInt(t);
    temperature[i] = round(17 + day * 0.4 + 6 * cycle + (noise() - 0.5) * 0.6);
    humidity[i] = round(62 - 14 * cycle + (noise() - 0.5) * 2);
    pressure[i] = round(
      1013 +
        6 * Math.sin((2 * Math.PI * (t - first.getTime())) / (7 * DAY_MS)) +
        (noise() - 0.5) * 0.4,
    );
  }
  const table = new Table({
    timestamp: timestampVector(times),
    temperature: makeVector(temperature),
    humidity: makeVector(humidity),
    pressure: makeVector(pressure),
  });
  return { start: new Date(start), rows, parquet: await writeParquet(table) };
}

function timestampVector(times: BigInt64Array): Vector {
  const type = new TimestampMillisecond("UTC");
  return makeVector(makeData({ type, length: times.length, data: times } as never));
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** mulberry32: small, seeded, good enough for plausible noise. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
