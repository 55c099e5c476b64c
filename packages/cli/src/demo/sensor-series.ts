// Simulated weather-station readings for the demo: one Parquet chunk per day, reproducible.

import { writeParquet } from "@pond/derived";
import { makeData, makeVector, Table, TimestampMillisecond, type Vector } from "apache-arrow";

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
 * opposite cycle) and pressure (hPa, a slow weekly swing), with a ripple of
 * incommensurate sines standing in for noise, so every run writes the same bytes.
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
  for (let i = 0; i < rows; i++) {
    const t = start + i * intervalSeconds * 1000;
    const hour = (t % DAY_MS) / 3_600_000;
    const cycle = Math.sin((2 * Math.PI * (hour - 9)) / 24);
    times[i] = BigInt(t);
    const k = day * rows + i;
    temperature[i] = round(17 + day * 0.4 + 6 * cycle + 0.3 * ripple(k, 1));
    humidity[i] = round(62 - 14 * cycle + ripple(k, 2));
    pressure[i] = round(
      1013 +
        6 * Math.sin((2 * Math.PI * (t - first.getTime())) / (7 * DAY_MS)) +
        0.2 * ripple(k, 3),
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

/** A deterministic wiggle in [-1, 1]: sines whose periods share no common multiple. */
function ripple(k: number, phase: number): number {
  return (Math.sin(k * 0.7137 + phase) + Math.sin(k * 0.1931 + 2 * phase) * 0.6) / 1.6;
}
