// The command line a commit records, quoted for a shell.

import { describe, expect, it } from "vitest";
import { formatCommandLine } from "./command-line.js";

describe("formatCommandLine", () => {
  it("leaves plain arguments as they are", () => {
    expect(formatCommandLine(["copy", "data.csv", "/raw/"])).toBe("pond copy data.csv /raw/");
  });

  it("quotes what a shell would split or expand, so the line can be pasted back", () => {
    expect(formatCommandLine(["ls", "**"])).toBe("pond ls '**'");
    expect(formatCommandLine(["copy", "a b.txt", "/x"])).toBe("pond copy 'a b.txt' /x");
    expect(formatCommandLine(["cat", "it's"])).toBe("pond cat 'it'\\''s'");
    expect(formatCommandLine(["mkdir", ""])).toBe("pond mkdir ''");
  });
});
