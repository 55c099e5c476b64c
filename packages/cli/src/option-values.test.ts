// Option values: --at takes a version or a strict ISO 8601 time, nothing else.

import { describe, expect, it } from "vitest";
import { UsageError } from "./errors.js";
import { parseAt } from "./option-values.js";

describe("parseAt", () => {
  it("takes a whole number as a pond version", () => {
    expect(parseAt("0", "ls")).toEqual({ version: 0 });
    expect(parseAt("12", "ls")).toEqual({ version: 12 });
  });

  it("takes ISO 8601 dates and times, UTC unless an offset is given", () => {
    const at = (value: string) => (parseAt(value, "ls") as { asOf: Date }).asOf.toISOString();
    expect(at("2025-01-31")).toBe("2025-01-31T00:00:00.000Z");
    expect(at("2025-01-31T12:00Z")).toBe("2025-01-31T12:00:00.000Z");
    expect(at("2025-01-31T12:00:30")).toBe("2025-01-31T12:00:30.000Z");
    expect(at("2025-01-31 12:00:30Z")).toBe("2025-01-31T12:00:30.000Z");
    expect(at("2025-01-31T12:00:30.25+01:00")).toBe("2025-01-31T11:00:30.250Z");
    expect(at("2025-01-31T12:00-0230")).toBe("2025-01-31T14:30:00.000Z");
    expect(at("0099-12-31T23:59:59Z")).toBe("0099-12-31T23:59:59.000Z");
  });

  it("refuses anything else as a usage error", () => {
    for (const value of [
      "-1",
      "-99999",
      "1.5",
      "+3",
      " 3",
      "",
      "yesterday",
      "2025-02-30",
      "2025-13-01",
      "2025-01-31T24:00Z",
      "2025-01-31Z",
      "Jan 31 2025",
      "2025-01-31T12:00:00+25:00",
    ]) {
      expect(() => parseAt(value, "ls"), JSON.stringify(value)).toThrow(UsageError);
    }
  });
});
