// The ordinary files the demo puts next to its timeseries.

/** The station README, first as imported, then as edited by a later version. */
export const README_V1 = `# Station 1

A weather station on the roof, reporting every 10 seconds:

- temperature in degrees Celsius
- relative humidity in percent
- air pressure in hectopascal

The readings live in /sensors/station-1/weather, one version per day.
`;

export const README_V2 = `${README_V1}
## Calibration

The humidity sensor was recalibrated after the first week; readings from
before are within 2 percentage points.
`;

/** Stations as CSV. */
export const STATIONS_CSV = `station,name,latitude,longitude,elevation_m
station-1,Roof,52.5200,13.4050,48
station-2,Courtyard,52.5201,13.4047,34
station-3,Field,52.5307,13.3849,41
`;

/** A small binary file: a sensor calibration table, 4 KiB of every byte value. */
export function calibrationBytes(): Uint8Array {
  const bytes = new Uint8Array(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 167 + (i >> 8)) & 0xff;
  return bytes;
}
